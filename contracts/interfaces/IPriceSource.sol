// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceSource
/// @notice One price source of the OracleAggregator: a Chainlink-feed adapter, a signed-report store, or any
/// other source. The aggregator calls `latest` with a gas cap and treats a revert as "unavailable".
interface IPriceSource {
    /// @notice The asset this source prices, in units of the quote asset.
    function asset() external view returns (address);

    /// @notice The latest price and when it was observed.
    /// @dev Must revert (any error) rather than return a price it cannot vouch for: zero, negative,
    /// out of its plausible bounds, incomplete round. Staleness is judged by the aggregator, not here.
    /// @return priceWad Quote per one whole unit of the asset, 18 decimals.
    /// @return updatedAt Unix time of the observation.
    function latest() external view returns (uint256 priceWad, uint256 updatedAt);
}
