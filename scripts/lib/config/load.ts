/** Reading a config file and validating it into a `DeployConfig`, or one `ConfigError` naming every problem. */
import { readFileSync } from "node:fs";
import type { ValidateOptions } from "./options";
import { issueText } from "../validation";
import { ConfigError, formatIssue } from "./problems";
import { deployConfigSchema, type DeployConfig } from "./schema";

/** Read and parse a JSON config file; a syntax error becomes a `ConfigError` naming the file. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
}

/**
 * Validate and normalise a parsed config. Throws one `ConfigError` listing every problem found; returns a
 * `DeployConfig` only when there is none.
 */
export function validateConfig(raw: unknown, options: ValidateOptions, source = "config"): DeployConfig {
  const result = deployConfigSchema(options).safeParse(raw, { error: issueText });
  if (!result.success) throw new ConfigError(source, result.error.issues.map(formatIssue));
  return result.data;
}

/** Read, parse and validate `path`. */
export function loadConfig(path: string, options: ValidateOptions): DeployConfig {
  return validateConfig(readConfigFile(path), options, path);
}
