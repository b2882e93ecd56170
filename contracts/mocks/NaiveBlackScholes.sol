// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

/// @notice Test-only gas reference: a straightforward Black–Scholes call as often written on-chain, with solady's
/// lnWad/sqrtWad/expWad and the Abramowitz–Stegun 26.2.17 normal CDF (absolute error 7.5e-8), no precomputation,
/// no clamping. Used only by the gas benchmark beside BlackScholes.callPrice.
contract NaiveBlackScholes {
    int256 private constant WAD = 1e18;
    int256 private constant YEAR = 365 days;

    function callPriceGas(
        uint256 s,
        uint256 k,
        uint256 vol,
        uint256 t
    ) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        callPrice(int256(s), int256(k), int256(vol), int256(t));
        gasUsed = before - gasleft();
    }

    function callPrice(int256 s, int256 k, int256 vol, int256 t) public pure returns (int256) {
        int256 sqrtT = int256(FixedPointMathLib.sqrtWad(uint256((t * WAD) / YEAR)));
        int256 v = (vol * sqrtT) / WAD;
        int256 d1 = ((FixedPointMathLib.lnWad((s * WAD) / k) + (v * v) / WAD / 2) * WAD) / v;
        int256 d2 = d1 - v;
        return (s * _cdf(d1) - k * _cdf(d2)) / WAD;
    }

    function _cdf(int256 x) private pure returns (int256) {
        int256 ax = x < 0 ? -x : x;
        int256 t = (WAD * WAD) / (WAD + (231641900000000000 * ax) / WAD);
        int256 poly = (t * 1330274429000000000) / WAD - 1821255978000000000;
        poly = (t * poly) / WAD + 1781477937000000000;
        poly = (t * poly) / WAD - 356563782000000000;
        poly = (t * poly) / WAD + 319381530000000000;
        poly = (t * poly) / WAD;
        int256 pdf = (FixedPointMathLib.expWad(-(ax * ax) / WAD / 2) * 398942280401432678) / WAD;
        int256 q = (pdf * poly) / WAD;
        return x >= 0 ? WAD - q : q;
    }
}
