/**
 * How a config's problems are reported: one line per problem, "<JSON path>: <what is wrong with which value>",
 * all of them in one `ConfigError`.
 */
import type { z } from "zod";
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
