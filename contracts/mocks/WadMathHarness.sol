// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "../libraries/WadMath.sol";

/// @notice Test-only: exposes WadMath's internal functions.
contract WadMathHarness {
    function mulWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadDown(x, y);
    }

    function mulWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadUp(x, y);
    }

    function divWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadDown(x, y);
    }

    function divWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadUp(x, y);
    }

    function toWadDown(uint256 amount, uint8 decimals) external pure returns (uint256) {
        return WadMath.toWadDown(amount, decimals);
    }

    function toWadUp(uint256 amount, uint8 decimals) external pure returns (uint256) {
        return WadMath.toWadUp(amount, decimals);
    }

    function fromWadDown(uint256 wad, uint8 decimals) external pure returns (uint256) {
        return WadMath.fromWadDown(wad, decimals);
    }

    function fromWadUp(uint256 wad, uint8 decimals) external pure returns (uint256) {
        return WadMath.fromWadUp(wad, decimals);
    }
}
