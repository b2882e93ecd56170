// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginCalculator} from "../interfaces/IMarginCalculator.sol";
import {PortfolioMargin} from "../libraries/PortfolioMargin.sol";
import {Position} from "../types/Position.sol";
import {RiskParams} from "../types/RiskParams.sol";

/// @title MarginCalculator
/// @notice The deployed, stateless portfolio-margin engine: IMarginCalculator over the PortfolioMargin library.
/// The clearing contract holds its address as an immutable; keepers call it to compute requirements off-chain
/// exactly as the chain does. Reverts with PortfolioMargin's named errors on parameters or positions out of bounds.
contract MarginCalculator is IMarginCalculator {
    /// @inheritdoc IMarginCalculator
    function requirements(
        Position[] calldata positions,
        uint256 spotWad,
        RiskParams calldata params,
        uint256 nowTimestamp
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad) {
        return PortfolioMargin.requirements(positions, spotWad, params, nowTimestamp);
    }

    /// @inheritdoc IMarginCalculator
    function requirementsWithCollateral(
        Position[] calldata positions,
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams calldata params,
        uint256 nowTimestamp
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad) {
        return PortfolioMargin.requirements(positions, collateralWad, spotWad, params, nowTimestamp);
    }

    /// @inheritdoc IMarginCalculator
    function markLiability(
        Position[] calldata positions,
        uint256 spotWad,
        uint256 volWad,
        uint256 nowTimestamp
    ) external pure returns (uint256 liabilityWad) {
        (, liabilityWad) = _mark(positions, spotWad, volWad, nowTimestamp);
    }

    /// @inheritdoc IMarginCalculator
    function mark(
        Position[] calldata positions,
        uint256 spotWad,
        uint256 volWad,
        uint256 nowTimestamp
    ) external pure returns (int256 valueWad, uint256 liabilityWad) {
        return _mark(positions, spotWad, volWad, nowTimestamp);
    }

    /// @inheritdoc IMarginCalculator
    function validate(RiskParams calldata params) external pure {
        PortfolioMargin.validate(params);
    }

    /// @dev One scenario (spot, `volWad`, no shocks: both vol scenarios are equal) and the model's smallest minimum
    /// per short: the same figures `PortfolioMargin.requirements` gives for that grid, plus the signed value.
    function _mark(
        Position[] calldata positions,
        uint256 spotWad,
        uint256 volWad,
        uint256 nowTimestamp
    ) private pure returns (int256 valueWad, uint256 liabilityWad) {
        RiskParams memory atMark = RiskParams({
            volWad: volWad,
            spotShocksWad: new int256[](1),
            volShockUpWad: 0,
            volShockDownWad: 0,
            minPerShortSpotWad: PortfolioMargin.MIN_MIN_PER_SHORT_SPOT_WAD,
            initialBufferWad: 0
        });
        (int256[] memory values, uint256 shortAmount) = PortfolioMargin.scenarioValues(
            positions,
            spotWad,
            atMark,
            nowTimestamp
        );
        valueWad = values[0];
        (, uint256 worstWad) = PortfolioMargin.worstScenario(values);
        liabilityWad =
            worstWad + PortfolioMargin.minPerShortWad(spotWad, atMark.minPerShortSpotWad, shortAmount);
    }
}
