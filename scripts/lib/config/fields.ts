/**
 * The building blocks of the config schema: fields in human units read through scripts/lib/units.ts, objects that
 * refuse unknown keys, bound checks naming the bound, and the test that lets a cross-field check run beside
 * problems elsewhere.
 */
import { getAddress, isAddress, ZeroAddress } from "ethers";
import { z } from "zod";
import {
  formatWad,
  parseDecimal,
  parseDuration,
  parseShareWad,
  parseTimestamp,
  show,
  UnitError,
  WAD_DECIMALS,
} from "../units";

type Path = readonly PropertyKey[];
/** What a refinement sees of the problems found so far (paths relative to the refined value). */
type Issues = readonly { path?: PropertyKey[]; continue?: boolean }[];

/** A field read by a unit parser: absent is "missing", a value it refuses is named in the message. */
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

/** Any address but zero, checksummed (a mixed-case address with a wrong checksum is refused). */
export function parseAddress(value: unknown): string {
  if (typeof value !== "string" || !isAddress(value)) throw new UnitError(`${show(value)} is not an address`);
  const address = getAddress(value);
  if (address === ZeroAddress) throw new UnitError("the zero address is not allowed");
  return address;
}

/** What a config names a contract to be deployed as a development mock. */
export const MOCK = "mock";

/** An address, or "mock" for a development mock. */
function parseAddressOrMock(value: unknown): string {
  if (value === MOCK) return MOCK;
  try {
    return parseAddress(value);
  } catch {
    throw new UnitError(`${show(value)} is neither an address nor "mock"`);
  }
}

/** A price or strike in quote per whole unit, as WAD. */
export const wad = () => unit((value) => parseDecimal(value, WAD_DECIMALS));
/** A fraction (0.2) or percentage ("20%"), as WAD. */
export const share = () => unit(parseShareWad);
/** Seconds, or a number with s, m, h, d or w. */
export const duration = () => unit(parseDuration);
/** Unix seconds, or ISO-8601 with a time zone. */
export const timestamp = () => unit(parseTimestamp);
export const address = () => unit(parseAddress);
export const addressOrMock = () => unit(parseAddressOrMock);

/** A string with something in it (kept as written). */
export const text = () =>
  z
    .string({ error: isNot("a non-empty string") })
    .refine((s) => s.trim() !== "", { error: isNot("a non-empty string") });

export const flag = () => z.boolean({ error: isNot("true or false") });

/** A whole number in [min, max]. */
export const integer = (min: number, max: number) =>
  z.int({ error: isNot("an integer") }).refine((n) => n >= min && n <= max, {
    error: (issue) => `${String(issue.input)} is outside [${min}, ${max}]`,
  });

/** A list of distinct addresses; `nonEmpty` asks for at least one. */
export const addresses = (nonEmpty: boolean) =>
  z.array(address(), { error: isNot("a list of addresses") }).superRefine((list, ctx) => {
    if (nonEmpty && list.length === 0)
      ctx.addIssue({ code: "custom", message: "needs at least one address" });
    list.forEach((entry, i) => {
      if (list.indexOf(entry) < i)
        ctx.addIssue({ code: "custom", path: [i], message: `${entry} is listed twice` });
    });
  });

export const seconds = (value: number): string => `${value} s`;
export const wadText = (value: bigint): string => formatWad(value);
export const percentText = (value: bigint): string => formatWad(value, true);

/** A bound check naming the bound crossed: "1800 s is below the minimum 3600 s". */
export function within<T extends number | bigint>(min: T, max: T, format: (value: T) => string) {
  return (value: T, ctx: z.RefinementCtx<T>): void => {
    if (value < min)
      ctx.addIssue({ code: "custom", message: `${format(value)} is below the minimum ${format(min)}` });
    else if (value > max)
      ctx.addIssue({ code: "custom", message: `${format(value)} is above the maximum ${format(max)}` });
  };
}

/** A cross-field check runs whatever failed elsewhere; it reads only what `parsed` says was read. */
export const RUN_ALWAYS = { when: (): boolean => true };

/**
 * Whether the value at every path was read without a parse failure at, under or above it, so it has its parsed
 * type. Bound and cross-field problems (continuable issues) leave values read: they never precede a transform.
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

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Keys any object may carry as notes: "comment" and "$..." (e.g. "$schema"). */
const isNote = (key: string): boolean => key === "comment" || key.startsWith("$");

/** An object with exactly the keys of `shape` (and notes); every other key is a problem at its own path. */
export function section<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape);
  return z.looseObject(shape, { error: isNot("an object") }).superRefine((value, ctx) => {
    if (!isRecord(value)) return;
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key) && !isNote(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown key (expected one of ${allowed.join(", ")})`,
        });
      }
    }
  }, RUN_ALWAYS);
}

/** An object keyed by names (asset symbols). */
export const named = <T extends z.ZodType>(entry: T) =>
  z.record(z.string(), entry, { error: isNot("an object") });
