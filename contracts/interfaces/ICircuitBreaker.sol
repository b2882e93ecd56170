// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICircuitBreaker
/// @notice Scoped circuit breaker of the protocol. A scope (see `Scopes`) is an asset's price scope or a protected
/// action. Trips come from the OracleAggregator (price band, quorum loss, sequencer down) and from the guardian's
/// pause; only governance (the timelock) resumes, and only after a cooldown. After a resume a grace period
/// follows in which liquidations stay off while risk-reducing actions work. Separately, an ERC-7265-style rate
/// limiter caps how much of each token may leave the protected vaults within a sliding window.
/// @dev Trust: the guardian can stop guarded actions but never move funds or resume; governance can resume and
/// change limits only through the timelock. Risk-reducing actions (depositing collateral into an account,
/// closing positions) are never guarded by this contract.
interface ICircuitBreaker {
    /// @notice Why a scope is tripped.
    enum TripReason {
        None,
        GuardianPause,
        PriceBand,
        QuorumLost,
        SequencerDown
    }

    /// @notice The state of one scope.
    /// @param reason Why it tripped; `None` when it is not tripped.
    /// @param trippedAt When it tripped (0 when it never did).
    /// @param resumedAt When governance last resumed it (0 when it never was); the grace period runs from here.
    struct ScopeState {
        TripReason reason;
        uint64 trippedAt;
        uint64 resumedAt;
    }

    // ----------------------------------------------------------------------------------------------- errors
    /// @notice A guarded call in a tripped scope.
    error ScopeTripped(bytes32 scope, TripReason reason, uint64 trippedAt);
    /// @notice A liquidation during the grace period after `scope` was resumed.
    error ScopeInGracePeriod(bytes32 scope, uint64 graceEndsAt);
    /// @notice A resume before the cooldown since the trip has passed.
    error CooldownNotElapsed(bytes32 scope, uint64 resumableAt);
    /// @notice A resume of a scope that is not tripped.
    error ScopeNotTripped(bytes32 scope);
    /// @notice An outflow beyond the rate limit; `available` is what may still leave now.
    error OutflowLimitExceeded(address token, uint256 requested, uint256 available);
    /// @notice A trip, pause or resume of the zero scope (the price scope of address(0)), which nothing guards.
    error ScopeIsZero();
    /// @notice An oracle report about address(0).
    error AssetIsZeroAddress();
    /// @notice An outflow limit for address(0).
    error TokenIsZeroAddress();
    /// @notice A cooldown outside `[minSeconds, maxSeconds]`.
    error CooldownOutOfBounds(uint64 cooldownSeconds, uint64 minSeconds, uint64 maxSeconds);
    /// @notice A grace period outside `[minSeconds, maxSeconds]`.
    error GracePeriodOutOfBounds(uint64 gracePeriodSeconds, uint64 minSeconds, uint64 maxSeconds);
    /// @notice An outflow share of zero or above 100% (`maxBps` = 10,000).
    error OutflowShareOutOfBounds(address token, uint256 maxOutflowBps, uint256 maxBps);
    /// @notice An outflow window outside `[minSeconds, maxSeconds]`.
    error OutflowWindowOutOfBounds(
        address token,
        uint256 windowSeconds,
        uint256 minSeconds,
        uint256 maxSeconds
    );
    /// @notice A call with calldata that matches no function (the fallback answers empty calldata only).
    error UnknownCall(bytes4 selector);
    /// @notice An in- or outflow of a token that has no outflow limit: protected vaults must not hold a token whose
    /// outflow is unlimited by omission (set 10,000 bps to allow everything explicitly).
    error OutflowLimitNotConfigured(address token);
    /// @notice An inflow that would take the tracked liquidity of `token` above `maxLiquidity` (2^127 - 1).
    error LiquidityOverflow(address token, uint256 liquidity, uint256 amount, uint256 maxLiquidity);
    /// @notice A booked loss larger than the tracked liquidity of `token`.
    error LossExceedsLiquidity(address token, uint256 liquidity, uint256 amount);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice `scope` tripped for `reason`. `detail` carries the trigger's data (e.g. the offending price).
    event Tripped(bytes32 indexed scope, TripReason indexed reason, address indexed by, bytes32 detail);
    /// @notice A trip arrived while `scope` was already tripped; the first reason and time are kept.
    event TripIgnored(bytes32 indexed scope, TripReason indexed reason, address indexed by);
    /// @notice Governance resumed `scope`; liquidations in it stay off until `graceEndsAt`.
    event Resumed(bytes32 indexed scope, address indexed by, uint64 graceEndsAt);
    /// @notice The oracle reported that `asset`'s price moved from `referencePriceWad` to `newPriceWad`, beyond its
    /// band. Emitted with every report, whether it trips the scope or is ignored.
    event PriceBandBreachReported(address indexed asset, uint256 referencePriceWad, uint256 newPriceWad);
    /// @notice The oracle reported `freshSources` fresh sources for `asset` against a quorum of `quorum`.
    event QuorumLossReported(address indexed asset, uint256 freshSources, uint256 quorum);
    /// @notice Governance set the cooldown between a trip and the earliest resume.
    event CooldownSet(uint64 previousSeconds, uint64 newSeconds);
    /// @notice Governance set the grace period that follows a resume.
    event GracePeriodSet(uint64 previousSeconds, uint64 newSeconds);
    /// @notice Governance set `token`'s outflow limit: at most `maxOutflowBps` of its liquidity per `windowSeconds`.
    event OutflowLimitSet(address indexed token, uint16 maxOutflowBps, uint32 windowSeconds);
    /// @notice `vault` booked a loss of `amount` of `token`: the tracked liquidity fell to `liquidity`, and the
    /// outflow limit measures against the reduced base from now on.
    event LossRecorded(address indexed token, address indexed vault, uint256 amount, uint256 liquidity);
    /// @notice `syncVault` changed the breaker's mirror of `account`'s VAULT_ROLE.
    event VaultSynced(address indexed account, bool isVault);

