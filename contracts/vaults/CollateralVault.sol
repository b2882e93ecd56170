// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BreakerGuarded} from "../breaker/BreakerGuarded.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {TrackedAssetsVault} from "./TrackedAssetsVault.sol";

/// @title CollateralVault
/// @notice The ERC-4626 vault of one collateral asset: capped, optionally permissioned deposits; withdrawals that
/// pass the CircuitBreaker's WITHDRAW scope and outflow rate limiter; the token policy of `TrackedAssetsVault`.
/// @dev See `ICollateralVault` for the breaker integration and `docs/vaults.md` for the decisions.
contract CollateralVault is TrackedAssetsVault, BreakerGuarded, ICollateralVault {
    /// @notice Largest finite deposit cap, in assets: `type(uint120).max - 1` (about 1.3e36 base units, 1.3e18
    /// tokens of 18 decimals); `type(uint256).max` means no cap.
    uint256 public constant MAX_FINITE_DEPOSIT_CAP = type(uint120).max - 1;

    /// @dev Stored cap meaning "no cap" (`depositCap()` reports `type(uint256).max`).
    uint120 private constant _NO_CAP = type(uint120).max;

    /// @dev Everything a deposit reads from the vault's own storage, in one slot (one cold SLOAD per deposit).
    /// `tracked` fits 128 bits: the breaker caps a token's recorded liquidity at 2^127 - 1, and the vault records
    /// every inflow before booking it.
    /// @param tracked Assets the vault has booked: `totalAssets()`.
    /// @param depositCap Deposit cap in assets; `_NO_CAP` = none.
    /// @param permissioned Whether deposits are restricted to the allowlist.
    struct Book {
        uint128 tracked;
        uint120 depositCap;
        bool permissioned;
    }

    Book private _book;
    /// @dev The depositor allowlist.
    mapping(address account => bool allowed) private _allowed;

    /// @param asset_ The collateral token (decimals readable and <= 36).
    /// @param breaker The protocol's CircuitBreaker; the vault must hold its VAULT_ROLE.
    /// @param authority The protocol's AccessManager.
    /// @param depositCap_ Initial deposit cap in assets (`type(uint256).max` = none).
    /// @param permissioned_ Whether deposits start restricted to the (empty) allowlist.
    constructor(
        IERC20 asset_,
        ICircuitBreaker breaker,
        address authority,
        string memory name_,
        string memory symbol_,
        uint256 depositCap_,
        bool permissioned_
    ) ERC20(name_, symbol_) TrackedAssetsVault(asset_, authority) BreakerGuarded(breaker) {
        _book.depositCap = _storedCap(depositCap_);
        _book.permissioned = permissioned_;
        emit DepositCapSet(0, depositCap_);
        emit PermissionedSet(permissioned_);
    }

    // ------------------------------------------------------------------------------------------------ governance
    /// @inheritdoc ICollateralVault
    function setDepositCap(uint256 newCap) external restricted {
        uint120 stored = _storedCap(newCap);
        emit DepositCapSet(_cap(), newCap);
        _book.depositCap = stored;
    }

    /// @inheritdoc ICollateralVault
    function setPermissioned(bool permissioned_) external restricted {
        _book.permissioned = permissioned_;
        emit PermissionedSet(permissioned_);
    }

    /// @inheritdoc ICollateralVault
    function setDepositorAllowed(address account, bool allowed) external restricted {
        _allowed[account] = allowed;
        emit DepositorAllowedSet(account, allowed);
    }

    // ------------------------------------------------------------------------------------------------ views
    /// @inheritdoc ICollateralVault
    function depositCap() external view returns (uint256) {
        return _cap();
    }

    /// @inheritdoc ICollateralVault
    function permissioned() external view returns (bool) {
        return _book.permissioned;
    }

    /// @inheritdoc ICollateralVault
    function isDepositorAllowed(address account) external view returns (bool) {
        return _allowed[account];
    }

    /// @notice 0 while DEPOSIT is tripped, the vault is depleted or halted by a shortfall, or `receiver` is not
    /// allowlisted in permissioned mode; otherwise the room left under the cap, under `MAX_TOTAL_ASSETS`, and under
    /// the breaker's bound on the token's tracked liquidity (`inflowCapacity`, 0 without an outflow limit).
    /// ERC-4626 gives no caller here: in permissioned mode the caller must be allowlisted too.
    function maxDeposit(address receiver) public view override returns (uint256) {
        if (!_depositsOpenFor(receiver)) return 0;
        return Math.min(_room(_book), BREAKER.inflowCapacity(asset()));
    }

    /// @notice The shares whose `previewMint` fits in `maxDeposit(receiver)` (rounded down).
    function maxMint(address receiver) public view override returns (uint256) {
        return _sharesWithin(maxDeposit(receiver));
    }

    /// @notice 0 while WITHDRAW or GLOBAL is tripped or the vault is halted by a shortfall; otherwise the owner's
    /// assets, at most the breaker's current outflow capacity for the asset.
    function maxWithdraw(address owner) public view override returns (uint256) {
        if (_exitsClosed()) return 0;
        return Math.min(previewRedeem(balanceOf(owner)), BREAKER.outflowCapacity(asset()));
    }

    /// @notice 0 while WITHDRAW or GLOBAL is tripped or the vault is halted by a shortfall; otherwise the owner's
    /// shares, at most those whose assets fit in the breaker's current outflow capacity (rounded down), and 0 when
    /// they would redeem for nothing (`ZeroAssets`).
    function maxRedeem(address owner) public view override returns (uint256) {
        if (_exitsClosed()) return 0;
        uint256 shares = balanceOf(owner);
        uint256 capacity = BREAKER.outflowCapacity(asset());
        if (previewRedeem(shares) > capacity) shares = _convertToShares(capacity, Math.Rounding.Floor);
        return _redeemable(shares);
    }

    // ------------------------------------------------------------------------------------------------ clearing
    /// @inheritdoc ICollateralVault
    function depositCover(uint256 assets) external restricted nonReentrant returns (uint256 shares) {
        if (assets == 0) revert ZeroAmount();
        _checkNotDepleted();
        shares = previewDeposit(assets);
        if (shares == 0) revert ZeroShares(assets);
        _deposit(msg.sender, msg.sender, assets, shares);
    }

    // ------------------------------------------------------------------------------------------------ internal
    /// @dev Deposits obey the DEPOSIT scope only (not GLOBAL): depositing collateral reduces risk.
    function _checkDepositAndRoom(address receiver) internal view override returns (uint256) {
        if (_depositTripped()) {
            ICircuitBreaker.ScopeState memory state = BREAKER.scopeState(Scopes.DEPOSIT);
            revert ICircuitBreaker.ScopeTripped(Scopes.DEPOSIT, state.reason, state.trippedAt);
        }
        Book memory book = _book;
        if (book.permissioned) {
            if (!_allowed[msg.sender]) revert DepositorNotAllowed(msg.sender);
            if (!_allowed[receiver]) revert DepositorNotAllowed(receiver);
        }
        return _room(book);
    }

    /// @dev Withdrawals obey WITHDRAW and GLOBAL (`ScopeTripped`); the rate limit is enforced by `recordOutflow`.
    function _checkExitAndRedeemable(address owner) internal view override returns (uint256) {
        _checkScope(Scopes.WITHDRAW);
        return balanceOf(owner);
    }

    /// @dev The inflow is recorded first: the breaker reverts `LiquidityOverflow` before anything is booked, which
    /// keeps `tracked` below 2^127. The whole deposit reverts if the vault then receives less than `assets`.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        BREAKER.recordInflow(asset(), assets);
        super._deposit(caller, receiver, assets, shares);
    }

    /// @dev The breaker records the outflow first and reverts `OutflowLimitExceeded` beyond the limit.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        BREAKER.recordOutflow(asset(), assets);
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    function _depositsOpenFor(address receiver) private view returns (bool) {
        if (_depleted() || _depositTripped() || _halted()) return false;
        return !_book.permissioned || _allowed[receiver];
    }

    /// @dev Whether DEPOSIT is tripped; the breaker's status word first (no scope tripped: one SLOAD, no dispatcher).
    function _depositTripped() private view returns (bool) {
        return _anyScopeTripped() && BREAKER.isTripped(Scopes.DEPOSIT);
    }

    function _exitsClosed() private view returns (bool) {
        return BREAKER.isTripped(Scopes.WITHDRAW) || BREAKER.isTripped(Scopes.GLOBAL) || _halted();
    }

    /// @dev Assets a deposit may still add: the cap (`MAX_TOTAL_ASSETS` without one) less the booked assets, which
    /// never exceed `MAX_TOTAL_ASSETS` (the breaker's bound on the token's liquidity, which records every booking).
    function _room(Book memory book) private pure returns (uint256) {
        if (book.depositCap == _NO_CAP) return MAX_TOTAL_ASSETS - book.tracked;
        return book.depositCap > book.tracked ? book.depositCap - book.tracked : 0;
    }

    /// @dev The cap in assets, `type(uint256).max` for none.
    function _cap() private view returns (uint256) {
        uint120 stored = _book.depositCap;
        return stored == _NO_CAP ? type(uint256).max : stored;
    }

    /// @dev `cap` as stored; reverts `DepositCapTooLarge` for a finite cap above `MAX_FINITE_DEPOSIT_CAP`.
    function _storedCap(uint256 cap) private pure returns (uint120) {
        if (cap == type(uint256).max) return _NO_CAP;
        if (cap > MAX_FINITE_DEPOSIT_CAP) revert DepositCapTooLarge(cap, MAX_FINITE_DEPOSIT_CAP);
        return uint120(cap);
    }

    function _trackedAssets() internal view override returns (uint256) {
        return _book.tracked;
    }

    /// @dev Reverts `SafeCastOverflowedUintDowncast` above 2^128 - 1, unreachable behind the breaker's bound.
    function _setTrackedAssets(uint256 assets) internal override {
        _book.tracked = SafeCast.toUint128(assets);
    }

    /// @dev The breaker's tracked liquidity follows the booked loss, so the outflow limit measures what is left.
    function _afterLossRecognized(uint256 loss) internal override {
        BREAKER.recordLoss(asset(), loss);
    }
}
