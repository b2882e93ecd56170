/**
 * An account's health as the clearing contract computes it (`health`, the typed binding) beside the TypeScript
 * reference of the margin model (scripts/lib/margin), both at one block. The reference rebuilds the requirement from
 * the account's positions, the oracle's spot and the underlying's risk parameters exactly as MarginLogic does
 * (sum over underlyings of the portfolio requirement of the unsettled positions), plus the settlement debt `health`
 * reports (after its pending lazy settlement, a contract figure rather than a model one); disagreement beyond the
 * tolerance of docs/risk-model.md ("a requirement") is reported, never acted on: the contract decides.
 */
import type { BlockTag } from "ethers";
import type { OptionsClearing, OracleAggregator } from "../../../typechain-types";
import { IERC4626__factory } from "../../../typechain-types";
import { WAD, mulWadDown, scale } from "../math/wad";
import {
  clearingPrice,
  requirementTolerance,
  requirementsWithCollateral,
  riskParamsFrom,
  type Position,
} from "../margin";

export interface HealthFigures {
  collateralValueWad: bigint;
  maintenanceWad: bigint;
  initialWad: bigint;
  debtWad: bigint;
}

export interface ReferenceCheck {
  /** The reference maintenance requirement (WAD quote). */
  maintenanceWad: bigint;
  /** The allowed |on-chain - reference| (docs/risk-model.md, "a requirement"). */
  toleranceWad: bigint;
  /** |on-chain - reference|. */
  differenceWad: bigint;
  agrees: boolean;
}

export interface AccountHealth {
  accountId: bigint;
  blockNumber: number;
  timestamp: bigint;
  onChain: HealthFigures;
  liquidatable: boolean;
  /** Open (non-zero) positions. */
  positions: number;
  /** Positions in settled series still waiting for the account's lazy settlement (`settleAccount`). */
  pendingSettlement: number;
  /** Undefined when the reference could not be computed (its error is in `referenceError`). */
  reference?: ReferenceCheck;
  referenceError?: string;
}

/**
 * The reference requirement of `accountId`'s unsettled positions at `blockTag` (time `nowTs`): the maintenance
 * requirement without the settlement debt.
 */
export async function referenceRequirement(
  clearing: OptionsClearing,
  oracle: OracleAggregator,
  accountId: bigint,
  blockTag: BlockTag,
  nowTs: bigint,
): Promise<{ maintenanceWad: bigint; toleranceWad: bigint; positions: number; pendingSettlement: number }> {
  const at = { blockTag };
  const ids = await clearing.seriesOf(accountId, at);
  const byUnderlying = new Map<string, Position[]>();
  let open = 0;
  let pendingSettlement = 0;
  for (const id of ids) {
    const [s, amount] = await Promise.all([clearing.series(id, at), clearing.positionOf(accountId, id, at)]);
    if (amount === 0n) continue;
    open++;
    if (s.settled) {
      pendingSettlement++;
      continue;
    }
    const list = byUnderlying.get(s.underlying) ?? [];
    list.push({ strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount });
    byUnderlying.set(s.underlying, list);
  }
  let maintenanceWad = 0n;
  let toleranceWad = 0n;
  for (const [underlying, positions] of byUnderlying) {
    const [spotWad, risk] = await Promise.all([
      clearingPrice(oracle, underlying, blockTag),
      clearing.riskParams(underlying, at),
    ]);
    const p = riskParamsFrom(risk);
    const collateralWad = await collateralIn(clearing, accountId, underlying, blockTag);
    maintenanceWad += requirementsWithCollateral(positions, collateralWad, spotWad, p, nowTs).maintenanceWad;
    toleranceWad += requirementTolerance(positions, spotWad, p);
  }
  return { maintenanceWad, toleranceWad, positions: open, pendingSettlement };
}

/**
 * Units of `asset` (WAD) the account holds as collateral, each vault's after its haircut, rounded down: the collateral
 * MarginLogic revalues in every scenario of `asset`'s grid.
 */
export async function collateralIn(
  clearing: OptionsClearing,
  accountId: bigint,
  asset: string,
  blockTag: BlockTag,
): Promise<bigint> {
  const at = { blockTag };
  let amountWad = 0n;
  for (const vault of await clearing.collateralVaults(at)) {
    const shares = await clearing.collateralOf(accountId, vault, at);
    if (shares === 0n) continue;
    const config = await clearing.collateralConfig(vault, at);
    if (config.asset.toLowerCase() !== asset.toLowerCase()) continue;
    const assets = await IERC4626__factory.connect(vault, clearing.runner).convertToAssets(shares, at);
    amountWad += mulWadDown(scale(assets, Number(config.assetDecimals), 18, false), WAD - config.haircutWad);
  }
  return amountWad;
}

/** On-chain health and the reference check of `accountId` at block `blockNumber` (time `timestamp`). */
export async function accountHealth(
  clearing: OptionsClearing,
  oracle: OracleAggregator,
  accountId: bigint,
  block: { number: number; timestamp: number },
): Promise<AccountHealth> {
  const h = await clearing.health(accountId, { blockTag: block.number });
  const onChain: HealthFigures = {
    collateralValueWad: h.collateralValueWad,
    maintenanceWad: h.maintenanceWad,
    initialWad: h.initialWad,
    debtWad: h.debtWad,
  };
  const result: AccountHealth = {
    accountId,
    blockNumber: block.number,
    timestamp: BigInt(block.timestamp),
    onChain,
    liquidatable: onChain.collateralValueWad < onChain.maintenanceWad,
    positions: 0,
    pendingSettlement: 0,
  };
  try {
    const req = await referenceRequirement(
      clearing,
      oracle,
      accountId,
      block.number,
      BigInt(block.timestamp),
    );
    const ref = { ...req, maintenanceWad: req.maintenanceWad + onChain.debtWad };
    result.positions = ref.positions;
    result.pendingSettlement = ref.pendingSettlement;
    const differenceWad =
      ref.maintenanceWad > onChain.maintenanceWad
        ? ref.maintenanceWad - onChain.maintenanceWad
        : onChain.maintenanceWad - ref.maintenanceWad;
    result.reference = {
      maintenanceWad: ref.maintenanceWad,
      toleranceWad: ref.toleranceWad,
      differenceWad,
      agrees: differenceWad <= ref.toleranceWad,
    };
  } catch (error) {
    result.referenceError = error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
  return result;
}
