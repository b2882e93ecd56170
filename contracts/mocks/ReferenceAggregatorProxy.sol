// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Test-only reference for the gas benchmark: the read path of Chainlink's `AggregatorProxy` (load the
/// current phase, call its aggregator, prefix the phase id to the round ids), without the access-control check of
/// `EACAggregatorProxy` (which would only make the reference dearer).
contract ReferenceAggregatorProxy is AggregatorV3Interface {
    uint256 private constant PHASE_OFFSET = 64;

    struct Phase {
        uint16 id;
        AggregatorV3Interface aggregator;
    }

    Phase private currentPhase;

    constructor(AggregatorV3Interface aggregator) {
        currentPhase = Phase(1, aggregator);
    }

    function decimals() external view returns (uint8) {
        return currentPhase.aggregator.decimals();
    }

    function description() external view returns (string memory) {
        return currentPhase.aggregator.description();
    }

    function version() external view returns (uint256) {
        return currentPhase.aggregator.version();
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Phase memory current = currentPhase;
        (roundId, answer, startedAt, updatedAt, answeredInRound) = current.aggregator.latestRoundData();
        return (
            _addPhase(current.id, roundId),
            answer,
            startedAt,
            updatedAt,
            _addPhase(current.id, answeredInRound)
        );
    }

    function getRoundData(
        uint80 _roundId
    )
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Phase memory current = currentPhase;
        uint64 aggregatorRoundId = uint64(_roundId);
        (roundId, answer, startedAt, updatedAt, answeredInRound) = current.aggregator.getRoundData(
            aggregatorRoundId
        );
        return (
            _addPhase(current.id, roundId),
            answer,
            startedAt,
            updatedAt,
            _addPhase(current.id, answeredInRound)
        );
    }

    function _addPhase(uint16 phase, uint80 originalId) private pure returns (uint80) {
        return uint80((uint256(phase) << PHASE_OFFSET) | originalId);
    }
}
