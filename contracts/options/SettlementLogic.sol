// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import {FALLBACK_MAX_DEVIATION_WAD, SETTLEMENT_WINDOW_SECONDS} from "./ConstantsLib.sol";

/// @title SettlementLogic
/// @notice Fixing a series' settlement price and payout (from the oracle's live price within the settlement window,
/// from its first round in the window after it, or from governance's bounded fallback), paying exercised longs from
/// their series' pool, and the lazy settlement of accounts. An external library of OptionsClearing (linked at
/// deployment, called by DELEGATECALL), so the clearing contract stays under the EIP-170 size limit. O(1): no loop
/// over holders or accounts; accounts are settled lazily (`AccountLogic.settlePending`).
library SettlementLogic {
    using WadMath for uint256;

    /// @notice See IOptionsClearing.settle. The caller checked the breaker (SETTLE and the underlying's scope).
    /// Settlement always aggregates the oracle's sources live: the price must be observed at or after expiry.
    function settle(ClearingStorage.Layout storage $, IPriceOracle oracle, uint256 seriesId) public {
        IOptionsClearing.Series storage s = _unsettled($, seriesId);
        if (block.timestamp < s.expiry) revert IOptionsClearing.SeriesNotExpired(seriesId, s.expiry);
        uint256 windowEnd = uint256(s.expiry) + SETTLEMENT_WINDOW_SECONDS;
        if (block.timestamp > windowEnd) revert IOptionsClearing.SettlementWindowClosed(seriesId, windowEnd);
        (uint256 priceWad, uint256 observedAt) = oracle.getPrice(s.underlying);
        if (observedAt < s.expiry || observedAt > windowEnd) {
            revert IOptionsClearing.SettlementPriceOutsideWindow(seriesId, observedAt, s.expiry, windowEnd);
        }
        _fix($, seriesId, s, priceWad, false);
    }

    /// @notice See IOptionsClearing.settleFromRound. The caller checked the breaker (SETTLE and the underlying's
    /// scope): a round recorded while the scope was tripped settles only once governance has resumed it.
    function settleFromRound(
        ClearingStorage.Layout storage $,
        IPriceOracle oracle,
        uint256 seriesId,
        uint80 roundId
    ) public {
        IOptionsClearing.Series storage s = _unsettled($, seriesId);
        uint256 windowEnd = _closedWindowEnd(seriesId, s);
        IOracleAggregator aggregator = IOracleAggregator(address(oracle));
        (uint256 priceWad, uint256 observedAt) = aggregator.roundData(s.underlying, roundId);
        (, uint256 previousAt) = roundId > 1 ? aggregator.roundData(s.underlying, roundId - 1) : (0, 0);
        // Only the first round observed at or after expiry: the caller has no choice among the window's rounds.
        if (observedAt < s.expiry || observedAt > windowEnd || previousAt >= s.expiry) {
            revert IOptionsClearing.NotFirstRoundAfterExpiry(seriesId, roundId, observedAt, previousAt);
        }
        _fix($, seriesId, s, priceWad, false);
    }

    /// @notice See IOptionsClearing.settleWithFallbackPrice. The caller checked the governance role.
    function settleWithFallbackPrice(
        ClearingStorage.Layout storage $,
        IPriceOracle oracle,
        uint256 seriesId,
        uint256 priceWad,
        uint80 referenceRoundId
    ) public {
        IOptionsClearing.Series storage s = _unsettled($, seriesId);
        uint256 windowEnd = _closedWindowEnd(seriesId, s);
        if (priceWad == 0) revert IOptionsClearing.InvalidSettlementPrice(priceWad);
        IOracleAggregator aggregator = IOracleAggregator(address(oracle));
        (uint256 referenceWad, uint256 referenceAt) = referenceRoundId == 0
            ? (0, 0)
            : aggregator.roundData(s.underlying, referenceRoundId);
        (, uint256 nextAt) = aggregator.roundData(s.underlying, referenceRoundId + 1);
        // The reference is the last round observed before expiry (0: none), and no round was observed in the window
        // (it would settle the series through `settleFromRound`).
        if (
            (referenceRoundId != 0 && (referenceAt == 0 || referenceAt >= s.expiry)) ||
            (nextAt != 0 && nextAt <= windowEnd)
        ) revert IOptionsClearing.InvalidReferenceRound(seriesId, referenceRoundId, referenceAt, nextAt);
        if (referenceWad != 0) {
            uint256 lowWad = referenceWad.mulWadUp(WadMath.WAD - FALLBACK_MAX_DEVIATION_WAD);
            uint256 highWad = referenceWad.mulWadDown(WadMath.WAD + FALLBACK_MAX_DEVIATION_WAD);
            if (priceWad < lowWad || priceWad > highWad) {
                revert IOptionsClearing.FallbackPriceOutOfBounds(seriesId, priceWad, lowWad, highWad);
            }
        }
        _fix($, seriesId, s, priceWad, true);
    }

    /// @notice See IOptionsClearing.settleAccount: the account's lazy settlement (`AccountLogic.settlePending`), run
    /// here so the clearing contract carries its code once, outside its own bytecode.
    function settleAccount(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        uint256 accountId
    ) public {
        AccountLogic.settlePending($, quote, accountId);
    }

    /// @notice Repay the account's settlement debt from its quote collateral (`AccountLogic.repayDebt`).
    function repayDebt(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        uint256 accountId
    ) public {
        AccountLogic.repayDebt($, quote, accountId);
    }

    /// @notice See IOptionsClearing.exercise: pay `amount` burnt longs of `seriesId` to `to` from the series' own pool.
    function payExercise(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        uint256 seriesId,
        uint256 amount,
        address to
    ) public returns (uint256 paidAssets) {
        paidAssets = amount.mulWadDown(AccountLogic.longPayout($, seriesId)).fromWadDown(quote.decimals);
        emit IOptionsClearing.Exercised(seriesId, msg.sender, to, amount, paidAssets);
        if (paidAssets == 0) return 0;
        uint256 sharesNeeded = quote.vault.previewWithdraw(paidAssets);
        uint256 pool = $.seriesPool[seriesId];
        if (sharesNeeded > pool)
            revert IOptionsClearing.InsufficientSettledFunds(seriesId, sharesNeeded, pool);
        $.seriesPool[seriesId] = pool - sharesNeeded;
        quote.vault.withdraw(paidAssets, to, address(this));
    }

    /// @dev The end of the series' settlement window, which must have passed.
    function _closedWindowEnd(
        uint256 seriesId,
        IOptionsClearing.Series storage s
    ) private view returns (uint256 windowEnd) {
        windowEnd = uint256(s.expiry) + SETTLEMENT_WINDOW_SECONDS;
        if (block.timestamp <= windowEnd)
            revert IOptionsClearing.SettlementWindowStillOpen(seriesId, windowEnd);
    }

    function _unsettled(
        ClearingStorage.Layout storage $,
        uint256 seriesId
    ) private view returns (IOptionsClearing.Series storage s) {
        s = $.series[seriesId];
        if (s.underlying == address(0)) revert IOptionsClearing.SeriesNotListed(seriesId);
        if (s.settled) revert IOptionsClearing.SeriesAlreadySettled(seriesId);
    }

    function _fix(
        ClearingStorage.Layout storage $,
        uint256 seriesId,
        IOptionsClearing.Series storage s,
        uint256 priceWad,
        bool byFallback
    ) private {
        uint256 payout;
        if (s.isCall) payout = priceWad > s.strikeWad ? priceWad - s.strikeWad : 0;
        else payout = s.strikeWad > priceWad ? s.strikeWad - priceWad : 0;
        s.settled = true;
        s.settlementPriceWad = priceWad;
        s.payoutPerContractWad = payout;
        // Socialised loss: shorts written off in bad-debt liquidations pay nothing, so every long receives the
        // payout scaled by shorts / (shorts + written off), fixed once here.
        uint256 writtenOffContracts = $.writtenOff[seriesId];
        if (writtenOffContracts != 0) {
            uint256 shorts = $.totals[seriesId].shorts;
            $.longPayout[seriesId] = Math.mulDiv(payout, shorts, shorts + writtenOffContracts);
        }
        emit IOptionsClearing.SeriesSettled(seriesId, priceWad, payout, byFallback);
    }
}
