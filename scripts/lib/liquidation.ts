/**
 * The figures of a liquidation as the clearing reports them in its `Liquidated` event (`IOptionsClearing.
 * LiquidationResult`), as a plain object: the TypeChain output is an ethers `Result` (an array whose names a spread
 * or a JSON dump does not carry).
 */
import type { Interface, Log, Result } from "ethers";
import type { IOptionsClearing } from "../../typechain-types";

/** `IOptionsClearing.LiquidationResult` as plain bigints, keyed by the struct's field names. All WAD. */
export type LiquidationFigures = { [K in keyof IOptionsClearing.LiquidationResultStruct]: bigint };

/** The fields of `IOptionsClearing.LiquidationResult`, in the struct's order. */
export const LIQUIDATION_RESULT_FIELDS = [
  "fractionWad",
  "liabilityWad",
  "seizedValueWad",
  "discountWad",
  "penaltyWad",
  "coveredWad",
  "socialisedWad",
] as const satisfies readonly (keyof LiquidationFigures)[];

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
    out.push((parsed.args.result as Result).toObject() as LiquidationFigures);
  }
  return out;
}
