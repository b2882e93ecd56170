// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/// @title ProtocolAccessManager
/// @notice The protocol's single authority: which account may call which restricted function of which module.
/// Role ids are in Roles.sol; the TimelockController (ProtocolTimelock) holds ADMIN_ROLE and GOVERNOR_ROLE.
/// @dev Unmodified OpenZeppelin AccessManager; named so deployments and bindings say what it is.
contract ProtocolAccessManager is AccessManager {
    constructor(address initialAdmin) AccessManager(initialAdmin) {}
}
