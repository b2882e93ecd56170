/**
 * zod building blocks shared by the JSON files operators write (the deploy config, the sentinel's rules, the stress
 * scenarios): fields read by the unit parsers, closed objects, problems as "<path>: <message>", and the test that
 * lets a cross-field check run beside problems elsewhere.
 */
import { z } from "zod";
import { show, UnitError } from "./units";

type Path = readonly PropertyKey[];
/** What a refinement sees of the problems found so far (paths relative to the refined value). */
type Issues = readonly { path?: PropertyKey[]; continue?: boolean }[];

/** A field read by a parser that throws `UnitError`: absent is "missing", a value it refuses is named. */
export function unit<T>(parse: (value: unknown) => T) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: "custom", message: "missing" });
      return z.NEVER;
    }
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
      return z.NEVER;
    }
  });
}

/** A message for a value of the wrong kind: "missing" when absent, else the value and what it is not. */
export const isNot =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "missing" : `${show(issue.input)} is not ${what}`;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A cross-field check runs whatever failed elsewhere; it reads only what `parsed` says was read. */
export const RUN_ALWAYS = { when: (): boolean => true };

/**
 * Whether the value at every path was read without a parse failure at, under or above it, so it has its parsed
 * type. Bound and cross-field problems (continuable issues) leave values as parsed.
 */
export function parsed(issues: Issues, ...paths: Path[]): boolean {
  return !issues.some(
    (issue) => issue.continue !== true && paths.some((path) => overlaps(issue.path ?? [], path)),
  );
}

function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An object with the keys of `shape`; any other key is a problem at its own path with the message `unknownKey`
 * gives, or allowed when it gives none. `notAnObject` words the problem of a value that is no object.
 */
export function closedObject<S extends z.ZodRawShape>(
  shape: S,
  notAnObject: (issue: { input?: unknown }) => string,
  unknownKey: (key: string, allowed: readonly string[]) => string | undefined,
) {
  const allowed = Object.keys(shape);
  return z.looseObject(shape, { error: notAnObject }).superRefine((value, ctx) => {
    if (!isRecord(value)) return;
    for (const key of Object.keys(value)) {
      const message = allowed.includes(key) ? undefined : unknownKey(key, allowed);
      if (message !== undefined) ctx.addIssue({ code: "custom", path: [key], message });
    }
  }, RUN_ALWAYS);
}

/** "assets.WETH.sources[1].kind"; `root` names the whole document. */
export function formatPath(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

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
export function issueText(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined) return "missing";
  return `${show(issue.input)} is not ${KIND_NAMES[issue.expected] ?? issue.expected}`;
}
