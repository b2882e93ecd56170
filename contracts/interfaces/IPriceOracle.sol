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
}
