/** The governance Safe of a deployment: the timelock's proposer and canceller (docs/governance.md). */
export interface SafeRecord {
  address: string;
  owners: string[];
  threshold: number;
  /** Whether the deployment created it (else the config named an existing Safe). */
  created: boolean;
}

/** Who proposes to the timelock. */
export interface GovernanceRecord {
  /** The governance Safe, when the config names one. */
  safe?: SafeRecord;
  /** Every proposer (and canceller) of the timelock, the Safe first. */
  proposers: string[];
}

/** The deployment record the deploy script writes to deployments/<network>.json (docs/deployment.md). */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  deployer: string;
  /** The block before the first transaction of the deployment (where indexers start). */
  startBlock: number;
  /** The latest block when the deployment (or its last re-run) completed. */
  blockNumber: number;
  /** False while a deployment is under way (mocks deployed, Ignition not finished). */
  complete: boolean;
  updatedAt: string;
  ignitionDeploymentId: string;
  configPath: string;
  /** The config file's content, as used. */
  config: unknown;
  /** Every protocol contract by name ("OptionsClearing", "CollateralVault.WETH", ...). */
  contracts: Record<string, string>;
  /** Token of every asset, by symbol. */
  tokens: Record<string, string>;
  /** Feed of every source of every priced asset, by symbol. */
  feeds: Record<string, string[]>;
  /** The timelock's proposers and the governance Safe (absent from records written before the Safe existed). */
  governance?: GovernanceRecord;
  /** The test-only mocks this deployment created (local configs only). */
  mocks: { tokens: Record<string, string>; feeds: Record<string, Record<string, string>> };
}
