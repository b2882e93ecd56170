// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Test-only reference for the gas benchmark: the read path of Chainlink's OCR2 aggregator
/// (`OCR2Aggregator.latestRoundData`: load `s_hotVars` for the latest round id, then `s_transmissions[id]`),
/// with a trivial `transmit` in place of the report verification.
contract ReferenceChainlinkAggregator is AggregatorV3Interface {
    error NoDataPresent();

    struct HotVars {
        bytes16 latestConfigDigest;
        uint40 latestEpochAndRound;
        uint8 threshold;
        uint32 latestAggregatorRoundId;
    }

    struct Transmission {
        int192 answer;
        uint32 observationsTimestamp;
        uint32 transmissionTimestamp;
    }

    uint8 private immutable DECIMALS;
    string public description;
    uint256 private constant VERSION = 6;

    HotVars internal s_hotVars;
    mapping(uint32 => Transmission) internal s_transmissions;

    constructor(uint8 decimals_, string memory description_) {
        DECIMALS = decimals_;
        description = description_;
        s_hotVars.threshold = 1;
    }

    function decimals() external view returns (uint8) {
        return DECIMALS;
    }

    function version() external pure returns (uint256) {
        return VERSION;
    }

    function transmit(int192 answer, uint32 observationsTimestamp) external {
        uint32 id = s_hotVars.latestAggregatorRoundId + 1;
        s_hotVars.latestAggregatorRoundId = id;
        s_hotVars.latestEpochAndRound += 1;
        s_transmissions[id] = Transmission(answer, observationsTimestamp, uint32(block.timestamp));
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint80 roundId = s_hotVars.latestAggregatorRoundId;
        Transmission memory t = s_transmissions[uint32(roundId)];
        return (roundId, t.answer, t.observationsTimestamp, t.transmissionTimestamp, roundId);
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId > type(uint32).max) revert NoDataPresent();
        Transmission memory t = s_transmissions[uint32(roundId)];
        return (roundId, t.answer, t.observationsTimestamp, t.transmissionTimestamp, roundId);
    }
}
