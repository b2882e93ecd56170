/**
 * TypeScript reference of contracts/libraries/BlackScholes.sol: the exact Black–Scholes model (zero rate, no
 * dividends) in float64 with Cody's normal CDF, at the same WAD boundary (bigint in, bigint out).
 *
 * Accuracy: the price is intrinsic value (exact, bigint) plus the time value, and the time value equals the price
 * of the out-of-the-money option of the same strike (at r = 0 a call and a put of one strike share their time
 * value), which float64 computes without the cancellation of deep in-the-money prices. ln(S/K) is taken as
 * log1p((S - K)/K) with S - K exact. The result is within ~1e-15·(S + K) of the exact model.
 */
import { INV_SQRT_2PI, normCdf, normUpperTail } from "./normal";

export const WAD = 10n ** 18n;
/** Mirrors BlackScholes.sol. */
export const MIN_PRICE_WAD = 10n ** 12n;
export const MAX_PRICE_WAD = 10n ** 30n;
export const MAX_VOL_WAD = 10n * WAD;
export const SECONDS_PER_YEAR = 365n * 86_400n;
export const MAX_TIME_TO_EXPIRY_SECONDS = 10n * SECONDS_PER_YEAR;

/** A bound violated by an input, named like the Solidity custom error, carrying the offending values. */
export class PricingInputError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: readonly bigint[],
  ) {
    super(`${errorName}(${args.join(", ")})`);
    this.name = "PricingInputError";
  }
}

/** Intrinsic value in WAD: max(S - K, 0) for a call, max(K - S, 0) for a put. */
export function intrinsicWad(isCall: boolean, spotWad: bigint, strikeWad: bigint): bigint {
  const d = isCall ? spotWad - strikeWad : strikeWad - spotWad;
  return d > 0n ? d : 0n;
}

/**
 * Time value of a call or put (they are equal at r = 0) as a float in quote units per unit of underlying, for
 * total volatility v = σ·√T (float, years^½ · vol), clamped to the model bounds [0, min(S, K, S·v/√(2π))].
 */
export function timeValue(spotWad: bigint, strikeWad: bigint, v: number): number {
  if (!(v > 0)) return 0;
  const s = Number(spotWad) / 1e18;
  const k = Number(strikeWad) / 1e18;
  const lnRatio = Math.log1p(Number(spotWad - strikeWad) / Number(strikeWad));
  const d1 = lnRatio / v + v / 2;
  const d2 = d1 - v;
  // Out-of-the-money option: call if K >= S (S·Φ(d1) - K·Φ(d2)), put otherwise (K·Q(d2) - S·Q(d1)).
  const otm =
    strikeWad >= spotWad ? s * normCdf(d1) - k * normCdf(d2) : k * normUpperTail(d2) - s * normUpperTail(d1);
  const cap = Math.min(s, k, s * v * INV_SQRT_2PI);
  return Math.min(Math.max(otm, 0), cap);
}

/** Price in WAD from the time value: intrinsic (exact) + round(timeValue · 1e18). */
export function priceWadFromVol(isCall: boolean, spotWad: bigint, strikeWad: bigint, v: number): bigint {
  return (
    intrinsicWad(isCall, spotWad, strikeWad) + BigInt(Math.round(timeValue(spotWad, strikeWad, v) * 1e18))
  );
}

/** v = σ·√(t / year) as a float. */
export function totalVol(volWad: bigint, timeToExpirySeconds: bigint): number {
  return (Number(volWad) / 1e18) * Math.sqrt(Number(timeToExpirySeconds) / Number(SECONDS_PER_YEAR));
}

function checkInputs(spotWad: bigint, strikeWad: bigint, volWad: bigint, t: bigint): void {
  if (spotWad < MIN_PRICE_WAD || spotWad > MAX_PRICE_WAD)
    throw new PricingInputError("SpotOutOfBounds", [spotWad]);
  if (strikeWad < MIN_PRICE_WAD || strikeWad > MAX_PRICE_WAD)
    throw new PricingInputError("StrikeOutOfBounds", [strikeWad]);
  if (volWad < 0n || volWad > MAX_VOL_WAD) throw new PricingInputError("VolatilityOutOfBounds", [volWad]);
  if (t < 0n || t > MAX_TIME_TO_EXPIRY_SECONDS) throw new PricingInputError("TimeToExpiryOutOfBounds", [t]);
}

/** Call (`isCall`) or put price in WAD quote per unit of underlying; mirrors BlackScholes.price. */
export function priceWad(
  isCall: boolean,
  spotWad: bigint,
  strikeWad: bigint,
  volWad: bigint,
  t: bigint,
): bigint {
  checkInputs(spotWad, strikeWad, volWad, t);
  return priceWadFromVol(isCall, spotWad, strikeWad, totalVol(volWad, t));
}

export const callPriceWad = (spotWad: bigint, strikeWad: bigint, volWad: bigint, t: bigint): bigint =>
  priceWad(true, spotWad, strikeWad, volWad, t);
export const putPriceWad = (spotWad: bigint, strikeWad: bigint, volWad: bigint, t: bigint): bigint =>
  priceWad(false, spotWad, strikeWad, volWad, t);

/**
 * Plain-float Black–Scholes (zero rate) for readable textbook checks: S, K in quote units, σ annualised, T in
 * years. No clamping beyond intrinsic at T = 0 or σ = 0.
 */
export function blackScholes(isCall: boolean, s: number, k: number, sigma: number, years: number): number {
  const intrinsic = Math.max(isCall ? s - k : k - s, 0);
  if (!(sigma > 0) || !(years > 0)) return intrinsic;
  const v = sigma * Math.sqrt(years);
  const d1 = Math.log(s / k) / v + v / 2;
  const d2 = d1 - v;
  return isCall ? s * normCdf(d1) - k * normCdf(d2) : k * normCdf(-d2) - s * normCdf(-d1);
}
