// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One matched trade as OptionsExchange hands it to OptionsClearing.trade: `amount` contracts of a series
/// move from the seller's account to the buyer's at `premiumPerContract`, each side paying its own fee.
/// @param sellerAccountId Goes short by `amount` (or sells longs it holds).
/// @param buyerAccountId Receives `amount` longs in its account (or buys back shorts it holds).
/// @param seriesId The option series.
/// @param amount Contracts, 18 decimals.
/// @param premiumPerContract Quote units per 1e18 contracts (the maker's signed price).
/// @param sellerFeePerContract Quote units per 1e18 contracts, taken from the seller's premium.
/// @param buyerFeePerContract Quote units per 1e18 contracts, paid by the buyer on top of the premium.
/// @param flags TradeLib.SELLER_REDUCE_ONLY, TradeLib.BUYER_REDUCE_ONLY.
struct Trade {
    uint256 sellerAccountId;
    uint256 buyerAccountId;
    uint256 seriesId;
    uint256 amount;
    uint256 premiumPerContract;
    uint256 sellerFeePerContract;
    uint256 buyerFeePerContract;
    uint8 flags;
}

/// @title TradeLib
/// @notice Flag bits of a Trade.
library TradeLib {
    /// @notice The seller's side must only reduce its position (it signed a reduce-only order).
    uint8 internal constant SELLER_REDUCE_ONLY = 1;
    /// @notice The buyer's side must only reduce its position.
    uint8 internal constant BUYER_REDUCE_ONLY = 2;
}
