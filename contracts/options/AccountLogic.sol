// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ClearingStorage} from "./ClearingStorage.sol";

/// @title AccountLogic
/// @notice Bookkeeping of clearing accounts shared by OptionsClearing and LiquidationLogic: position changes that keep
/// the series totals and the account's series list in step, lazy settlement of settled series, and repayment of
/// settlement debt from quote collateral. Internal library: no storage of its own, inlined into its users.
library AccountLogic {
    using WadMath for uint256;

    /// @notice Most series one account may hold at once: bounds every margin check.
    uint256 internal constant MAX_SERIES_PER_ACCOUNT = 8;

    /// @notice The quote vault and its asset's decimals.
    struct Quote {
        IERC4626 vault;
        uint8 decimals;
    }

    /// @dev Apply `delta` to a position and keep the series totals and the account's series list in step.
    function updatePosition(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        uint256 seriesId,
        int256 delta
    ) internal {
        int256 before = $.position[accountId][seriesId];
        int256 afterwards = before + delta;
        ClearingStorage.SeriesTotals storage t = $.totals[seriesId];
        t.shorts = SafeCast.toUint128(t.shorts - _negativePart(before) + _negativePart(afterwards));
        t.longsInAccounts = SafeCast.toUint128(
            t.longsInAccounts - _positivePart(before) + _positivePart(afterwards)
        );
        _setPosition($, accountId, seriesId, before, afterwards);
    }

    /// @dev `updatePosition(from, -moved)` then `updatePosition(to, +moved)`, with the series totals written once
    /// and only when the move changes them (a short or long moved whole between accounts leaves them unchanged).
    function movePosition(
        ClearingStorage.Layout storage $,
        uint256 from,
        uint256 to,
        uint256 seriesId,
        int256 moved
    ) internal {
        int256 fromBefore = $.position[from][seriesId];
        int256 toBefore = $.position[to][seriesId];
        int256 fromAfter = fromBefore - moved;
        int256 toAfter = toBefore + moved;
        uint256 shortsOut = _negativePart(fromBefore) + _negativePart(toBefore);
        uint256 shortsIn = _negativePart(fromAfter) + _negativePart(toAfter);
        uint256 longsOut = _positivePart(fromBefore) + _positivePart(toBefore);
        uint256 longsIn = _positivePart(fromAfter) + _positivePart(toAfter);
        if (shortsOut != shortsIn || longsOut != longsIn) {
            ClearingStorage.SeriesTotals storage t = $.totals[seriesId];
            t.shorts = SafeCast.toUint128(t.shorts - shortsOut + shortsIn);
            t.longsInAccounts = SafeCast.toUint128(t.longsInAccounts - longsOut + longsIn);
        }
        _setPosition($, from, seriesId, fromBefore, fromAfter);
        _setPosition($, to, seriesId, toBefore, toAfter);
    }

    /// @dev Store the position and keep the account's series list in step (the series cap applies on entry).
    function _setPosition(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        uint256 seriesId,
        int256 before,
        int256 afterwards
    ) private {
        $.position[accountId][seriesId] = afterwards;
        if (before == 0 && afterwards != 0) {
            uint256[] storage ids = $.seriesOf[accountId];
            if (ids.length >= MAX_SERIES_PER_ACCOUNT) {
                revert IOptionsClearing.TooManySeries(accountId, MAX_SERIES_PER_ACCOUNT);
            }
            ids.push(seriesId);
        } else if (before != 0 && afterwards == 0) {
            _removeSeries($, accountId, seriesId);
        }
    }

    /// @dev Lazy settlement: debit the account's settled shorts (as debt), repay its debt from quote collateral, then
    /// credit its settled longs, each only as far as the free pool (quote-vault shares held beyond what accounts own,
    /// filled by repaid debts) can pay: a long whose credit the pool cannot pay yet stays pending in the account, and
    /// no depositor's collateral ever pays another's payout (INV_SOLVENCY).
    function touch(ClearingStorage.Layout storage $, Quote memory quote, uint256 accountId) internal {
        uint256[] storage ids = $.seriesOf[accountId];
        for (uint256 i = ids.length; i > 0;) {
            --i;
            uint256 seriesId = ids[i];
            if ($.series[seriesId].settled && $.position[accountId][seriesId] < 0) {
                _settleShort($, accountId, seriesId);
            }
        }
        repayDebt($, quote, accountId);
        for (uint256 i = ids.length; i > 0;) {
            --i;
            uint256 seriesId = ids[i];
            if ($.series[seriesId].settled) _settleLong($, quote, accountId, seriesId);
        }
    }

    /// @dev Quote-vault shares the clearing holds beyond what accounts own: the pool that pays settled longs.
    function freeQuoteShares(
        ClearingStorage.Layout storage $,
        Quote memory quote
    ) internal view returns (uint256) {
        uint256 held = quote.vault.balanceOf(address(this));
        uint256 owned = $.totalCollateral[address(quote.vault)] + $.pendingPenaltyShares;
        return held > owned ? held - owned : 0;
    }

    /// @dev Pay the account's settlement debt from its quote-vault shares, as far as they go.
    function repayDebt(ClearingStorage.Layout storage $, Quote memory quote, uint256 accountId) internal {
        uint256 debtWad = $.debt[accountId];
        if (debtWad == 0) return;
        address vault = address(quote.vault);
        uint256 shares = $.collateral[accountId][vault];
        if (shares == 0) return;
        uint256 sharesNeeded = quote.vault.previewWithdraw(debtWad.fromWadUp(quote.decimals));
        uint256 paidShares;
        if (shares >= sharesNeeded) {
            paidShares = sharesNeeded;
            debtWad = 0;
        } else {
            paidShares = shares;
            uint256 paidWad = quote.vault.convertToAssets(shares).toWadDown(quote.decimals);
            debtWad = paidWad >= debtWad ? 0 : debtWad - paidWad;
        }
        $.collateral[accountId][vault] = shares - paidShares;
        $.totalCollateral[vault] -= paidShares;
        $.debt[accountId] = debtWad;
        emit IOptionsClearing.DebtUpdated(accountId, debtWad);
    }

    /// @dev What one long contract of a settled series receives: the payout, scaled down by the shorts written off
    /// in bad-debt liquidations (socialised loss), rounded down.
    function longPayout(ClearingStorage.Layout storage $, uint256 seriesId) internal view returns (uint256) {
        uint256 payout = $.series[seriesId].payoutPerContractWad;
        return $.writtenOff[seriesId] == 0 ? payout : $.longPayout[seriesId];
    }

    function _settleShort(ClearingStorage.Layout storage $, uint256 accountId, uint256 seriesId) private {
        int256 position = $.position[accountId][seriesId];
        uint256 debitWad = uint256(-position).mulWadUp($.series[seriesId].payoutPerContractWad);
        if (debitWad != 0) {
            $.debt[accountId] += debitWad;
            emit IOptionsClearing.DebtUpdated(accountId, $.debt[accountId]);
        }
        updatePosition($, accountId, seriesId, -position);
        emit IOptionsClearing.PositionSettled(accountId, seriesId, position, -SafeCast.toInt256(debitWad));
    }

    function _settleLong(
        ClearingStorage.Layout storage $,
        Quote memory quote,
        uint256 accountId,
        uint256 seriesId
    ) private {
        int256 position = $.position[accountId][seriesId];
        uint256 creditWad = uint256(position).mulWadDown(longPayout($, seriesId));
        uint256 shares = quote.vault.convertToShares(creditWad.fromWadDown(quote.decimals));
        if (shares != 0) {
            // Not yet paid in by the shorts: the position stays pending until the pool can pay it.
            if (shares > freeQuoteShares($, quote)) return;
            $.collateral[accountId][address(quote.vault)] += shares;
            $.totalCollateral[address(quote.vault)] += shares;
        }
        updatePosition($, accountId, seriesId, -position);
        emit IOptionsClearing.PositionSettled(accountId, seriesId, position, SafeCast.toInt256(creditWad));
    }

    function _removeSeries(ClearingStorage.Layout storage $, uint256 accountId, uint256 seriesId) private {
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 last = ids.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (ids[i] == seriesId) {
                ids[i] = ids[last];
                ids.pop();
                return;
            }
        }
    }

    function _negativePart(int256 x) private pure returns (uint256) {
        return x < 0 ? uint256(-x) : 0;
    }

    function _positivePart(int256 x) private pure returns (uint256) {
        return x > 0 ? uint256(x) : 0;
    }
}
