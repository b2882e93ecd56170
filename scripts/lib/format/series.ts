/**
 * Human names of option series, as people read them: `WETH-1800-P-2026-12-13` (underlying symbol, strike in quote
 * units without trailing zeros, C or P, expiry date in UTC). Raw ids stay the reference in JSON; names go beside.
 */
import { formatUnits } from "ethers";

export interface SeriesTerms {
  /** The underlying's symbol ("WETH"). */
  underlying: string;
  /** Strike, WAD quote per whole unit of the underlying. */
  strikeWad: bigint;
  /** Unix seconds. */
  expiry: bigint | number;
  isCall: boolean;
}

/** A decimal amount without trailing zeros: 1800.0 -> "1800", 1800.50 -> "1800.5". */
export function trimDecimal(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** `units` of a token with `decimals`, as a plain decimal without trailing zeros. */
export function formatAmount(units: bigint, decimals: number): string {
  return trimDecimal(formatUnits(units, decimals));
}

/** `units` of a token with `decimals` followed by its symbol: "1500.25 USDC". */
export function formatTokens(units: bigint, decimals: number, symbol: string): string {
  return `${formatAmount(units, decimals)} ${symbol}`;
}

/** The UTC date of unix seconds `t`: "2026-12-13". */
export function utcDate(t: bigint | number): string {
  return new Date(Number(t) * 1000).toISOString().slice(0, 10);
}

/** The human name of a series: `WETH-1800-P-2026-12-13`. */
export function seriesName(s: SeriesTerms): string {
  return `${s.underlying}-${formatAmount(s.strikeWad, 18)}-${s.isCall ? "C" : "P"}-${utcDate(s.expiry)}`;
}
