// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Roles
/// @notice The role ids of the protocol's OpenZeppelin AccessManager. Every restricted function of every module
/// is mapped to exactly one of these roles by the deployment (see scripts/lib/roles.ts).
/// @dev ADMIN_ROLE (0) and PUBLIC_ROLE (type(uint64).max) are AccessManager's own. The TimelockController holds
/// ADMIN_ROLE and GOVERNOR_ROLE, so every parameter change and every resume waits for the timelock delay.
library Roles {
    /// @notice Parameter changes, listings, resumes. Held by the TimelockController only.
    uint64 internal constant GOVERNOR_ROLE = 1;
    /// @notice Pause any breaker scope at once. Cannot resume, cannot change parameters, cannot move funds.
    uint64 internal constant GUARDIAN_ROLE = 2;
    /// @notice Reports price-band breaches, quorum loss and sequencer downtime to the breaker. Held by the
    /// OracleAggregator contract.
    uint64 internal constant ORACLE_ROLE = 3;
    /// @notice Records token in- and outflows with the breaker's rate limiter. Held by the collateral vaults.
    uint64 internal constant VAULT_ROLE = 4;
    /// @notice Draws bad-debt cover from the InsuranceVault. Held by the OptionsClearing contract.
    uint64 internal constant CLEARING_ROLE = 5;
    /// @notice Lists option series within governance's bounds.
    uint64 internal constant LISTER_ROLE = 6;
    /// @notice Applies matched trades through OptionsClearing.trade. Held by the OptionsExchange contract.
    uint64 internal constant EXCHANGE_ROLE = 7;
    /// @notice Crosses signed orders on OptionsExchange (`matchOrders`) at the makers' prices. Held by the order
    /// book's matcher.
    uint64 internal constant EXECUTOR_ROLE = 8;
}
