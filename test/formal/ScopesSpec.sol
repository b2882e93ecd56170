// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Scopes} from "../../contracts/libraries/Scopes.sol";

/// @notice Price scopes (INV_BREAKER_GUARDS): one asset's scope is never another's, and an asset scope fits in 160 bits
/// (the action scopes are 256-bit hashes).
contract ScopesSpec {
    function assetScopeInjective(address a, address b) external pure {
        if (Scopes.asset(a) == Scopes.asset(b)) assert(a == b);
        assert(uint256(Scopes.asset(a)) >> 160 == 0);
    }
}
