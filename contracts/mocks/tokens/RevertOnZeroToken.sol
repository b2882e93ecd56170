// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: reverts on a transfer of zero (LEND-style).
contract RevertOnZeroToken is MockERC20 {
    error ZeroTransfer();

    constructor() MockERC20("Revert on zero", "RZERO", 18) {}

    function _update(address from, address to, uint256 value) internal override {
        if (value == 0) revert ZeroTransfer();
        super._update(from, to, value);
    }
}
