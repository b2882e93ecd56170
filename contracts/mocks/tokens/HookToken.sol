// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @notice Test-only: ERC-777-style hooks. Before every transfer it calls the sender's registered hook
/// (tokensToSend), after it the receiver's (tokensReceived), bubbling any revert. A hook is any contract with calldata
/// set by its owner; it lets a test re-enter the vault from inside a transfer.
contract HookToken is MockERC20 {
    struct Hook {
        address target;
        bytes data;
    }

    mapping(address account => Hook hook) private _hooks;

    constructor() MockERC20("Hook token", "HOOK", 18) {}

    /// @notice Register the call `target.call(data)` made when the caller sends or receives tokens.
    function setHook(address target, bytes calldata data) external {
        _hooks[msg.sender] = Hook(target, data);
    }

    function _update(address from, address to, uint256 value) internal override {
        _callHook(from);
        super._update(from, to, value);
        _callHook(to);
    }

    function _callHook(address account) private {
        Hook storage hook = _hooks[account];
        if (hook.target == address(0)) return;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = hook.target.call(hook.data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }
}
