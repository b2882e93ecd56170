// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPriceSource} from "../interfaces/IPriceSource.sol";

/// @notice Test-only IPriceSource: settable price and time; modes that revert, burn all gas, return too little
/// data, or bomb the caller with a huge revert payload.
contract MockPriceSource is IPriceSource {
    error MockSourceReverted();

    enum Mode {
        Normal,
        Revert,
        BurnGas,
        ShortReturn,
        RevertBomb
    }

    address private immutable ASSET;
    uint256 public priceWad;
    uint256 public updatedAt;
    Mode public mode;

    constructor(address asset_) {
        ASSET = asset_;
    }

    function asset() external view returns (address) {
        return ASSET;
    }

    function set(uint256 priceWad_, uint256 updatedAt_) external {
        priceWad = priceWad_;
        updatedAt = updatedAt_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function latest() external view returns (uint256, uint256) {
        Mode m = mode;
        if (m == Mode.Revert) revert MockSourceReverted();
        if (m == Mode.BurnGas) {
            uint256 x = 0;
            while (gasleft() > 0) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
        if (m == Mode.ShortReturn) {
            assembly ("memory-safe") {
                mstore(0x00, 1)
                return(0x00, 0x20)
            }
        }
        if (m == Mode.RevertBomb) {
            assembly ("memory-safe") {
                revert(0x00, 100000)
            }
        }
        return (priceWad, updatedAt);
    }
}
