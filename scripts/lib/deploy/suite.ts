/**
 * The deploy script's logic (scripts/deploy.ts is its command-line wrapper): validate the config, reach the
 * network, deploy the local mocks a config asks for, run the Ignition module, bring the oracle's first rounds in,
 * and write the deployment record. Re-running it is idempotent: Ignition resumes from its journal, the recorded
 * mocks are reused, and a poke that would record nothing is not sent.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";
import {
  ConfigError,
  pricedAssets,
  readConfigFile,
  usesMocks,
  validateConfig,
  type ChainlinkSource,
  type DeployConfig,
} from "../config";
import type { DeploymentPlan } from "./plan";
import { deployProtocol } from "./ignition";
import { deployMissingMocks, refreshMockFeeds } from "./mocks";
import type { DeploymentRecord } from "../../../src/deployment";
import { ERC20__factory, OracleAggregator__factory } from "../../../typechain-types";
import { governanceWarnings, safeThresholdWarning } from "../config/governance";
import { governancePreflight, governanceRecord } from "./governance";

/** Chain id of development chains (Hardhat network, `hardhat node`, anvil): the only ones that take mocks. */
export const DEV_CHAIN_ID = 31337;

// The record's type lives in src/ (the package's public surface, free of Hardhat imports).
export type { DeploymentRecord } from "../../../src/deployment";

export interface DeploySuiteOptions {
  configPath: string;
  recordPath: string;
  deploymentId: string;
  log?: (line: string) => void;
  /** Show Ignition's progress UI. */
  ui?: boolean;
}

/** A failure of the deployment that is not a config problem (unreachable RPC, no signer, stale record, ...). */
export class DeployError extends Error {
  override name = "DeployError";
}

function readRecord(path: string): DeploymentRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as DeploymentRecord;
  } catch (error) {
    throw new DeployError(`cannot read the deployment record ${path}: ${(error as Error).message}`);
  }
}

