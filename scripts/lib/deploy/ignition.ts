/**
 * Runs the protocol's Ignition module (ignition/modules/Protocol.ts) for a deployment plan and names the contracts
 * it deployed as the deployment record lists them. The only file of scripts/lib that imports ignition/: the modules
 * themselves import only the pure definitions of scripts/lib (roles, config, plan), so the dependency points one way.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { getAddress } from "ethers";
import { buildProtocolModule } from "../../../ignition/modules/Protocol";
import { RecordNames, type DeploymentPlan } from "./plan";

export interface IgnitionRunOptions {
  deploymentId: string;
  /** The account every future is sent from. */
  defaultSender: string;
  /** Show Ignition's progress UI. */
  displayUi: boolean;
  log: (line: string) => void;
}

const RESULT_NAMES: Record<string, string> = {
  manager: "ProtocolAccessManager",
  timelock: "ProtocolTimelock",
  breaker: "CircuitBreaker",
  aggregator: "OracleAggregator",
  factory: "VaultFactory",
  insurance: "InsuranceVault",
  calculator: "MarginCalculator",
  marginLogic: "MarginLogic",
  liquidationLogic: "LiquidationLogic",
  settlementLogic: "SettlementLogic",
  tradeLogic: "TradeLogic",
  clearing: "OptionsClearing",
  exchange: "OptionsExchange",
  governanceSafe: "GovernanceSafe",
  safeSingleton: "SafeL2",
  safeProxyFactory: "SafeProxyFactory",
  safeFallbackHandler: "CompatibilityFallbackHandler",
};

/** The record name of an Ignition result key ("CollateralVault_WETH" -> "CollateralVault.WETH"). */
export function recordName(resultKey: string): string {
  if (resultKey in RESULT_NAMES) return RESULT_NAMES[resultKey];
  const [kind, symbol, index] = resultKey.split("_");
  if (kind === "CollateralVault") return RecordNames.collateralVault(symbol);
  if (kind === "AggregatorV3Facade") return RecordNames.facade(symbol);
  if (kind === "ChainlinkFeedAdapter") return RecordNames.adapter(symbol, Number(index));
  if (kind === "SignedReportSource") return RecordNames.signedSource(symbol);
  throw new Error(`no record name for the Ignition result ${resultKey}`);
}

/** Deploy (or resume, from Ignition's journal) the protocol of `plan`; the addresses by record name. */
export async function deployProtocol(
  hre: HardhatRuntimeEnvironment,
  plan: DeploymentPlan,
  options: IgnitionRunOptions,
): Promise<Record<string, string>> {
  const { module, parameters } = buildProtocolModule(plan);
  options.log(`ignition: deploying module ${module.id} (deployment id ${options.deploymentId})`);
  const result = await hre.ignition.deploy(module, {
    parameters,
    deploymentId: options.deploymentId,
    defaultSender: options.defaultSender,
    displayUi: options.displayUi,
  });
  const contracts: Record<string, string> = {};
  for (const [key, contract] of Object.entries(result)) {
    contracts[recordName(key)] = getAddress(await contract.getAddress());
  }
  return contracts;
}
