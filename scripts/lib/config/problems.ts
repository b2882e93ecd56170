/**
 * How a config's problems are reported: one line per problem, "<JSON path>: <what is wrong with which value>",
 * all of them in one `ConfigError`.
 */
import type { z } from "zod";
import { show } from "../units";
import { formatPath } from "../validation";

/** Every problem of a config, one per line, each with its JSON path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid deployment config ${source}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** "assets.WETH.sources[1].kind: ..."; a problem of the whole document is at "config". */
export const formatIssue = (issue: z.core.$ZodIssue): string =>
  `${formatPath(issue.path, "config")}: ${issue.message}`;

const KIND_NAMES: Readonly<Record<string, string>> = {
  object: "an object",
  record: "an object",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
};

/** Messages for zod's own issues where a schema gives none: a missing key, a value of the wrong kind. */
export function configIssueText(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined) return "missing";
  return `${show(issue.input)} is not ${KIND_NAMES[issue.expected] ?? issue.expected}`;
}
