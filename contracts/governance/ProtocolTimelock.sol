// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ProtocolTimelock
/// @notice Holds the AccessManager's admin and governor roles: every parameter change and every resume is
/// proposed, waits `minDelay`, then executes.
/// @dev Unmodified OpenZeppelin TimelockController; named so deployments and bindings say what it is.
contract ProtocolTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
