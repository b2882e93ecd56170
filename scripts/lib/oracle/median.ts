/**
 * TypeScript reference of the OracleAggregator's aggregation (contracts/oracle/OracleAggregator.sol), written
 * from the specification in docs/oracle.md, not from the contract: freshness, median, quorum, spread and band.
 * The fuzz suite (test/fuzz/OracleMedian.fuzz.test.ts) compares the contract with it.
 */
import { WAD, divUp } from "../math/wad";

/** Largest price a source may report (type(uint128).max). */
export const MAX_PRICE_WAD = 2n ** 128n - 1n;

/** One source as the aggregator sees it at a given moment. */
export interface Observation {
  /** The source reverted, ran out of gas or returned malformed data. */
  unavailable: boolean;
  priceWad: bigint;
  updatedAt: bigint;
  heartbeatSeconds: bigint;
}

export type AggregateResult =
  | { status: "ok"; priceWad: bigint; updatedAt: bigint; fresh: number; spreadWad: bigint }
  | { status: "quorum"; fresh: number }
  | { status: "spread"; fresh: number; priceWad: bigint; spreadWad: bigint };

/** Whether an observation counts: available, 0 < price <= MAX, not from the future, within its heartbeat. */
export function isFresh(o: Observation, now: bigint): boolean {
  return (
    !o.unavailable &&
    o.priceWad > 0n &&
    o.priceWad <= MAX_PRICE_WAD &&
    o.updatedAt <= now &&
    now - o.updatedAt <= o.heartbeatSeconds
  );
}

/** Median of a non-empty list: the middle value, or the floor of the mean of the two middle values. */
export function median(values: bigint[]): bigint {
  if (values.length === 0) throw new Error("median of nothing");
  const s = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2n;
}

/** `(max - min) / median` in WAD, rounded up. */
export function spreadWad(values: bigint[], med: bigint): bigint {
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return divUp((hi - lo) * WAD, med);
}

/** The aggregate of `observations` at time `now`. */
export function aggregate(
  observations: Observation[],
  now: bigint,
  quorum: number,
  maxSpreadWad: bigint,
): AggregateResult {
  const fresh = observations.filter((o) => isFresh(o, now));
  if (fresh.length < quorum) return { status: "quorum", fresh: fresh.length };
  const prices = fresh.map((o) => o.priceWad);
  const med = median(prices);
  const spread = spreadWad(prices, med);
  if (spread > maxSpreadWad)
    return { status: "spread", fresh: fresh.length, priceWad: med, spreadWad: spread };
  const updatedAt = fresh.reduce((m, o) => (o.updatedAt < m ? o.updatedAt : m), fresh[0].updatedAt);
  return { status: "ok", priceWad: med, updatedAt, fresh: fresh.length, spreadWad: spread };
}

/** Whether `|price - reference| / reference`, rounded up, exceeds `bandWad`. */
export function beyondBand(reference: bigint, price: bigint, bandWad: bigint): boolean {
  const diff = price > reference ? price - reference : reference - price;
  return divUp(diff * WAD, reference) > bandWad;
}
