// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice WadMath's rounding directions: down never above the exact quotient, up never below it, the two at most
/// one apart; decimal scaling exact when it widens.
contract WadMathSpec {
    uint256 private constant WAD = 1e18;

    function mulWadRounding(uint128 x, uint128 y) external pure {
        uint256 down = WadMath.mulWadDown(x, y);
        uint256 up = WadMath.mulWadUp(x, y);
        uint256 p = uint256(x) * y;
        assert(down * WAD <= p && p < (down + 1) * WAD);
        assert(up * WAD >= p && up - down <= 1);
    }

    function divWadRounding(uint128 x, uint128 y) external pure {
        require(y != 0);
        uint256 down = WadMath.divWadDown(x, y);
        uint256 up = WadMath.divWadUp(x, y);
        uint256 p = uint256(x) * WAD;
        assert(down * y <= p && up * y >= p && up - down <= 1);
    }

    function toWadExact(uint128 x) external pure {
        assert(WadMath.toWadDown(x, 6) == uint256(x) * 1e12);
        assert(WadMath.toWadUp(x, 6) == uint256(x) * 1e12);
    }
}
