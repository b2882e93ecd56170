// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerGuarded
/// @notice The integration surface of the CircuitBreaker: a module inherits it and guards a function in one line,
/// `onlyUntripped(Scopes.WITHDRAW)` or `onlyUntrippedFor(Scopes.WRITE, underlying)`.
/// @dev Risk-reducing functions (depositing collateral into an account, closing positions) must not use these
/// modifiers. The breaker address is immutable: a module is never re-pointed to another breaker.
abstract contract BreakerGuarded {
    /// @notice The breaker this module obeys.
    ICircuitBreaker public immutable BREAKER;

    /// @notice The breaker address given to the constructor is zero.
    error BreakerIsZeroAddress();

    constructor(ICircuitBreaker breaker) {
        if (address(breaker) == address(0)) revert BreakerIsZeroAddress();
        BREAKER = breaker;
    }

    /// @dev Reverts `ICircuitBreaker.ScopeTripped` if `scope` or GLOBAL is tripped.
    modifier onlyUntripped(bytes32 scope) {
        BREAKER.checkScope(scope);
        _;
    }

    /// @dev Reverts `ICircuitBreaker.ScopeTripped` if `actionScope`, `asset`'s price scope or GLOBAL is tripped.
    modifier onlyUntrippedFor(bytes32 actionScope, address asset) {
        BREAKER.checkAction(actionScope, asset);
        _;
    }
}
