// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {AuthorityUtils} from "@openzeppelin/contracts/access/manager/AuthorityUtils.sol";

/// @notice Test-only: the benchmark's reference for the rate limiter. `recordOutflow` has the breaker's signature
/// and the breaker's access check (VAULT_ROLE mirrored from the same AccessManager by `syncVault`, one SLOAD), and
/// does nothing else.
contract VaultGatedNoopMock is AccessManaged {
    mapping(address account => bool) private _vaults;

    constructor(address authority) AccessManaged(authority) {}

    /// @notice Same mirror as `CircuitBreaker.syncVault` (here of `recordOutflow` only).
    function syncVault(address account) external {
        (bool now_, ) = AuthorityUtils.canCallWithDelay(
            authority(),
            account,
            address(this),
            this.recordOutflow.selector
        );
        _vaults[account] = now_;
    }

    function recordOutflow(address /* token */, uint256 /* amount */) external view {
        if (!_vaults[msg.sender]) revert AccessManagedUnauthorized(msg.sender);
    }
}
