// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Position} from "../types/Position.sol";
import {RiskParams} from "../types/RiskParams.sol";

/// @title IMarginCalculator
/// @notice Stateless portfolio-margin engine of the clearing contract: Black–Scholes under a grid of spot and
/// volatility shocks, floored at intrinsic value. Deployed once, immutable in the clearing contract, and readable
/// by keepers to compute an account's requirement off-chain exactly as the chain does.
interface IMarginCalculator {
    /// @notice Maintenance and initial requirement (WAD quote, rounded up) of `positions` at `spotWad`.
    /// @dev Any nonzero short yields a nonzero requirement.
    function requirements(
        Position[] calldata positions,
        uint256 spotWad,
        RiskParams calldata params,
        uint256 nowTimestamp
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad);

    /// @notice `requirements` of `positions` beside `collateralWad` units of the same underlying (WAD, after their
    /// haircut) held as collateral and valued by the caller at spot: in every scenario the collateral is revalued at
    /// the scenario's shocked spot, so the worst scenario of positions and correlated collateral together sets the
    /// requirement (wrong-way risk of collateral that falls with the puts it backs; the hedge of a covered call).
    function requirementsWithCollateral(
        Position[] calldata positions,
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams calldata params,
        uint256 nowTimestamp
    ) external pure returns (uint256 maintenanceWad, uint256 initialWad);

    /// @notice What it costs to close `positions` out now: the negated portfolio value at `spotWad` and `volWad` (one
    /// scenario, no shocks), floored at zero, rounded against the account; plus the model's smallest minimum per
    /// short (0.01% of spot per contract). Used by liquidation.
    function markLiability(
        Position[] calldata positions,
        uint256 spotWad,
        uint256 volWad,
        uint256 nowTimestamp
    ) external pure returns (uint256 liabilityWad);

    /// @notice The portfolio at mark, as `markLiability` values it: `valueWad` is the signed value of `positions`
    /// at `spotWad` and `volWad` (longs positive, shorts negative, each biased against the account) and
    /// `liabilityWad` is `markLiability`'s figure, max(0, -valueWad) plus the smallest minimum per short. Used by
    /// liquidation, where the value of a net-long underlying offsets the account's other obligations.
    function mark(
        Position[] calldata positions,
        uint256 spotWad,
        uint256 volWad,
        uint256 nowTimestamp
    ) external pure returns (int256 valueWad, uint256 liabilityWad);

    /// @notice Revert with a named error unless `params` is within the hard bounds.
    function validate(RiskParams calldata params) external pure;
}
