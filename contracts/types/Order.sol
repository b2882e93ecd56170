// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The side an order takes: a buyer pays the premium and receives longs; a seller receives it and goes short
/// (or sells longs it holds).
enum Side {
    Buy,
    Sell
}

/// @notice A signed order of OptionsExchange, flat as EIP-712 hashes it (see docs/exchange.md).
/// @param accountId The clearing account the order trades from.
/// @param owner The account's owner (checked against the clearing at fill time).
/// @param signer The owner, or an operator the owner has approved in the clearing (read at fill time).
/// @param seriesId The option series.
/// @param side Buy or Sell.
/// @param amount Contracts, 18 decimals (1e18 = one option on one whole unit of the underlying).
/// @param limitPremiumPerContract Quote units per 1e18 contracts: the most a buyer pays, the least a seller takes.
/// @param maxFeePerContract Quote units per 1e18 contracts: the most fee the signer accepts.
/// @param expiry Unix time after which the order no longer fills.
/// @param nonce At least the owner's `minNonce` for the order to fill.
/// @param taker Zero, or the only owner whose account may be the counterparty.
/// @param executor Zero, or the only address that may submit the order.
/// @param flags OrderLib.FLAG_REDUCE_ONLY, OrderLib.FLAG_FILL_OR_KILL.
struct Order {
    uint256 accountId;
    address owner;
    address signer;
    uint256 seriesId;
    Side side;
    uint256 amount;
    uint256 limitPremiumPerContract;
    uint256 maxFeePerContract;
    uint64 expiry;
    uint256 nonce;
    address taker;
    address executor;
    uint8 flags;
}

using OrderLib for Order global;

/// @title OrderLib
/// @notice The EIP-712 struct hash of an Order and its flag bits.
library OrderLib {
    /// @notice keccak256 of the EIP-712 type string of Order.
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(uint256 accountId,address owner,address signer,uint256 seriesId,uint8 side,uint256 amount,"
        "uint256 limitPremiumPerContract,uint256 maxFeePerContract,uint64 expiry,uint256 nonce,address taker,"
        "address executor,uint8 flags)"
    );
    /// @notice The fill may only reduce the signer's position in the series (never open, grow or flip it).
    uint8 internal constant FLAG_REDUCE_ONLY = 1;
    /// @notice The order fills whole in one call or not at all.
    uint8 internal constant FLAG_FILL_OR_KILL = 2;
    /// @notice Every flag bit the exchange knows.
    uint8 internal constant KNOWN_FLAGS = FLAG_REDUCE_ONLY | FLAG_FILL_OR_KILL;

    /// @notice The EIP-712 struct hash: every field is static, so the struct encodes as its words in order.
    function structHash(Order calldata order) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_TYPEHASH, order));
    }

    function isReduceOnly(Order calldata order) internal pure returns (bool) {
        return order.flags & FLAG_REDUCE_ONLY != 0;
    }

    function isFillOrKill(Order calldata order) internal pure returns (bool) {
        return order.flags & FLAG_FILL_OR_KILL != 0;
    }
}
