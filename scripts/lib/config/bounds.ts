/**
 * The contracts' bounds the deployment config is checked against, each named after the constant it mirrors.
 * test/e2e/DeployConfig.test.ts reads the deployed contracts' constants and holds these in agreement.
 */
const WAD = 10n ** 18n;
const SECONDS_PER_DAY = 86_400;

/** OracleAggregator.MAX_SOURCES */
export const MAX_SOURCES = 8;
/** OracleAggregator.MAX_SPREAD_WAD */
export const MAX_SPREAD_WAD = WAD / 2n;
/** OracleAggregator.MAX_BAND_WAD */
export const MAX_BAND_WAD = WAD;
/** OracleAggregator.MAX_BAND_WINDOW_SECONDS */
export const MAX_BAND_WINDOW_SECONDS = 7 * SECONDS_PER_DAY;
/** OracleAggregator.MAX_HEARTBEAT_SECONDS */
export const MAX_HEARTBEAT_SECONDS = 3 * SECONDS_PER_DAY;
/** SignedReportSource.MAX_REPORTERS */
export const MAX_REPORTERS = 15;
/** SignedReportSource.MAX_REPORT_AGE_SECONDS */
export const MAX_REPORT_AGE_SECONDS = 3 * SECONDS_PER_DAY;
/** ChainlinkFeedAdapter.MAX_FEED_DECIMALS (WadMath.MAX_TOKEN_DECIMALS) */
export const MAX_FEED_DECIMALS = 36;
/** TrackedAssetsVault.MAX_ASSET_DECIMALS */
export const MAX_ASSET_DECIMALS = 36;
/** CircuitBreaker.MIN_COOLDOWN_SECONDS / MAX_COOLDOWN_SECONDS */
export const BREAKER_COOLDOWN_BOUNDS = [3600, 14 * SECONDS_PER_DAY] as const;
/** CircuitBreaker.MIN_GRACE_PERIOD_SECONDS / MAX_GRACE_PERIOD_SECONDS */
export const BREAKER_GRACE_BOUNDS = [600, 7 * SECONDS_PER_DAY] as const;
/** CircuitBreaker.MIN_OUTFLOW_WINDOW_SECONDS / MAX_OUTFLOW_WINDOW_SECONDS */
export const OUTFLOW_WINDOW_BOUNDS = [300, 7 * SECONDS_PER_DAY] as const;
/** CircuitBreaker.MAX_OUTFLOW_BPS */
export const MAX_OUTFLOW_BPS = 10_000;
/** InsuranceVault.MAX_COOLDOWN_SECONDS */
export const INSURANCE_MAX_COOLDOWN_SECONDS = 30 * SECONDS_PER_DAY;
/** InsuranceVault.MIN_WINDOW_SECONDS / MAX_WINDOW_SECONDS */
export const INSURANCE_WINDOW_BOUNDS = [3600, 30 * SECONDS_PER_DAY] as const;
/** OptionsClearing.MAX_HAIRCUT_WAD */
export const MAX_HAIRCUT_WAD = (95n * WAD) / 100n;
/** OptionsClearing.MAX_COLLATERAL_VAULTS */
export const MAX_COLLATERAL_VAULTS = 8;
/** BlackScholes.MIN_PRICE_WAD / MAX_PRICE_WAD (strike bounds of a listing) */
export const STRIKE_BOUNDS_WAD = [10n ** 12n, 10n ** 30n] as const;
/** BlackScholes.MAX_TIME_TO_EXPIRY_SECONDS (10 years of 365 days) */
export const MAX_TIME_TO_EXPIRY_SECONDS = 10 * 365 * SECONDS_PER_DAY;
/** PortfolioMargin bounds of the risk parameters. */
export const RISK_BOUNDS = {
  volWad: [WAD / 100n, 3n * WAD],
  maxSpotShocks: 16,
  spotShockWad: [-(9n * WAD) / 10n, 9n * WAD],
  volShockUpWad: 2n * WAD,
  volShockDownWad: (9n * WAD) / 10n,
  minPerShortSpotWad: [WAD / 10_000n, WAD / 2n],
  initialBufferWad: WAD,
} as const;
/** The timelock's longest delay the config accepts (a deployment choice, not a contract bound). */
export const MAX_TIMELOCK_DELAY_SECONDS = 30 * SECONDS_PER_DAY;
