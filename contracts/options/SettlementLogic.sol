// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {ClearingStorage} from "./ClearingStorage.sol";

/// @title SettlementLogic
/// @notice Fixing a series' settlement price and payout, from the oracle within the settlement window or from
/// governance's fallback price after it. An external library of OptionsClearing (linked at deployment, called by
/// DELEGATECALL), so the clearing contract stays under the EIP-170 size limit. O(1): no loop over holders or
/// accounts; accounts are settled lazily (`AccountLogic.touch`).
library SettlementLogic {
    /// @notice How long after expiry the oracle's price is accepted; after it only the fallback applies.
    uint256 internal constant SETTLEMENT_WINDOW_SECONDS = 1 days;

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

    /// @notice See IOptionsClearing.settleWithFallbackPrice. The caller checked the governance role.
    function settleWithFallbackPrice(
        ClearingStorage.Layout storage $,
        uint256 seriesId,
        uint256 priceWad
    ) public {
        IOptionsClearing.Series storage s = _unsettled($, seriesId);
        uint256 windowEnd = uint256(s.expiry) + SETTLEMENT_WINDOW_SECONDS;
        if (block.timestamp <= windowEnd)
            revert IOptionsClearing.SettlementWindowStillOpen(seriesId, windowEnd);
        if (priceWad == 0) revert IOptionsClearing.InvalidSettlementPrice(priceWad);
        _fix($, seriesId, s, priceWad, true);
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
