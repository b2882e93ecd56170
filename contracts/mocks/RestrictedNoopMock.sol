// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

/// @notice Test-only: the benchmark's reference for the rate limiter. `recordOutflow` has the breaker's signature
/// and the same `restricted` check through the same AccessManager, and does nothing else.
contract RestrictedNoopMock is AccessManaged {
    constructor(address authority) AccessManaged(authority) {}

    // solhint-disable-next-line no-empty-blocks
    function recordOutflow(address /* token */, uint256 /* amount */) external restricted {}
}
