/**
 * The oracle rounds that settle a series after its window (OptionsClearing.settleFromRound and the governance
 * fallback's reference): found by walking the aggregator's recorded rounds back from the latest.
 */

/** The slice of OracleAggregator these look-ups read. */
export interface RoundReader {
  latestRound(asset: string): Promise<[bigint, bigint, bigint] & { roundId: bigint }>;
  roundData(
    asset: string,
    roundId: bigint,
  ): Promise<[bigint, bigint] & { priceWad: bigint; updatedAt: bigint }>;
}

export interface SettlementRounds {
  /** The last round observed before expiry (0n: none): the fallback price's reference. */
  referenceRoundId: bigint;
  /** Its price (0n when there is none). */
  referencePriceWad: bigint;
  /** The first round observed at or after expiry and at or before the window's end (null: none). */
  firstInWindow: bigint | null;
}

/** The rounds of `asset` around `expiry`, for a series whose settlement window ends at `windowEnd`. */
export async function settlementRounds(
  aggregator: RoundReader,
  asset: string,
  expiry: bigint,
  windowEnd: bigint,
): Promise<SettlementRounds> {
  const { roundId: latest } = await aggregator.latestRound(asset);
  let firstInWindow: bigint | null = null;
  for (let id = latest; id > 0n; id--) {
    const { priceWad, updatedAt } = await aggregator.roundData(asset, id);
    if (updatedAt < expiry) return { referenceRoundId: id, referencePriceWad: priceWad, firstInWindow };
    if (updatedAt <= windowEnd) firstInWindow = id;
  }
  return { referenceRoundId: 0n, referencePriceWad: 0n, firstInWindow };
}

/** The slice of OptionsClearing these look-ups read. */
export interface SeriesReader {
  series(seriesId: bigint): Promise<{ underlying: string; expiry: bigint }>;
  SETTLEMENT_WINDOW_SECONDS(): Promise<bigint>;
}

/** The rounds around `seriesId`'s expiry, read from `aggregator` (the clearing's ORACLE). */
export async function seriesSettlementRounds(
  clearing: SeriesReader,
  aggregator: RoundReader,
  seriesId: bigint,
): Promise<SettlementRounds> {
  const s = await clearing.series(seriesId);
  const windowEnd = s.expiry + (await clearing.SETTLEMENT_WINDOW_SECONDS());
  return settlementRounds(aggregator, s.underlying, s.expiry, windowEnd);
}

/** The price governance's fallback may set nearest `wantedWad`: within `maxDeviationWad` of the reference price
 * (rounded inwards as the contract bounds it), or `wantedWad` itself when there is no reference. */
export function boundedFallbackPrice(
  wantedWad: bigint,
  referencePriceWad: bigint,
  maxDeviationWad: bigint,
): bigint {
  if (referencePriceWad === 0n) return wantedWad;
  const WAD = 10n ** 18n;
  const low = (referencePriceWad * (WAD - maxDeviationWad) + WAD - 1n) / WAD;
  const high = (referencePriceWad * (WAD + maxDeviationWad)) / WAD;
  return wantedWad < low ? low : wantedWad > high ? high : wantedWad;
}
