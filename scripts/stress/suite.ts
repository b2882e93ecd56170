/**
 * The deployed suite the simulation drives: typed bindings of a deployment record (scripts/lib/deploy/suite.ts,
 * config/local.json) and the development accounts the deploy config names (#1 and #9 sign for the 2-of-3 governance Safe, #2 guardian, #3 lister).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  ChainlinkFeedAdapter__factory,
  CircuitBreaker__factory,
  CollateralVault__factory,
  InsuranceVault__factory,
  MarginCalculator__factory,
  MockChainlinkFeed__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolTimelock__factory,
  type ChainlinkFeedAdapter,
  type CircuitBreaker,
  type CollateralVault,
  type InsuranceVault,
  type MarginCalculator,
  type MockChainlinkFeed,
  type MockERC20,
  type OptionsClearing,
  type OracleAggregator,
  type ProtocolTimelock,
} from "../../typechain-types";
import { deploySuite, type DeploymentRecord } from "../lib/deploy/suite";
import { SafeL2__factory, type SafeL2 } from "../../typechain-types/safe";
import type { StressConfig } from "./scenarios";
import { RecordNames } from "../lib/deploy/plan";
import { readConfigFile, validateConfig, type DeployConfig } from "../lib/config";

export interface Suite {
  record: DeploymentRecord;
  deployConfig: DeployConfig;
  quoteSymbol: string;
  assetSymbol: string;
  deployer: HardhatEthersSigner;
  /** The governance Safe (the timelock's proposer) and two of its owners (#1, #9): enough for its threshold. */
  safe: SafeL2;
  safeOwners: HardhatEthersSigner[];
  guardian: HardhatEthersSigner;
  lister: HardhatEthersSigner;
  /** Signers #4 and up, handed out to the agents in order. */
  pool: HardhatEthersSigner[];
  clearing: OptionsClearing;
  oracle: OracleAggregator;
  breaker: CircuitBreaker;
  timelock: ProtocolTimelock;
  insurance: InsuranceVault;
  calculator: MarginCalculator;
  quote: MockERC20;
  asset: MockERC20;
  vaults: Record<string, CollateralVault>;
  feeds: MockChainlinkFeed[];
  feedDecimals: number[];
  adapters: ChainlinkFeedAdapter[];
  heartbeats: number[];
  timelockDelaySeconds: number;
}

export async function bindSuite(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
  assetSymbol: string,
): Promise<Suite> {
  const signers = await hre.ethers.getSigners();
  const [deployer, owner, guardian, lister] = signers;
  const safeAddress = record.governance?.safe?.address;
  if (safeAddress === undefined) throw new Error(`stress: ${record.configPath} creates no governance Safe`);
  const c = record.contracts;
  const deployConfig = validateConfig(readConfigFile(record.configPath), {
    now: 0,
    allowMocks: true,
  });
  const quoteSymbol = deployConfig.quote;
  const assetCfg = Object.values(deployConfig.assets).find((a) => a.symbol === assetSymbol);
  if (assetCfg === undefined || assetCfg.sources.length === 0)
    throw new Error(`stress: ${assetSymbol} is not a priced asset of ${record.configPath}`);
  if (assetCfg.sources.some((s) => s.feed !== "mock"))
    throw new Error(`stress: every source of ${assetSymbol} must be a mock Chainlink feed`);
  const vaults: Record<string, CollateralVault> = {};
  for (const symbol of Object.keys(record.tokens)) {
    const address = c[RecordNames.collateralVault(symbol)];
    if (address !== undefined) vaults[symbol] = CollateralVault__factory.connect(address, deployer);
  }
  const feeds = record.feeds[assetSymbol].map((f) => MockChainlinkFeed__factory.connect(f, deployer));
  const adapters = assetCfg.sources.map((_, i) =>
    ChainlinkFeedAdapter__factory.connect(c[RecordNames.adapter(assetSymbol, i)], deployer),
  );
  return {
    record,
    deployConfig,
    quoteSymbol,
    assetSymbol,
    deployer,
    safe: SafeL2__factory.connect(safeAddress, deployer),
    safeOwners: [owner, signers[9]],
    guardian,
    lister,
    pool: signers.slice(4),
    clearing: OptionsClearing__factory.connect(c.OptionsClearing, deployer),
    oracle: OracleAggregator__factory.connect(c.OracleAggregator, deployer),
    breaker: CircuitBreaker__factory.connect(c.CircuitBreaker, deployer),
    timelock: ProtocolTimelock__factory.connect(c.ProtocolTimelock, deployer),
    insurance: InsuranceVault__factory.connect(c.InsuranceVault, deployer),
    calculator: MarginCalculator__factory.connect(c.MarginCalculator, deployer),
    quote: MockERC20__factory.connect(record.tokens[quoteSymbol], deployer),
    asset: MockERC20__factory.connect(record.tokens[assetSymbol], deployer),
    vaults,
    feeds,
    feedDecimals: assetCfg.sources.map((s) => s.feedDecimals),
    adapters,
    heartbeats: assetCfg.sources.map((s) => s.heartbeatSeconds),
    timelockDelaySeconds: Number(deployConfig.governance.timelockDelaySeconds),
  };
}

/** Deploy the suite from the stress config's deploy config (the real deploy path) and bind it. */
export async function deployForStress(
  hre: HardhatRuntimeEnvironment,
  config: StressConfig,
  log: (line: string) => void = () => undefined,
): Promise<Suite> {
  const dir = mkdtempSync(join(tmpdir(), "optiq-stress-"));
  try {
    const record = await deploySuite(hre, {
      configPath: config.deployConfig,
      recordPath: join(dir, "record.json"),
      deploymentId: "stress",
      log,
    });
    return await bindSuite(hre, record, config.asset);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
