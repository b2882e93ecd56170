// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only: an ERC-20 without `decimals()` (it is optional in ERC-20).
contract NoDecimalsToken {
    mapping(address account => uint256 balance) public balanceOf;
    uint256 public totalSupply;

    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }
}
