// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RestrictedNoopMock} from "./RestrictedNoopMock.sol";

/// @notice Test-only: GuardedTargetMock without the guards (the benchmark's reference). Its rate-limit calls go to a
/// RestrictedNoopMock: the same restricted call through the same AccessManager, with no bookkeeping.
contract UnguardedTargetMock {
    uint256 public counter = 1;
    RestrictedNoopMock public immutable SINK;

    constructor(RestrictedNoopMock sink) {
        SINK = sink;
    }

    function withdrawAction() external {
        counter += 1;
    }

    function writeAction(address /* asset */) external {
        counter += 1;
    }

    function liquidateAction(address /* asset */) external {
        counter += 1;
    }

    function withdraw(address /* token */, uint256 /* amount */) external {
        counter += 1;
    }

    function recordOutflow(address token, uint256 amount) external {
        SINK.recordOutflow(token, amount);
        counter += 1;
    }

    function recordOutflowTwice(address token, uint256 first, uint256 second) external {
        SINK.recordOutflow(token, first);
        SINK.recordOutflow(token, second);
        counter += 1;
    }
}
