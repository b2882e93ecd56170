// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Order, OrderLib} from "../types/Order.sol";

/// @notice Test-only: exposes OrderLib so the TypeScript mirror of the Order type can be checked.
contract OrderHashHarness {
    function typehash() external pure returns (bytes32) {
        return OrderLib.ORDER_TYPEHASH;
    }

    function structHash(Order calldata order) external pure returns (bytes32) {
        return order.structHash();
    }
}
