/**
 * TypeScript reference of contracts/libraries/PortfolioMargin.sol: the scenario grid, the biased valuation,
 * the worst-scenario liability, the minimum per short and the initial buffer, with the same integer rounding
 * (shocked spots rounded down; longs rounded down; shorts, the minimum per short and the buffer rounded up).
 * Prices come from the float64 reference (blackScholes.ts) with exact volatilities, so the result is the exact
 * model up to ~1e-15 relative, where the contract carries its fixed-point error (bounded, see risk-model.md).
 *
 * `allowance: true` (default) applies the contract's price error allowance (PRICE_ERROR_BOUND_WAD), so the
 * result predicts the on-chain number (for keepers); `allowance: false` gives the unbiased model.
 */
import {
  MAX_PRICE_WAD,
  MAX_TIME_TO_EXPIRY_SECONDS,
  MIN_PRICE_WAD,
  PricingInputError,
  SECONDS_PER_YEAR,
  WAD,
  intrinsicWad,
  priceWadFromVol,
} from "./blackScholes";

/** One signed position: amount 1e18 = one contract on one whole unit; > 0 long, < 0 short. */
export interface Position {
  strikeWad: bigint;
  expiry: bigint;
  isCall: boolean;
  amount: bigint;
}

/** Risk parameters of one underlying; field for field the Solidity struct. */
export interface RiskParams {
  volWad: bigint;
  spotShocksWad: readonly bigint[];
  volShockUpWad: bigint;
  volShockDownWad: bigint;
  minPerShortSpotWad: bigint;
  initialBufferWad: bigint;
}

/**
 * Plain risk parameters from what a contract returns (`clearing.riskParams(underlying)`: an ethers Result with named
 * fields), detached from the Result so they can be stored, compared and passed back to a contract.
 */
export function riskParamsFrom(r: RiskParams): RiskParams & { spotShocksWad: bigint[] } {
  return {
    volWad: r.volWad,
    spotShocksWad: [...r.spotShocksWad],
    volShockUpWad: r.volShockUpWad,
    volShockDownWad: r.volShockDownWad,
    minPerShortSpotWad: r.minPerShortSpotWad,
    initialBufferWad: r.initialBufferWad,
  };
}

/** Bounds, mirroring PortfolioMargin.sol's constants. */
export const LIMITS = {
  MIN_VOL_WAD: WAD / 100n,
  MAX_VOL_WAD: 3n * WAD,
  MAX_VOL_SHOCK_UP_WAD: 2n * WAD,
  MAX_VOL_SHOCK_DOWN_WAD: (9n * WAD) / 10n,
  MAX_SPOT_SHOCK_DOWN_WAD: (9n * WAD) / 10n,
  MAX_SPOT_SHOCK_UP_WAD: 9n * WAD,
  MAX_SPOT_SHOCKS: 16,
  VOL_SCENARIOS: 2,
  MAX_SCENARIOS: 32,
  MIN_MIN_PER_SHORT_SPOT_WAD: WAD / 10_000n,
  MAX_MIN_PER_SHORT_SPOT_WAD: WAD / 2n,
  MAX_INITIAL_BUFFER_WAD: WAD,
  MAX_POSITION_AMOUNT: 10n ** 36n,
  PRICE_ERROR_BOUND_WAD: 10n ** 9n,
} as const;

export interface MarginOptions {
  /** Apply the contract's price error allowance (default true). */
  allowance?: boolean;
}

const divUp = (x: bigint, d: bigint): bigint => (x === 0n ? 0n : (x - 1n) / d + 1n);
const mulWadUp = (x: bigint, y: bigint): bigint => divUp(x * y, WAD);

