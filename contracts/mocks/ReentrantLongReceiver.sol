// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test-only: an ERC-1155 receiver that, when it receives tokens, calls `TARGET` with the calldata set by
/// `setReentryCall` and bubbles up any revert. Used to show that every guarded entry point of OptionsClearing
/// refuses to be re-entered from the long-token mint callback of `write` and `withdrawLongs`.
contract ReentrantLongReceiver is ERC1155Holder {
    /// @notice The contract the callback calls back into.
    address public immutable TARGET;
    /// @notice Calldata of the re-entrant call; empty means the callback just accepts the tokens.
    bytes public reentryCall;
    /// @notice Number of successful re-entrant calls made so far.
    uint256 public reentries;

    constructor(address target) {
        TARGET = target;
    }

    /// @notice Set the calldata of the call made back into `TARGET` on every receipt (empty: none).
    function setReentryCall(bytes calldata data) external {
        reentryCall = data;
    }

    /// @inheritdoc ERC1155Holder
    function onERC1155Received(
        address operator,
        address from,
        uint256 id,
        uint256 value,
        bytes memory data
    ) public override returns (bytes4) {
        _reenter();
        return super.onERC1155Received(operator, from, id, value, data);
    }

    /// @inheritdoc ERC1155Holder
    function onERC1155BatchReceived(
        address operator,
        address from,
        uint256[] memory ids,
        uint256[] memory values,
        bytes memory data
    ) public override returns (bytes4) {
        _reenter();
        return super.onERC1155BatchReceived(operator, from, ids, values, data);
    }

    function _reenter() private {
        if (reentryCall.length == 0) return;
        Address.functionCall(TARGET, reentryCall);
        ++reentries;
    }
}
