// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITrackedAssetsVault} from "./ITrackedAssetsVault.sol";

/// @title ICollateralVault
/// @notice One ERC-4626 vault per collateral asset. Deposits are capped and may be permissioned; withdrawals pass
/// the CircuitBreaker's WITHDRAW scope and its outflow rate limiter. The token policy is `ITrackedAssetsVault`'s.
/// @dev Breaker integration: deposits and mints revert `ICircuitBreaker.ScopeTripped` while the DEPOSIT scope is
/// tripped (only that scope: GLOBAL does not stop deposits, which reduce risk; nor does DEPOSIT stop the clearing's
/// `depositCover`); withdrawals and redemptions revert
/// `ScopeTripped` while WITHDRAW or GLOBAL is tripped and `ICircuitBreaker.OutflowLimitExceeded` beyond the rate
/// limit. `maxDeposit`/`maxMint`/`maxWithdraw`/`maxRedeem` report all of these limits, the breaker's bound on the
/// token's tracked liquidity (`ICircuitBreaker.inflowCapacity`) and an unbooked shortfall. Trust: the breaker is a
/// module of the protocol, trusted to answer and record honestly; the vault holds its VAULT_ROLE (mirrored into
/// the breaker with `ICircuitBreaker.syncVault`).
interface ICollateralVault is ITrackedAssetsVault {
    // ----------------------------------------------------------------------------------------------- errors
    /// @notice A deposit or mint while the vault is permissioned, by a caller or for a receiver not on the
    /// allowlist.
    error DepositorNotAllowed(address account);
    /// @notice A finite deposit cap above the largest one the vault stores (`maxCap`); `type(uint256).max` means
    /// no cap and is always accepted.
    error DepositCapTooLarge(uint256 cap, uint256 maxCap);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice Governance set the deposit cap (in assets) from `previousCap` to `newCap`.
    event DepositCapSet(uint256 previousCap, uint256 newCap);
    /// @notice Governance switched permissioned mode on or off.
    event PermissionedSet(bool permissioned);
    /// @notice Governance added `account` to or removed it from the depositor allowlist.
    event DepositorAllowedSet(address indexed account, bool allowed);

    // ----------------------------------------------------------------------------------------------- governance
    /// @notice Set the deposit cap: `totalAssets()` may not exceed it through deposits. `type(uint256).max` means
    /// no cap. Lowering it below `totalAssets()` only stops new deposits; nobody is forced out.
    /// @dev Restricted (GOVERNOR_ROLE). Reverts `DepositCapTooLarge` for a finite cap above `type(uint120).max - 1`
    /// (the cap shares a storage slot with the booked assets and the permission flag).
    function setDepositCap(uint256 newCap) external;

    /// @notice Switch permissioned mode: when on, only allowlisted accounts may deposit or mint, and only for
    /// allowlisted receivers. Shares stay freely transferable and redeemable.
    /// @dev Restricted (GOVERNOR_ROLE).
    function setPermissioned(bool permissioned) external;

    /// @notice Add `account` to or remove it from the depositor allowlist.
    /// @dev Restricted (GOVERNOR_ROLE).
    function setDepositorAllowed(address account, bool allowed) external;

    // ----------------------------------------------------------------------------------------------- clearing
    /// @notice Deposit `assets` of bad-debt cover for the caller (the clearing), minting shares to it. The assets
    /// come from the InsuranceVault and are already the protocol's, so this deposit is not stopped by the DEPOSIT
    /// scope, the deposit cap or the allowlist: an insolvent liquidation must not wait on them. Everything else of a
    /// deposit applies: the breaker records the inflow, the shares round down, the transfer is measured. Emits
    /// ERC-4626 `Deposit(caller, caller, assets, shares)`.
    /// @dev Restricted (CLEARING_ROLE). Reverts `ZeroAmount`, `VaultDepleted`, `ZeroShares`,
    /// `ICircuitBreaker.LiquidityOverflow`, `AssetTransferShortfall`, `BackingShortfall`.
    function depositCover(uint256 assets) external returns (uint256 shares);

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The deposit cap in assets (`type(uint256).max` = none).
    function depositCap() external view returns (uint256);

    /// @notice Whether deposits are restricted to the allowlist.
    function permissioned() external view returns (bool);

    /// @notice Whether `account` is on the depositor allowlist.
    function isDepositorAllowed(address account) external view returns (bool);
}
