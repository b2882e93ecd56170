// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @notice TEMPORARY test-only stand-in for the CircuitBreaker until it lands on main (issue 4). No access
/// control; scopes are tripped and resumed by anyone; the outflow limit is a settable remaining capacity.
contract BreakerStub is ICircuitBreaker {
    mapping(bytes32 scope => ScopeState state) private _states;
    mapping(address token => uint256 capacity) private _capacity;
    mapping(address token => bool limited) private _limited;

    event InflowRecorded(address indexed token, uint256 amount);

    function setOutflowCapacity(address token, uint256 capacity) external {
        _capacity[token] = capacity;
        _limited[token] = true;
    }

    function reportPriceBandBreach(address asset, uint256, uint256) external {
        _trip(Scopes.asset(asset), TripReason.PriceBand);
    }

    function reportQuorumLoss(address asset, uint256, uint256) external {
        _trip(Scopes.asset(asset), TripReason.QuorumLost);
    }

    function reportSequencerDown() external {
        _trip(Scopes.GLOBAL, TripReason.SequencerDown);
    }

    function pause(bytes32 scope, string calldata) external {
        _trip(scope, TripReason.GuardianPause);
    }

    function resume(bytes32 scope) external {
        if (_states[scope].reason == TripReason.None) revert ScopeNotTripped(scope);
        _states[scope] = ScopeState(TripReason.None, _states[scope].trippedAt, uint64(block.timestamp));
        emit Resumed(scope, msg.sender, uint64(block.timestamp));
    }

    function checkScope(bytes32 scope) public view {
        _check(scope);
        _check(Scopes.GLOBAL);
    }

    function checkAction(bytes32 actionScope, address asset) external view {
        checkScope(actionScope);
        _check(Scopes.asset(asset));
    }

    function checkLiquidation(address asset) external view {
        checkScope(Scopes.LIQUIDATE);
        _check(Scopes.asset(asset));
    }

    function recordOutflow(address token, uint256 amount) external {
        if (!_limited[token]) return;
        uint256 available = _capacity[token];
        if (amount > available) revert OutflowLimitExceeded(token, amount, available);
        _capacity[token] = available - amount;
    }

    function recordInflow(address token, uint256 amount) external {
        emit InflowRecorded(token, amount);
    }

    function scopeState(bytes32 scope) external view returns (ScopeState memory) {
        return _states[scope];
    }

    function isTripped(bytes32 scope) external view returns (bool) {
        return _states[scope].reason != TripReason.None;
    }

    function outflowCapacity(address token) external view returns (uint256) {
        return _limited[token] ? _capacity[token] : type(uint256).max;
    }

    function _trip(bytes32 scope, TripReason reason) private {
        _states[scope] = ScopeState(reason, uint64(block.timestamp), 0);
        emit Tripped(scope, reason, msg.sender, bytes32(0));
    }

    function _check(bytes32 scope) private view {
        ScopeState memory state = _states[scope];
        if (state.reason != TripReason.None) revert ScopeTripped(scope, state.reason, state.trippedAt);
    }
}
