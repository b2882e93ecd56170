// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VaultGatedNoopMock} from "./VaultGatedNoopMock.sol";

/// @notice Test-only: GuardedTargetMock without the guards (the benchmark's reference). It has exactly the same
/// external functions (same selectors, so the same dispatch cost) and the same storage writes; its rate-limit calls
/// go to a VaultGatedNoopMock: the same access check (the mirrored VAULT_ROLE), with no bookkeeping.
contract UnguardedTargetMock {
    uint256 public counter = 1;
    /// @dev Named like GuardedTargetMock's getter so both contracts have the same selectors.
    VaultGatedNoopMock public immutable BREAKER;

    constructor(VaultGatedNoopMock sink) {
        BREAKER = sink;
    }

    function withdrawAction() external {
        counter += 1;
    }

    function depositAction() external {
        counter += 1;
    }

    function writeAction(address /* asset */) external {
        counter += 1;
    }

    function settleAction(address /* asset */) external {
        counter += 1;
    }

    function liquidateAction(address /* asset */) external {
        counter += 1;
    }

    function riskReducingAction() external {
        counter += 1;
    }

    function withdraw(address /* token */, uint256 /* amount */) external {
        counter += 1;
    }

    function deposit(address /* token */, uint256 /* amount */) external {
        counter += 1;
    }

    function recordOutflow(address token, uint256 amount) external {
        BREAKER.recordOutflow(token, amount);
        counter += 1;
    }

    function recordOutflowTwice(address token, uint256 first, uint256 second) external {
        BREAKER.recordOutflow(token, first);
        BREAKER.recordOutflow(token, second);
        counter += 1;
    }

    function depositThenWithdraw(
        address /* token */,
        uint256 /* amount */,
        uint256 /* withdrawn */
    ) external {
        counter += 1;
    }
}
