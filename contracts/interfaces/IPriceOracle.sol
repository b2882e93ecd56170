// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceOracle
/// @notice What a consumer (the clearing contract, a facade, an integrator) reads from the OracleAggregator.
/// @dev A refusal (no quorum, spread too wide, sequencer down, unconfigured asset, a jump awaiting its breaker
/// report) is a revert with a custom error naming the asset and the reason, never a zero or stale price.
interface IPriceOracle {
    /// @notice The aggregated price of `asset`: the median of its fresh sources.
    /// @return priceWad Quote per one whole unit of `asset`, 18 decimals.
    /// @return updatedAt The oldest observation time among the sources that entered the median, so a consumer
    /// that requires "observed at or after T" gets a conservative answer.
    function getPrice(address asset) external view returns (uint256 priceWad, uint256 updatedAt);

    /// @notice The latest recorded round of `asset` if a `poke` confirmed it as the live aggregate at most
    /// `maxRoundAgeSeconds` ago, otherwise the live aggregate exactly as `getPrice` (same checks, same errors).
    /// @dev The fast path costs a few thousand gas instead of one source call per source. A round stops being
    /// served the moment a `poke` reports a jump or a loss of quorum, or governance reconfigures the asset; while
    /// the sequencer is down or in its grace period the fast path refuses too. What it cannot see: a move of the
    /// sources since the last `poke`, for at most `maxRoundAgeSeconds` (the consumer's staleness bound, as a
    /// Chainlink consumer bounds `updatedAt`).
    /// @return priceWad Quote per one whole unit of `asset`, 18 decimals.
    /// @return updatedAt The oldest observation time among the sources that entered the median.
    function getRecentPrice(
        address asset,
        uint256 maxRoundAgeSeconds
    ) external view returns (uint256 priceWad, uint256 updatedAt);
}
