// SPDX-License-Identifier: MIT
// solhint-disable interface-starts-with-i
pragma solidity 0.8.28;

/// @title AggregatorV3Interface
/// @notice The Chainlink price-feed read interface, reproduced so that the project builds offline.
/// @dev Same ABI as Chainlink's `AggregatorV3Interface`: any Chainlink consumer can read a contract that
/// implements it, and any Chainlink-compatible feed can be read through it.
interface AggregatorV3Interface {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed, e.g. "ETH / USD".
    function description() external view returns (string memory);

    /// @notice Version of the feed implementation.
    function version() external view returns (uint256);

    /// @notice Data of round `_roundId`.
    function getRoundData(
        uint80 _roundId
    )
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
