// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev The clearing module's constants, in one place. OptionsClearing exposes each as a public constant.

/// @dev Most series one account may hold at once: bounds every margin check.
uint256 constant MAX_SERIES_PER_ACCOUNT = 8;

/// @dev Most collateral vaults the clearing house approves: bounds every collateral valuation.
uint256 constant MAX_COLLATERAL_VAULTS = 8;

/// @dev Largest haircut governance may set (a 100% haircut would make collateral worthless).
uint64 constant MAX_HAIRCUT_WAD = 0.95e18;

/// @dev How old a `poke`-confirmed oracle round may be for a margin check to use it instead of aggregating the sources
/// live (`IPriceOracle.getRecentPrice`). Settlement always aggregates live.
uint256 constant MAX_PRICE_ROUND_AGE_SECONDS = 60;

/// @dev After expiry, an oracle price observed within this window settles the series.
uint256 constant SETTLEMENT_WINDOW_SECONDS = 1 days;

/// @dev Farthest governance's fallback settlement price may lie from the last oracle round before expiry.
uint256 constant FALLBACK_MAX_DEVIATION_WAD = 0.5e18;

/// @dev The liquidator's bonus per unit of liability when an auction starts.
uint256 constant START_DISCOUNT_WAD = 0.02e18;

/// @dev The bonus an auction grows to, and stays at.
uint256 constant MAX_DISCOUNT_WAD = 0.1e18;

/// @dev How long the bonus takes to grow from START_DISCOUNT_WAD to MAX_DISCOUNT_WAD.
uint256 constant AUCTION_DURATION_SECONDS = 1 hours;

/// @dev Longest gap between two observations of an account as liquidatable (by `flagLiquidatable` or `liquidate`)
/// that keeps its auction running; after a longer one the next observation starts a new auction.
uint256 constant AUCTION_HEARTBEAT_SECONDS = 10 minutes;

/// @dev Share of the liquidator's bonus paid to the InsuranceVault as the liquidation penalty.
uint256 constant PENALTY_SHARE_WAD = 0.5e18;
