// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IInsuranceVault
/// @notice The first-loss capital behind the clearing contract: an ERC-4626 vault over the quote asset whose
/// stakers earn liquidation penalties and absorb bad debt first (the share price falls).
interface IInsuranceVault {
    /// @notice Pay `assets` of bad-debt cover to `to`, at most what the vault holds.
    /// @dev Only the clearing contract (CLEARING_ROLE). Lowers the share price.
    /// @return covered The amount actually paid (`min(assets, available)`).
    function coverBadDebt(uint256 assets, address to) external returns (uint256 covered);

    /// @notice Pull `assets` of the quote asset from the caller as a liquidation penalty: raises the share price.
    function payPenalty(uint256 assets) external;

    /// @notice The quote assets that `coverBadDebt` could pay now.
    function availableCover() external view returns (uint256);
}