/** Throws a PricingInputError named like the Solidity error for the first violated bound; mirrors `validate`. */
export function validate(p: RiskParams): void {
  if (p.volWad < LIMITS.MIN_VOL_WAD || p.volWad > LIMITS.MAX_VOL_WAD)
    throw new PricingInputError("InvalidVolatility", [p.volWad]);
  const n = p.spotShocksWad.length;
  if (n === 0 || n > LIMITS.MAX_SPOT_SHOCKS)
    throw new PricingInputError("InvalidSpotShockCount", [BigInt(n)]);
  p.spotShocksWad.forEach((s, i) => {
    if (s < -LIMITS.MAX_SPOT_SHOCK_DOWN_WAD || s > LIMITS.MAX_SPOT_SHOCK_UP_WAD)
      throw new PricingInputError("InvalidSpotShock", [BigInt(i), s]);
  });
  if (p.volShockUpWad < 0n || p.volShockUpWad > LIMITS.MAX_VOL_SHOCK_UP_WAD)
    throw new PricingInputError("InvalidVolShockUp", [p.volShockUpWad]);
  if (p.volShockDownWad < 0n || p.volShockDownWad > LIMITS.MAX_VOL_SHOCK_DOWN_WAD)
    throw new PricingInputError("InvalidVolShockDown", [p.volShockDownWad]);
  if (
    p.minPerShortSpotWad < LIMITS.MIN_MIN_PER_SHORT_SPOT_WAD ||
    p.minPerShortSpotWad > LIMITS.MAX_MIN_PER_SHORT_SPOT_WAD
  )
    throw new PricingInputError("InvalidMinPerShort", [p.minPerShortSpotWad]);
  if (p.initialBufferWad < 0n || p.initialBufferWad > LIMITS.MAX_INITIAL_BUFFER_WAD)
    throw new PricingInputError("InvalidInitialBuffer", [p.initialBufferWad]);
}

/** The shocked spots S_i = ⌊S·(1 + s_i)⌋, as the contract computes them. */
export function shockedSpots(spotWad: bigint, p: RiskParams): bigint[] {
  return p.spotShocksWad.map((s) => (spotWad * (WAD + s)) / WAD);
}

export interface ScenarioValues {
  /** Value of scenario 2·i + j (spot shock i; j = 0 vol up, j = 1 vol down), WAD. */
  valuesWad: bigint[];
  /** Σ |amount| over shorts. */
  shortAmount: bigint;
}

/** |amount| of nonzero position `k` after the bounds every evaluation checks, in the contract's order. */
function checkedAbsAmount(pos: Position, k: number, nowTs: bigint): bigint {
  const absAmount = pos.amount < 0n ? -pos.amount : pos.amount;
  if (absAmount > LIMITS.MAX_POSITION_AMOUNT)
    throw new PricingInputError("PositionAmountOutOfBounds", [BigInt(k), pos.amount]);
  if (pos.strikeWad < MIN_PRICE_WAD || pos.strikeWad > MAX_PRICE_WAD)
    throw new PricingInputError("PositionStrikeOutOfBounds", [BigInt(k), pos.strikeWad]);
  if (pos.expiry > nowTs && pos.expiry - nowTs > MAX_TIME_TO_EXPIRY_SECONDS)
    throw new PricingInputError("PositionExpiryTooFar", [BigInt(k), pos.expiry, nowTs]);
  return absAmount;
}

/** Mirrors PortfolioMargin.scenarioValues. */
export function scenarioValues(
  positions: readonly Position[],
  spotWad: bigint,
  p: RiskParams,
  nowTs: bigint,
  options: MarginOptions = {},
): ScenarioValues {
  const useAllowance = options.allowance ?? true;
  validate(p);
  if (spotWad < MIN_PRICE_WAD || spotWad > MAX_PRICE_WAD)
    throw new PricingInputError("SpotOutOfBounds", [spotWad]);
  const spots = shockedSpots(spotWad, p);
  const vol = Number(p.volWad) / 1e18;
  const volUp = vol * (1 + Number(p.volShockUpWad) / 1e18);
  const volDown = vol * (1 - Number(p.volShockDownWad) / 1e18);
  const valuesWad = new Array<bigint>(spots.length * LIMITS.VOL_SCENARIOS).fill(0n);
  let shortAmount = 0n;
  positions.forEach((pos, k) => {
    if (pos.amount === 0n) return;
    const isShort = pos.amount < 0n;
    const absAmount = checkedAbsAmount(pos, k, nowTs);
    const sqrtT = pos.expiry > nowTs ? Math.sqrt(Number(pos.expiry - nowTs) / Number(SECONDS_PER_YEAR)) : 0;
    const live = sqrtT > 0;
    if (isShort) shortAmount += absAmount;
    spots.forEach((s, i) => {
      const a = live && useAllowance ? ((s + pos.strikeWad) * LIMITS.PRICE_ERROR_BOUND_WAD) / WAD + 1n : 0n;
      [volUp, volDown].forEach((sigma, j) => {
        const price = priceWadFromVol(pos.isCall, s, pos.strikeWad, sigma * sqrtT);
        let value: bigint;
        if (isShort) {
          value = -mulWadUp(absAmount, price + a);
        } else {
          const floor = intrinsicWad(pos.isCall, s, pos.strikeWad);
          value = (absAmount * (price > floor + a ? price - a : floor)) / WAD;
        }
        valuesWad[2 * i + j] += value;
      });
    });
  });
  return { valuesWad, shortAmount };
}

