// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerGuarded
/// @notice The integration surface of the CircuitBreaker: a module inherits it and guards a function in one line,
/// `onlyUntripped(Scopes.WITHDRAW)`, `onlyUntrippedFor(Scopes.WRITE, underlying)` or
/// `onlyLiquidationAllowed(underlying)`.
/// @dev Risk-reducing functions (depositing collateral into an account, closing positions) must not use these
/// modifiers. The breaker address is immutable: a module is never re-pointed to another breaker. The checks are
/// plain `staticcall`s written in assembly: no ABI-encoder memory allocation and no EXTCODESIZE check per call
/// (the constructor checks once that the breaker has code, and a deployed breaker cannot lose it). A revert of the
/// breaker (`ScopeTripped`, `ScopeInGracePeriod`) is bubbled up unchanged.
abstract contract BreakerGuarded {
    /// @notice The breaker this module obeys.
    ICircuitBreaker public immutable BREAKER;

    /// @notice The breaker address given to the constructor is zero.
    error BreakerIsZeroAddress();
    /// @notice The breaker address given to the constructor has no code.
    error BreakerHasNoCode(address breaker);

    constructor(ICircuitBreaker breaker) {
        if (address(breaker) == address(0)) revert BreakerIsZeroAddress();
        if (address(breaker).code.length == 0) revert BreakerHasNoCode(address(breaker));
        BREAKER = breaker;
    }

    /// @dev Reverts `ICircuitBreaker.ScopeTripped` if `scope` or GLOBAL is tripped.
    modifier onlyUntripped(bytes32 scope) {
        _checkScope(scope);
        _;
    }

    /// @dev Reverts `ICircuitBreaker.ScopeTripped` if `actionScope`, `asset`'s price scope or GLOBAL is tripped.
    modifier onlyUntrippedFor(bytes32 actionScope, address asset) {
        _checkAction(actionScope, asset);
        _;
    }

    /// @dev Reverts `ICircuitBreaker.ScopeTripped` or `ICircuitBreaker.ScopeInGracePeriod` unless a liquidation of
    /// an account exposed to `asset` may proceed (LIQUIDATE, `asset`'s scope and GLOBAL untripped and not in grace).
    modifier onlyLiquidationAllowed(address asset) {
        _checkLiquidation(asset);
        _;
    }

    /// @dev `BREAKER.checkScope(scope)`.
    function _checkScope(bytes32 scope) internal view {
        bytes4 selector = ICircuitBreaker.checkScope.selector;
        address breaker = address(BREAKER);
        assembly ("memory-safe") {
            // 36 bytes of calldata fit the scratch space (0x00-0x3f).
            mstore(0x00, selector)
            mstore(0x04, scope)
            if iszero(staticcall(gas(), breaker, 0x00, 0x24, 0x00, 0x00)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev `BREAKER.checkAction(actionScope, asset)`.
    function _checkAction(bytes32 actionScope, address asset) internal view {
        bytes4 selector = ICircuitBreaker.checkAction.selector;
        address breaker = address(BREAKER);
        assembly ("memory-safe") {
            // 68 bytes: built at the free memory pointer, which is not advanced (the memory is scratch).
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), actionScope)
            mstore(add(ptr, 0x24), and(asset, 0xffffffffffffffffffffffffffffffffffffffff))
            if iszero(staticcall(gas(), breaker, ptr, 0x44, 0x00, 0x00)) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev `BREAKER.checkLiquidation(asset)`.
    function _checkLiquidation(address asset) internal view {
        bytes4 selector = ICircuitBreaker.checkLiquidation.selector;
        address breaker = address(BREAKER);
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, and(asset, 0xffffffffffffffffffffffffffffffffffffffff))
            if iszero(staticcall(gas(), breaker, 0x00, 0x24, 0x00, 0x00)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }
}
