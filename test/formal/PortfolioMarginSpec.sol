// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortfolioMargin} from "../../contracts/libraries/PortfolioMargin.sol";

/// @notice Risk parameters that pass validation lie within the model's documented domain.
contract PortfolioMarginSpec {
    function validatedWithinBounds(
        uint256 vol,
        int256 shock,
        uint256 volUp,
        uint256 volDown,
        uint256 minPerShort,
        uint256 buffer
    ) external pure {
        int256[] memory shocks = new int256[](1);
        shocks[0] = shock;
        PortfolioMargin.RiskParams memory p = PortfolioMargin.RiskParams(vol, shocks, volUp, volDown, minPerShort, buffer);
        PortfolioMargin.validate(p);
        assert(vol >= PortfolioMargin.MIN_VOL_WAD && vol <= PortfolioMargin.MAX_VOL_WAD);
        assert(shock >= -int256(PortfolioMargin.MAX_SPOT_SHOCK_DOWN_WAD));
        assert(shock <= int256(PortfolioMargin.MAX_SPOT_SHOCK_UP_WAD));
        assert(volUp <= PortfolioMargin.MAX_VOL_SHOCK_UP_WAD && volDown <= PortfolioMargin.MAX_VOL_SHOCK_DOWN_WAD);
        assert(minPerShort > 0 && minPerShort <= PortfolioMargin.MAX_MIN_PER_SHORT_SPOT_WAD);
        assert(buffer <= PortfolioMargin.MAX_INITIAL_BUFFER_WAD);
    }
}
