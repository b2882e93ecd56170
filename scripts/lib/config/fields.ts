/**
 * The deploy config's fields: prices, shares, durations, addresses and strings in its units, objects that refuse
 * unknown keys but take notes, and bound checks naming the bound crossed.
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
import { closedObject, isNot, unit } from "../validation";

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

/** Keys any object may carry as notes: "comment" and "$..." (e.g. "$schema"). */
const isNote = (key: string): boolean => key === "comment" || key.startsWith("$");

/** An object with exactly the keys of `shape` (and notes); every other key is a problem at its own path. */
export const section = <S extends z.ZodRawShape>(shape: S) =>
  closedObject(shape, isNot("an object"), (key, allowed) =>
    isNote(key) ? undefined : `unknown key (expected one of ${allowed.join(", ")})`,
  );

/** An object keyed by names (asset symbols). */
export const named = <T extends z.ZodType>(entry: T) =>
  z.record(z.string(), entry, { error: isNot("an object") });
