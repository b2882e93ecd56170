// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: returns false instead of reverting when a transfer fails (ZRX/BAT-style); `setFailing(true)`
/// makes every transfer fail that way, moving nothing.
contract ReturnsFalseToken is MockERC20 {
    bool public failing;

    constructor() MockERC20("Returns false", "FALSE", 18) {}

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (failing || balanceOf(msg.sender) < amount) return false;
        return super.transfer(to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (failing || balanceOf(from) < amount || allowance(from, msg.sender) < amount) return false;
        return super.transferFrom(from, to, amount);
    }
}
