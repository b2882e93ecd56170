// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {
    AUCTION_DURATION_SECONDS,
    MAX_DISCOUNT_WAD,
    PENALTY_SHARE_WAD,
    START_DISCOUNT_WAD
} from "../options/ConstantsLib.sol";
import {WadMath} from "./WadMath.sol";

/// @title LiquidationMath
/// @notice The pure arithmetic of a liquidation (docs/liquidation.md): the Dutch auction's discount, the fraction of
/// an account that restores its initial requirement, and the penalty share of the liquidator's bonus.
library LiquidationMath {
    using WadMath for uint256;

    /// @dev The auction discount after `elapsed` seconds: linear from START_DISCOUNT_WAD to MAX_DISCOUNT_WAD over
    /// AUCTION_DURATION_SECONDS, then flat. Rounded down.
    function discountAfter(uint256 elapsed) internal pure returns (uint256) {
        if (elapsed >= AUCTION_DURATION_SECONDS) return MAX_DISCOUNT_WAD;
        return
            START_DISCOUNT_WAD +
            ((MAX_DISCOUNT_WAD - START_DISCOUNT_WAD) * elapsed) / AUCTION_DURATION_SECONDS;
    }

    /// @dev Smallest fraction f, rounded up and capped by `maxFractionWad`, with C - f·owed >= (1 - f)·I + (f - r)·D,
    /// where r = f·owed / C is the share of every collateral balance seized and D the correlated collateral's fall
    /// (`MarginLogic.liquidationMargin`): the requirement is sublinear in (positions, correlated collateral), so after
    /// taking f of the positions and r <= f of the collateral it is at most (1 - f)·I + (f - r)·D, and the account is
    /// back at its initial requirement. With D = 0: f = (I - C) / (I - owed). `restoresInitial`: the fraction is
    /// partial and does restore it (not capped). Requires collateralWad < initialWad and owedWad <= collateralWad.
    function neededFraction(
        uint256 collateralWad,
        uint256 initialWad,
        uint256 owedWad,
        uint256 correlatedFallWad,
        uint256 maxFractionWad
    ) internal pure returns (uint256 fractionWad, bool restoresInitial) {
        fractionWad = WadMath.WAD;
        // (1 - owed / C)·D, rounded up: the part of D the seized collateral leaves behind per unit of f.
        uint256 leftFallWad = correlatedFallWad;
        if (correlatedFallWad != 0 && collateralWad != 0) {
            leftFallWad -= Math.mulDiv(correlatedFallWad, owedWad, collateralWad);
        }
        if (initialWad > owedWad + leftFallWad) {
            uint256 needed = Math.mulDiv(
                initialWad - collateralWad,
                WadMath.WAD,
                initialWad - owedWad - leftFallWad,
                Math.Rounding.Ceil
            );
            if (needed < fractionWad) {
                fractionWad = needed;
                restoresInitial = true;
            }
        }
        if (fractionWad > maxFractionWad) {
            fractionWad = maxFractionWad;
            restoresInitial = false;
        }
    }

    /// @dev The insurance's share of the bonus on `fractionWad` of `liabilityWad` at `discountWad`, rounded down at
    /// each step: liability·f·discount·PENALTY_SHARE_WAD.
    function penalty(
        uint256 liabilityWad,
        uint256 fractionWad,
        uint256 discountWad
    ) internal pure returns (uint256) {
        return liabilityWad.mulWadDown(fractionWad).mulWadDown(discountWad).mulWadDown(PENALTY_SHARE_WAD);
    }
}
