/**
 * Human units of the config files and operator inputs, read exactly and written back for messages.
 *
 * Prices and amounts are exact decimals ("2000", 0.01, "1.5e3"), shares are fractions (0.2) or percentages ("20%"),
 * durations are seconds (3600) or a number with a unit ("1h", "2d"), timestamps are unix seconds or ISO-8601 with a
 * time zone. Every parser throws a `UnitError` whose message names the value; callers prefix the field.
 */
import { formatUnits } from "ethers";

export const WAD_DECIMALS = 18;
const PERCENT_DECIMALS = WAD_DECIMALS - 2;
const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: SECONDS_PER_DAY,
  w: 7 * SECONDS_PER_DAY,
};

/** A value that does not read as the unit asked for; the message names the value, not the field. */
export class UnitError extends Error {
  override name = "UnitError";
}

/** A value as it appears in a message: strings quoted, anything else as JSON. */
export const show = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? String(value));

/** An exact decimal ("2000", "0.01", 1e-6, "1.5e3") scaled by 10^decimals; fails if it needs more digits. */
export function parseDecimal(value: unknown, decimals: number): bigint {
  // A number's shortest round-trip text ("0.2", "1e+21", "1e-7"); the pattern reads exponents.
  const text =
    typeof value === "number"
      ? Number.isFinite(value)
        ? String(value)
        : "NaN"
      : typeof value === "string"
        ? value.trim()
        : null;
  const match = text === null ? null : /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) throw new UnitError(`${show(value)} is not a decimal number`);
  const [, sign, int, frac = "", exp = "0"] = match;
  const shift = Number(exp) + decimals - frac.length;
  let digits = BigInt(int + frac);
  if (shift >= 0) digits *= 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    if (digits % divisor !== 0n) throw new UnitError(`${show(value)} has more than ${decimals} decimals`);
    digits /= divisor;
  }
  return sign === "-" ? -digits : digits;
}

/** A fraction (0.2) or a percentage ("20%"), as WAD. */
export function parseShareWad(value: unknown): bigint {
  if (typeof value === "string" && value.trim().endsWith("%")) {
    return parseDecimal(value.trim().slice(0, -1), PERCENT_DECIMALS);
  }
  return parseDecimal(value, WAD_DECIMALS);
}

/** Seconds (3600) or a whole number with a unit ("30m", "1h", "2d", "1w"). */
export function parseDuration(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string") {
    const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
    if (match !== null) return Number(match[1]) * SECONDS_PER_UNIT[match[2]];
  }
  throw new UnitError(`${show(value)} is not a duration (seconds, or a number with s, m, h, d or w)`);
}

/** Unix seconds, or an ISO-8601 date with a time zone in whole seconds ("2030-03-29T08:00:00Z"). */
export function parseTimestamp(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === "string" && /T.*(Z|[+-]\d\d:\d\d)$/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms) && ms % 1000 === 0) return ms / 1000;
  }
  throw new UnitError(
    `${show(value)} is not a timestamp (unix seconds or ISO-8601 with a time zone, whole seconds)`,
  );
}

/** A WAD amount in human form: 1.2e18 -> "1.2", 2000e18 -> "2000"; as a percentage 0.2e18 -> "20%". */
export function formatWad(wad: bigint, percent = false): string {
  const text = formatUnits(wad, percent ? PERCENT_DECIMALS : WAD_DECIMALS).replace(/\.0$/, "");
  return percent ? `${text}%` : text;
}

/** Unix seconds as an ISO-8601 UTC date without milliseconds. */
export const isoSeconds = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
