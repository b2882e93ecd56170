// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: models a rebase (stETH/AMPL-style): a holder's balance changes without any transfer by it.
contract RebasingToken is MockERC20 {
    constructor() MockERC20("Rebasing token", "REB", 18) {}

    /// @notice Rebase `holder`'s balance up (delta > 0) or down (delta < 0).
    function rebase(address holder, int256 delta) external {
        if (delta >= 0) _mint(holder, uint256(delta));
        else _burn(holder, uint256(-delta));
    }
}
