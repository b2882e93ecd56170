// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {AuthorityUtils} from "@openzeppelin/contracts/access/manager/AuthorityUtils.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {RateLimit} from "../libraries/RateLimit.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @title CircuitBreaker
/// @notice Scoped trips (oracle reports, guardian pause), governed resume after a cooldown, a grace period for
/// liquidations, and an ERC-7265-style outflow rate limit per token. See ICircuitBreaker and docs/breaker.md.
/// @dev Roles (wired by the deployment from scripts/lib/roles.ts): ORACLE_ROLE the three reports, GUARDIAN_ROLE
/// `pause`, GOVERNOR_ROLE (the timelock) `resume` and the setters, VAULT_ROLE `recordOutflow`, `recordInflow` and
/// `recordLoss`. The VAULT_ROLE check of the two flow functions reads the breaker's own mirror of the
/// AccessManager's answer (`syncVault`, permissionless) instead of calling the AccessManager on every flow: one SLOAD
/// instead of an external call with four cold reads (docs/breaker.md, "Vault registry"); the rare `recordLoss` asks
/// the AccessManager (`restricted`).
/// The guards' fast path reads one storage slot (`_status`, the status word): while no scope is tripped and no
/// grace period may be running, a check costs that one SLOAD. `_status` must stay alone in its slot with
/// `trippedCount` in bits 0-31 and `graceHorizon` in bits 32-95 (BreakerGuarded decodes it).
contract CircuitBreaker is ICircuitBreaker, AccessManaged {
    using RateLimit for RateLimit.Window;

    /// @notice Shortest cooldown between a trip and a resume governance may set.
    uint64 public constant MIN_COOLDOWN_SECONDS = 1 hours;
    /// @notice Longest cooldown governance may set.
    uint64 public constant MAX_COOLDOWN_SECONDS = 14 days;
    /// @notice Shortest grace period after a resume governance may set.
    uint64 public constant MIN_GRACE_PERIOD_SECONDS = 10 minutes;
    /// @notice Longest grace period governance may set.
    uint64 public constant MAX_GRACE_PERIOD_SECONDS = 7 days;
    /// @notice Shortest outflow window (bucket width) governance may set.
    uint32 public constant MIN_OUTFLOW_WINDOW_SECONDS = 5 minutes;
    /// @notice Longest outflow window governance may set.
    uint32 public constant MAX_OUTFLOW_WINDOW_SECONDS = 7 days;
    /// @notice Largest outflow share: 100%.
    uint16 public constant MAX_OUTFLOW_BPS = uint16(RateLimit.BPS_DENOMINATOR);

    /// @dev One scope's record (one slot). `graceEndsAt` is fixed at the resume.
    struct ScopeRecord {
        TripReason reason;
        uint64 trippedAt;
        uint64 resumedAt;
        uint64 graceEndsAt;
    }

    /// @dev Everything the guards' fast path needs, in one slot. `graceHorizon` is the latest `graceEndsAt` of any
    /// resume: before it some scope may be in its grace period, after it none is.
    struct Status {
        uint32 trippedCount;
        uint64 graceHorizon;
    }

    Status private _status;
    uint64 private _cooldownSeconds;
    uint64 private _gracePeriodSeconds;
    mapping(bytes32 scope => ScopeRecord) private _scopes;
    mapping(address token => RateLimit.Window) private _windows;
    /// @dev Mirror of "the AccessManager lets this account call both record functions now, with no delay".
    mapping(address account => bool) private _vaults;

    /// @param authority The protocol's AccessManager.
    /// @param cooldownSeconds_ Cooldown between a trip and the earliest resume.
    /// @param gracePeriodSeconds_ Grace period after a resume.
    constructor(
        address authority,
        uint64 cooldownSeconds_,
        uint64 gracePeriodSeconds_
    ) AccessManaged(authority) {
        _setCooldown(cooldownSeconds_);
        _setGracePeriod(gracePeriodSeconds_);
    }

    // ------------------------------------------------------------------------------------------------- trips

    /// @inheritdoc ICircuitBreaker
    function reportPriceBandBreach(
        address asset,
        uint256 referencePriceWad,
        uint256 newPriceWad
    ) external restricted {
        if (asset == address(0)) revert AssetIsZeroAddress();
        emit PriceBandBreachReported(asset, referencePriceWad, newPriceWad);
        _trip(Scopes.asset(asset), TripReason.PriceBand, bytes32(newPriceWad));
    }

    /// @inheritdoc ICircuitBreaker
    function reportQuorumLoss(address asset, uint256 freshSources, uint256 quorum) external restricted {
        if (asset == address(0)) revert AssetIsZeroAddress();
        emit QuorumLossReported(asset, freshSources, quorum);
        _trip(Scopes.asset(asset), TripReason.QuorumLost, bytes32(freshSources));
    }

    /// @inheritdoc ICircuitBreaker
    function reportSequencerDown() external restricted {
        _trip(Scopes.GLOBAL, TripReason.SequencerDown, bytes32(0));
    }

    /// @inheritdoc ICircuitBreaker
    function pause(bytes32 scope, string calldata reason) external restricted {
        if (scope == bytes32(0)) revert ScopeIsZero();
        _trip(scope, TripReason.GuardianPause, keccak256(bytes(reason)));
    }

    /// @inheritdoc ICircuitBreaker
    function resume(bytes32 scope) external restricted {
        ScopeRecord storage record = _scopes[scope];
        if (record.reason == TripReason.None) revert ScopeNotTripped(scope);
        uint64 resumable = record.trippedAt + _cooldownSeconds;
        if (block.timestamp < resumable) revert CooldownNotElapsed(scope, resumable);

        uint64 graceEnd = uint64(block.timestamp) + _gracePeriodSeconds;
        record.reason = TripReason.None;
        record.resumedAt = uint64(block.timestamp);
        record.graceEndsAt = graceEnd;
        Status memory status = _status;
        status.trippedCount -= 1;
        if (graceEnd > status.graceHorizon) status.graceHorizon = graceEnd;
        _status = status;
        emit Resumed(scope, msg.sender, graceEnd);
    }

    // ------------------------------------------------------------------------------------------------- guards

    /// @inheritdoc ICircuitBreaker
    function checkScope(bytes32 scope) external view {
        if (_status.trippedCount == 0) return;
        _revertIfTripped(Scopes.GLOBAL);
        _revertIfTripped(scope);
    }

    /// @inheritdoc ICircuitBreaker
    function checkAction(bytes32 actionScope, address asset) external view {
        if (_status.trippedCount == 0) return;
        _revertIfTripped(Scopes.GLOBAL);
        _revertIfTripped(actionScope);
        _revertIfTripped(Scopes.asset(asset));
    }

    /// @inheritdoc ICircuitBreaker
    function checkLiquidation(address asset) external view {
        Status memory status = _status;
        if (status.trippedCount == 0 && block.timestamp >= status.graceHorizon) return;
        bytes32 assetScope = Scopes.asset(asset);
        _revertIfTripped(Scopes.GLOBAL);
        _revertIfTripped(Scopes.LIQUIDATE);
        _revertIfTripped(assetScope);
        _revertIfInGrace(Scopes.GLOBAL);
        _revertIfInGrace(Scopes.LIQUIDATE);
        _revertIfInGrace(assetScope);
    }

    // ------------------------------------------------------------------------------------------------- rate limit

    /// @inheritdoc ICircuitBreaker
    function recordOutflow(address token, uint256 amount) external onlyVault {
        RateLimit.Window memory w = _windows[token];
        if (w.maxOutflowBps == 0) revert OutflowLimitNotConfigured(token);
        bool rolled = w.roll(block.timestamp);
        uint256 available = w.capacity();
        if (amount > available) revert OutflowLimitExceeded(token, amount, available);
        w.addOutflow(amount);
        _store(token, w, rolled);
    }

    /// @inheritdoc ICircuitBreaker
    function recordInflow(address token, uint256 amount) external onlyVault {
        RateLimit.Window memory w = _windows[token];
        if (w.maxOutflowBps == 0) revert OutflowLimitNotConfigured(token);
        bool rolled = w.roll(block.timestamp);
        uint256 current = w.liquidity();
        if (amount > RateLimit.MAX_LIQUIDITY - current) {
            revert LiquidityOverflow(token, current, amount, RateLimit.MAX_LIQUIDITY);
        }
        w.addInflow(amount);
        _store(token, w, rolled);
    }

    /// @inheritdoc ICircuitBreaker
    function recordLoss(address token, uint256 amount) external restricted {
        RateLimit.Window memory w = _windows[token];
        if (w.maxOutflowBps == 0) revert OutflowLimitNotConfigured(token);
        w.roll(block.timestamp);
        uint256 current = w.liquidity();
        if (amount > current) revert LossExceedsLiquidity(token, current, amount);
        w.removeLiquidity(amount);
        _windows[token] = w;
        emit LossRecorded(token, msg.sender, amount, current - amount);
    }

    /// @inheritdoc ICircuitBreaker
    function syncVault(address account) external returns (bool registered) {
        address manager = authority();
        bytes4 outflow = this.recordOutflow.selector;
        bytes4 inflow = this.recordInflow.selector;
        (bool outflowNow, ) = AuthorityUtils.canCallWithDelay(manager, account, address(this), outflow);
        (bool inflowNow, ) = AuthorityUtils.canCallWithDelay(manager, account, address(this), inflow);
        registered = outflowNow && inflowNow;
        if (_vaults[account] != registered) {
            _vaults[account] = registered;
            emit VaultSynced(account, registered);
        }
    }

    // ------------------------------------------------------------------------------------------------- governance

    /// @inheritdoc ICircuitBreaker
    function setCooldown(uint64 cooldownSeconds_) external restricted {
        _setCooldown(cooldownSeconds_);
    }

    /// @inheritdoc ICircuitBreaker
    function setGracePeriod(uint64 gracePeriodSeconds_) external restricted {
        _setGracePeriod(gracePeriodSeconds_);
    }

    /// @inheritdoc ICircuitBreaker
    function setOutflowLimit(address token, uint16 maxOutflowBps, uint32 windowSeconds) external restricted {
        if (token == address(0)) revert TokenIsZeroAddress();
        if (maxOutflowBps == 0 || maxOutflowBps > MAX_OUTFLOW_BPS) {
            revert OutflowShareOutOfBounds(token, maxOutflowBps, MAX_OUTFLOW_BPS);
        }
        if (windowSeconds < MIN_OUTFLOW_WINDOW_SECONDS || windowSeconds > MAX_OUTFLOW_WINDOW_SECONDS) {
            revert OutflowWindowOutOfBounds(
                token,
                windowSeconds,
                MIN_OUTFLOW_WINDOW_SECONDS,
                MAX_OUTFLOW_WINDOW_SECONDS
            );
        }
        RateLimit.Window memory w = _windows[token];
        w.reconfigure(maxOutflowBps, windowSeconds, block.timestamp);
        _windows[token] = w;
        emit OutflowLimitSet(token, maxOutflowBps, windowSeconds);
    }

    // ------------------------------------------------------------------------------------------------- views

    /// @inheritdoc ICircuitBreaker
    function scopeState(bytes32 scope) external view returns (ScopeState memory) {
        ScopeRecord memory record = _scopes[scope];
        return ScopeState({reason: record.reason, trippedAt: record.trippedAt, resumedAt: record.resumedAt});
    }

    /// @inheritdoc ICircuitBreaker
    function isTripped(bytes32 scope) external view returns (bool) {
        return _scopes[scope].reason != TripReason.None;
    }

    /// @inheritdoc ICircuitBreaker
    function outflowCapacity(address token) external view returns (uint256) {
        RateLimit.Window memory w = _windows[token];
        if (w.maxOutflowBps == 0) return 0;
        w.roll(block.timestamp);
        return w.capacity();
    }

    /// @inheritdoc ICircuitBreaker
    function inflowCapacity(address token) external view returns (uint256) {
        RateLimit.Window memory w = _windows[token];
        if (w.maxOutflowBps == 0) return 0;
        return RateLimit.MAX_LIQUIDITY - w.liquidity();
    }

    /// @inheritdoc ICircuitBreaker
    function cooldownSeconds() external view returns (uint64) {
        return _cooldownSeconds;
    }

    /// @inheritdoc ICircuitBreaker
    function gracePeriodSeconds() external view returns (uint64) {
        return _gracePeriodSeconds;
    }

    /// @inheritdoc ICircuitBreaker
    function resumableAt(bytes32 scope) external view returns (uint64) {
        ScopeRecord storage record = _scopes[scope];
        if (record.reason == TripReason.None) return 0;
        return record.trippedAt + _cooldownSeconds;
    }

    /// @inheritdoc ICircuitBreaker
    function graceEndsAt(bytes32 scope) external view returns (uint64) {
        return _scopes[scope].graceEndsAt;
    }

    /// @inheritdoc ICircuitBreaker
    function trippedScopeCount() external view returns (uint256) {
        return _status.trippedCount;
    }

    /// @inheritdoc ICircuitBreaker
    function statusWord() external view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(_status.slot)
        }
    }

    /// @notice Empty calldata: return the status word (see `statusWord`) without going through the dispatcher.
    /// This is the guards' fast path: one SLOAD. Any other unknown call reverts `UnknownCall`; ETH is refused.
    /// @dev Deliberately not "simple": it is a read-only view of one slot, and the saving (the dispatcher) is what
    /// keeps the untripped guard under its 5,000-gas budget (docs/breaker.md).
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        if (msg.data.length != 0) revert UnknownCall(msg.sig);
        assembly ("memory-safe") {
            mstore(0x00, sload(_status.slot))
            return(0x00, 0x20)
        }
    }

    /// @inheritdoc ICircuitBreaker
    function outflowLimit(address token) external view returns (uint16 maxOutflowBps, uint32 windowSeconds) {
        RateLimit.Window storage w = _windows[token];
        return (w.maxOutflowBps, w.windowSeconds);
    }

    /// @inheritdoc ICircuitBreaker
    function isVault(address account) external view returns (bool) {
        return _vaults[account];
    }

    /// @inheritdoc ICircuitBreaker
    function trackedLiquidity(address token) external view returns (uint256) {
        RateLimit.Window memory w = _windows[token];
        return w.liquidity();
    }

    // ------------------------------------------------------------------------------------------------- internals

    /// @dev VAULT_ROLE, as last mirrored by `syncVault`; same error as `restricted`.
    modifier onlyVault() {
        if (!_vaults[msg.sender]) revert AccessManagedUnauthorized(msg.sender);
        _;
    }

    /// @dev Trip `scope` unless it is tripped already; the first reason and time are kept.
    function _trip(bytes32 scope, TripReason reason, bytes32 detail) private {
        ScopeRecord storage record = _scopes[scope];
        if (record.reason != TripReason.None) {
            emit TripIgnored(scope, reason, msg.sender);
            return;
        }
        record.reason = reason;
        record.trippedAt = uint64(block.timestamp);
        _status.trippedCount += 1;
        emit Tripped(scope, reason, msg.sender, detail);
    }

    function _revertIfTripped(bytes32 scope) private view {
        ScopeRecord storage record = _scopes[scope];
        TripReason reason = record.reason;
        if (reason != TripReason.None) revert ScopeTripped(scope, reason, record.trippedAt);
    }

    function _revertIfInGrace(bytes32 scope) private view {
        uint64 graceEnd = _scopes[scope].graceEndsAt;
        if (block.timestamp < graceEnd) revert ScopeInGracePeriod(scope, graceEnd);
    }

    /// @dev Write back only the current bucket's net unless the window rolled: one SSTORE on the common path.
    function _store(address token, RateLimit.Window memory w, bool rolled) private {
        if (rolled) {
            _windows[token] = w;
        } else {
            _windows[token].netOutflowCur = w.netOutflowCur;
        }
    }

    function _setCooldown(uint64 seconds_) private {
        if (seconds_ < MIN_COOLDOWN_SECONDS || seconds_ > MAX_COOLDOWN_SECONDS) {
            revert CooldownOutOfBounds(seconds_, MIN_COOLDOWN_SECONDS, MAX_COOLDOWN_SECONDS);
        }
        emit CooldownSet(_cooldownSeconds, seconds_);
        _cooldownSeconds = seconds_;
    }

    function _setGracePeriod(uint64 seconds_) private {
        if (seconds_ < MIN_GRACE_PERIOD_SECONDS || seconds_ > MAX_GRACE_PERIOD_SECONDS) {
            revert GracePeriodOutOfBounds(seconds_, MIN_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_SECONDS);
        }
        emit GracePeriodSet(_gracePeriodSeconds, seconds_);
        _gracePeriodSeconds = seconds_;
    }
}
