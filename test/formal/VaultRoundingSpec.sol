// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice EIP-4626 rounding of the vaults' conversion formula (OpenZeppelin's, with virtual shares 10**6 and one
/// virtual asset), stated over every supply and balance below 2^128 (INV_VAULT_ROUNDING). The forge campaign checks
/// the deployed vaults' previews equal this formula after every call.
contract VaultRoundingSpec {
    uint256 private constant VIRTUAL_SHARES = 1e6;

    /// @dev Deposit and redeem round down, mint and withdraw round up; a round trip never gains.
    function conversions(uint128 supply, uint128 total, uint128 x) external pure {
        uint256 vs = uint256(supply) + VIRTUAL_SHARES;
        uint256 va = uint256(total) + 1;
        uint256 sharesDown = (uint256(x) * vs) / va;
        uint256 sharesUp = (uint256(x) * vs + va - 1) / va;
        uint256 assetsDown = (uint256(x) * va) / vs;
        uint256 assetsUp = (uint256(x) * va + vs - 1) / vs;
        assert(sharesDown * va <= uint256(x) * vs && sharesUp * va >= uint256(x) * vs);
        assert(assetsDown * vs <= uint256(x) * va && assetsUp * vs >= uint256(x) * va);
        // Deposit x, redeem the shares: at most x back.
        assert((sharesDown * va) / vs <= x);
        // Mint x shares, pay assetsUp; withdraw assetsDown burns at most x shares.
        assert((assetsDown * vs + va - 1) / va <= x);
    }
}
