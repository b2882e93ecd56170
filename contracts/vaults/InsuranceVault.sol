// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IInsuranceStaking} from "../interfaces/IInsuranceStaking.sol";
import {IInsuranceVault} from "../interfaces/IInsuranceVault.sol";
import {TrackedAssetsVault} from "./TrackedAssetsVault.sol";

/// @title InsuranceVault
/// @notice First-loss capital of the protocol: an ERC-4626 vault over the quote asset. Liquidation penalties raise
/// the share price; bad-debt cover drawn by the clearing contract lowers it. Exits need a request, a cooldown and
/// completion within a window; shares under a live request are locked to their owner.
/// @dev See `IInsuranceStaking` and `docs/vaults.md`. Not guarded by the breaker: the cooldown is its protection,
/// and the clearing contract must always be able to draw cover.
contract InsuranceVault is TrackedAssetsVault, IInsuranceVault, IInsuranceStaking {
    /// @notice Longest cooldown governance may set.
    uint64 public constant MAX_COOLDOWN_SECONDS = 30 days;
    /// @notice Shortest completion window governance may set.
    uint64 public constant MIN_WINDOW_SECONDS = 1 hours;
    /// @notice Longest completion window governance may set.
    uint64 public constant MAX_WINDOW_SECONDS = 30 days;
    /// @notice Smallest share supply whose holders earn penalties: the shares of one whole quote token at par
    /// (`10 ** decimals()`). Below it penalties are held aside (`heldPenalties`), so a dust stake in a near-empty
    /// vault can neither capture a penalty nor inflate the share price against later stakers.
    uint256 public immutable MIN_STAKE_SHARES;

    /// @dev Assets the vault has booked: `totalAssets()` plus `_held`.
    uint256 private _tracked;
    /// @dev Penalties held aside (booked, not in the share price); never above `_tracked`.
    uint256 private _held;
    uint64 private _cooldownSeconds;
    uint64 private _windowSeconds;
    mapping(address owner => WithdrawalRequest request) private _requests;

    /// @param quote The quote asset (decimals readable and <= 36).
    /// @param authority The protocol's AccessManager.
    constructor(
        IERC20 quote,
        address authority,
        string memory name_,
        string memory symbol_,
        uint64 cooldownSeconds_,
        uint64 windowSeconds_
    ) ERC20(name_, symbol_) TrackedAssetsVault(quote, authority) {
        _setWithdrawalTimings(cooldownSeconds_, windowSeconds_);
        MIN_STAKE_SHARES = 10 ** decimals();
    }

    // ------------------------------------------------------------------------------------------------ clearing
    /// @inheritdoc IInsuranceVault
    /// @dev Restricted (CLEARING_ROLE). Draws the held penalties first, then the stakers' assets. Pays nothing (and
    /// returns 0) when the vault is empty. Reverts `InvalidReceiver`, `AssetTransferShortfall`, `BackingShortfall`.
    function coverBadDebt(
        uint256 assets,
        address to
    ) external restricted nonReentrant returns (uint256 covered) {
        _checkReceiver(to);
        covered = Math.min(assets, _tracked);
        if (covered != 0) {
            _takeFromHeld(covered);
            _transferOut(to, covered);
        }
        emit BadDebtCovered(to, assets, covered);
    }

    /// @inheritdoc IInsuranceVault
    /// @dev Restricted (CLEARING_ROLE): an open `payPenalty` would be a donation path into the share price, the
    /// lever of the inflation attack on a near-empty vault. With less than `MIN_STAKE_SHARES` staked the penalty is
    /// held aside (`PenaltyHeld`); otherwise it raises the share price together with everything held before
    /// (`HeldPenaltiesReleased`). Reverts `ZeroAmount`, `AssetTransferShortfall`, `BackingShortfall`.
    function payPenalty(uint256 assets) external restricted nonReentrant {
        if (assets == 0) revert ZeroAmount();
        _transferIn(msg.sender, assets);
        emit PenaltyPaid(msg.sender, assets);
        if (totalSupply() < MIN_STAKE_SHARES) {
            _held += assets;
            emit PenaltyHeld(msg.sender, assets);
        } else {
            uint256 held = _held;
            if (held != 0) {
                _held = 0;
                emit HeldPenaltiesReleased(held);
            }
        }
    }

    /// @inheritdoc IInsuranceVault
    /// @dev The booked assets: the stakers' plus the held penalties.
    function availableCover() external view returns (uint256) {
        return _tracked;
    }

    // ------------------------------------------------------------------------------------------------ stakers
    /// @inheritdoc IInsuranceStaking
    function requestWithdraw(uint256 shares) external {
        if (shares == 0) revert ZeroAmount();
        uint256 balance = balanceOf(msg.sender);
        if (shares > balance) revert RequestExceedsBalance(msg.sender, shares, balance);
        uint64 claimableAt = uint64(block.timestamp) + _cooldownSeconds;
        uint64 expiresAt = claimableAt + _windowSeconds;
        _requests[msg.sender] = WithdrawalRequest(shares, claimableAt, expiresAt);
        emit WithdrawRequested(msg.sender, shares, claimableAt, expiresAt);
    }

    /// @inheritdoc IInsuranceStaking
    function cancelWithdraw() external {
        if (lockedShares(msg.sender) == 0) revert NoLiveRequest(msg.sender);
        delete _requests[msg.sender];
        emit WithdrawRequestCancelled(msg.sender);
    }

    // ------------------------------------------------------------------------------------------------ governance
    /// @inheritdoc IInsuranceStaking
    function setWithdrawalTimings(uint64 cooldownSeconds_, uint64 windowSeconds_) external restricted {
        _setWithdrawalTimings(cooldownSeconds_, windowSeconds_);
    }

    // ------------------------------------------------------------------------------------------------ views
    /// @inheritdoc IInsuranceStaking
    function withdrawalRequest(address owner) external view returns (WithdrawalRequest memory) {
        return _requests[owner];
    }

    /// @inheritdoc IInsuranceStaking
    function lockedShares(address owner) public view returns (uint256) {
        WithdrawalRequest storage request = _requests[owner];
        return block.timestamp < request.expiresAt ? request.shares : 0;
    }

    /// @inheritdoc IInsuranceStaking
    function heldPenalties() external view returns (uint256) {
        return _held;
    }

    /// @notice The stakers' assets: the booked assets less the penalties held aside.
    function totalAssets() public view override returns (uint256) {
        return _tracked - _held;
    }

    /// @inheritdoc IInsuranceStaking
    function cooldownSeconds() external view returns (uint64) {
        return _cooldownSeconds;
    }

    /// @inheritdoc IInsuranceStaking
    function windowSeconds() external view returns (uint64) {
        return _windowSeconds;
    }

    /// @notice The room below `MAX_TOTAL_ASSETS`; 0 once the vault is depleted (`VaultDepleted`) or halted by a
    /// shortfall (`BackingShortfall`).
    function maxDeposit(address) public view override returns (uint256) {
        if (_depleted() || _halted()) return 0;
        return _roomBelowMax();
    }

    /// @notice The shares whose `previewMint` fits in `maxDeposit` (rounded down).
    function maxMint(address receiver) public view override returns (uint256) {
        return _sharesWithin(maxDeposit(receiver));
    }

    /// @notice The requested shares still unredeemed while the request's window is open, else 0 (also 0 while the
    /// vault is halted by a shortfall, or when they would redeem for nothing). `maxWithdraw` is their
    /// `previewRedeem`.
    function maxRedeem(address owner) public view override returns (uint256) {
        WithdrawalRequest storage request = _requests[owner];
        if (block.timestamp < request.claimableAt || block.timestamp >= request.expiresAt) return 0;
        if (_halted()) return 0;
        return _redeemable(Math.min(request.shares, balanceOf(owner)));
    }

    // ------------------------------------------------------------------------------------------------ internal
    function _checkDepositAndRoom(address) internal view override returns (uint256) {
        return _roomBelowMax();
    }

    /// @dev Reverts `WithdrawalNotClaimable` outside the owner's window.
    function _checkExitAndRedeemable(address owner) internal view override returns (uint256) {
        WithdrawalRequest storage request = _requests[owner];
        if (block.timestamp < request.claimableAt || block.timestamp >= request.expiresAt) {
            revert WithdrawalNotClaimable(owner, request.claimableAt, request.expiresAt, block.timestamp);
        }
        return Math.min(request.shares, balanceOf(owner));
    }

    /// @dev Consumes the request before the burn, so the lock check in `_update` sees the reduced request.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        _requests[owner].shares -= shares;
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Shares under a live request cannot leave their owner except through `withdraw`/`redeem`.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0)) {
            uint256 locked = lockedShares(from);
            uint256 balanceAfter = balanceOf(from);
            if (balanceAfter < locked) revert SharesLocked(from, locked, balanceAfter);
        }
    }

    function _trackedAssets() internal view override returns (uint256) {
        return _tracked;
    }

    function _setTrackedAssets(uint256 assets) internal override {
        _tracked = assets;
    }

    /// @dev A booked loss falls on the held penalties first, as bad-debt cover does.
    function _afterLossRecognized(uint256 loss) internal override {
        _takeFromHeld(loss);
    }

    /// @dev Take up to `assets` out of the held penalties.
    function _takeFromHeld(uint256 assets) private {
        uint256 held = _held;
        if (held != 0) _held = held > assets ? held - assets : 0;
    }

    function _setWithdrawalTimings(uint64 cooldownSeconds_, uint64 windowSeconds_) private {
        if (
            cooldownSeconds_ > MAX_COOLDOWN_SECONDS ||
            windowSeconds_ < MIN_WINDOW_SECONDS ||
            windowSeconds_ > MAX_WINDOW_SECONDS
        ) revert InvalidWithdrawalTimings(cooldownSeconds_, windowSeconds_);
        _cooldownSeconds = cooldownSeconds_;
        _windowSeconds = windowSeconds_;
        emit WithdrawalTimingsSet(cooldownSeconds_, windowSeconds_);
    }
}