/** Index and liability max(0, -V) of the worst scenario (first on ties; 0 if none is negative). */
export function worstScenario(valuesWad: readonly bigint[]): { index: number; liabilityWad: bigint } {
  let index = 0;
  let liabilityWad = 0n;
  valuesWad.forEach((v, k) => {
    if (v < 0n && -v > liabilityWad) {
      liabilityWad = -v;
      index = k;
    }
  });
  return { index, liabilityWad };
}

/** ⌈⌈minPerShortSpot · S⌉ · shortAmount⌉, WAD. */
export function minPerShortWad(spotWad: bigint, minPerShortSpotWad: bigint, shortAmount: bigint): bigint {
  return mulWadUp(mulWadUp(minPerShortSpotWad, spotWad), shortAmount);
}

export interface Requirements {
  maintenanceWad: bigint;
  initialWad: bigint;
}

/** Maintenance and initial margin in WAD of quote; mirrors PortfolioMargin.requirements. */
export function requirements(
  positions: readonly Position[],
  spotWad: bigint,
  p: RiskParams,
  nowTs: bigint,
  options: MarginOptions = {},
): Requirements {
  return requirementsWithCollateral(positions, 0n, spotWad, p, nowTs, options);
}

/**
 * Mirrors PortfolioMargin.initialUpperBound, exactly (integers only): an upper bound of `requirements`' initial margin
 * that prices nothing. Longs count zero; each short counts at the model's ceiling in the grid's highest shocked spot
 * S_max (a put at K, a call at S_max) plus the largest allowance (S_max + K)·1e-9 + 1 wei, rounded up; then the same
 * minimum per short and buffer. Throws where `requirements` throws, with the same error.
 */
export function initialUpperBound(
  positions: readonly Position[],
  spotWad: bigint,
  p: RiskParams,
  nowTs: bigint,
): bigint {
  validate(p);
  if (spotWad < MIN_PRICE_WAD || spotWad > MAX_PRICE_WAD)
    throw new PricingInputError("SpotOutOfBounds", [spotWad]);
  const highest = shockedSpots(spotWad, p).reduce((a, b) => (b > a ? b : a), 0n);
  let liabilityWad = 0n;
  let shortAmount = 0n;
  positions.forEach((pos, k) => {
    if (pos.amount === 0n) return;
    const absAmount = checkedAbsAmount(pos, k, nowTs);
    if (pos.amount > 0n) return;
    const ceiling = pos.isCall ? highest : pos.strikeWad;
    const allowance = ((highest + pos.strikeWad) * LIMITS.PRICE_ERROR_BOUND_WAD) / WAD + 1n;
    liabilityWad += mulWadUp(absAmount, ceiling + allowance);
    shortAmount += absAmount;
  });
  return mulWadUp(
    liabilityWad + minPerShortWad(spotWad, p.minPerShortSpotWad, shortAmount),
    WAD + p.initialBufferWad,
  );
}

/**
 * Mirrors PortfolioMargin.requirements with correlated collateral: `collateralWad` units of the underlying (after
 * their haircut), valued by the caller at spot, revalued at every scenario's shocked spot beside the positions.
 */
