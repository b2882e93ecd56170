// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerGuarded
/// @notice The integration surface of the CircuitBreaker: a module inherits it and guards a function in one line,
/// `onlyUntripped(Scopes.WITHDRAW)`, `onlyUntrippedFor(Scopes.WRITE, underlying)` or
/// `onlyLiquidationAllowed(underlying)`.
/// @dev Risk-reducing functions (depositing collateral into an account, closing positions) must not use these
/// modifiers. The breaker address is immutable: a module is never re-pointed to another breaker.
/// Fast path: a guard first reads the breaker's status word (`ICircuitBreaker.statusWord`) with an empty-calldata
/// call, which the CircuitBreaker answers from its fallback with one SLOAD; when nothing is tripped (and, for
/// liquidations, no grace period runs) the guard passes without the full check. Otherwise, or if the breaker does
/// not answer with exactly 32 bytes (any other ICircuitBreaker), it calls `checkScope`, `checkAction` or
/// `checkLiquidation`, whose revert (`ScopeTripped`, `ScopeInGracePeriod`) is bubbled up unchanged. The calls are
/// plain `staticcall`s in assembly, without an EXTCODESIZE check per call: the constructor checks once that the
/// breaker has code, and a deployed breaker cannot lose it.
abstract contract BreakerGuarded {
    /// @notice The breaker this module obeys.
    ICircuitBreaker public immutable BREAKER;

    /// @dev Bits 0-31 of the status word: the number of tripped scopes.
    uint256 private constant _TRIPPED_COUNT_MASK = 0xffffffff;
    /// @dev Bits 32-95 of the status word, shifted down: the latest end of any grace period.
    uint256 private constant _GRACE_HORIZON_MASK = 0xffffffffffffffff;

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

    /// @dev Whether any scope may be tripped: false only when the breaker's status word says none is (one SLOAD
    /// through the breaker's fallback); true when it is tripped or the breaker does not answer the fast path.
    function _anyScopeTripped() internal view returns (bool tripped) {
        address breaker = address(BREAKER);
        assembly ("memory-safe") {
            tripped := 1
            if staticcall(gas(), breaker, 0x00, 0x00, 0x00, 0x20) {
                if eq(returndatasize(), 0x20) {
                    tripped := iszero(iszero(and(mload(0x00), _TRIPPED_COUNT_MASK)))
                }
            }
        }
    }

    /// @dev Fast path, else `BREAKER.checkScope(scope)` with its revert bubbled up.
    function _checkScope(bytes32 scope) internal view {
        address breaker = address(BREAKER);
        bytes4 selector = ICircuitBreaker.checkScope.selector;
        assembly ("memory-safe") {
            // Status word: empty calldata, 32 bytes back into the scratch space. Clear if no scope is tripped.
            let clear := 0
            if staticcall(gas(), breaker, 0x00, 0x00, 0x00, 0x20) {
                if eq(returndatasize(), 0x20) {
                    clear := iszero(and(mload(0x00), _TRIPPED_COUNT_MASK))
                }
            }
            if iszero(clear) {
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
    }

    /// @dev Fast path, else `BREAKER.checkAction(actionScope, asset)` with its revert bubbled up.
    function _checkAction(bytes32 actionScope, address asset) internal view {
        address breaker = address(BREAKER);
        bytes4 selector = ICircuitBreaker.checkAction.selector;
        assembly ("memory-safe") {
            let clear := 0
            if staticcall(gas(), breaker, 0x00, 0x00, 0x00, 0x20) {
                if eq(returndatasize(), 0x20) {
                    clear := iszero(and(mload(0x00), _TRIPPED_COUNT_MASK))
                }
            }
            if iszero(clear) {
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
    }

    /// @dev Fast path, else `BREAKER.checkLiquidation(asset)` with its revert bubbled up.
    function _checkLiquidation(address asset) internal view {
        address breaker = address(BREAKER);
        bytes4 selector = ICircuitBreaker.checkLiquidation.selector;
        assembly ("memory-safe") {
            // Clear if no scope is tripped and the latest grace period has ended.
            let clear := 0
            if staticcall(gas(), breaker, 0x00, 0x00, 0x00, 0x20) {
                if eq(returndatasize(), 0x20) {
                    let word := mload(0x00)
                    clear := and(
                        iszero(and(word, _TRIPPED_COUNT_MASK)),
                        iszero(lt(timestamp(), and(shr(32, word), _GRACE_HORIZON_MASK)))
                    )
                }
            }
            if iszero(clear) {
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
}
