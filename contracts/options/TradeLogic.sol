// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {Trade, TradeLib} from "../types/Trade.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import {AUCTION_HEARTBEAT_SECONDS} from "./ConstantsLib.sol";
import {MarginLogic} from "./MarginLogic.sol";

/// @title TradeLogic
/// @notice Settlement of trades matched by OptionsExchange on the clearing's ledger (see IOptionsClearing.trade and
/// docs/exchange.md). An external library of OptionsClearing (linked at deployment, called by DELEGATECALL), so the
/// clearing contract stays under the EIP-170 size limit. It runs in the clearing contract's context, and carries
/// MarginLogic's valuation compiled in (one DELEGATECALL per trade, none per margin check).
library TradeLogic {
    /// @notice Contracts per premium unit: premiums and fees are quoted per 1e18 contracts.
    uint256 internal constant CONTRACT_UNIT = 1e18;

    /// @dev One account of the call: whether any of its sides grew a position, and, for an account whose first side
    /// reduces, its margin excess before it (measured only if the account then held a short or debt).
    struct Party {
        uint256 accountId;
        bool grew;
        bool assessed;
        bool measured;
        int256 excessBeforeWad;
    }

    /// @notice See IOptionsClearing.trade. The caller checked EXCHANGE_ROLE.
    function trade(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        AccountLogic.Quote memory quote,
        Trade[] calldata trades,
        uint256 feeAccountId
    ) public {
        uint256 n = trades.length;
        if (n == 0) revert IOptionsClearing.ZeroAmount();
        if ($.owner[feeAccountId] == address(0)) revert IOptionsClearing.AccountNotFound(feeAccountId);
        Party[] memory parties = new Party[](2 * n);
        uint256 count;
        uint256 feeShares;
        for (uint256 i; i < n; ++i) {
            Trade calldata t = trades[i];
            uint256 s;
            uint256 b;
            (s, count) = _party($, quote, parties, count, t.sellerAccountId);
            (b, count) = _party($, quote, parties, count, t.buyerAccountId);
            if (s == b) revert IOptionsClearing.SelfTrade(t.sellerAccountId);
            _move($, ctx, parties[s], parties[b], t);
            feeShares += _pay($, quote, t);
        }
        if (feeShares != 0) {
            $.collateral[feeAccountId][address(quote.vault)] += feeShares;
        }
        for (uint256 i; i < count; ++i) _checkMargin($, ctx, parties[i]);
    }

    /// @dev The index of `accountId` among the call's parties, added (and lazily settled) on first sight.
    function _party(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        Party[] memory parties,
        uint256 count,
        uint256 accountId
    ) private returns (uint256 index, uint256) {
        for (uint256 i; i < count; ++i) if (parties[i].accountId == accountId) return (i, count);
        if ($.owner[accountId] == address(0)) revert IOptionsClearing.AccountNotFound(accountId);
        AccountLogic.settlePending($, quote, accountId);
        parties[count].accountId = accountId;
        return (count, count + 1);
    }

    /// @dev Move the position from seller to buyer after the per-side checks; guard a risk-increasing trade.
    function _move(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        Party memory seller,
        Party memory buyer,
        Trade calldata t
    ) private {
        IOptionsClearing.Series storage series = $.series[t.seriesId];
        if (series.underlying == address(0)) revert IOptionsClearing.SeriesNotListed(t.seriesId);
        if (block.timestamp >= series.expiry)
            revert IOptionsClearing.SeriesExpired(t.seriesId, series.expiry);
        if (t.amount == 0) revert IOptionsClearing.ZeroAmount();
        if (t.amount > uint256(type(int256).max)) revert IOptionsClearing.AmountTooLarge(t.amount);
        int256 sellerBefore = $.position[seller.accountId][t.seriesId];
        int256 buyerBefore = $.position[buyer.accountId][t.seriesId];
        bool sellerGrows = _side($, ctx, seller, t, sellerBefore, true);
        bool buyerGrows = _side($, ctx, buyer, t, buyerBefore, false);
        if (sellerGrows || buyerGrows)
            _guard($, ctx, series.underlying, t.seriesId, sellerBefore, buyerBefore, int256(t.amount));
        AccountLogic.movePosition($, seller.accountId, buyer.accountId, t.seriesId, int256(t.amount));
    }

    /// @dev The guards of a trade that grows a position: the breaker's TRADE, WRITE, the underlying's and GLOBAL
    /// scopes; no new shorts in an impaired series (new longs would share the loss written off before them).
    function _guard(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        address underlying,
        uint256 seriesId,
        int256 sellerBefore,
        int256 buyerBefore,
        int256 amount
    ) private view {
        if (ctx.breaker.trippedScopeCount() != 0) {
            ctx.breaker.checkScope(Scopes.TRADE);
            ctx.breaker.checkAction(Scopes.WRITE, underlying);
        }
        uint256 shortsAfter = _shorts(sellerBefore - amount) + _shorts(buyerBefore + amount);
        if (shortsAfter > _shorts(sellerBefore) + _shorts(buyerBefore)) {
            uint256 written = $.writtenOff[seriesId];
            if (written != 0) revert IOptionsClearing.SeriesImpaired(seriesId, written);
        }
    }

    /// @dev Check one side: reduce-only honoured, no growth during a liquidation auction; measure the margin excess
    /// of an account whose first side reduces.
    function _side(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        Party memory party,
        Trade calldata t,
        int256 before,
        bool isSeller
    ) private view returns (bool grows) {
        // A side reduces when it only moves its position toward zero: the seller sells longs it holds, the buyer
        // buys back shorts it owes.
        int256 amount = int256(t.amount);
        grows = isSeller ? before < amount : before > -amount;
        if (grows) {
            uint8 reduceOnlyFlag = isSeller ? TradeLib.SELLER_REDUCE_ONLY : TradeLib.BUYER_REDUCE_ONLY;
            if (t.flags & reduceOnlyFlag != 0)
                revert IOptionsClearing.ReduceOnlyViolated(party.accountId, t.seriesId, before, t.amount);
            ClearingStorage.Auction memory a = $.auction[party.accountId];
            if (a.since != 0 && block.timestamp - a.lastSeen <= AUCTION_HEARTBEAT_SECONDS) {
                revert IOptionsClearing.AccountInLiquidation(party.accountId, a.since);
            }
            party.grew = true;
        } else if (!party.grew && !party.assessed) {
            party.assessed = true;
            // An account with no short and no debt has no requirement before, nor after only reducing sides.
            if (_mayOwe($, party.accountId)) {
                party.measured = true;
                party.excessBeforeWad = _excess($, ctx, party.accountId);
            }
        }
    }

    /// @dev Move the premium and fees of `t` in quote-vault shares; returns the fee account's shares.
    function _pay(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        Trade calldata t
    ) private returns (uint256 feeShares) {
        uint256 price = t.premiumPerContract;
        if (price <= t.sellerFeePerContract) revert IOptionsClearing.DustTrade(t.seriesId, t.amount, price);
        // The buyer pays at least, and the seller receives at most, what the signed price is worth.
        uint256 paidAssets = Math.mulDiv(
            t.amount,
            price + t.buyerFeePerContract,
            CONTRACT_UNIT,
            Math.Rounding.Ceil
        );
        uint256 receivedAssets = Math.mulDiv(t.amount, price - t.sellerFeePerContract, CONTRACT_UNIT);
        uint256 receivedShares = receivedAssets == 0 ? 0 : quote.vault.convertToShares(receivedAssets);
        if (receivedShares == 0) revert IOptionsClearing.DustTrade(t.seriesId, t.amount, price);
        uint256 paidShares = quote.vault.previewWithdraw(paidAssets);
        address vault = address(quote.vault);
        uint256 available = $.collateral[t.buyerAccountId][vault];
        if (paidShares > available) {
            revert IOptionsClearing.InsufficientCollateral(t.buyerAccountId, vault, paidShares, available);
        }
        $.collateral[t.buyerAccountId][vault] = available - paidShares;
        $.collateral[t.sellerAccountId][vault] += receivedShares;
        // A seller with settlement debt repays it from the premium, as a deposit of quote shares would.
        AccountLogic.repayDebt($, quote, t.sellerAccountId);
        feeShares = paidShares - receivedShares;
        emit IOptionsClearing.Traded(
            t.sellerAccountId,
            t.buyerAccountId,
            t.seriesId,
            t.amount,
            paidShares,
            receivedShares
        );
    }

    /// @dev One margin check per account: initial for an account whose position grew; for an account whose every side
    /// reduced, initial or no less excess over maintenance than before the call.
    function _checkMargin(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        Party memory party
    ) private {
        uint256 accountId = party.accountId;
        if (party.grew) {
            // An account with no short and no debt has no requirement: nothing to price.
            if (_mayOwe($, accountId)) MarginLogic.enforceInitial($, ctx, accountId);
            return;
        }
        if (!party.measured) return;
        (uint256 collateralWad, uint256 maintenanceWad, uint256 initialWad) = MarginLogic.valuation(
            $,
            ctx,
            accountId
        );
        if (collateralWad >= initialWad) return;
        int256 excessAfterWad = SafeCast.toInt256(collateralWad) - SafeCast.toInt256(maintenanceWad);
        if (excessAfterWad < party.excessBeforeWad) {
            revert IOptionsClearing.MarginExcessDecreased(accountId, party.excessBeforeWad, excessAfterWad);
        }
    }

    /// @dev The account's collateral value less its maintenance requirement.
    function _excess(
        ClearingStorage.Layout storage $,
        MarginLogic.Context memory ctx,
        uint256 accountId
    ) private view returns (int256) {
        (uint256 collateralWad, uint256 maintenanceWad, ) = MarginLogic.valuation($, ctx, accountId);
        return SafeCast.toInt256(collateralWad) - SafeCast.toInt256(maintenanceWad);
    }

    /// @dev Whether the account holds a short or settlement debt (else its requirement is zero).
    function _mayOwe(ClearingStorage.Layout storage $, uint256 accountId) private view returns (bool) {
        if ($.debt[accountId] != 0) return true;
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 n = ids.length;
        for (uint256 i; i < n; ++i) if ($.position[accountId][ids[i]] < 0) return true;
        return false;
    }

    function _shorts(int256 position) private pure returns (uint256) {
        return position < 0 ? uint256(-position) : 0;
    }
}
