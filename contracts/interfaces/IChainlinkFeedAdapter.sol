// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IPriceSource} from "./IPriceSource.sol";

/// @title IChainlinkFeedAdapter
/// @notice A price source of the OracleAggregator over one Chainlink-compatible feed (`AggregatorV3Interface`, any
/// decimals up to `MAX_FEED_DECIMALS`). It converts the feed's latest answer to WAD and refuses, by reverting,
/// every answer it cannot vouch for: zero or negative, an incomplete round, an answer carried over from an
/// earlier round, an answer that overflows when scaled, and an answer at or beyond the adapter's plausible bounds.
/// @dev Immutable: feed, asset, decimals and bounds are fixed at construction; governance replaces the adapter to
/// change them. `latest` reverts `NonPositiveAnswer`, `IncompleteRound`, `StaleRound`, `AnswerOverflow`,
/// `PriceOutOfBounds`, or whatever the feed reverts with; a feed with more than 18 decimals is scaled down rounding
/// down (the digits dropped are below 1e-18 quote per unit). Freshness (`updatedAt` against a heartbeat) is judged
/// by the aggregator, not here.
/// Trust: the feed's owner (e.g. Chainlink) is trusted for the value within the bounds; the bounds catch a feed
/// frozen at its own floor or ceiling (as LUNA/USD froze at its minimum answer in May 2022) and decimal mistakes.
interface IChainlinkFeedAdapter is IPriceSource {
    // ----------------------------------------------------------------------------------------------- errors
    /// @notice Constructor: the feed or the asset is the zero address.
    error ZeroAddress();
    /// @notice Constructor: the feed reports more decimals than the adapter scales.
    error FeedDecimalsUnsupported(uint8 decimals, uint8 maxDecimals);
    /// @notice Constructor: the bounds are not `0 < minPriceWad < maxPriceWad`.
    error InvalidBounds(uint256 minPriceWad, uint256 maxPriceWad);
    /// @notice The feed's answer is zero or negative.
    error NonPositiveAnswer(uint80 roundId, int256 answer);
    /// @notice The feed's latest round is incomplete (`startedAt == 0` or `updatedAt == 0`).
    error IncompleteRound(uint80 roundId, uint256 startedAt, uint256 updatedAt);
    /// @notice The feed's latest answer was computed in an earlier round (`answeredInRound < roundId`).
    error StaleRound(uint80 roundId, uint80 answeredInRound);
    /// @notice The feed's answer does not fit in 256 bits once scaled to 18 decimals.
    error AnswerOverflow(int256 answer, uint8 decimals);
    /// @notice The scaled answer is at or beyond a plausible bound: the feed is treated as unavailable.
    error PriceOutOfBounds(uint256 priceWad, uint256 minPriceWad, uint256 maxPriceWad);

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The Chainlink-compatible feed read by this adapter.
    function FEED() external view returns (AggregatorV3Interface);

    /// @notice The feed's decimals, read once at construction.
    function FEED_DECIMALS() external view returns (uint8);

    /// @notice Exclusive lower plausible bound, WAD: an answer at or below it is refused.
    function MIN_PRICE_WAD() external view returns (uint256);

    /// @notice Exclusive upper plausible bound, WAD: an answer at or above it is refused.
    function MAX_PRICE_WAD() external view returns (uint256);
}
