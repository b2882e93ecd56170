// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only: a "vault" whose `asset()` is the zero address, to check that the clearing refuses it.
contract ZeroAssetVault {
    function asset() external pure returns (address) {
        return address(0);
    }
}
