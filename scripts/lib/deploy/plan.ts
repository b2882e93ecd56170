/**
 * What the Ignition module deploys: a validated config with every token and feed resolved to an address (the
 * real ones from the config, the mocks from the deploy script). Free of the Hardhat runtime.
 */
import type { DeployConfig } from "../config";

export interface DeploymentPlan {
  config: DeployConfig;
  /** Token address of every asset, by symbol. */
  tokens: Record<string, string>;
  /** Feed address of every source of every priced asset, by symbol, in the config's order. */
  feeds: Record<string, string[]>;
}

/** Names under which the deployment record lists the per-asset contracts. */
export const RecordNames = {
  collateralVault: (symbol: string) => `CollateralVault.${symbol}`,
  facade: (symbol: string) => `AggregatorV3Facade.${symbol}`,
  adapter: (symbol: string, index: number) => `ChainlinkFeedAdapter.${symbol}.${index}`,
  signedSource: (symbol: string) => `SignedReportSource.${symbol}`,
} as const;
