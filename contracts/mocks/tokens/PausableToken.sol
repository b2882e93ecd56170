// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Pausable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Pausable.sol";
import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: an issuer can pause every transfer (BNB/ZIL-style).
contract PausableToken is MockERC20, ERC20Pausable {
    constructor() MockERC20("Pausable token", "PAUSE", 18) {}

    function pause() external {
        _pause();
    }

    function unpause() external {
        _unpause();
    }

    function decimals() public view override(ERC20, MockERC20) returns (uint8) {
        return super.decimals();
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Pausable) {
        super._update(from, to, value);
    }
}
