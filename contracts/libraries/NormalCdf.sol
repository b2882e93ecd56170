// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

/// @title NormalCdf
/// @notice The standard normal cumulative distribution function Φ in 18-decimal fixed point.
/// @dev W. J. Cody's rational Chebyshev approximations of Φ (ACM TOMS Algorithm 715, "ANORM", 1993; the
/// algorithm behind R's `pnorm`), evaluated with Horner's rule in WAD:
///  - |x| <= 0.67448975:          Φ(x) = 1/2 + x · R₁(x²)                      (no exponential)
///  - 0.67448975 < |x| <= √32:   Q(|x|) = exp(-x²/2) · R₂(|x|)
///  - √32 < |x| < 9:              Q(|x|) = exp(-x²/2) · (1/√(2π) - R₃(1/x²)/x²) / |x|
///  - |x| >= 9:                   Q = 0 (Q(9) ≈ 1.1e-19 < half a wei)
/// where Q(y) = 1 - Φ(y) is the upper tail, and Φ(x) = Q(-x) for x < 0, Φ(x) = 1 - Q(x) for x > 0. Hence
/// Φ(x) + Φ(-x) = 1 holds exactly in fixed point, which makes put-call parity exact in BlackScholes.
/// Error: Cody's approximations are accurate to about 1e-18 relative; the fixed-point evaluation adds a few
/// wei. Measured against a 60-digit series (test/unit/libraries/NormalCdf.test.ts) the absolute error is
/// below `MAX_ERROR_WAD` over the whole line. Monotone non-decreasing within that error.
library NormalCdf {
    int256 private constant WAD = 1e18;
    int256 private constant HALF_WAD = 5e17;

    /// @notice Documented absolute error bound of `cdf`, in WAD (1e-16).
    uint256 internal constant MAX_ERROR_WAD = 100;

    /// @dev Range limits: qnorm(3/4), √32, and the cut-off beyond which the tail is below half a wei.
    int256 private constant SPLIT_1 = 674489750000000000;
    int256 private constant SPLIT_2 = 5656854249492380195;
    int256 private constant CUTOFF = 9e18;
    /// @dev 1/√(2π).
    int256 private constant INV_SQRT_2PI = 398942280401432678;

    // Cody's coefficients, rounded to 18 decimals. First interval: R₁ = (A4 x⁸ + A0 x⁶ + A1 x⁴ + A2 x² + A3) /
    // (x⁸ + B0 x⁶ + B1 x⁴ + B2 x² + B3).
    int256 private constant A0 = 2235252035460683929;
    int256 private constant A1 = 161028231068555878810;
    int256 private constant A2 = 1067689485460370958200;
    int256 private constant A3 = 18154981253343561249000;
    int256 private constant A4 = 65682337918207449;
    int256 private constant B0 = 47202581904688241870;
    int256 private constant B1 = 976098551737776693220;
    int256 private constant B2 = 10260932208618978205000;
    int256 private constant B3 = 45507789335026729956000;
    // Second interval.
    int256 private constant C0 = 398941512088134668;
    int256 private constant C1 = 8883149794388375941;
    int256 private constant C2 = 93506656132177855979;
    int256 private constant C3 = 597270276394800262260;
    int256 private constant C4 = 2494537585290372671100;
    int256 private constant C5 = 6848190450536282332600;
    int256 private constant C6 = 11602651437647350124000;
    int256 private constant C7 = 9842714838383978021800;
    int256 private constant C8 = 10765576774;
    int256 private constant D0 = 22266688044328115691;
    int256 private constant D1 = 235387901782624998610;
    int256 private constant D2 = 1519377599407554805000;
    int256 private constant D3 = 6485558298266760755000;
    int256 private constant D4 = 18615571640885098091000;
    int256 private constant D5 = 34900952721145977266000;
    int256 private constant D6 = 38912003286093271411000;
    int256 private constant D7 = 19685429676859990727000;
    // Third interval (in 1/x²).
    int256 private constant P0 = 215898534057956990;
    int256 private constant P1 = 127401161160247364;
    int256 private constant P2 = 22235277870649807;
    int256 private constant P3 = 1421619193227893;
    int256 private constant P4 = 29112874951169;
    int256 private constant P5 = 23073441764940173;
    int256 private constant Q0 = 1284260096144911210;
    int256 private constant Q1 = 468238212480865118;
    int256 private constant Q2 = 65988137868928552;
    int256 private constant Q3 = 3782396332027582;
    int256 private constant Q4 = 72975155508397;

    /// @notice Φ(x) for `xWad` = x · 1e18, as WAD in [0, 1e18]. Defined for every int256 input; never reverts.
    function cdf(int256 xWad) internal pure returns (uint256) {
        unchecked {
            // |type(int256).min| does not fit; anything beyond the cut-off is a full tail anyway.
            if (xWad <= -CUTOFF) return 0;
            if (xWad >= CUTOFF) return uint256(WAD);
            int256 y = xWad < 0 ? -xWad : xWad;
            if (y <= SPLIT_1) {
                int256 xsq = (y * y) / WAD;
                int256 num = (A4 * xsq) / WAD;
                int256 den = xsq;
                num = ((num + A0) * xsq) / WAD;
                den = ((den + B0) * xsq) / WAD;
                num = ((num + A1) * xsq) / WAD;
                den = ((den + B1) * xsq) / WAD;
                num = ((num + A2) * xsq) / WAD;
                den = ((den + B2) * xsq) / WAD;
                // |xWad · (num + A3)| < 0.7e18 · 2e22: no overflow. Rounds toward zero: symmetric in x.
                return uint256(HALF_WAD + (xWad * (num + A3)) / (den + B3));
            }
            int256 tail = _upperTail(y);
            return xWad > 0 ? uint256(WAD - tail) : uint256(tail);
        }
    }

    /// @dev Q(y) = 1 - Φ(y) for SPLIT_1 < y < CUTOFF, in WAD.
    function _upperTail(int256 y) private pure returns (int256) {
        unchecked {
            int256 ysq = (y * y) / WAD;
            int256 ratio;
            if (y <= SPLIT_2) {
                int256 num = (C8 * y) / WAD;
                int256 den = y;
                num = ((num + C0) * y) / WAD;
                den = ((den + D0) * y) / WAD;
                num = ((num + C1) * y) / WAD;
                den = ((den + D1) * y) / WAD;
                num = ((num + C2) * y) / WAD;
                den = ((den + D2) * y) / WAD;
                num = ((num + C3) * y) / WAD;
                den = ((den + D3) * y) / WAD;
                num = ((num + C4) * y) / WAD;
                den = ((den + D4) * y) / WAD;
                num = ((num + C5) * y) / WAD;
                den = ((den + D5) * y) / WAD;
                num = ((num + C6) * y) / WAD;
                den = ((den + D6) * y) / WAD;
                ratio = ((num + C7) * WAD) / (den + D7);
            } else {
                int256 r = (WAD * WAD) / ysq; // 1/y² in WAD, below 1/32
                int256 num = (P5 * r) / WAD;
                int256 den = r;
                num = ((num + P0) * r) / WAD;
                den = ((den + Q0) * r) / WAD;
                num = ((num + P1) * r) / WAD;
                den = ((den + Q1) * r) / WAD;
                num = ((num + P2) * r) / WAD;
                den = ((den + Q2) * r) / WAD;
                num = ((num + P3) * r) / WAD;
                den = ((den + Q3) * r) / WAD;
                int256 t = (r * (num + P4)) / (den + Q4);
                ratio = ((INV_SQRT_2PI - t) * WAD) / y;
            }
            // exp(-y²/2) with y² / 2 < 40.5: expWad neither reverts nor loses more than a wei.
            return (FixedPointMathLib.expWad(-(ysq / 2)) * ratio) / WAD;
        }
    }
}
