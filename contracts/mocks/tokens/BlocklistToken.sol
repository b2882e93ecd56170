// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: an issuer can block addresses from sending and receiving (USDC/USDT-style).
contract BlocklistToken is MockERC20 {
    mapping(address account => bool blocked) public blocked;

    error Blocked(address account);

    constructor() MockERC20("Blocklist token", "BLOCK", 6) {}

    function setBlocked(address account, bool blocked_) external {
        blocked[account] = blocked_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}
