// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LiquidationMath} from "../libraries/LiquidationMath.sol";

/// @notice Test-only: exposes LiquidationMath's internal functions.
contract LiquidationMathHarness {
    function discountAfter(uint256 elapsed) external pure returns (uint256) {
        return LiquidationMath.discountAfter(elapsed);
    }

    function neededFraction(
        uint256 collateralWad,
        uint256 initialWad,
        uint256 owedWad,
        uint256 correlatedFallWad,
        uint256 maxFractionWad
    ) external pure returns (uint256 fractionWad, bool restoresInitial) {
        return
            LiquidationMath.neededFraction(
                collateralWad,
                initialWad,
                owedWad,
                correlatedFallWad,
                maxFractionWad
            );
    }

    function penalty(
        uint256 liabilityWad,
        uint256 fractionWad,
        uint256 discountWad
    ) external pure returns (uint256) {
        return LiquidationMath.penalty(liabilityWad, fractionWad, discountWad);
    }
}