    // ----------------------------------------------------------------------------------------------- trips
    /// @notice Trip `asset`'s price scope: its aggregated price jumped beyond the band within the window.
    /// @dev Only the OracleAggregator (ORACLE_ROLE). Never reverts on a scope that is already tripped (emits
    /// `TripIgnored`), so a report can never make the oracle's own transaction fail; reverts `AssetIsZeroAddress`.
    /// The breaker trusts the oracle's judgement: the prices are recorded, not re-checked against a band.
    function reportPriceBandBreach(address asset, uint256 referencePriceWad, uint256 newPriceWad) external;

    /// @notice Trip `asset`'s price scope: fewer fresh sources than the quorum.
    /// @dev Only the OracleAggregator (ORACLE_ROLE). Fails closed: the scope trips even if `freshSources >= quorum`
    /// (an inconsistent report is the oracle's bug, and a breaker must not stay open on it). Reverts
    /// `AssetIsZeroAddress`; an already tripped scope emits `TripIgnored`.
    function reportQuorumLoss(address asset, uint256 freshSources, uint256 quorum) external;

    /// @notice Trip the GLOBAL scope: the L2 sequencer is down.
    /// @dev Only the OracleAggregator (ORACLE_ROLE). An already tripped GLOBAL emits `TripIgnored`.
    function reportSequencerDown() external;

    /// @notice Pause `scope` at once, with no delay.
    /// @dev Only the guardian (GUARDIAN_ROLE), with no execution delay. `reason` is free text for operators,
    /// emitted as its keccak256 in `Tripped.detail`. Any non-zero scope may be paused (an asset's price scope, an
    /// action scope, GLOBAL); reverts `ScopeIsZero`. A scope that is already tripped keeps its first reason
    /// (`TripIgnored`).
    function pause(bytes32 scope, string calldata reason) external;

    /// @notice Resume `scope` after its cooldown; starts its grace period.
    /// @dev Only governance (GOVERNOR_ROLE, held by the timelock). Reverts `ScopeNotTripped`,
    /// `CooldownNotElapsed` (cooldown measured from the trip with the cooldown configured at the time of the
    /// resume). The grace period is fixed at the resume: `graceEndsAt = block.timestamp + gracePeriodSeconds()`.
    function resume(bytes32 scope) external;

    // ----------------------------------------------------------------------------------------------- guards
    /// @notice Revert with `ScopeTripped` if `scope` or GLOBAL is tripped.
    function checkScope(bytes32 scope) external view;

    /// @notice Revert unless both `actionScope` and `asset`'s price scope (and GLOBAL) are untripped.
    function checkAction(bytes32 actionScope, address asset) external view;

    /// @notice Revert unless a liquidation of an account exposed to `asset` may proceed: LIQUIDATE, `asset`'s
    /// scope and GLOBAL untripped and none of them in its grace period (`ScopeInGracePeriod`).
    function checkLiquidation(address asset) external view;

    // ----------------------------------------------------------------------------------------------- rate limit
    /// @notice Record `amount` of `token` leaving a protected vault; reverts `OutflowLimitExceeded` beyond the
    /// limit (state unchanged). O(1).
    /// @dev Only protected vaults (VAULT_ROLE as mirrored by `syncVault`, else `AccessManagedUnauthorized(caller)`).
    /// Call it before the tokens leave, in the same transaction, and let its revert abort the withdrawal. Reverts
    /// `OutflowLimitNotConfigured` for a token without a limit. Past the limit the withdrawal reverts (it is not
    /// queued): the error says how much may leave now.
    function recordOutflow(address token, uint256 amount) external;

    /// @notice Record `amount` of `token` entering a protected vault. O(1).
    /// @dev Only protected vaults (VAULT_ROLE as mirrored by `syncVault`, else `AccessManagedUnauthorized(caller)`),
    /// with the amount the vault actually received (or, recorded before the transfer, the whole transaction reverts
    /// if less arrives). An inflow nets against outflows of the current window, so a deposit withdrawn again in
    /// the same window consumes no capacity. Reverts `OutflowLimitNotConfigured`, `LiquidityOverflow`.
    function recordInflow(address token, uint256 amount) external;

