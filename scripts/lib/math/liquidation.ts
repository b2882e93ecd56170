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
