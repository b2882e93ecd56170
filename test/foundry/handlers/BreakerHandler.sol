// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../../../contracts/interfaces/ICircuitBreaker.sol";
import {ProtocolTimelock} from "../../../contracts/governance/ProtocolTimelock.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice The guardian's pauses and the governance resumes through the timelock (queued, then executed once the
/// delay and the breaker's cooldown have passed: the governance waits for them).
contract BreakerHandler is HandlerBase {
    struct Queued {
        bytes32 scope;
        bytes32 salt;
        uint256 readyAt;
    }

    Queued[] internal _queue;
    uint256 internal _salt;

    constructor(World world_) HandlerBase(world_) {}

    function pause(uint256 scopeSeed) external {
        bytes32 scope = _scope(scopeSeed);
        ICircuitBreaker b = ICircuitBreaker(address(world.breaker()));
        address guardian = world.guardian();
        vm.prank(guardian);
        try b.pause(scope, "invariant campaign") {
            if (!b.isTripped(scope)) _violate(INV_BREAKER_GUARDS, "a guardian pause left its scope untripped");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @notice The governor proposes the resume of a tripped scope to the timelock.
    function queueResume(uint256 scopeSeed) external {
        bytes32 scope = _trippedScope(scopeSeed);
        bytes32 salt = bytes32(++_salt);
        (address governor, address breaker) = (world.governor(), address(world.breaker()));
        ProtocolTimelock timelock = world.timelock();
        vm.prank(governor);
        timelock.schedule(breaker, 0, _resumeCall(scope), bytes32(0), salt, 2 days);
        _queue.push(Queued(scope, salt, block.timestamp + 2 days));
    }

    /// @notice Anyone executes a queued resume once ready (time passes until it is). With none queued, the governor
    /// first proposes the resume of every tripped scope (the end of an incident).
    function executeResume(uint256 indexSeed) external {
        if (_queue.length == 0) _queueAllTripped();
        if (_queue.length == 0) revert("nothing tripped");
        uint256 i = indexSeed % _queue.length;
        Queued memory q = _queue[i];
        _queue[i] = _queue[_queue.length - 1];
        _queue.pop();
        ICircuitBreaker b = ICircuitBreaker(address(world.breaker()));
        uint256 readyAt = q.readyAt;
        uint256 resumableAt = b.resumableAt(q.scope);
        if (resumableAt > readyAt) readyAt = resumableAt;
        if (readyAt > block.timestamp) _warp(readyAt - block.timestamp);
        ProtocolTimelock timelock = world.timelock();
        try timelock.execute(address(b), 0, _resumeCall(q.scope), bytes32(0), q.salt) {
            if (b.isTripped(q.scope)) _violate(INV_BREAKER_GUARDS, "an executed resume left its scope tripped");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    function _queueAllTripped() private {
        ICircuitBreaker b = ICircuitBreaker(address(world.breaker()));
        address governor = world.governor();
        ProtocolTimelock timelock = world.timelock();
        for (uint256 k; k < 8; ++k) {
            bytes32 scope = _scope(k);
            if (!b.isTripped(scope)) continue;
            bytes32 salt = bytes32(++_salt);
            vm.prank(governor);
            timelock.schedule(address(b), 0, _resumeCall(scope), bytes32(0), salt, 2 days);
            _queue.push(Queued(scope, salt, block.timestamp + 2 days));
        }
    }

    function queued() external view returns (uint256) {
        return _queue.length;
    }

    function _resumeCall(bytes32 scope) private pure returns (bytes memory) {
        return abi.encodeCall(ICircuitBreaker.resume, (scope));
    }

    function _scope(uint256 seed) internal view returns (bytes32) {
        uint256 i = seed % 8;
        if (i == 0) return Scopes.DEPOSIT;
        if (i == 1) return Scopes.WITHDRAW;
        if (i == 2) return Scopes.WRITE;
        if (i == 3) return Scopes.LIQUIDATE;
        if (i == 4) return Scopes.SETTLE;
        if (i == 5) return Scopes.GLOBAL;
        if (i == 6) return _wethScope();
        return Scopes.TRADE;
    }

    /// @dev A tripped scope, searched from the seed's; the seed's own when none is tripped.
    function _trippedScope(uint256 seed) private view returns (bytes32) {
        ICircuitBreaker b = ICircuitBreaker(address(world.breaker()));
        for (uint256 k; k < 8; ++k) {
            bytes32 scope = _scope(seed + k);
            if (b.isTripped(scope)) return scope;
        }
        return _scope(seed);
    }
}
