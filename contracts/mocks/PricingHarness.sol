// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlackScholes} from "../libraries/BlackScholes.sol";
import {NormalCdf} from "../libraries/NormalCdf.sol";
import {PortfolioMargin} from "../libraries/PortfolioMargin.sol";
import {Position} from "../types/Position.sol";
import {RiskParams} from "../types/RiskParams.sol";

/// @notice Test-only: exposes NormalCdf, BlackScholes and PortfolioMargin, and measures their gas in-call.
contract PricingHarness {
    function cdf(int256 xWad) external pure returns (uint256) {
        return NormalCdf.cdf(xWad);
    }

    function callPrice(uint256 s, uint256 k, uint256 vol, uint256 t) external pure returns (uint256) {
        return BlackScholes.callPrice(s, k, vol, t);
    }

    function putPrice(uint256 s, uint256 k, uint256 vol, uint256 t) external pure returns (uint256) {
        return BlackScholes.putPrice(s, k, vol, t);
    }

    function priceFromLogs(bool isCall, uint256 s, uint256 k, uint256 v) external pure returns (uint256) {
        return BlackScholes.priceFromLogs(isCall, s, BlackScholes.lnWad(s), k, BlackScholes.lnWad(k), v);
    }

    function validate(RiskParams memory p) external pure {
        PortfolioMargin.validate(p);
    }

    function requirements(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad) {
        return PortfolioMargin.requirements(positions, spotWad, p, nowTs);
    }

    function initialUpperBound(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) external pure returns (uint256 initialWad) {
        return PortfolioMargin.initialUpperBound(positions, spotWad, p, nowTs);
    }

    function scenarioValues(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    )
        external
        pure
        returns (int256[] memory valuesWad, uint256 shortAmount, uint256 worstIndex, uint256 worstLiability)
    {
        (valuesWad, shortAmount) = PortfolioMargin.scenarioValues(positions, spotWad, p, nowTs);
        (worstIndex, worstLiability) = PortfolioMargin.worstScenario(valuesWad);
    }

    /// @notice Gas of one BlackScholes.callPrice inside a call (gasleft delta).
    function callPriceGas(
        uint256 s,
        uint256 k,
        uint256 vol,
        uint256 t
    ) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        BlackScholes.callPrice(s, k, vol, t);
        gasUsed = before - gasleft();
    }

    function requirementsWithCollateral(
        Position[] memory positions,
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad) {
        return PortfolioMargin.requirements(positions, collateralWad, spotWad, p, nowTs);
    }

    /// @notice Gas of one PortfolioMargin.requirements inside a call (gasleft delta; positions already in memory).
    function requirementsGas(
        Position[] memory positions,
        uint256 spotWad,
        RiskParams memory p,
        uint256 nowTs
    ) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        PortfolioMargin.requirements(positions, spotWad, p, nowTs);
        gasUsed = before - gasleft();
    }
}
