// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IAggregatorV3Facade} from "../interfaces/IAggregatorV3Facade.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";

/// @title AggregatorV3Facade
/// @notice One asset's aggregated price as a Chainlink feed; see `IAggregatorV3Facade`.
/// @dev Stateless apart from immutables: a read is one call into the aggregator and one storage read there.
contract AggregatorV3Facade is IAggregatorV3Facade {
    /// @notice Answers are WAD.
    uint8 public constant DECIMALS = 18;
    /// @notice Version of this facade.
    uint256 public constant VERSION = 1;

    /// @inheritdoc IAggregatorV3Facade
    IOracleAggregator public immutable AGGREGATOR;
    /// @inheritdoc IAggregatorV3Facade
    address public immutable ASSET;

    /// @inheritdoc AggregatorV3Interface
    string public description;

    /// @param aggregator The OracleAggregator whose rounds this facade serves.
    /// @param asset The asset priced.
    /// @param description_ e.g. "WETH / USD (optiq median)".
    constructor(IOracleAggregator aggregator, address asset, string memory description_) {
        if (address(aggregator) == address(0) || asset == address(0)) revert ZeroAddress();
        AGGREGATOR = aggregator;
        ASSET = asset;
        description = description_;
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return VERSION;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Reverts `UnknownRound(asset, 0)` before the aggregator recorded any round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        uint256 price;
        (roundId, price, updatedAt) = AGGREGATOR.latestRound(ASSET);
        if (roundId == 0) revert UnknownRound(ASSET, 0);
        // price <= type(uint128).max, so the cast is exact.
        return (roundId, int256(price), updatedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Reverts `UnknownRound` for a round the aggregator never recorded for this asset.
    function getRoundData(
        uint80 _roundId
    )
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        uint256 price;
        (price, updatedAt) = AGGREGATOR.roundData(ASSET, _roundId);
        if (price == 0) revert UnknownRound(ASSET, _roundId);
        return (_roundId, int256(price), updatedAt, updatedAt, _roundId);
    }
}
