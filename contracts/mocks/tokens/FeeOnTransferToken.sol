// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: burns `feeBps` of every transfer (STA/PAXG-style); the fee can be switched on later
/// (USDT-style).
contract FeeOnTransferToken is MockERC20 {
    uint256 private constant BPS = 10_000;
    uint256 public feeBps;

    constructor(uint256 feeBps_) MockERC20("Fee token", "FEE", 18) {
        feeBps = feeBps_;
    }

    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || feeBps == 0) return super._update(from, to, value);
        uint256 fee = (value * feeBps) / BPS;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