export function requirementsWithCollateral(
  positions: readonly Position[],
  collateralWad: bigint,
  spotWad: bigint,
  p: RiskParams,
  nowTs: bigint,
  options: MarginOptions = {},
): Requirements {
  const { valuesWad, shortAmount } = scenarioValues(positions, spotWad, p, nowTs, options);
  if (collateralWad !== 0n) addCollateral(valuesWad, collateralWad, spotWad, p);
  const maintenanceWad =
    worstScenario(valuesWad).liabilityWad + minPerShortWad(spotWad, p.minPerShortSpotWad, shortAmount);
  return { maintenanceWad, initialWad: mulWadUp(maintenanceWad, WAD + p.initialBufferWad) };
}

/**
 * Mirrors PortfolioMargin.addCollateral: adds to each scenario value the change in value of `collateralWad` units
 * from spot to the scenario's shocked spot (a loss rounded up, a gain rounded down), in place.
 */
export function addCollateral(
  valuesWad: bigint[],
  collateralWad: bigint,
  spotWad: bigint,
  p: RiskParams,
): void {
  shockedSpots(spotWad, p).forEach((s, i) => {
    const change =
      s < spotWad ? -mulWadUp(collateralWad, spotWad - s) : (collateralWad * (s - spotWad)) / WAD;
    valuesWad[2 * i] += change;
    valuesWad[2 * i + 1] += change;
  });
}

/**
 * The tolerance of a requirement per docs/risk-model.md (the differential tests and the keeper's cross-check): Σ over positions of |amount|/1e18 · (1e-14 · (max S_i + K)
 * + 4 wei) + 2 wei per position + 2 wei.
 */
export function requirementTolerance(positions: readonly Position[], spotWad: bigint, p: RiskParams): bigint {
  const maxShock = p.spotShocksWad.reduce((a, b) => (b > a ? b : a), 0n);
  const maxSpot = (spotWad * (WAD + maxShock)) / WAD;
  return positions.reduce((t, pos) => {
    const abs = pos.amount < 0n ? -pos.amount : pos.amount;
    return t + (abs * ((maxSpot + pos.strikeWad) / 10n ** 14n + 4n)) / WAD + 2n;
  }, 2n);
}

/** The mark grid of IMarginCalculator.mark / markLiability: one scenario at spot and `volWad`, no shocks, the
 * model's smallest minimum per short. */
export function markParams(volWad: bigint): RiskParams & { spotShocksWad: bigint[] } {
  return {
    volWad,
    spotShocksWad: [0n],
    volShockUpWad: 0n,
    volShockDownWad: 0n,
    minPerShortSpotWad: LIMITS.MIN_MIN_PER_SHORT_SPOT_WAD,
    initialBufferWad: 0n,
  };
}

export interface Mark {
  /** Signed value at mark (longs positive, shorts negative, biased against the account). */
  valueWad: bigint;
  /** max(0, -valueWad) + the smallest minimum per short (MarginCalculator.markLiability). */
  liabilityWad: bigint;
}

/** Mirrors MarginCalculator.mark for the positions of one underlying (zero for none). */
export function mark(
  positions: readonly Position[],
  spotWad: bigint,
  volWad: bigint,
  nowTs: bigint,
  options: MarginOptions = {},
): Mark {
  if (positions.length === 0) return { valueWad: 0n, liabilityWad: 0n };
  const p = markParams(volWad);
  const { valuesWad, shortAmount } = scenarioValues(positions, spotWad, p, nowTs, options);
  return {
    valueWad: valuesWad[0],
    liabilityWad:
      worstScenario(valuesWad).liabilityWad + minPerShortWad(spotWad, p.minPerShortSpotWad, shortAmount),
  };
}

/**
 * What a liquidation prices an account's obligations at (LiquidationLogic._plan): the mark liabilities of its
 * underlyings plus its settlement debt, less the mark value of its net-long underlyings, floored at zero.
 */
export function liquidationLiabilityWad(marks: readonly Mark[], debtWad: bigint): bigint {
  let grossWad = debtWad;
  let longValueWad = 0n;
  for (const m of marks) {
    grossWad += m.liabilityWad;
    if (m.valueWad > 0n) longValueWad += m.valueWad;
  }
  return grossWad > longValueWad ? grossWad - longValueWad : 0n;
}
