// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ITrackedAssetsVault} from "../interfaces/ITrackedAssetsVault.sol";

/// @title TrackedAssetsVault
/// @notice OpenZeppelin ERC4626 with the protocol's token policy (see `ITrackedAssetsVault`): booked assets instead
/// of the raw balance, balance-delta measurement of every transfer, a backing check after every transfer, a decimals
/// offset against the inflation attack, SafeERC20, and the decimals check at creation.
/// @dev Rounding is OpenZeppelin's, in the vault's favour as ERC-4626 requires: deposit/redeem and the convert
/// functions round down, mint/withdraw round up. Virtual shares and assets: `10**DECIMALS_OFFSET` and 1.
abstract contract TrackedAssetsVault is
    ERC4626,
    AccessManaged,
    ReentrancyGuardTransient,
    ITrackedAssetsVault
{
    using SafeERC20 for IERC20;

    /// @notice Shares have `DECIMALS_OFFSET` more decimals than the asset (10**6 virtual shares per virtual asset).
    /// An attacker who inflates the share price (e.g. through rounding of many small deposits, or a penalty payment
    /// into the insurance vault) loses about 10**6 times what a victim can lose to rounding; 6 keeps the share
    /// decimals <= 42 for every supported asset and the share amounts far from 2**256.
    uint8 public constant DECIMALS_OFFSET = 6;
    /// @notice Deposits stop once the share price has fallen by more than 10**MAX_PRICE_DROP_DECIMALS from par
    /// (`VaultDepleted`), which keeps `totalSupply` below `(totalAssets + 1) * 10**(6 + 12)` before any deposit.
    uint8 public constant MAX_PRICE_DROP_DECIMALS = 12;
    /// @notice Largest asset decimals accepted at creation (the protocol's WadMath bound).
    uint8 public constant MAX_ASSET_DECIMALS = 36;
    /// @notice Largest booked assets a deposit or mint may reach: 2^127 - 1, the breaker's bound on a token's
    /// tracked liquidity. With the depletion floor it keeps every share amount far below 2^256.
    uint256 public constant MAX_TOTAL_ASSETS = 2 ** 127 - 1;

    constructor(IERC20 asset_, address authority) ERC4626(asset_) AccessManaged(authority) {
        (bool readable, uint8 assetDecimals) = SafeERC20.tryGetDecimals(asset_);
        if (!readable) revert AssetDecimalsUnreadable(address(asset_));
        if (assetDecimals > MAX_ASSET_DECIMALS) {
            revert AssetDecimalsTooLarge(address(asset_), assetDecimals, MAX_ASSET_DECIMALS);
        }
    }

    // ------------------------------------------------------------------------------------------------ ERC-4626 entries
    /// @inheritdoc ERC4626
    /// @dev Reverts `ZeroAmount`, `InvalidReceiver`, the concrete vault's entry checks, `ERC4626ExceededMaxDeposit`,
    /// `ZeroShares`, `AssetTransferShortfall`, `BackingShortfall`.
    function deposit(uint256 assets, address receiver) public override nonReentrant returns (uint256 shares) {
        if (assets == 0) revert ZeroAmount();
        _checkReceiver(receiver);
        _checkNotDepleted();
        uint256 room = _checkDepositAndRoom(receiver);
        if (assets > room) revert ERC4626ExceededMaxDeposit(receiver, assets, room);
        shares = previewDeposit(assets);
        if (shares == 0) revert ZeroShares(assets);
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Reverts `ZeroAmount`, `InvalidReceiver`, the concrete vault's entry checks, `ERC4626ExceededMaxMint`,
    /// `AssetTransferShortfall`, `BackingShortfall`.
    function mint(uint256 shares, address receiver) public override nonReentrant returns (uint256 assets) {
        if (shares == 0) revert ZeroAmount();
        _checkReceiver(receiver);
        _checkNotDepleted();
        uint256 room = _checkDepositAndRoom(receiver);
        assets = previewMint(shares);
        if (assets > room) revert ERC4626ExceededMaxMint(receiver, shares, _sharesWithin(room));
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Reverts `ZeroAmount`, `InvalidReceiver`, the concrete vault's exit checks,
    /// `ERC4626ExceededMaxWithdraw` (beyond what the owner may redeem now), `ERC20InsufficientAllowance`,
    /// `AssetTransferShortfall`, `BackingShortfall`.
    function withdraw(
        uint256 assets,
        address receiver,
        address owner
    ) public override nonReentrant returns (uint256 shares) {
        if (assets == 0) revert ZeroAmount();
        _checkReceiver(receiver);
        uint256 maxAssets = previewRedeem(_checkExitAndRedeemable(owner));
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        shares = previewWithdraw(assets);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Reverts `ZeroAmount`, `InvalidReceiver`, the concrete vault's exit checks, `ERC4626ExceededMaxRedeem`,
    /// `ZeroAssets`, `ERC20InsufficientAllowance`, `AssetTransferShortfall`, `BackingShortfall`.
    function redeem(
        uint256 shares,
        address receiver,
        address owner
    ) public override nonReentrant returns (uint256 assets) {
        if (shares == 0) revert ZeroAmount();
        _checkReceiver(receiver);
        uint256 maxShares = _checkExitAndRedeemable(owner);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = previewRedeem(shares);
        if (assets == 0) revert ZeroAssets(shares);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    // ------------------------------------------------------------------------------------------------ governance
    /// @inheritdoc ITrackedAssetsVault
    function skim(address to) external restricted nonReentrant returns (uint256 assets) {
        _checkReceiver(to);
        uint256 balance = _balance();
        uint256 tracked = _trackedAssets();
        if (balance <= tracked) revert NoSurplus(tracked, balance);
        assets = balance - tracked;
        _send(to, assets, tracked);
        emit Skimmed(to, assets);
    }

    /// @inheritdoc ITrackedAssetsVault
    function recognizeLoss() external restricted nonReentrant {
        uint256 balance = _balance();
        uint256 tracked = _trackedAssets();
        if (balance >= tracked) revert NoShortfall(tracked, balance);
        _setTrackedAssets(balance);
        emit LossRecognized(tracked, balance);
        _afterLossRecognized(tracked - balance);
    }

    // ------------------------------------------------------------------------------------------------ views
    /// @inheritdoc ERC4626
    function totalAssets() public view virtual override returns (uint256) {
        return _trackedAssets();
    }

    /// @inheritdoc ITrackedAssetsVault
    function trackedAssets() external view returns (uint256) {
        return _trackedAssets();
    }

    /// @inheritdoc ITrackedAssetsVault
    function surplus() external view returns (uint256) {
        uint256 balance = _balance();
        uint256 tracked = _trackedAssets();
        return balance > tracked ? balance - tracked : 0;
    }

    // ------------------------------------------------------------------------------------------------ internal
    /// @dev Pull `assets` from `from`, measure what arrived, book it. Reverts `AssetTransferShortfall` when less
    /// arrived and `BackingShortfall` when the balance does not back the booked assets afterwards.
    function _transferIn(address from, uint256 assets) internal override {
        IERC20 token = IERC20(asset());
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), assets);
        uint256 afterwards = token.balanceOf(address(this));
        if (afterwards < before + assets) {
            revert AssetTransferShortfall(assets, afterwards > before ? afterwards - before : 0);
        }
        uint256 tracked = _trackedAssets() + assets;
        if (afterwards < tracked) revert BackingShortfall(tracked, afterwards);
        _setTrackedAssets(tracked);
    }

    /// @dev Unbook `assets` and send them to `to`, measuring what `to` received.
    function _transferOut(address to, uint256 assets) internal override {
        uint256 tracked = _trackedAssets() - assets;
        _setTrackedAssets(tracked);
        _send(to, assets, tracked);
    }

    /// @dev Send `assets` to `to`; `to` must receive exactly `assets` and the balance must still back `tracked`
    /// (the booked assets after the transfer).
    function _send(address to, uint256 assets, uint256 tracked) private {
        IERC20 token = IERC20(asset());
        uint256 before = token.balanceOf(to);
        token.safeTransfer(to, assets);
        uint256 afterwards = token.balanceOf(to);
        if (afterwards < before + assets) {
            revert AssetTransferShortfall(assets, afterwards > before ? afterwards - before : 0);
        }
        uint256 balance = token.balanceOf(address(this));
        if (balance < tracked) revert BackingShortfall(tracked, balance);
    }

    function _balance() private view returns (uint256) {
        return IERC20(asset()).balanceOf(address(this));
    }

    /// @dev Receivers of assets or shares: never the zero address or the vault itself.
    function _checkReceiver(address receiver) internal view {
        if (receiver == address(0) || receiver == address(this)) revert InvalidReceiver(receiver);
    }

    /// @dev Whether the share price fell below the floor (see `MAX_PRICE_DROP_DECIMALS`).
    function _depleted() internal view returns (bool) {
        return totalSupply() > (totalAssets() + 1) * 10 ** (DECIMALS_OFFSET + MAX_PRICE_DROP_DECIMALS);
    }

    /// @dev Whether the balance no longer backs the booked assets (a downward rebase not yet booked): every transfer
    /// reverts `BackingShortfall` until governance books the loss, so every `max*` is 0.
    function _halted() internal view returns (bool) {
        return _balance() < _trackedAssets();
    }

    /// @dev Assets a deposit may add before the booked assets reach `MAX_TOTAL_ASSETS`.
    function _roomBelowMax() internal view returns (uint256) {
        uint256 tracked = _trackedAssets();
        return tracked < MAX_TOTAL_ASSETS ? MAX_TOTAL_ASSETS - tracked : 0;
    }

    /// @dev `shares` unless redeeming them would pay nothing (`redeem` reverts `ZeroAssets`), then 0.
    function _redeemable(uint256 shares) internal view returns (uint256) {
        return previewRedeem(shares) == 0 ? 0 : shares;
    }

    function _checkNotDepleted() internal view {
        if (_depleted()) revert VaultDepleted(totalAssets(), totalSupply());
    }

    /// @dev The largest share amount whose `previewMint` fits in `assets` (conservative: rounds down).
    /// Saturates at `type(uint256).max` instead of overflowing when the room is huge and shares are cheap.
    function _sharesWithin(uint256 assets) internal view returns (uint256) {
        uint256 virtualSupply = totalSupply() + 10 ** DECIMALS_OFFSET;
        uint256 virtualAssets = totalAssets() + 1;
        if (
            virtualSupply > virtualAssets &&
            assets > Math.mulDiv(type(uint256).max, virtualAssets, virtualSupply)
        ) return type(uint256).max;
        return _convertToShares(assets, Math.Rounding.Floor);
    }

    /// @dev Assets the vault has booked: `totalAssets()`. Stored by the concrete vault (which may pack it).
    function _trackedAssets() internal view virtual returns (uint256);

    /// @dev Book `assets` as the vault's assets.
    function _setTrackedAssets(uint256 assets) internal virtual;

    /// @dev Called by `recognizeLoss` after the booked assets fell by `loss` (> 0).
    function _afterLossRecognized(uint256 loss) internal virtual;

    /// @dev The concrete vault's checks on deposit and mint (breaker scope, permissions): revert on failure,
    /// return how many assets may still be deposited for `receiver`.
    function _checkDepositAndRoom(address receiver) internal view virtual returns (uint256 room);

    /// @dev The concrete vault's checks on withdraw and redeem (breaker scope): revert on failure, return how many
    /// of `owner`'s shares may be redeemed now (the outflow limit is enforced separately by the breaker).
    function _checkExitAndRedeemable(address owner) internal view virtual returns (uint256 shares);

    /// @dev Shares have `DECIMALS_OFFSET` more decimals than the asset.
    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }
}
