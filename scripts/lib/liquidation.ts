/**
 * The figures of a liquidation as the clearing reports them in its `Liquidated` event (`IOptionsClearing.
 * LiquidationResult`), as a plain object: the TypeChain output is an ethers `Result` (an array whose names a spread
 * or a JSON dump does not carry).
 */
import type { Interface, Log } from "ethers";

/** The fields of `IOptionsClearing.LiquidationResult`, in declaration order. All WAD (quote, or a fraction of 1). */
export const LIQUIDATION_FIGURES = [
  "fractionWad",
  "liabilityWad",
  "seizedValueWad",
  "discountWad",
  "penaltyWad",
  "coveredWad",
  "socialisedWad",
] as const;

export type LiquidationFigures = Record<(typeof LIQUIDATION_FIGURES)[number], bigint>;

/** The results of the `Liquidated` events among `logs` (other contracts' logs are skipped), in log order. */
export function liquidatedResults(
  clearing: { interface: Interface },
  logs: readonly Log[],
): LiquidationFigures[] {
  const out: LiquidationFigures[] = [];
  for (const log of logs) {
    let parsed;
    try {
      parsed = clearing.interface.parseLog(log);
    } catch {
      continue; // another contract's log
    }
    if (parsed === null || parsed.name !== "Liquidated") continue;
    const result = parsed.args.result as Record<string, unknown>;
    out.push(
      Object.fromEntries(LIQUIDATION_FIGURES.map((k) => [k, result[k] as bigint])) as LiquidationFigures,
    );
  }
  return out;
}
