// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IOracleAggregator} from "./IOracleAggregator.sol";

/// @title IAggregatorV3Facade
/// @notice One asset's aggregated price as a Chainlink feed: any Chainlink consumer reads it unchanged. It serves
/// the rounds the OracleAggregator recorded on `poke`: `answer` is the median in 18 decimals, `updatedAt` (and
/// `startedAt`) the oldest observation time among the sources that entered the median, `answeredInRound ==
/// roundId`.
/// @dev Like a Chainlink feed, the facade serves the last recorded round even when it is old: consumers must check
/// `updatedAt` against their own heartbeat, as they do for Chainlink. Rounds are recorded only with quorum, within
/// the spread and with every jump reported to the breaker; a round's `updatedAt` is never earlier than the previous
/// round's (the aggregator refuses such a round with `RoundOlderThanLatest`). Consumers of the protocol itself read
/// `IPriceOracle.getPrice`, which re-aggregates live.
interface IAggregatorV3Facade is AggregatorV3Interface {
    /// @notice Constructor: the aggregator or the asset is the zero address.
    error ZeroAddress();
    /// @notice `getRoundData` of a round the aggregator never recorded for this asset (or `latestRoundData`
    /// before the first round, with `roundId == 0`).
    error UnknownRound(address asset, uint80 roundId);

    /// @notice The aggregator whose rounds this facade serves.
    function AGGREGATOR() external view returns (IOracleAggregator);

    /// @notice The asset priced.
    function ASSET() external view returns (address);
}
