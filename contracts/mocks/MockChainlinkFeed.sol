// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Test-only Chainlink feed: settable answer, decimals and round data; a revert mode and a gas-burning mode.
contract MockChainlinkFeed is AggregatorV3Interface {
    error MockFeedReverted();

    enum Mode {
        Normal,
        Revert,
        BurnGas
    }

    uint8 public decimals;
    string public description = "mock";
    uint256 private constant VERSION = 1;
    Mode public mode;

    uint80 private _roundId;
    int256 private _answer;
    uint256 private _startedAt;
    uint256 private _updatedAt;
    uint80 private _answeredInRound;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    /// @notice A complete new round: roundId + 1, answeredInRound == roundId, startedAt == updatedAt == `at`.
    function setAnswer(int256 answer, uint256 at) external {
        _roundId += 1;
        _answer = answer;
        _startedAt = at;
        _updatedAt = at;
        _answeredInRound = _roundId;
    }

    /// @notice Any round data, including inconsistent ones.
    function setRoundData(
        uint80 roundId,
        int256 answer,
        uint256 startedAt,
        uint256 updatedAt,
        uint80 answeredInRound
    ) external {
        _roundId = roundId;
        _answer = answer;
        _startedAt = startedAt;
        _updatedAt = updatedAt;
        _answeredInRound = answeredInRound;
    }

    function version() external pure returns (uint256) {
        return VERSION;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        _act();
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        _act();
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    function _act() private view {
        if (mode == Mode.Revert) revert MockFeedReverted();
        if (mode == Mode.BurnGas) {
            // Spin until the call runs out of gas.
            uint256 x = 0;
            while (gasleft() > 0) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
    }
}