function writeRecord(path: string, record: DeploymentRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  const json = JSON.stringify(
    record,
    (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value),
    2,
  );
  writeFileSync(path, `${json}\n`);
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function deploySuite(
  hre: HardhatRuntimeEnvironment,
  options: DeploySuiteOptions,
): Promise<DeploymentRecord> {
  const log = options.log ?? (() => undefined);
  const { ethers, network } = hre;

  // 1. The config, before anything touches the network (mocks and the deployer are checked once connected).
  const raw = readConfigFile(options.configPath);
  validateConfig(raw, { now: Math.floor(Date.now() / 1000), allowMocks: true }, options.configPath);

  // 2. The network.
  const url = "url" in network.config ? (network.config as HttpNetworkConfig).url : "in-process";
  let chainId: number;
  let latest: { number: number; timestamp: number };
  try {
    chainId = Number(await ethers.provider.send("eth_chainId", []));
    const block = await ethers.provider.getBlock("latest");
    if (block === null) throw new Error("no latest block");
    latest = { number: block.number, timestamp: block.timestamp };
  } catch (error) {
    throw new DeployError(`cannot reach the RPC of network '${network.name}' at ${url}: ${errorText(error)}`);
  }
  const signers = await ethers.getSigners();
  if (signers.length === 0) throw new DeployError(`network '${network.name}' has no account to deploy from`);
  const deployer = signers[0];
  log(
    `network ${network.name} (chain id ${chainId}, ${url}), block ${latest.number}, deployer ${deployer.address}`,
  );

  const config = validateConfig(
    raw,
    { now: latest.timestamp, allowMocks: chainId === DEV_CHAIN_ID, deployer: deployer.address },
    options.configPath,
  );
  await preflight(hre, config, options.configPath, chainId);
  for (const warning of governanceWarnings(config.governance)) log(`warning: ${warning}`);

  // 3. A previous run: resume it, or notice that a development chain was restarted underneath it.
  let previous = readRecord(options.recordPath);
  if (previous !== undefined) {
    if (previous.chainId !== chainId) {
      throw new DeployError(
        `${options.recordPath} records a deployment on chain ${previous.chainId}, but network '${network.name}' is chain ${chainId}`,
      );
    }
    const anchor = previous.contracts.ProtocolAccessManager ?? Object.values(previous.mocks.tokens)[0];
    const onChain = anchor !== undefined && (await ethers.provider.getCode(anchor)) !== "0x";
    if (!onChain && anchor !== undefined) {
      if (chainId !== DEV_CHAIN_ID) {
        throw new DeployError(
          `${options.recordPath} records contracts that have no code on chain ${chainId} (${anchor})`,
        );
      }
      log(`${options.recordPath} is from an earlier run of this development chain: starting afresh`);
      rmSync(options.recordPath, { force: true });
      rmSync(join(hre.config.paths.ignition, "deployments", options.deploymentId), {
        recursive: true,
        force: true,
      });
      previous = undefined;
    }
  }
  const record: DeploymentRecord = {
    network: network.name,
    chainId,
    deployer: deployer.address,
    startBlock: previous?.startBlock ?? latest.number,
    blockNumber: latest.number,
    complete: false,
    updatedAt: new Date().toISOString(),
    ignitionDeploymentId: options.deploymentId,
    configPath: options.configPath,
    config: raw,
    contracts: previous?.contracts ?? {},
    tokens: {},
    feeds: {},
    mocks: previous?.mocks ?? { tokens: {}, feeds: {} },
  };

  // 4. Mocks (local configs): reuse the recorded ones, deploy the missing ones, record at once.
  const plan: DeploymentPlan = { config, tokens: {}, feeds: {} };
  if (usesMocks(config)) {
    await deployMissingMocks(hre, config, record, deployer, log);
    writeRecord(options.recordPath, record);
  }
  for (const asset of Object.values(config.assets)) {
    plan.tokens[asset.symbol] = asset.token === "mock" ? record.mocks.tokens[asset.symbol] : asset.token;
  }
  for (const asset of pricedAssets(config)) {
    plan.feeds[asset.symbol] = asset.sources.map((s, i) =>
      s.feed === "mock" ? record.mocks.feeds[asset.symbol][i] : s.feed,
    );
  }
  record.tokens = plan.tokens;
  record.feeds = plan.feeds;

  // 5. The protocol, through Ignition (resumes from its journal on a named network).
  const deployed = await deployProtocol(hre, plan, {
    deploymentId: options.deploymentId,
    defaultSender: deployer.address,
    displayUi: options.ui ?? false,
    keepBuildInfo: chainId !== DEV_CHAIN_ID,
    log,
  });
  Object.assign(record.contracts, deployed);
  record.governance = await governanceRecord(hre.ethers.provider, config, record.contracts);
  const safe = record.governance.safe;
  if (safe !== undefined) {
    log(
      `governance Safe ${safe.address}: ${safe.threshold} of ${safe.owners.length} owners (${safe.owners.join(", ")})`,
    );
    if (config.governance.safe?.kind === "existing" && safe.threshold < 2) {
      log(`warning: ${safeThresholdWarning(safe.threshold, `the Safe ${safe.address}'s threshold`)}`);
    }
  }

  // 6. Prices: fresh mock rounds, then one poke per priced asset whenever it would record a new round.
  await refreshMockFeeds(hre, config, record);
  const aggregator = OracleAggregator__factory.connect(record.contracts.OracleAggregator, deployer);
  for (const asset of pricedAssets(config)) {
    const token = plan.tokens[asset.symbol];
    let outcome: bigint;
    try {
      outcome = await aggregator.poke.staticCall(token);
    } catch (error) {
      throw new DeployError(`the oracle cannot price ${asset.symbol} yet: ${errorText(error)}`);
    }
    if (outcome === 0n) {
      await (await aggregator.poke(token)).wait();
    } else if (outcome !== 1n) {
      // Sending it would trip the breaker on a fresh deployment: refuse instead.
      const names = [
        "Recorded",
        "Unchanged",
        "QuorumLossReported",
        "PriceBandBreachReported",
        "SequencerDownReported",
      ];
      throw new DeployError(
        `poking the oracle for ${asset.symbol} would report ${names[Number(outcome)] ?? outcome}: check its feeds`,
      );
    }
    const [priceWad] = await aggregator.getPrice(token);
    log(`price ${asset.symbol}: ${ethers.formatUnits(priceWad, 18)} ${config.quote}`);
  }

  // 7. The record.
  record.blockNumber = await ethers.provider.getBlockNumber();
  record.complete = true;
  record.updatedAt = new Date().toISOString();
  writeRecord(options.recordPath, record);
  log(
    `record: ${options.recordPath} (${Object.keys(record.contracts).length} contracts, block ${record.blockNumber})`,
  );
  return record;
}

/** On-chain checks of the config's real tokens, feeds and proposers, before anything is sent. */
async function preflight(
  hre: HardhatRuntimeEnvironment,
  config: DeployConfig,
  source: string,
  chainId: number,
): Promise<void> {
  const problems: string[] = await governancePreflight(
    hre.ethers.provider,
    config,
    chainId,
    chainId === DEV_CHAIN_ID,
  );
  const provider = hre.ethers.provider;
  const hasCode = async (address: string): Promise<boolean> => (await provider.getCode(address)) !== "0x";
  for (const asset of Object.values(config.assets)) {
    if (asset.token !== "mock") {
      if (!(await hasCode(asset.token))) {
        problems.push(`assets.${asset.symbol}.token: no contract at ${asset.token} on this chain`);
      } else if (asset.decimals !== undefined) {
        const decimals = await ERC20__factory.connect(asset.token, provider)
          .decimals()
          .catch(() => undefined);
        if (decimals === undefined)
          problems.push(`assets.${asset.symbol}.token: ${asset.token} has no readable decimals()`);
        else if (Number(decimals) !== asset.decimals) {
          problems.push(
            `assets.${asset.symbol}.decimals: ${asset.decimals}, but the token reports ${decimals}`,
          );
        }
      }
    }
    for (const [i, s] of asset.sources.entries()) {
      if (s.feed !== "mock" && !(await hasCode((s as ChainlinkSource).feed))) {
        problems.push(`assets.${asset.symbol}.sources[${i}].feed: no contract at ${s.feed} on this chain`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
}
