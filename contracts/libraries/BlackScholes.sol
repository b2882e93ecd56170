// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {NormalCdf} from "./NormalCdf.sol";

/// @title BlackScholes
/// @notice European option prices under Black–Scholes with a zero interest rate and no dividends, in WAD quote
/// per one whole unit of the underlying. Prices are floored at intrinsic value, capped by the model's upper
/// bounds, and equal intrinsic value at or after expiry (time 0) or with zero volatility.
/// @dev Zero rate: C = S·Φ(d1) - K·Φ(d2), P = C - S + K (put-call parity, exact in fixed point because
/// Φ(x) + Φ(-x) = 1 exactly in `NormalCdf`), d1 = ln(S/K)/v + v/2, d2 = d1 - v, v = σ·√T, T in years of 365 days.
/// Time value is then clamped to [0, min(S, K, S·v/√(2π))]: all three are true upper bounds of the time value at
/// r = 0 (it peaks at the money at S·(2Φ(v/2) - 1) <= S·v/√(2π)), so the clamp never moves a price away from
/// the exact one and bounds the error when v is tiny. Error bound: see docs/risk-model.md.
///
/// The public entries check the documented input bounds and revert outside them. The split entries
/// (`sqrtYearsWad`, `lnWad`, `priceFromLogs`) let a caller that prices many scenarios compute ln S, ln K and √T
/// once; `priceFromLogs` itself checks nothing and is safe (no overflow, no revert) for S, K in [1, 1e36] wei,
/// v <= 1e21 and |lnS - lnK| <= 1e20.
library BlackScholes {
    /// @notice Smallest spot or strike accepted, in WAD (1e-6 quote per unit).
    uint256 internal constant MIN_PRICE_WAD = 1e12;
    /// @notice Largest spot or strike accepted, in WAD (1e12 quote per unit).
    uint256 internal constant MAX_PRICE_WAD = 1e30;
    /// @notice Largest volatility accepted, in WAD per √year (1000%).
    uint256 internal constant MAX_VOL_WAD = 10e18;
    /// @notice Length of the year that annualises volatility.
    uint256 internal constant SECONDS_PER_YEAR = 365 days;
    /// @notice Longest time to expiry accepted (ten years).
    uint256 internal constant MAX_TIME_TO_EXPIRY_SECONDS = 10 * SECONDS_PER_YEAR;

    uint256 private constant WAD = 1e18;
    /// @dev 1/√(2π), rounded up (it bounds the time value from above).
    uint256 private constant INV_SQRT_2PI_UP_WAD = 398942280401432678;

    /// @notice The spot price is outside [MIN_PRICE_WAD, MAX_PRICE_WAD].
    error SpotOutOfBounds(uint256 spotWad);
    /// @notice The strike is outside [MIN_PRICE_WAD, MAX_PRICE_WAD].
    error StrikeOutOfBounds(uint256 strikeWad);
    /// @notice The volatility is above MAX_VOL_WAD.
    error VolatilityOutOfBounds(uint256 volWad);
    /// @notice The time to expiry is above MAX_TIME_TO_EXPIRY_SECONDS.
    error TimeToExpiryOutOfBounds(uint256 timeToExpirySeconds);

    /// @notice Price of a European call, WAD quote per unit of underlying.
    /// @param spotWad Spot price, WAD, in [MIN_PRICE_WAD, MAX_PRICE_WAD].
    /// @param strikeWad Strike, WAD, in [MIN_PRICE_WAD, MAX_PRICE_WAD].
    /// @param volWad Annualised volatility, WAD (0.8e18 = 80%), in [0, MAX_VOL_WAD].
    /// @param timeToExpirySeconds Seconds to expiry, in [0, MAX_TIME_TO_EXPIRY_SECONDS]; 0 gives intrinsic value.
    function callPrice(
        uint256 spotWad,
        uint256 strikeWad,
        uint256 volWad,
        uint256 timeToExpirySeconds
    ) internal pure returns (uint256) {
        return price(true, spotWad, strikeWad, volWad, timeToExpirySeconds);
    }

    /// @notice Price of a European put, WAD quote per unit of underlying. Same parameters as `callPrice`.
    function putPrice(
        uint256 spotWad,
        uint256 strikeWad,
        uint256 volWad,
        uint256 timeToExpirySeconds
    ) internal pure returns (uint256) {
        return price(false, spotWad, strikeWad, volWad, timeToExpirySeconds);
    }

    /// @notice Price of a call (`isCall`) or put, with the input checks of `callPrice`.
    function price(
        bool isCall,
        uint256 spotWad,
        uint256 strikeWad,
        uint256 volWad,
        uint256 timeToExpirySeconds
    ) internal pure returns (uint256) {
        checkPrice(spotWad, strikeWad);
        if (volWad > MAX_VOL_WAD) revert VolatilityOutOfBounds(volWad);
        if (timeToExpirySeconds > MAX_TIME_TO_EXPIRY_SECONDS)
            revert TimeToExpiryOutOfBounds(timeToExpirySeconds);
        if (timeToExpirySeconds == 0 || volWad == 0) return intrinsic(isCall, spotWad, strikeWad);
        uint256 volSqrtTWad = (volWad * sqrtYearsWad(timeToExpirySeconds)) / WAD;
        return priceFromLogs(isCall, spotWad, lnWad(spotWad), strikeWad, lnWad(strikeWad), volSqrtTWad);
    }

    /// @notice Reverts unless spot and strike are within [MIN_PRICE_WAD, MAX_PRICE_WAD].
    function checkPrice(uint256 spotWad, uint256 strikeWad) internal pure {
        if (spotWad < MIN_PRICE_WAD || spotWad > MAX_PRICE_WAD) revert SpotOutOfBounds(spotWad);
        if (strikeWad < MIN_PRICE_WAD || strikeWad > MAX_PRICE_WAD) revert StrikeOutOfBounds(strikeWad);
    }

    /// @notice Intrinsic value: max(S - K, 0) for a call, max(K - S, 0) for a put.
    function intrinsic(bool isCall, uint256 spotWad, uint256 strikeWad) internal pure returns (uint256) {
        unchecked {
            if (isCall) return spotWad > strikeWad ? spotWad - strikeWad : 0;
            return strikeWad > spotWad ? strikeWad - spotWad : 0;
        }
    }

    /// @notice √(t / year) in WAD, rounded down (relative error below 6e-15 for t >= 1 s).
    /// @dev Safe for every t below 1e40 seconds.
    function sqrtYearsWad(uint256 timeSeconds) internal pure returns (uint256) {
        return FixedPointMathLib.sqrt((timeSeconds * WAD * WAD) / SECONDS_PER_YEAR);
    }

    /// @notice ln(x) in WAD for a positive WAD `x` (solady's lnWad, absolute error about 1e-18).
    function lnWad(uint256 xWad) internal pure returns (int256) {
        // A WAD price fits in int256 (all callers bound it far below 2^255).
        return FixedPointMathLib.lnWad(int256(xWad));
    }

    /// @notice The price from precomputed logarithms and total volatility v = σ·√T (WAD). No input checks.
    /// @param isCall Call or put.
    /// @param spotWad S, WAD.
    /// @param lnSpotWad ln(S) in WAD (`lnWad(spotWad)`).
    /// @param strikeWad K, WAD.
    /// @param lnStrikeWad ln(K) in WAD (`lnWad(strikeWad)`).
    /// @param volSqrtTWad v = σ·√T in WAD; 0 gives intrinsic value.
    function priceFromLogs(
        bool isCall,
        uint256 spotWad,
        int256 lnSpotWad,
        uint256 strikeWad,
        int256 lnStrikeWad,
        uint256 volSqrtTWad
    ) internal pure returns (uint256) {
        uint256 intrinsicWad = intrinsic(isCall, spotWad, strikeWad);
        if (volSqrtTWad == 0) return intrinsicWad;
        unchecked {
            // |raw| and intrinsic are below 2^255 (see _rawPrice).
            int256 timeValue =
                _rawPrice(isCall, spotWad, lnSpotWad, strikeWad, lnStrikeWad, volSqrtTWad) -
                    int256(intrinsicWad);
            if (timeValue <= 0) return intrinsicWad;
            return
                intrinsicWad +
                FixedPointMathLib.min(uint256(timeValue), _timeValueCap(spotWad, strikeWad, volSqrtTWad));
        }
    }

    /// @dev S·Φ(d1) - K·Φ(d2) for a call, and that minus S plus K for a put (parity: in fixed point exactly what
    /// K·Φ(-d2) - S·Φ(-d1) gives, up to a wei, because Φ(-x) = 1 - Φ(x) exactly). Unclamped, may dip below
    /// intrinsic by the approximation error.
    function _rawPrice(
        bool isCall,
        uint256 spotWad,
        int256 lnSpotWad,
        uint256 strikeWad,
        int256 lnStrikeWad,
        uint256 volSqrtTWad
    ) private pure returns (int256 raw) {
        unchecked {
            // v <= 1e21 and |ln S - ln K| <= 1e20: the products fit; S, K <= 1e36 and Φ <= 1e18: terms < 1e54.
            int256 v = int256(volSqrtTWad);
            int256 d1 = ((lnSpotWad - lnStrikeWad) * 1e18) / v + v / 2;
            raw =
                int256((spotWad * NormalCdf.cdf(d1)) / WAD) -
                int256((strikeWad * NormalCdf.cdf(d1 - v)) / WAD);
            if (!isCall) raw = raw + int256(strikeWad) - int256(spotWad);
        }
    }

    /// @dev An upper bound of the time value at r = 0: min(S, K, S·v/√(2π) + 1 wei).
    function _timeValueCap(
        uint256 spotWad,
        uint256 strikeWad,
        uint256 volSqrtTWad
    ) private pure returns (uint256 cap) {
        unchecked {
            // S <= 1e36, v <= 1e21: the product is below 1e75.
            cap = (spotWad * volSqrtTWad * INV_SQRT_2PI_UP_WAD) / (WAD * WAD) + 1;
        }
        if (spotWad < cap) cap = spotWad;
        if (strikeWad < cap) cap = strikeWad;
    }
}
