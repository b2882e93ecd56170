// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortfolioMargin} from "../../contracts/libraries/PortfolioMargin.sol";
import {RiskParams} from "../../contracts/types/RiskParams.sol";

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
        RiskParams memory p;
        p.volWad = vol;
        p.spotShocksWad = new int256[](1);
        p.spotShocksWad[0] = shock;
        p.volShockUpWad = volUp;
        p.volShockDownWad = volDown;
        p.minPerShortSpotWad = minPerShort;
        p.initialBufferWad = buffer;
        PortfolioMargin.validate(p);
        assert(p.volWad >= PortfolioMargin.MIN_VOL_WAD && p.volWad <= PortfolioMargin.MAX_VOL_WAD);
        assert(p.spotShocksWad[0] >= -int256(PortfolioMargin.MAX_SPOT_SHOCK_DOWN_WAD));
        assert(p.spotShocksWad[0] <= int256(PortfolioMargin.MAX_SPOT_SHOCK_UP_WAD));
        assert(p.volShockUpWad <= PortfolioMargin.MAX_VOL_SHOCK_UP_WAD);
        assert(p.volShockDownWad <= PortfolioMargin.MAX_VOL_SHOCK_DOWN_WAD);
        assert(p.minPerShortSpotWad > 0 && p.minPerShortSpotWad <= PortfolioMargin.MAX_MIN_PER_SHORT_SPOT_WAD);
        assert(p.initialBufferWad <= PortfolioMargin.MAX_INITIAL_BUFFER_WAD);
    }
}
