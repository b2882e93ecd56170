// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IChainlinkFeedAdapter} from "../interfaces/IChainlinkFeedAdapter.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title ChainlinkFeedAdapter
/// @notice Price source over one Chainlink-compatible feed; see `IChainlinkFeedAdapter`.
contract ChainlinkFeedAdapter is IChainlinkFeedAdapter {
    /// @notice Largest feed decimals accepted (10**(MAX_FEED_DECIMALS - 18) fits comfortably in 256 bits).
    uint8 public constant MAX_FEED_DECIMALS = WadMath.MAX_TOKEN_DECIMALS;

    /// @inheritdoc IChainlinkFeedAdapter
    AggregatorV3Interface public immutable FEED;
    /// @inheritdoc IChainlinkFeedAdapter
    uint8 public immutable FEED_DECIMALS;
    /// @inheritdoc IChainlinkFeedAdapter
    uint256 public immutable MIN_PRICE_WAD;
    /// @inheritdoc IChainlinkFeedAdapter
    uint256 public immutable MAX_PRICE_WAD;

    address private immutable ASSET;
    /// @dev 10**|18 - decimals|: the factor that scales an answer to WAD (multiply when decimals <= 18).
    uint256 private immutable SCALE;
    bool private immutable SCALE_UP;

    /// @param feed The Chainlink-compatible feed (e.g. a Chainlink proxy).
    /// @param asset_ The asset the feed prices.
    /// @param minPriceWad Exclusive lower plausible bound, WAD (> 0).
    /// @param maxPriceWad Exclusive upper plausible bound, WAD (> minPriceWad).
    constructor(AggregatorV3Interface feed, address asset_, uint256 minPriceWad, uint256 maxPriceWad) {
        if (address(feed) == address(0) || asset_ == address(0)) revert ZeroAddress();
        if (minPriceWad == 0 || minPriceWad >= maxPriceWad) revert InvalidBounds(minPriceWad, maxPriceWad);
        uint8 decimals = feed.decimals();
        if (decimals > MAX_FEED_DECIMALS) revert FeedDecimalsUnsupported(decimals, MAX_FEED_DECIMALS);
        FEED = feed;
        FEED_DECIMALS = decimals;
        MIN_PRICE_WAD = minPriceWad;
        MAX_PRICE_WAD = maxPriceWad;
        ASSET = asset_;
        SCALE_UP = decimals <= WadMath.WAD_DECIMALS;
        SCALE = SCALE_UP ? 10 ** (WadMath.WAD_DECIMALS - decimals) : 10 ** (decimals - WadMath.WAD_DECIMALS);
    }

    /// @inheritdoc IPriceSource
    function latest() external view returns (uint256 priceWad, uint256 updatedAt) {
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt_, uint80 answeredInRound) = FEED
            .latestRoundData();
        if (answer <= 0) revert NonPositiveAnswer(roundId, answer);
        if (startedAt == 0 || updatedAt_ == 0) revert IncompleteRound(roundId, startedAt, updatedAt_);
        if (answeredInRound < roundId) revert StaleRound(roundId, answeredInRound);
        uint256 raw = uint256(answer);
        if (SCALE_UP) {
            if (raw > type(uint256).max / SCALE) revert AnswerOverflow(answer, FEED_DECIMALS);
            priceWad = raw * SCALE;
        } else {
            priceWad = raw / SCALE;
        }
        if (priceWad <= MIN_PRICE_WAD || priceWad >= MAX_PRICE_WAD) {
            revert PriceOutOfBounds(priceWad, MIN_PRICE_WAD, MAX_PRICE_WAD);
        }
        updatedAt = updatedAt_;
    }

    /// @inheritdoc IPriceSource
    function asset() external view returns (address) {
        return ASSET;
    }
}
