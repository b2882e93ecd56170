// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position} from "../types/Position.sol";
import {RiskParams} from "../types/RiskParams.sol";
import {BlackScholes} from "./BlackScholes.sol";

/// @title PortfolioMargin
/// @notice Scenario-based portfolio margin of one account's option positions on one underlying.
/// @dev Model (docs/risk-model.md): scenario k = 2·i + j applies spot shock i (S_i = S·(1 + s_i), rounded down)
/// and vol scenario j (j = 0: σ·(1 + up), j = 1: σ·(1 - down)). Each position is valued with Black–Scholes
/// (floored at intrinsic; intrinsic at or after expiry), biased against the account by the price error
/// allowance: longs at max(price - a, intrinsic), rounded down; shorts at price + a, rounded up, where
/// a = (S_i + K)·PRICE_ERROR_BOUND_WAD (+1 wei) bounds the fixed-point error of the price. The scenario value
/// V_k = Σ amount·price; its liability is max(0, -V_k). Maintenance = worst liability + minimum per short
/// (minPerShortSpot·S·Σ|short amounts|, rounded up); initial = maintenance·(1 + buffer), rounded up.
/// A valid position set with a nonzero short always gives maintenance >= 1 wei.
library PortfolioMargin {
    /// @notice Volatility bounds of a RiskParams (1% .. 300%).
    uint256 internal constant MIN_VOL_WAD = 0.01e18;
    uint256 internal constant MAX_VOL_WAD = 3e18;
    /// @notice Upward vol shock at most +200%: a scenario vol never exceeds BlackScholes.MAX_VOL_WAD.
    uint256 internal constant MAX_VOL_SHOCK_UP_WAD = 2e18;
    /// @notice Downward vol shock at most -90%.
    uint256 internal constant MAX_VOL_SHOCK_DOWN_WAD = 0.9e18;
    /// @notice Spot shocks within [-90%, +900%].
    uint256 internal constant MAX_SPOT_SHOCK_DOWN_WAD = 0.9e18;
    uint256 internal constant MAX_SPOT_SHOCK_UP_WAD = 9e18;
    /// @notice At most 16 spot shocks, i.e. MAX_SCENARIOS = 32 scenarios.
    uint256 internal constant MAX_SPOT_SHOCKS = 16;
    uint256 internal constant VOL_SCENARIOS = 2;
    uint256 internal constant MAX_SCENARIOS = MAX_SPOT_SHOCKS * VOL_SCENARIOS;
    /// @notice Minimum per short contract within [0.01%, 50%] of spot: never zero.
    uint256 internal constant MIN_MIN_PER_SHORT_SPOT_WAD = 0.0001e18;
    uint256 internal constant MAX_MIN_PER_SHORT_SPOT_WAD = 0.5e18;
    /// @notice Initial buffer at most +100%.
    uint256 internal constant MAX_INITIAL_BUFFER_WAD = 1e18;
    /// @notice Largest |amount| of one position: 1e18 contracts.
    uint256 internal constant MAX_POSITION_AMOUNT = 1e36;
    /// @notice Price error allowance per position and scenario, relative to S + K (1e-9; see risk-model.md).
    uint256 internal constant PRICE_ERROR_BOUND_WAD = 1e9;

    uint256 private constant WAD = 1e18;

    /// @dev The scenario grid shared by every position of one evaluation.
    struct Grid {
        uint256[] spots;
        int256[] lnSpots;
        int256[] values;
        uint256 volUp;
        uint256 volDown;
        uint256 nowTs;
    }

    /// @dev The scenario-independent terms of one position.
    struct Leg {
        bool isCall;
        bool isShort;
        uint256 strike;
        int256 lnStrike;
        uint256 absAmount;
        uint256 vUp;
        uint256 vDown;
    }

    /// @notice volWad is outside [MIN_VOL_WAD, MAX_VOL_WAD].
    error InvalidVolatility(uint256 volWad);
    /// @notice The number of spot shocks is 0 or above MAX_SPOT_SHOCKS.
    error InvalidSpotShockCount(uint256 count);
    /// @notice Spot shock `index` is outside [-MAX_SPOT_SHOCK_DOWN_WAD, MAX_SPOT_SHOCK_UP_WAD].
    error InvalidSpotShock(uint256 index, int256 shockWad);
    /// @notice volShockUpWad is above MAX_VOL_SHOCK_UP_WAD.
    error InvalidVolShockUp(uint256 volShockUpWad);
    /// @notice volShockDownWad is above MAX_VOL_SHOCK_DOWN_WAD.
    error InvalidVolShockDown(uint256 volShockDownWad);
    /// @notice minPerShortSpotWad is outside [MIN_MIN_PER_SHORT_SPOT_WAD, MAX_MIN_PER_SHORT_SPOT_WAD].
    error InvalidMinPerShort(uint256 minPerShortSpotWad);
    /// @notice initialBufferWad is above MAX_INITIAL_BUFFER_WAD.
    error InvalidInitialBuffer(uint256 initialBufferWad);
    /// @notice Position `index` has |amount| above MAX_POSITION_AMOUNT.
    error PositionAmountOutOfBounds(uint256 index, int256 amount);
    /// @notice Position `index` has a strike outside BlackScholes' [MIN_PRICE_WAD, MAX_PRICE_WAD].
    error PositionStrikeOutOfBounds(uint256 index, uint256 strikeWad);
    /// @notice Position `index` expires more than BlackScholes.MAX_TIME_TO_EXPIRY_SECONDS after `nowTs`.
    error PositionExpiryTooFar(uint256 index, uint64 expiry, uint256 nowTs);

    /// @notice Reverts with the first violated bound of `p`. Governance setters must call it; `requirements`
    /// calls it too (a few hundred gas), so an unchecked parameter set can never produce a number.
    function validate(RiskParams memory p) internal pure {
        if (p.volWad < MIN_VOL_WAD || p.volWad > MAX_VOL_WAD) revert InvalidVolatility(p.volWad);
        uint256 n = p.spotShocksWad.length;
        if (n == 0 || n > MAX_SPOT_SHOCKS) revert InvalidSpotShockCount(n);
        for (uint256 i; i < n; ++i) {
            int256 s = p.spotShocksWad[i];
            // Both bounds are below 2^255: the casts are exact.
            if (s < -int256(MAX_SPOT_SHOCK_DOWN_WAD) || s > int256(MAX_SPOT_SHOCK_UP_WAD)) {
                revert InvalidSpotShock(i, s);
            }
        }
        if (p.volShockUpWad > MAX_VOL_SHOCK_UP_WAD) revert InvalidVolShockUp(p.volShockUpWad);
        if (p.volShockDownWad > MAX_VOL_SHOCK_DOWN_WAD) revert InvalidVolShockDown(p.volShockDownWad);
        if (
            p.minPerShortSpotWad < MIN_MIN_PER_SHORT_SPOT_WAD ||
            p.minPerShortSpotWad > MAX_MIN_PER_SHORT_SPOT_WAD
        ) {
            revert InvalidMinPerShort(p.minPerShortSpotWad);
        }
        if (p.initialBufferWad > MAX_INITIAL_BUFFER_WAD) revert InvalidInitialBuffer(p.initialBufferWad);
    }

    /// @notice Maintenance and initial margin of `positions` at `spotWad`, in WAD of the quote asset.
    /// @param positions The account's positions on one underlying (zero amounts are skipped).
    /// @param spotWad Current spot, WAD, within BlackScholes' [MIN_PRICE_WAD, MAX_PRICE_WAD].
    /// @param p Risk parameters (validated here).
    /// @param nowTs Current timestamp (block.timestamp).
    /// @return maintenanceWad Worst scenario liability + minimum per short contract, rounded up.
    /// @return initialWad maintenanceWad · (1 + initialBufferWad), rounded up.
    function requirements(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) internal pure returns (uint256 maintenanceWad, uint256 initialWad) {
        return requirements(positions, 0, spotWad, p, nowTs);
    }

    /// @notice Maintenance and initial margin of `positions` beside `collateralWad` units of the same underlying held
    /// as collateral (after its haircut), whose value the caller counts at spot: in every scenario the collateral's
    /// change in value, (S_i - S) · collateral (a loss rounded up, a gain rounded down), is added to the positions'
    /// value, so the worst scenario of positions and correlated collateral together sets the requirement.
    function requirements(
        Position[] memory positions,
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) internal pure returns (uint256 maintenanceWad, uint256 initialWad) {
        (int256[] memory values, uint256 shortAmount) = scenarioValues(positions, spotWad, p, nowTs);
        if (collateralWad != 0) addCollateral(values, collateralWad, spotWad, p);
        (, uint256 worstLiability) = worstScenario(values);
        maintenanceWad = worstLiability + minPerShortWad(spotWad, p.minPerShortSpotWad, shortAmount);
        initialWad = _mulWadUp(maintenanceWad, WAD + p.initialBufferWad);
    }

    /// @notice An upper bound of `requirements(positions, spotWad, p, nowTs)`'s initial margin that prices nothing, for
    /// a caller that only needs to know that collateral covers the requirement: every long valued at zero, every short
    /// at the model's ceiling in the grid's highest shocked spot S_max (a put at K, a call at S_max) plus the largest
    /// allowance (S_max + K)·PRICE_ERROR_BOUND_WAD + 1 wei, rounded up; then the same minimum per short and buffer.
    /// @dev Black–Scholes prices here are intrinsic plus a time value clamped to min(S_i, K), so a put is worth at
    /// most K and a call at most S_i <= S_max; the rounding of every term is no smaller than `requirements`'. Reverts
    /// exactly where and as `requirements` reverts (same checks, same order), so a caller may put it first.
    function initialUpperBound(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) internal pure returns (uint256 initialWad) {
        validate(p);
        return initialUpperBoundOfValid(positions, spotWad, p, nowTs);
    }

    /// @notice `initialUpperBound` for parameters that passed `validate` (the clearing stores no others): the same
    /// number, without validating them again.
    function initialUpperBoundOfValid(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) internal pure returns (uint256 initialWad) {
        if (spotWad < BlackScholes.MIN_PRICE_WAD || spotWad > BlackScholes.MAX_PRICE_WAD) {
            revert BlackScholes.SpotOutOfBounds(spotWad);
        }
        int256 highestShock = p.spotShocksWad[0];
        for (uint256 i = 1; i < p.spotShocksWad.length; ++i) {
            if (p.spotShocksWad[i] > highestShock) highestShock = p.spotShocksWad[i];
        }
        uint256 liabilityWad;
        uint256 shortAmount;
        unchecked {
            // validate: 1 + shock in [0.1, 10] WAD, so the cast is exact and the product below 1e50.
            uint256 highestSpot = (spotWad * uint256(int256(WAD) + highestShock)) / WAD;
            for (uint256 k; k < positions.length; ++k) {
                Position memory pos = positions[k];
                if (pos.amount == 0) continue;
                uint256 absAmount = _checkedAbsAmount(pos, k, nowTs);
                if (pos.amount > 0) continue;
                // Checked above: S_max <= 1e31, K <= 1e30 and |amount| <= 1e36, so no term overflows; at most
                // MAX_SERIES_PER_ACCOUNT positions are summed.
                uint256 ceiling = pos.isCall ? highestSpot : pos.strikeWad;
                uint256 allowance = ((highestSpot + pos.strikeWad) * PRICE_ERROR_BOUND_WAD) / WAD + 1;
                liabilityWad += _mulWadUp(absAmount, ceiling + allowance);
                shortAmount += absAmount;
            }
        }
        uint256 maintenanceWad = liabilityWad + minPerShortWad(spotWad, p.minPerShortSpotWad, shortAmount);
        initialWad = _mulWadUp(maintenanceWad, WAD + p.initialBufferWad);
    }

    /// @notice Add to every scenario value the change in value of `collateralWad` units of the underlying from
    /// `spotWad` to the scenario's shocked spot (rounded down, as the grid's): losses rounded up, gains down.
    /// @dev collateralWad · |S_i - S| <= 2^128 · 1e33: no overflow, and the quotient fits in int256.
    function addCollateral(
        int256[] memory valuesWad,
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams memory p
    ) internal pure {
        uint256 n = p.spotShocksWad.length;
        for (uint256 i; i < n; ++i) {
            uint256 shocked = (spotWad * uint256(int256(WAD) + p.spotShocksWad[i])) / WAD;
            int256 change =
                shocked < spotWad
                    ? -int256(_mulWadUp(collateralWad, spotWad - shocked))
                    : int256((collateralWad * (shocked - spotWad)) / WAD);
            valuesWad[2 * i] += change;
            valuesWad[2 * i + 1] += change;
        }
    }

    /// @notice The portfolio value of every scenario (index 2·i + j: spot shock i, vol up j = 0 / down j = 1),
    /// with the allowance bias described above, and the total short amount Σ|amount < 0|. For keepers.
    function scenarioValues(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) internal pure returns (int256[] memory valuesWad, uint256 shortAmount) {
        validate(p);
        if (spotWad < BlackScholes.MIN_PRICE_WAD || spotWad > BlackScholes.MAX_PRICE_WAD) {
            revert BlackScholes.SpotOutOfBounds(spotWad);
        }
        uint256 n = p.spotShocksWad.length;
        Grid memory g = Grid({
            spots: new uint256[](n),
            lnSpots: new int256[](n),
            values: new int256[](n * VOL_SCENARIOS),
            volUp: (p.volWad * (WAD + p.volShockUpWad)) / WAD,
            volDown: (p.volWad * (WAD - p.volShockDownWad)) / WAD,
            nowTs: nowTs
        });
        unchecked {
            for (uint256 i; i < n; ++i) {
                // validate: 1 + shock in [0.1, 10] WAD, so the cast is exact and the product below 1e50.
                uint256 shocked = (spotWad * uint256(int256(WAD) + p.spotShocksWad[i])) / WAD;
                g.spots[i] = shocked;
                g.lnSpots[i] = BlackScholes.lnWad(shocked);
            }
        }
        for (uint256 k; k < positions.length; ++k) {
            shortAmount += _addPosition(g, positions[k], k);
        }
        valuesWad = g.values;
    }

    /// @notice Index and liability max(0, -V) of the worst scenario (the first one on ties; 0 if none is negative).
    function worstScenario(
        int256[] memory valuesWad
    ) internal pure returns (uint256 index, uint256 liabilityWad) {
        for (uint256 k; k < valuesWad.length; ++k) {
            int256 v = valuesWad[k];
            // v < 0 here, and v > type(int256).min since every term is bounded: the negation is exact.
            if (v < 0 && uint256(-v) > liabilityWad) {
                liabilityWad = uint256(-v);
                index = k;
            }
        }
    }

    /// @notice The minimum per short: ⌈⌈minPerShortSpot · S⌉ · shortAmount⌉ in WAD; nonzero for any short.
    function minPerShortWad(
        uint256 spotWad,
        uint256 minPerShortSpotWad,
        uint256 shortAmount
    ) internal pure returns (uint256) {
        return _mulWadUp(_mulWadUp(minPerShortSpotWad, spotWad), shortAmount);
    }

    /// @dev Checks position `k` and adds its contribution to every scenario value; returns its short amount.
    function _addPosition(Grid memory g, Position memory pos, uint256 k) private pure returns (uint256) {
        if (pos.amount == 0) return 0;
        Leg memory leg;
        leg.isCall = pos.isCall;
        leg.isShort = pos.amount < 0;
        leg.absAmount = _checkedAbsAmount(pos, k, g.nowTs);
        leg.strike = pos.strikeWad;
        if (pos.expiry > g.nowTs) {
            uint256 sqrtT = BlackScholes.sqrtYearsWad(pos.expiry - g.nowTs);
            // volDown >= 0.001e18 and sqrtT >= 1.7e14 for tau >= 1 s: both products are nonzero.
            leg.vUp = (g.volUp * sqrtT) / WAD;
            leg.vDown = (g.volDown * sqrtT) / WAD;
        }
        leg.lnStrike = BlackScholes.lnWad(leg.strike);
        _addScenarios(g, leg);
        return leg.isShort ? leg.absAmount : 0;
    }

    /// @dev |amount| of nonzero position `k` after the bounds every evaluation checks, in the order it checks them.
    function _checkedAbsAmount(
        Position memory pos,
        uint256 k,
        uint256 nowTs
    ) private pure returns (uint256 abs) {
        // -(amount + 1) + 1 cannot overflow, even for type(int256).min.
        abs = pos.amount < 0 ? uint256(-(pos.amount + 1)) + 1 : uint256(pos.amount);
        if (abs > MAX_POSITION_AMOUNT) revert PositionAmountOutOfBounds(k, pos.amount);
        if (pos.strikeWad < BlackScholes.MIN_PRICE_WAD || pos.strikeWad > BlackScholes.MAX_PRICE_WAD) {
            revert PositionStrikeOutOfBounds(k, pos.strikeWad);
        }
        if (pos.expiry > nowTs && pos.expiry - nowTs > BlackScholes.MAX_TIME_TO_EXPIRY_SECONDS) {
            revert PositionExpiryTooFar(k, pos.expiry, nowTs);
        }
    }

    /// @dev Adds one leg's biased value to every scenario.
    function _addScenarios(Grid memory g, Leg memory leg) private pure {
        uint256 n = g.spots.length;
        // Expired positions (v = 0) are valued at intrinsic value, which is exact: no allowance.
        bool live = leg.vUp != 0;
        for (uint256 i; i < n; ++i) {
            uint256 s = g.spots[i];
            int256 lnS = g.lnSpots[i];
            uint256 allowance = live ? ((s + leg.strike) * PRICE_ERROR_BOUND_WAD) / WAD + 1 : 0;
            int256 up = _value(leg, s, lnS, leg.vUp, allowance);
            int256 down = _value(leg, s, lnS, leg.vDown, allowance);
            unchecked {
                // |each term| <= 1e36 · 1.2e31 / 1e18: the sums cannot overflow for any realistic position count.
                g.values[2 * i] += up;
                g.values[2 * i + 1] += down;
            }
        }
    }

    /// @dev Signed, biased value of one leg in one scenario: longs max(price - a, intrinsic) rounded down,
    /// shorts price + a rounded up.
    function _value(
        Leg memory leg,
        uint256 s,
        int256 lnS,
        uint256 v,
        uint256 allowance
    ) private pure returns (int256) {
        uint256 price = BlackScholes.priceFromLogs(leg.isCall, s, lnS, leg.strike, leg.lnStrike, v);
        unchecked {
            if (leg.isShort) {
                // price + allowance <= 1.2e31 and absAmount <= 1e36: no overflow; fits in int256.
                return -int256(_mulWadUp(leg.absAmount, price + allowance));
            }
            uint256 floorPrice = BlackScholes.intrinsic(leg.isCall, s, leg.strike);
            if (price > floorPrice + allowance) floorPrice = price - allowance;
            return int256((leg.absAmount * floorPrice) / WAD);
        }
    }

    function _mulWadUp(uint256 x, uint256 y) private pure returns (uint256) {
        uint256 z = x * y;
        unchecked {
            return z == 0 ? 0 : (z - 1) / WAD + 1;
        }
    }
}
