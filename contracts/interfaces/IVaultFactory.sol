// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IVaultFactory
/// @notice Creates one CollateralVault per asset, the same way every time: CREATE2 with the asset as salt, the
/// factory's breaker and authority, and governance's parameters. A second vault for an asset is refused.
/// @dev The new vault still needs VAULT_ROLE on the breaker (mirrored with the breaker's `syncVault`) and its
/// restricted functions mapped to GOVERNOR_ROLE in the AccessManager; the deployment
/// (ignition/modules/protocol/vaults.ts) does all.
interface IVaultFactory {
    /// @notice A vault for `asset` exists already at `vault`.
    error VaultAlreadyExists(address asset, address vault);

    /// @notice A CollateralVault for `asset` was created at `vault`.
    event VaultCreated(address indexed asset, address indexed vault, uint256 depositCap, bool permissioned);

    /// @notice Create the CollateralVault of `asset`.
    /// @dev Restricted (GOVERNOR_ROLE). Reverts `VaultAlreadyExists` and whatever the vault's constructor reverts
    /// with (unreadable or too many decimals).
    function createVault(
        address asset,
        string calldata name,
        string calldata symbol,
        uint256 depositCap,
        bool permissioned
    ) external returns (address vault);

    /// @notice The vault of `asset`, or zero.
    function vaultOf(address asset) external view returns (address);

    /// @notice The address `createVault` gives for these arguments (before or after creation).
    function predictVault(
        address asset,
        string calldata name,
        string calldata symbol,
        uint256 depositCap,
        bool permissioned
    ) external view returns (address);
}
