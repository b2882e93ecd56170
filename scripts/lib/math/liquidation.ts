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
 * Smallest fraction f (WAD, rounded up) with C - f·owed >= (1 - f)·I, capped by `maxFractionWad`; `restoresInitial`
 * when the fraction is partial and uncapped. Requires collateral < initial.
 */
export function neededFraction(
  collateralWad: bigint,
  initialWad: bigint,
  owedWad: bigint,
  maxFractionWad: bigint,
): { fractionWad: bigint; restoresInitial: boolean } {
  let fractionWad = WAD;
  let restoresInitial = false;
  if (initialWad > owedWad) {
    const needed = divUp((initialWad - collateralWad) * WAD, initialWad - owedWad);
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
