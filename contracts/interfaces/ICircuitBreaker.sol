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

    // ----------------------------------------------------------------------------------------------- events
    /// @notice `scope` tripped for `reason`. `detail` carries the trigger's data (e.g. the offending price).
    event Tripped(bytes32 indexed scope, TripReason indexed reason, address indexed by, bytes32 detail);
    /// @notice A trip arrived while `scope` was already tripped; the first reason and time are kept.
    event TripIgnored(bytes32 indexed scope, TripReason indexed reason, address indexed by);
    /// @notice Governance resumed `scope`; liquidations in it stay off until `graceEndsAt`.
    event Resumed(bytes32 indexed scope, address indexed by, uint64 graceEndsAt);

    // ----------------------------------------------------------------------------------------------- trips
    /// @notice Trip `asset`'s price scope: its aggregated price jumped beyond the band within the window.
    /// @dev Only the OracleAggregator (ORACLE_ROLE).
    function reportPriceBandBreach(address asset, uint256 referencePriceWad, uint256 newPriceWad) external;

    /// @notice Trip `asset`'s price scope: fewer fresh sources than the quorum.
    /// @dev Only the OracleAggregator (ORACLE_ROLE).
    function reportQuorumLoss(address asset, uint256 freshSources, uint256 quorum) external;

    /// @notice Trip the GLOBAL scope: the L2 sequencer is down.
    /// @dev Only the OracleAggregator (ORACLE_ROLE).
    function reportSequencerDown() external;

    /// @notice Pause `scope` at once, with no delay.
    /// @dev Only the guardian (GUARDIAN_ROLE). `reason` is free text for operators, emitted as a hash.
    function pause(bytes32 scope, string calldata reason) external;

    /// @notice Resume `scope` after its cooldown; starts its grace period.
    /// @dev Only governance (GOVERNOR_ROLE, held by the timelock). Reverts `ScopeNotTripped`,
    /// `CooldownNotElapsed`.
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
    /// @dev Only protected vaults (VAULT_ROLE).
    function recordOutflow(address token, uint256 amount) external;

    /// @notice Record `amount` of `token` entering a protected vault. O(1).
    /// @dev Only protected vaults (VAULT_ROLE).
    function recordInflow(address token, uint256 amount) external;

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The state of `scope`.
    function scopeState(bytes32 scope) external view returns (ScopeState memory);

    /// @notice Whether `scope` is tripped.
    function isTripped(bytes32 scope) external view returns (bool);

    /// @notice How much of `token` may leave now without reverting.
    function outflowCapacity(address token) external view returns (uint256);
}
