// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITrackedAssetsVault
/// @notice The token policy shared by the protocol's ERC-4626 vaults (CollateralVault, InsuranceVault).
/// - Internal accounting: `totalAssets()` is the amount the vault has booked (`trackedAssets`), never the raw token
///   balance. A donation or an upward rebase does not move the share price and cannot be used for an inflation
///   attack; it is surplus that governance may `skim` to a treasury.
/// - Every transfer in and out is measured by balance deltas: a transfer that delivers less than the booked amount
///   (fee on transfer, a silent partial transfer) reverts with `AssetTransferShortfall(expected, received)`.
/// - After every transfer the token balance must still back the booked assets; a downward rebase makes deposits
///   and withdrawals revert with `BackingShortfall(tracked, balance)` until governance books the loss
///   (`recognizeLoss`), which lowers the share price for every holder alike: never silent mis-accounting.
/// - The asset's `decimals()` must be readable and at most `MAX_ASSET_DECIMALS`; otherwise creation reverts.
/// @dev Trust: the asset is trusted not to lie in `balanceOf`; governance (timelock) can only skim surplus above the
/// booked assets and book a loss the token balance already shows, never take booked assets.
interface ITrackedAssetsVault {
    // ----------------------------------------------------------------------------------------------- errors
    /// @notice The asset does not answer `decimals()` with a value below 256 (not a contract, or no such function).
    error AssetDecimalsUnreadable(address asset);
    /// @notice The asset has more decimals than the protocol supports (`MAX_ASSET_DECIMALS`).
    error AssetDecimalsTooLarge(address asset, uint8 decimals, uint8 maxDecimals);
    /// @notice An amount of zero (assets or shares) was requested.
    error ZeroAmount();
    /// @notice Depositing or withdrawing `assets` converts to zero shares.
    error ZeroShares(uint256 assets);
    /// @notice Minting or redeeming `shares` converts to zero assets.
    error ZeroAssets(uint256 shares);
    /// @notice A receiver of assets or shares that cannot be one: the zero address or the vault itself.
    error InvalidReceiver(address receiver);
    /// @notice A transfer of the asset delivered `received` instead of `expected` (fee on transfer, partial
    /// transfer). Nothing is booked.
    error AssetTransferShortfall(uint256 expected, uint256 received);
    /// @notice The vault's token balance `balance` no longer backs the booked assets `tracked` (e.g. a downward
    /// rebase). Deposits and withdrawals stop until governance books the loss with `recognizeLoss`.
    error BackingShortfall(uint256 tracked, uint256 balance);
    /// @notice A deposit or mint into a vault whose share price fell below `10**-(DECIMALS_OFFSET +
    /// MAX_PRICE_DROP_DECIMALS)` assets per share (e.g. the insurance vault after a total loss): new shares would be
    /// minted in astronomic numbers and the next loss could overflow the supply. The vault is retired for deposits;
    /// holders still redeem what is left.
    error VaultDepleted(uint256 totalAssets, uint256 totalSupply);
    /// @notice `skim` with no surplus: the balance does not exceed the booked assets.
    error NoSurplus(uint256 tracked, uint256 balance);
    /// @notice `recognizeLoss` while the balance still backs the booked assets.
    error NoShortfall(uint256 tracked, uint256 balance);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice Surplus above the booked assets (donations, upward rebases) was sent to `to`.
    event Skimmed(address indexed to, uint256 assets);
    /// @notice Governance booked a shortfall: the booked assets fell from `previousTracked` to `newTracked`.
    event LossRecognized(uint256 previousTracked, uint256 newTracked);

    // ----------------------------------------------------------------------------------------------- functions
    /// @notice Send the surplus `balance - trackedAssets` to `to` (a treasury). Booked assets never move.
    /// @dev Restricted (GOVERNOR_ROLE). Reverts `NoSurplus`, `InvalidReceiver`, `AssetTransferShortfall`. Not
    /// recorded with the breaker's rate limiter: surplus was never booked as liquidity.
    /// @return assets The amount skimmed.
    function skim(address to) external returns (uint256 assets);

    /// @notice Book a shortfall shown by the token balance (downward rebase): `trackedAssets = balance`, so the
    /// share price falls for all holders pro rata and the vault works again.
    /// @dev Restricted (GOVERNOR_ROLE). Reverts `NoShortfall` when the balance backs the booked assets. A
    /// CollateralVault reports the loss to the breaker (`ICircuitBreaker.recordLoss`), so its outflow limit measures
    /// what is left; the InsuranceVault takes it from the held penalties first.
    function recognizeLoss() external;

    /// @notice The assets the vault has booked: `totalAssets()`, plus the InsuranceVault's held penalties.
    function trackedAssets() external view returns (uint256);

    /// @notice Balance above the booked assets (0 when the balance falls short).
    function surplus() external view returns (uint256);
}
