/**
 * The deployment config (`config/<network>.json`): loading, the schema with its checks, and the normalised types.
 *
 * Units in the file are human ones (scripts/lib/units.ts): prices and strikes in quote per whole unit ("2000", 0.01),
 * shares as fractions (0.2) or percentages ("20%"), durations as seconds (3600) or with a unit ("1h", "2d"), caps in
 * whole tokens. The normalised `DeployConfig` holds what the contracts take: WAD prices and fractions, bps, seconds,
 * token units.
 */
export * from "./bounds";
export { UNLIMITED } from "./defaults";
export { ConfigError } from "./problems";
export type { ValidateOptions } from "./options";
export { loadConfig, readConfigFile, validateConfig } from "./load";
export {
  pricedAssets,
  usesMocks,
  type AssetOracleParams,
  type AssetSpec,
  type ChainlinkSource,
  type SignedReportsSpec,
} from "./assets";
export {
  deployConfigSchema,
  type BreakerSpec,
  type CollateralSpec,
  type ConfigFile,
  type DeployConfig,
  type ExchangeSpec,
  type GovernanceSpec,
  type InsuranceSpec,
  type OutflowLimitSpec,
  type ParsedConfig,
  type RiskSpec,
  type SeriesSpec,
  type UnderlyingSpec,
} from "./schema";
