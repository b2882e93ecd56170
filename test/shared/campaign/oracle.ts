/**
 * The oracle's band rule as both stateful campaigns predict it: whether a poke reporting a price trips the asset's
 * scope (docs/oracle.md: a jump beyond `bandWad` from the window's reference, or from the last price once the window
 * has elapsed).
 */
import type { OracleAggregator } from "../../../typechain-types";
import { WAD, divUp } from "../../../scripts/lib/math/wad";

/** The asset's band parameters and state, read before the poke. */
export interface Band {
  bandWad: bigint;
  windowSeconds: number;
  referenceWad: bigint;
  lastPriceWad: bigint;
  windowStartedAt: number;
}

export async function readBand(oracle: OracleAggregator, asset: string): Promise<Band> {
  const [params] = await oracle.assetConfig(asset);
  const state = await oracle.bandState(asset);
  return {
    bandWad: params.bandWad,
    windowSeconds: Number(params.bandWindowSeconds),
    referenceWad: state.referenceWad,
    lastPriceWad: state.lastPriceWad,
    windowStartedAt: Number(state.windowStartedAt),
  };
}

/** Whether a poke at time `at` accepting `priceWad` reports a jump beyond the band. */
export function breachesBand(band: Band, priceWad: bigint, at: number): boolean {
  if (band.referenceWad === 0n) return false;
  const elapsed = at >= band.windowStartedAt + band.windowSeconds;
  const ref = elapsed ? band.lastPriceWad : band.referenceWad;
  const diff = priceWad > ref ? priceWad - ref : ref - priceWad;
  return divUp(diff * WAD, ref) > band.bandWad;
}

/**
 * The breach a poke in [earliest, latest] reports, or undefined when the window's end falls in that range and the
 * two references disagree (the next block's time is not exactly predictable).
 */
export function predictBreach(
  band: Band,
  priceWad: bigint,
  earliest: number,
  latest: number,
): boolean | undefined {
  const early = breachesBand(band, priceWad, earliest);
  return early === breachesBand(band, priceWad, latest) ? early : undefined;
}
