/**
 * The keeper's rule for accepting a liquidation: its own valuation (valuation.ts) must agree with the clearing's
 * quote within a tolerance, and must show at least the minimum profit net of the estimated gas. The limit sent
 * on-chain (`minSeizedPerLiabilityWad`) is derived from that valuation, never from the quote's own ratio: the
 * contract then refuses any execution in which the keeper receives less than the independent liability plus the
 * minimum profit and the gas. See docs/operations.md ("Profit and the limit").
 */
import { OperatorError } from "../operator/errors";
import type { LiquidationFigures } from "../liquidation";
import type { IndependentValuation } from "./valuation";

const WAD = 10n ** 18n;
const BPS = 10_000n;

/** The settings of the rule. */
export interface ProfitPolicy {
  /** Minimum profit as bps of the independent liability taken over. */
  minProfitBps: bigint;
  /** Minimum profit in WAD quote, on top of the bps. */
  minProfitWad: bigint;
  /** Largest accepted difference between the quote and the independent valuation, bps of the larger figure. */
  toleranceBps: bigint;
  /**
   * Symbol of the deployment's token whose oracle price values the chain's native coin for the gas estimate;
   * "none" counts gas as free; undefined: WETH when the deployment has it, else none.
   */
  gasAsset?: string;
}

export const DEFAULT_PROFIT_POLICY: ProfitPolicy = {
  minProfitBps: 50n,
  minProfitWad: 0n,
  toleranceBps: 10n,
};

/** Upper bounds of the settings. */
export const PROFIT_LIMITS = { maxMinProfitBps: 10_000n, maxToleranceBps: 1_000n } as const;

/** Throws an OperatorError naming the first setting out of its bounds (`names` maps fields to setting names). */
export function validateProfitPolicy(
  policy: ProfitPolicy,
  names: Record<keyof ProfitPolicy, string>,
): ProfitPolicy {
  if (policy.minProfitBps < 0n || policy.minProfitBps > PROFIT_LIMITS.maxMinProfitBps) {
    throw new OperatorError(
      `${names.minProfitBps} must be in [0, ${PROFIT_LIMITS.maxMinProfitBps}], got ${policy.minProfitBps}`,
    );
  }
  if (policy.minProfitWad < 0n) {
    throw new OperatorError(`${names.minProfitWad} must not be negative`);
  }
  if (policy.toleranceBps < 0n || policy.toleranceBps > PROFIT_LIMITS.maxToleranceBps) {
    throw new OperatorError(
      `${names.toleranceBps} must be in [0, ${PROFIT_LIMITS.maxToleranceBps}], got ${policy.toleranceBps}`,
    );
  }
  if (policy.gasAsset !== undefined && !/^[A-Za-z0-9._-]+$/.test(policy.gasAsset)) {
    throw new OperatorError(`${names.gasAsset} must be a token symbol or 'none', got '${policy.gasAsset}'`);
  }
  return policy;
}

/** The gas asset's token address in `tokens` (the record's symbols), or undefined when gas is counted as free. */
export function resolveGasAsset(policy: ProfitPolicy, tokens: Record<string, string>): string | undefined {
  if (policy.gasAsset === undefined) return tokens.WETH;
  if (policy.gasAsset.toLowerCase() === "none") return undefined;
  const token = tokens[policy.gasAsset];
  if (token === undefined) {
    throw new OperatorError(
      `the gas asset '${policy.gasAsset}' is not a token of the deployment (${Object.keys(tokens).join(", ")}); use 'none' to count gas as free`,
    );
  }
  return token;
}

/** Gas units × fee per gas (wei of an 18-decimal native coin) at `nativePriceWad` quote per coin, in WAD quote. */
export function gasCostWad(gasUnits: bigint, feePerGasWei: bigint, nativePriceWad: bigint): bigint {
  const wei = gasUnits * feePerGasWei;
  return wei === 0n ? 0n : (wei * nativePriceWad - 1n) / WAD + 1n;
}

/** What the quote says the liquidator receives: seized value less the penalty plus the insurance cover. */
export function quotedReceivedWad(quote: LiquidationFigures): bigint {
  return quote.seizedValueWad - quote.penaltyWad + quote.coveredWad;
}

/** |a - b| within `toleranceBps` of the larger. */
export function withinTolerance(a: bigint, b: bigint, toleranceBps: bigint): boolean {
  const diff = a > b ? a - b : b - a;
  const larger = a > b ? a : b;
  return diff * BPS <= larger * toleranceBps;
}

export type Decision =
  | { kind: "disagreement"; liabilityAgrees: boolean; receivedAgrees: boolean }
  | { kind: "unprofitable"; requiredWad: bigint; profitWad: bigint }
  | { kind: "send"; requiredWad: bigint; profitWad: bigint; minSeizedPerLiabilityWad: bigint };

/**
 * The required value received: the independent liability × (1 + minProfitBps), rounded up, plus the absolute
 * minimum and the gas.
 */
export function requiredReceivedWad(liabilityWad: bigint, policy: ProfitPolicy, gasWad: bigint): bigint {
  const scaled = liabilityWad * (BPS + policy.minProfitBps);
  const withBps = scaled === 0n ? 0n : (scaled - 1n) / BPS + 1n;
  return withBps + policy.minProfitWad + gasWad;
}

/**
 * The on-chain limit: collateral value per unit of the contract's liability such that `liabilityWad` (the quote's)
 * times it, rounded up as the contract does, is at least `requiredWad`. Zero when the quote's liability is zero
 * (the contract's requirement is then zero whatever the limit; the keeper's own check stands alone).
 */
export function limitPerLiabilityWad(requiredWad: bigint, quoteLiabilityWad: bigint): bigint {
  if (quoteLiabilityWad === 0n) return 0n;
  const scaled = requiredWad * WAD;
  return scaled === 0n ? 0n : (scaled - 1n) / quoteLiabilityWad + 1n;
}

/** Accept, or refuse with the reason, the liquidation `quote` describes given the keeper's own `valuation`. */
export function decide(
  quote: LiquidationFigures,
  valuation: Pick<IndependentValuation, "liabilityWad" | "receivedWad">,
  policy: ProfitPolicy,
  gasWad: bigint,
): Decision {
  const liabilityAgrees = withinTolerance(quote.liabilityWad, valuation.liabilityWad, policy.toleranceBps);
  const receivedAgrees = withinTolerance(
    quotedReceivedWad(quote),
    valuation.receivedWad,
    policy.toleranceBps,
  );
  if (!liabilityAgrees || !receivedAgrees) return { kind: "disagreement", liabilityAgrees, receivedAgrees };
  const requiredWad = requiredReceivedWad(valuation.liabilityWad, policy, gasWad);
  const profitWad = valuation.receivedWad - valuation.liabilityWad;
  if (valuation.receivedWad < requiredWad) return { kind: "unprofitable", requiredWad, profitWad };
  return {
    kind: "send",
    requiredWad,
    profitWad,
    minSeizedPerLiabilityWad: limitPerLiabilityWad(requiredWad, quote.liabilityWad),
  };
}
