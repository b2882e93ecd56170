// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BreakerGuarded} from "../breaker/BreakerGuarded.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @notice Test-only: a module guarded by the CircuitBreaker, one line per function. UnguardedTargetMock has the
/// same functions without the guards, so the benchmark measures exactly what a guard adds.
contract GuardedTargetMock is BreakerGuarded {
    uint256 public counter = 1;

    constructor(ICircuitBreaker breaker) BreakerGuarded(breaker) {}

    /// @notice A withdrawal-like action guarded by WITHDRAW (and GLOBAL).
    function withdrawAction() external onlyUntripped(Scopes.WITHDRAW) {
        counter += 1;
    }

    /// @notice A deposit-like action guarded by DEPOSIT (and GLOBAL).
    function depositAction() external onlyUntripped(Scopes.DEPOSIT) {
        counter += 1;
    }

    /// @notice A write-like action guarded by WRITE and `asset`'s price scope (and GLOBAL).
    function writeAction(address asset) external onlyUntrippedFor(Scopes.WRITE, asset) {
        counter += 1;
    }

    /// @notice A settlement-like action guarded by SETTLE and `asset`'s price scope (and GLOBAL).
    function settleAction(address asset) external onlyUntrippedFor(Scopes.SETTLE, asset) {
        counter += 1;
    }

    /// @notice A liquidation-like action: no trip and no grace period in LIQUIDATE, `asset` or GLOBAL.
    function liquidateAction(address asset) external onlyLiquidationAllowed(asset) {
        counter += 1;
    }

    /// @notice A risk-reducing action (top-up, close): never guarded.
    function riskReducingAction() external {
        counter += 1;
    }

    /// @notice A vault withdrawal: guard, then the rate limiter's bookkeeping.
    function withdraw(address token, uint256 amount) external onlyUntripped(Scopes.WITHDRAW) {
        BREAKER.recordOutflow(token, amount);
        counter += 1;
    }

    /// @notice A vault deposit: guard, then the rate limiter's bookkeeping.
    function deposit(address token, uint256 amount) external onlyUntripped(Scopes.DEPOSIT) {
        BREAKER.recordInflow(token, amount);
        counter += 1;
    }

    /// @notice The rate limiter's bookkeeping alone (benchmark).
    function recordOutflow(address token, uint256 amount) external {
        BREAKER.recordOutflow(token, amount);
        counter += 1;
    }

    /// @notice Two outflows in one transaction: the second one runs on warm slots (benchmark).
    function recordOutflowTwice(address token, uint256 first, uint256 second) external {
        BREAKER.recordOutflow(token, first);
        BREAKER.recordOutflow(token, second);
        counter += 1;
    }

    /// @notice A flash deposit and withdrawal in one transaction (what a flash loan can do).
    function depositThenWithdraw(address token, uint256 amount, uint256 withdrawn) external {
        BREAKER.recordInflow(token, amount);
        BREAKER.recordOutflow(token, withdrawn);
    }
}
