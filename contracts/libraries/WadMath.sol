// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title WadMath
/// @notice 18-decimal fixed-point arithmetic with explicit rounding, and conversion between a token's own
/// decimals and WAD. Every function is exact up to the stated rounding: the result is the true quotient rounded
/// down (`Down`) or up (`Up`), computed with 512-bit intermediates so no product overflows.
/// @dev Reverts with `Math`'s panic on division by zero and when the result does not fit in 256 bits.
library WadMath {
    uint256 internal constant WAD = 1e18;
    uint8 internal constant WAD_DECIMALS = 18;
    /// @notice Largest token decimals accepted by `toWad`/`fromWad` (10**(36+18) still fits in 256 bits).
    uint8 internal constant MAX_TOKEN_DECIMALS = 36;

    /// @notice A token with more than `MAX_TOKEN_DECIMALS` decimals.
    error DecimalsTooLarge(uint8 decimals);

    /// @notice x * y / WAD, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @notice x * y / WAD, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @notice x * WAD / y, rounded down.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    /// @notice x * WAD / y, rounded up.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);
    }

    /// @notice `amount` in a token of `decimals` decimals, as WAD, rounded down (for values credited to users).
    function toWadDown(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        return _scale(amount, decimals, WAD_DECIMALS, Math.Rounding.Floor);
    }

    /// @notice `amount` in a token of `decimals` decimals, as WAD, rounded up (for requirements).
    function toWadUp(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        return _scale(amount, decimals, WAD_DECIMALS, Math.Rounding.Ceil);
    }

    /// @notice A WAD value in a token of `decimals` decimals, rounded down (for payouts).
    function fromWadDown(uint256 wad, uint8 decimals) internal pure returns (uint256) {
        return _scale(wad, WAD_DECIMALS, decimals, Math.Rounding.Floor);
    }

    /// @notice A WAD value in a token of `decimals` decimals, rounded up (for amounts owed to the protocol).
    function fromWadUp(uint256 wad, uint8 decimals) internal pure returns (uint256) {
        return _scale(wad, WAD_DECIMALS, decimals, Math.Rounding.Ceil);
    }

    function _scale(
        uint256 x,
        uint8 fromDecimals,
        uint8 toDecimals,
        Math.Rounding rounding
    ) private pure returns (uint256) {
        if (fromDecimals > MAX_TOKEN_DECIMALS) revert DecimalsTooLarge(fromDecimals);
        if (toDecimals > MAX_TOKEN_DECIMALS) revert DecimalsTooLarge(toDecimals);
        if (fromDecimals == toDecimals) return x;
        if (fromDecimals < toDecimals) return x * 10 ** (toDecimals - fromDecimals);
        return Math.mulDiv(x, 1, 10 ** (fromDecimals - toDecimals), rounding);
    }
}
