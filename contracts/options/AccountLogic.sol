// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {Position} from "../types/Position.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import {MAX_SERIES_PER_ACCOUNT} from "./ConstantsLib.sol";

/// @title AccountLogic
/// @notice Bookkeeping of clearing accounts shared by OptionsClearing and its logic libraries: position changes that
/// keep the series totals and the account's series list in step, the account's positions as the margin engine takes
/// them, lazy settlement of settled series and its read-only preview, repayment of settlement debt from quote
/// collateral into each series' own pool, and the move of debt in a liquidation. Internal library: no storage of its
/// own, inlined into its users.
library AccountLogic {
    using WadMath for uint256;

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

    /// @dev Store the position and keep the account's series list in step: a series is listed while its position or
    /// its settlement debt is non-zero (the series cap applies on entry).
    function _setPosition(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        uint256 seriesId,
        int256 before,
        int256 afterwards
    ) private {
        $.position[accountId][seriesId] = afterwards;
        if ((before == 0) == (afterwards == 0)) return;
        // Only a settled series carries settlement debt (its first slot is warm: every caller has read it).
        if ($.series[seriesId].settled && $.seriesDebt[accountId][seriesId] != 0) return;
        if (before == 0) listSeries($, accountId, seriesId);
        else _removeSeries($, accountId, seriesId);
    }

    /// @dev Add `seriesId` to the account's series list, within the cap.
    function listSeries(ClearingStorage.Layout storage $, uint256 accountId, uint256 seriesId) internal {
        uint256[] storage ids = $.seriesOf[accountId];
        if (ids.length >= MAX_SERIES_PER_ACCOUNT) {
            revert IOptionsClearing.TooManySeries(accountId, MAX_SERIES_PER_ACCOUNT);
        }
        ids.push(seriesId);
    }

    /// @dev The distinct underlyings of the account's unsettled series, in the list's order.
    function underlyingsOf(
        ClearingStorage.Layout storage $,
        uint256 accountId
    ) internal view returns (address[] memory underlyings) {
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 n = ids.length;
        underlyings = new address[](n);
        uint256 distinct;
        for (uint256 i; i < n; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            if (s.settled) continue;
            address u = s.underlying;
            uint256 j;
            while (j < distinct && underlyings[j] != u) ++j;
            if (j == distinct) underlyings[distinct++] = u;
        }
        assembly ("memory-safe") {
            mstore(underlyings, distinct)
        }
    }

    /// @dev The account's unsettled positions on `underlying` (its shorts only if `shortsOnly`), as the margin engine
    /// takes them.
    function positionsOn(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        address underlying,
        bool shortsOnly
    ) internal view returns (Position[] memory positions) {
        uint256[] storage ids = $.seriesOf[accountId];
        positions = new Position[](ids.length);
        uint256 k;
        for (uint256 i; i < ids.length; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            int256 amount = $.position[accountId][ids[i]];
            if (s.settled || s.underlying != underlying || (shortsOnly && amount > 0)) continue;
            positions[k++] = Position({
                strikeWad: s.strikeWad,
                expiry: s.expiry,
                isCall: s.isCall,
                amount: amount
            });
        }
        assembly ("memory-safe") {
            mstore(positions, k)
        }
    }

    /// @dev Lazy settlement: debit the account's settled shorts, each paid at once from quote collateral into its
    /// series' pool as far as it goes (the rest becomes debt of that series), repay older debt the same way, then
    /// credit its settled longs, each only as far as its own series' pool (filled by that series' payments) can pay:
    /// a long whose credit the pool cannot pay yet stays pending in the account, and no series' holders are ever paid
    /// with what another series' shorts paid in (INV_SERIES_SOLVENCY).
    function settlePending(ClearingStorage.Layout storage $, Quote memory quote, uint256 accountId) internal {
        uint256[] storage ids = $.seriesOf[accountId];
        for (uint256 i = ids.length; i > 0;) {
            --i;
            uint256 seriesId = ids[i];
            if ($.series[seriesId].settled && $.position[accountId][seriesId] < 0) {
                _settleShort($, quote, accountId, seriesId);
            }
        }
        repayDebt($, quote, accountId);
        for (uint256 i = ids.length; i > 0;) {
            --i;
            uint256 seriesId = ids[i];
            if ($.series[seriesId].settled && $.position[accountId][seriesId] > 0) {
                _settleLong($, quote, accountId, seriesId);
            }
        }
    }

    /// @dev What `settlePending` would leave, without writing: the account's settlement debt and quote-vault shares
    /// after it, and whether it would change the account at all. Step for step: settled shorts debited, each paid at
    /// once from the quote shares as far as they go (the rest owed to its series; a series left with neither position
    /// nor debt dropped from the list by the same swap-and-pop), older debt repaid series by series, then each settled
    /// long credited if its own series' pool (grown by these payments) can pay it.
    function previewSettlePending(
        ClearingStorage.Layout storage $,
        Quote memory quote,
        uint256 accountId
    ) internal view returns (uint256 debtWad, uint256 quoteShares, bool pending) {
        uint256[] memory ids = $.seriesOf[accountId];
        uint256 n = ids.length;
        uint256[] memory owed = new uint256[](n);
        uint256[] memory added = new uint256[](n);
        for (uint256 i; i < n; ++i) owed[i] = $.seriesDebt[accountId][ids[i]];
        debtWad = $.debt[accountId];
        quoteShares = $.collateral[accountId][address(quote.vault)];
        pending = debtWad != 0 && quoteShares != 0;
        for (uint256 i = n; i > 0;) {
            --i;
            int256 position = $.position[accountId][ids[i]];
            if (!$.series[ids[i]].settled || position >= 0) continue;
            pending = true;
            uint256 unpaidWad = uint256(-position).mulWadUp($.series[ids[i]].payoutPerContractWad);
            if (unpaidWad != 0 && quoteShares != 0) {
                (uint256 paidShares, uint256 paidWad) = payment(quote, unpaidWad, quoteShares);
                quoteShares -= paidShares;
                added[i] += paidShares;
                unpaidWad -= paidWad;
            }
            owed[i] += unpaidWad;
            debtWad += unpaidWad;
            if (owed[i] != 0) continue;
            --n;
            (ids[i], owed[i], added[i]) = (ids[n], owed[n], added[n]);
        }
        for (uint256 i = n; i > 0 && debtWad != 0 && quoteShares != 0;) {
            --i;
            if (owed[i] == 0) continue;
            (uint256 paidShares, uint256 paidWad) = payment(quote, owed[i], quoteShares);
            quoteShares -= paidShares;
            added[i] += paidShares;
            debtWad -= paidWad;
        }
        for (uint256 i; i < n; ++i) {
            uint256 id = ids[i];
            int256 position = $.position[accountId][id];
            if (!$.series[id].settled || position <= 0) continue;
            (uint256 shares, ) = longCredit($, quote, id, uint256(position));
            if (shares <= $.seriesPool[id] + added[i]) {
                quoteShares += shares;
                pending = true;
            }
        }
    }

    /// @dev Pay the account's settlement debt from its quote-vault shares, as far as they go, series by series (in
    /// the list's order from its end); each payment goes to its series' pool.
    function repayDebt(ClearingStorage.Layout storage $, Quote memory quote, uint256 accountId) internal {
        uint256 debtWad = $.debt[accountId];
        if (debtWad == 0) return;
        address vault = address(quote.vault);
        uint256 shares = $.collateral[accountId][vault];
        if (shares == 0) return;
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 spent;
        for (uint256 i = ids.length; i > 0 && spent < shares;) {
            --i;
            uint256 seriesId = ids[i];
            uint256 owedWad = $.seriesDebt[accountId][seriesId];
            if (owedWad == 0) continue;
            (uint256 paidShares, uint256 paidWad) = payment(quote, owedWad, shares - spent);
            spent += paidShares;
            $.seriesPool[seriesId] += paidShares;
            $.seriesDebt[accountId][seriesId] = owedWad - paidWad;
            debtWad -= paidWad;
            if (owedWad == paidWad && $.position[accountId][seriesId] == 0)
                _removeSeries($, accountId, seriesId);
        }
        $.collateral[accountId][vault] = shares - spent;
        $.totalCollateral[vault] -= spent;
        $.debt[accountId] = debtWad;
        emit IOptionsClearing.DebtUpdated(accountId, debtWad);
    }

    /// @dev What paying `owedWad` of debt from at most `availableShares` quote-vault shares takes and pays: the
    /// shares that withdraw the debt (rounded up) when they suffice, else all of them for what they redeem (down).
    function payment(
        Quote memory quote,
        uint256 owedWad,
        uint256 availableShares
    ) internal view returns (uint256 shares, uint256 paidWad) {
        uint256 sharesNeeded = quote.vault.previewWithdraw(owedWad.fromWadUp(quote.decimals));
        if (availableShares >= sharesNeeded) return (sharesNeeded, owedWad);
        paidWad = quote.vault.convertToAssets(availableShares).toWadDown(quote.decimals);
        return (availableShares, paidWad < owedWad ? paidWad : owedWad);
    }

    /// @dev Move `fractionWad` of the account's settlement debt, series by series, to another account (whose list
    /// gains the series it did not hold), rounded up and capped by the debt: the liquidator takes at least its share.
    function moveDebt(
        ClearingStorage.Layout storage $,
        uint256 from,
        uint256 to,
        uint256 fractionWad
    ) internal returns (uint256 movedTotal) {
        uint256 debtWad = $.debt[from];
        if (debtWad == 0) return 0;
        uint256[] memory ids = $.seriesOf[from];
        for (uint256 i; i < ids.length; ++i) {
            uint256 seriesId = ids[i];
            uint256 owedWad = $.seriesDebt[from][seriesId];
            if (owedWad == 0) continue;
            uint256 moved = Math.min(owedWad, owedWad.mulWadUp(fractionWad));
            $.seriesDebt[from][seriesId] = owedWad - moved;
            if (owedWad == moved && $.position[from][seriesId] == 0) _removeSeries($, from, seriesId);
            uint256 held = $.seriesDebt[to][seriesId];
            if (held == 0 && $.position[to][seriesId] == 0) listSeries($, to, seriesId);
            $.seriesDebt[to][seriesId] = held + moved;
            movedTotal += moved;
        }
        $.debt[from] = debtWad - movedTotal;
        $.debt[to] += movedTotal;
        emit IOptionsClearing.DebtUpdated(from, debtWad - movedTotal);
        emit IOptionsClearing.DebtUpdated(to, $.debt[to]);
    }

    /// @dev What one long contract of a settled series receives: the payout, scaled down by the shorts written off
    /// in bad-debt liquidations (socialised loss), rounded down.
    function longPayout(ClearingStorage.Layout storage $, uint256 seriesId) internal view returns (uint256) {
        uint256 payout = $.series[seriesId].payoutPerContractWad;
        return $.writtenOff[seriesId] == 0 ? payout : $.longPayout[seriesId];
    }

    /// @dev The quote-vault shares that credit `amount` settled longs of `seriesId` (rounded down) and their value.
    function longCredit(
        ClearingStorage.Layout storage $,
        Quote memory quote,
        uint256 seriesId,
        uint256 amount
    ) internal view returns (uint256 shares, uint256 creditWad) {
        creditWad = amount.mulWadDown(longPayout($, seriesId));
        shares = quote.vault.convertToShares(creditWad.fromWadDown(quote.decimals));
    }

    function _settleShort(
        ClearingStorage.Layout storage $,
        Quote memory quote,
        uint256 accountId,
        uint256 seriesId
    ) private {
        int256 position = $.position[accountId][seriesId];
        uint256 debitWad = uint256(-position).mulWadUp($.series[seriesId].payoutPerContractWad);
        if (debitWad != 0) {
            address vault = address(quote.vault);
            uint256 shares = $.collateral[accountId][vault];
            uint256 unpaidWad = debitWad;
            if (shares != 0) {
                (uint256 paidShares, uint256 paidWad) = payment(quote, debitWad, shares);
                $.collateral[accountId][vault] = shares - paidShares;
                $.totalCollateral[vault] -= paidShares;
                $.seriesPool[seriesId] += paidShares;
                unpaidWad -= paidWad;
            }
            if (unpaidWad != 0) {
                $.seriesDebt[accountId][seriesId] += unpaidWad;
                $.debt[accountId] += unpaidWad;
                emit IOptionsClearing.DebtUpdated(accountId, $.debt[accountId]);
            }
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
        (uint256 shares, uint256 creditWad) = longCredit($, quote, seriesId, uint256(position));
        if (shares != 0) {
            uint256 pool = $.seriesPool[seriesId];
            // Not yet paid in by the series' shorts: the position stays pending until its pool can pay it.
            if (shares > pool) return;
            $.seriesPool[seriesId] = pool - shares;
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
