/**
 * Runs the protocol's Ignition module (ignition/modules/Protocol.ts) for a deployment plan and names the contracts
 * it deployed as the deployment record lists them. The only file of scripts/lib that imports ignition/: the modules
 * themselves import only the pure definitions of scripts/lib (roles, config, plan), so the dependency points one way.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { join } from "node:path";
import { getAddress } from "ethers";
import {
  deploy,
  DeploymentResultType,
  isContractFuture,
  type ArtifactResolver,
} from "@nomicfoundation/ignition-core";
import {
  errorDeploymentResultToExceptionMessage,
  HardhatArtifactResolver,
  PrettyEventHandler,
} from "@nomicfoundation/hardhat-ignition/helpers";
import { buildProtocolModule } from "../../../ignition/modules/Protocol";
import { RecordNames, type DeploymentPlan } from "./plan";

export interface IgnitionRunOptions {
  deploymentId: string;
  /** The account every future is sent from. */
  defaultSender: string;
  /** Show Ignition's progress UI. */
  displayUi: boolean;
  /**
   * Copy the compiler's build info into the journal folder beside each contract, as block-explorer verification
   * (`hardhat ignition verify`) needs. Tens of megabytes written per contract: a development chain goes without.
   */
  keepBuildInfo: boolean;
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

/** Hardhat's artifacts, with or without the build info Ignition copies for verification. */
function artifactResolver(hre: HardhatRuntimeEnvironment, keepBuildInfo: boolean): ArtifactResolver {
  const hardhat = new HardhatArtifactResolver(hre);
  if (keepBuildInfo) return hardhat;
  return {
    loadArtifact: (contractName) => hardhat.loadArtifact(contractName),
    getBuildInfo: () => Promise.resolve(undefined),
  };
}

/**
 * Deploy (or resume, from Ignition's journal) the protocol of `plan`; the addresses by record name. Ignition's
 * `deploy` as `hre.ignition.deploy` calls it (journal under ignition/deployments/<id> except on the in-process
 * network, the Hardhat config's Ignition settings), with the artifact resolver of `keepBuildInfo`.
 */
export async function deployProtocol(
  hre: HardhatRuntimeEnvironment,
  plan: DeploymentPlan,
  options: IgnitionRunOptions,
): Promise<Record<string, string>> {
  const { module, parameters } = buildProtocolModule(plan);
  options.log(`ignition: deploying module ${module.id} (deployment id ${options.deploymentId})`);
  const { strategyConfig: _strategies, ...config } = hre.config.ignition;
  const network = hre.config.networks[hre.network.name].ignition;
  const result = await deploy({
    config,
    artifactResolver: artifactResolver(hre, options.keepBuildInfo),
    provider: hre.network.provider,
    executionEventListener: options.displayUi ? new PrettyEventHandler() : undefined,
    deploymentDir:
      hre.network.name === "hardhat"
        ? undefined
        : join(hre.config.paths.ignition, "deployments", options.deploymentId),
    ignitionModule: module,
    deploymentParameters: parameters,
    accounts: (await hre.network.provider.request({ method: "eth_accounts" })) as string[],
    defaultSender: options.defaultSender,
    maxFeePerGasLimit: network.maxFeePerGasLimit,
    maxPriorityFeePerGas: network.maxPriorityFeePerGas,
    maxRetries: config.maxRetries,
    retryInterval: config.retryInterval,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new Error(errorDeploymentResultToExceptionMessage(result));
  }
  const contracts: Record<string, string> = {};
  for (const [key, future] of Object.entries(module.results)) {
    if (!isContractFuture(future)) throw new Error(`Ignition result ${key} is not a contract`);
    contracts[recordName(key)] = getAddress(result.contracts[future.id].address);
  }
  return contracts;
}
