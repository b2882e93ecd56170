// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Scopes
/// @notice Identifiers of the CircuitBreaker's scopes. A scope is either an asset's price scope or a protected
/// action. Tripping a scope makes every call guarded by it revert.
/// @dev Asset scopes are the asset address left-padded to 32 bytes, so they can never collide with the
/// action scopes, which are keccak256 hashes of a label (the chance that a hash has 12 leading zero bytes is nil).
library Scopes {
    /// @notice Deposits into collateral vaults. Only a guardian may pause it (e.g. a compromised collateral
    /// token); oracle trips never touch it. Top-ups of a clearing account with vault shares are never guarded.
    bytes32 internal constant DEPOSIT = keccak256("optiq.scope.deposit");
    /// @notice Withdrawals from collateral vaults and from clearing accounts.
    bytes32 internal constant WITHDRAW = keccak256("optiq.scope.withdraw");
    /// @notice Opening new short positions.
    bytes32 internal constant WRITE = keccak256("optiq.scope.write");
    /// @notice Liquidations.
    bytes32 internal constant LIQUIDATE = keccak256("optiq.scope.liquidate");
    /// @notice Settlement of expired series and exercise.
    bytes32 internal constant SETTLE = keccak256("optiq.scope.settle");
    /// @notice Risk-increasing fills of signed orders on OptionsExchange (a trip pauses the exchange alone;
    /// fills where both sides only reduce their positions still go through).
    bytes32 internal constant TRADE = keccak256("optiq.scope.trade");
    /// @notice The whole protocol: a trip here blocks every guarded call (e.g. L2 sequencer down).
    bytes32 internal constant GLOBAL = keccak256("optiq.scope.global");

    /// @notice The price scope of `asset`.
    function asset(address asset_) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(asset_)));
    }
}
