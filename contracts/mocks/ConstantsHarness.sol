// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Roles} from "../governance/Roles.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @notice Test-only: exposes the Roles and Scopes constants so the TypeScript mirrors can be checked.
contract ConstantsHarness {
    function roles() external pure returns (uint64[8] memory) {
        return
            [
                Roles.GOVERNOR_ROLE,
                Roles.GUARDIAN_ROLE,
                Roles.ORACLE_ROLE,
                Roles.VAULT_ROLE,
                Roles.CLEARING_ROLE,
                Roles.LISTER_ROLE,
                Roles.EXCHANGE_ROLE,
                Roles.EXECUTOR_ROLE
            ];
    }

    function scopes() external pure returns (bytes32[7] memory) {
        return
            [
                Scopes.DEPOSIT,
                Scopes.WITHDRAW,
                Scopes.WRITE,
                Scopes.LIQUIDATE,
                Scopes.SETTLE,
                Scopes.TRADE,
                Scopes.GLOBAL
            ];
    }

    function assetScope(address asset) external pure returns (bytes32) {
        return Scopes.asset(asset);
    }
}
