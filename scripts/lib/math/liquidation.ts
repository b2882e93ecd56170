/** TypeScript reference of contracts/libraries/LiquidationMath.sol: exact bigint arithmetic, the same rounding. */
import { WAD, divUp, mulWadDown } from "./wad";

/** The auction's bounds (the clearing's `dutchAuctionSchedule()`). */
export interface AuctionParams {
  startDiscountWad: bigint;
  maxDiscountWad: bigint;
  durationSeconds: bigint;
  penaltyShareWad: bigint;
}

/** The discount after `elapsed` seconds: linear from start to max over the duration, then flat; rounded down. */
export function discountAfter(p: AuctionParams, elapsed: bigint): bigint {
  if (elapsed >= p.durationSeconds) return p.maxDiscountWad;
  return p.startDiscountWad + ((p.maxDiscountWad - p.startDiscountWad) * elapsed) / p.durationSeconds;
}

/**
 * Smallest fraction f (WAD, rounded up) with C - f·owed >= (1 - f)·I + (f - r)·D, r = f·owed / C, capped by
 * `maxFractionWad`; `restoresInitial` when the fraction is partial and uncapped. D is the correlated collateral's fall
 * (0 for an account without collateral in its underlyings: f = (I - C) / (I - owed)). Requires collateral < initial
 * and owed <= collateral.
 */
export function neededFraction(
  collateralWad: bigint,
  initialWad: bigint,
  owedWad: bigint,
  correlatedFallWad: bigint,
  maxFractionWad: bigint,
): { fractionWad: bigint; restoresInitial: boolean } {
  let fractionWad = WAD;
  let restoresInitial = false;
  const leftFallWad =
    correlatedFallWad === 0n || collateralWad === 0n
      ? correlatedFallWad
      : correlatedFallWad - (correlatedFallWad * owedWad) / collateralWad;
  if (initialWad > owedWad + leftFallWad) {
    const needed = divUp((initialWad - collateralWad) * WAD, initialWad - owedWad - leftFallWad);
    if (needed < fractionWad) {
      fractionWad = needed;
      restoresInitial = true;
    }
  }
  if (fractionWad > maxFractionWad) return { fractionWad: maxFractionWad, restoresInitial: false };
  return { fractionWad, restoresInitial };
}

/** The insurance's share of the bonus: liability·f·discount·share, rounded down at each step. */
export function penalty(
  p: AuctionParams,
  liabilityWad: bigint,
  fractionWad: bigint,
  discountWad: bigint,
): bigint {
  return mulWadDown(mulWadDown(mulWadDown(liabilityWad, fractionWad), discountWad), p.penaltyShareWad);
}

/** A span in which the breaker refused a liquidation: from a scope's trip to the end of its grace period. */
export interface LiquidationPause {
  trippedAt: bigint;
  graceEndsAt: bigint;
}

/**
 * The seconds of [from, to] outside every pause: the time the auction clock may count (docs/liquidation.md). The
 * clearing counts at most this (it treats the span from the earliest to the latest of several pauses since an
 * observation as one pause), and exactly this when at most one pause ended since the last observation.
 */
export function allowedSecondsBetween(from: bigint, to: bigint, pauses: readonly LiquidationPause[]): bigint {
  const spans = pauses
    .map((p) => ({
      start: p.trippedAt > from ? p.trippedAt : from,
      end: p.graceEndsAt < to ? p.graceEndsAt : to,
    }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let refused = 0n;
  let cursor = from;
  for (const s of spans) {
    const start = s.start > cursor ? s.start : cursor;
    if (s.end > start) {
      refused += s.end - start;
      cursor = s.end;
    }
  }
  return to - from - refused;
}