    /// @notice Record a loss of `amount` of `token` that a protected vault booked (`recognizeLoss`): the tracked
    /// liquidity falls by `amount` without consuming outflow capacity, and the limit applies to what is left.
    /// @dev Only protected vaults (VAULT_ROLE, checked by the AccessManager on every call: a rare, governed path).
    /// The loss comes off the base of the limit (as if it had happened before the window); the part beyond the base
    /// (liquidity that entered within the window) is charged to the current bucket. Emits `LossRecorded`. Reverts
    /// `OutflowLimitNotConfigured`, `LossExceedsLiquidity(token, liquidity, amount)` (state unchanged).
    function recordLoss(address token, uint256 amount) external;

    /// @notice Mirror the AccessManager's current answer for `account`: whether it may call both `recordOutflow` and
    /// `recordInflow` now, with no execution delay (VAULT_ROLE in the deployment). Returns the mirrored answer;
    /// emits `VaultSynced` when it changed.
    /// @dev Permissionless: it only copies the AccessManager's decision, in either direction. The record functions
    /// check the mirror (one SLOAD) instead of calling the AccessManager on every flow. A grant takes effect for
    /// the record functions at the next sync, and so does a revocation: governance batches `syncVault` with every
    /// grant or revocation of VAULT_ROLE, and anyone (the guardian's monitoring) may call it at any time.
    function syncVault(address account) external returns (bool isVault);

    // ----------------------------------------------------------------------------------------------- views
    /// @notice Whether `account` may record flows (VAULT_ROLE as last mirrored by `syncVault`).
    function isVault(address account) external view returns (bool);

    /// @notice The state of `scope`.
    function scopeState(bytes32 scope) external view returns (ScopeState memory);

    /// @notice Whether `scope` is tripped.
    function isTripped(bytes32 scope) external view returns (bool);

    /// @notice How much of `token` may leave now without reverting (0 for a token without a limit).
    function outflowCapacity(address token) external view returns (uint256);

    /// @notice How much of `token` may enter now without reverting `LiquidityOverflow`: 2^127 - 1 less the tracked
    /// liquidity (0 for a token without a limit, whose inflows revert `OutflowLimitNotConfigured`).
    function inflowCapacity(address token) external view returns (uint256);

    // ----------------------------------------------------------------------------------------------- governance
    /// @notice Set the cooldown between a trip and the earliest resume.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `CooldownOutOfBounds`. Applies to scopes already tripped.
    function setCooldown(uint64 cooldownSeconds) external;

    /// @notice Set the grace period that follows every later resume.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `GracePeriodOutOfBounds`. Grace periods already running keep
    /// their end.
    function setGracePeriod(uint64 gracePeriodSeconds) external;

    /// @notice Let at most `maxOutflowBps` of `token`'s tracked liquidity leave within any `windowSeconds`.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `TokenIsZeroAddress`, `OutflowShareOutOfBounds` (0 or above
    /// 10,000), `OutflowWindowOutOfBounds`. A change keeps the outflow already recorded: the net outflow of both
    /// buckets is carried into the new window's current bucket, so a change never refills capacity early.
    function setOutflowLimit(address token, uint16 maxOutflowBps, uint32 windowSeconds) external;

    // ----------------------------------------------------------------------------------------------- more views
    /// @notice Cooldown between a trip and the earliest resume.
    function cooldownSeconds() external view returns (uint64);

    /// @notice Grace period after a resume, during which `checkLiquidation` reverts.
    function gracePeriodSeconds() external view returns (uint64);

    /// @notice When `scope` may be resumed (0 when it is not tripped).
    function resumableAt(bytes32 scope) external view returns (uint64);

    /// @notice When the grace period after `scope`'s last resume ends (0 when it never was resumed).
    function graceEndsAt(bytes32 scope) external view returns (uint64);

    /// @notice How many scopes are tripped now.
    function trippedScopeCount() external view returns (uint256);

    /// @notice The guards' status word: bits 0-31 the number of tripped scopes, bits 32-95 the latest end of any
    /// grace period. Zero count means every `checkScope`/`checkAction` passes; zero count and `block.timestamp` at
    /// or past the horizon means every `checkLiquidation` passes.
    /// @dev The CircuitBreaker also returns this word, ABI-encoded, to a call with empty calldata (its fallback),
    /// which skips the function dispatcher: BreakerGuarded's fast path. Any other answer makes the guard fall back
    /// to the full check.
    function statusWord() external view returns (uint256);

    /// @notice `token`'s outflow limit (`maxOutflowBps` = 0 when none is configured).
    function outflowLimit(address token) external view returns (uint16 maxOutflowBps, uint32 windowSeconds);

    /// @notice `token`'s liquidity as tracked from recorded in- and outflows (donations are not counted).
    function trackedLiquidity(address token) external view returns (uint256);
}
