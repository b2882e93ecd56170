// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IInsuranceVault} from "../interfaces/IInsuranceVault.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {Position} from "../types/Position.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import {AUCTION_HEARTBEAT_SECONDS, START_DISCOUNT_WAD} from "./ConstantsLib.sol";
import {InsuranceLogic} from "./InsuranceLogic.sol";
import {MarginLogic} from "./MarginLogic.sol";

/// @title LiquidationLogic
/// @notice Liquidation of clearing accounts (see IOptionsClearing.liquidate and docs/liquidation.md). An external
/// library of OptionsClearing (linked at deployment, called by DELEGATECALL), so the clearing contract stays under
/// the EIP-170 size limit. It runs in the clearing contract's context: `msg.sender` is the liquidator, token
/// balances and vault shares are the clearing contract's. The arithmetic is LiquidationMath's; penalties and
/// bad-debt cover are InsuranceLogic's.
library LiquidationLogic {
    using WadMath for uint256;

    uint256 internal constant WAD = WadMath.WAD;
    /// @notice The clearing contract's immutables liquidation needs.
    struct Context {
        MarginLogic.Context margin;
        AccountLogic.Quote quote;
        ICircuitBreaker breaker;
        IInsuranceVault insurance;
    }

    struct Params {
        uint256 accountId;
        uint256 liquidatorAccountId;
        uint256 maxFractionWad;
        uint256 minSeizedPerLiabilityWad;
        uint256 deadline;
    }

    /// @dev Working values of one liquidation.
    struct Plan {
        uint256 collateralWad;
        uint256 owedWad;
        uint256 writeOffWad;
        uint256 seizeRatioWad;
        uint256 coverAssets;
        /// @dev What the pending penalty shares redeem for (insolvent plans only): the cover they pay first.
        uint256 pendingAssets;
        bool restoresInitial;
    }

    /// @notice See IOptionsClearing.liquidate.
    function liquidate(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        Params memory p
    ) public returns (IOptionsClearing.LiquidationResult memory r) {
        _checkCaller($, p);
        AccountLogic.settlePending($, ctx.quote, p.accountId);
        AccountLogic.settlePending($, ctx.quote, p.liquidatorAccountId);
        uint256 graceHorizon = _checkBreaker($, ctx, p.accountId);
        Plan memory plan;
        r = _assess($, ctx, p, plan, graceHorizon);
        _execute($, ctx, p, plan, r);
    }

    /// @notice See IOptionsClearing.liquidationQuote. Shares `_plan` and `_penalty` with `liquidate`.
    function quote(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public view returns (IOptionsClearing.LiquidationQuote memory q) {
        if ($.owner[accountId] == address(0)) revert IOptionsClearing.AccountNotFound(accountId);
        (, , q.settlementPending) = AccountLogic.previewSettlePending($, ctx.quote, accountId);
        uint256 correlatedFallWad;
        (q.collateralValueWad, q.maintenanceWad, q.initialWad, correlatedFallWad) = MarginLogic
            .liquidationMargin($, ctx.margin, accountId);
        uint256 graceHorizon;
        (q.breakerAllows, graceHorizon) = _breakerAllows($, ctx, accountId);
        q.belowMaintenance = q.collateralValueWad < q.maintenanceWad;
        if (!q.belowMaintenance) return q;
        q.liquidatable = q.breakerAllows;
        IOptionsClearing.LiquidationResult memory r = q.result;
        r.discountWad = _discount($, ctx, accountId, q.breakerAllows, graceHorizon);
        Plan memory plan;
        plan.collateralWad = q.collateralValueWad;
        _plan($, ctx, accountId, WAD, q.initialWad, correlatedFallWad, plan, r);
        // The penalty as `_moveCollateral` takes it: capped by the seized quote shares, rounded by the vault.
        uint256 shares = $.collateral[accountId][address(ctx.quote.vault)];
        uint256 seized = plan.seizeRatioWad == WAD ? shares : shares.mulWadDown(plan.seizeRatioWad);
        (, r.penaltyWad) = InsuranceLogic.penaltyShares(ctx.quote, seized, r.penaltyWad);
    }

    /// @dev How much of the account is taken, at what discount, for how much collateral; the liquidator's limit.
    function _assess(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        Params memory p,
        Plan memory plan,
        uint256 graceHorizon
    ) private returns (IOptionsClearing.LiquidationResult memory r) {
        uint256 maintenanceWad;
        uint256 initialWad;
        uint256 correlatedFallWad;
        (plan.collateralWad, maintenanceWad, initialWad, correlatedFallWad) = MarginLogic.liquidationMargin(
            $,
            ctx.margin,
            p.accountId
        );
        if (plan.collateralWad >= maintenanceWad) {
            revert IOptionsClearing.AccountHealthy(p.accountId, plan.collateralWad, maintenanceWad);
        }
        r.discountWad = _observeLiquidatable($, ctx, p.accountId, graceHorizon);
        _plan($, ctx, p.accountId, p.maxFractionWad, initialWad, correlatedFallWad, plan, r);
        uint256 receivedWad = r.seizedValueWad - r.penaltyWad + r.coveredWad;
        uint256 requiredWad = r.liabilityWad.mulWadUp(p.minSeizedPerLiabilityWad);
        if (receivedWad < requiredWad)
            revert IOptionsClearing.LiquidationBelowLimit(receivedWad, requiredWad);
    }

    /// @dev The fraction, liability, seized value, penalty (before the cap by seized quote shares), insurance cover
    /// and socialised loss of a liquidation of `accountId` at `r.discountWad`, given its collateral value and initial
    /// requirement. Read-only: `liquidate` executes it, `quote` reports it.
    function _plan(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        uint256 maxFractionWad,
        uint256 initialWad,
        uint256 correlatedFallWad,
        Plan memory plan,
        IOptionsClearing.LiquidationResult memory r
    ) private view {
        // What closing the account costs at mark: its positions' liability and its settlement debt, less the value of
        // its net-long underlyings, which the liquidator receives with the rest (a long beside settled debt pays it).
        (uint256 markWad, uint256 longValueWad) = _mark($, ctx, accountId, false);
        uint256 grossWad = markWad + $.debt[accountId];
        uint256 liabilityWad = grossWad > longValueWad ? grossWad - longValueWad : 0;
        plan.owedWad = liabilityWad.mulWadUp(WAD + r.discountWad);
        if (plan.collateralWad >= plan.owedWad) {
            // Solvent: only as much as brings the account back to its initial requirement.
            (r.fractionWad, plan.restoresInitial) = LiquidationMath.neededFraction(
                plan.collateralWad,
                initialWad,
                plan.owedWad,
                correlatedFallWad,
                maxFractionWad
            );
            r.liabilityWad = liabilityWad.mulWadUp(r.fractionWad);
            r.seizedValueWad = plan.owedWad.mulWadDown(r.fractionWad);
            r.penaltyWad = LiquidationMath.penalty(liabilityWad, r.fractionWad, r.discountWad);
        } else {
            _planInsolvent($, ctx, accountId, maxFractionWad, plan, r);
        }
        plan.seizeRatioWad =
            plan.collateralWad == 0
                ? 0
                : Math.min(WAD, Math.mulDiv(r.seizedValueWad, WAD, plan.collateralWad));
    }

    /// @dev Insolvent: the whole account; insurance first, then socialise what is left on the shorts.
    function _planInsolvent(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        uint256 maxFractionWad,
        Plan memory plan,
        IOptionsClearing.LiquidationResult memory r
    ) private view {
        if (maxFractionWad != WAD) revert IOptionsClearing.FullLiquidationRequired(accountId, maxFractionWad);
        r.fractionWad = WAD;
        r.seizedValueWad = plan.collateralWad;
        uint256 deficitWad = plan.owedWad - plan.collateralWad;
        plan.pendingAssets = InsuranceLogic.pendingPenaltyAssets($, ctx.quote);
        plan.coverAssets = Math.min(
            deficitWad.fromWadDown(ctx.quote.decimals),
            plan.pendingAssets + ctx.insurance.availableCover()
        );
        r.coveredWad = plan.coverAssets.toWadDown(ctx.quote.decimals);
        uint256 remainingWad = deficitWad - r.coveredWad;
        // The cover is paid in whole units of the quote asset: a remainder below one unit is dust the liquidator
        // absorbs, not a loss to write off the longs' payout (with a LossSocialised event) after every cover.
        if (remainingWad >= uint256(1).toWadUp(ctx.quote.decimals)) {
            (uint256 shortsWad, ) = _mark($, ctx, accountId, true);
            uint256 shortsOwedWad = shortsWad.mulWadUp(WAD + r.discountWad);
            r.socialisedWad = Math.min(remainingWad, shortsOwedWad);
            plan.writeOffWad = shortsOwedWad == 0 ? 0 : Math.mulDiv(r.socialisedWad, WAD, shortsOwedWad);
        }
        // The liability taken is what the received value pays for at the discount.
        r.liabilityWad = (plan.owedWad - r.socialisedWad).divWadUp(WAD + r.discountWad);
    }

    /// @dev Move positions, debt and collateral; the liquidator must end above its initial requirement.
    function _execute(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        Params memory p,
        Plan memory plan,
        IOptionsClearing.LiquidationResult memory r
    ) private {
        if (plan.coverAssets != 0) {
            InsuranceLogic.cover(
                $,
                ctx.quote,
                ctx.margin.quote,
                ctx.insurance,
                p.liquidatorAccountId,
                plan.coverAssets,
                plan.pendingAssets
            );
        }
        _movePositions($, p, r.fractionWad, plan.writeOffWad);
        if (AccountLogic.moveDebt($, p.accountId, p.liquidatorAccountId, r.fractionWad) != 0) {
            AccountLogic.repayDebt($, ctx.quote, p.liquidatorAccountId);
        }
        r.penaltyWad = _moveCollateral($, ctx, p, plan, r.penaltyWad);
        (uint256 collateralWad, , uint256 initialWad) = MarginLogic.margin(
            $,
            ctx.margin,
            p.liquidatorAccountId
        );
        if (collateralWad < initialWad) {
            revert IOptionsClearing.BelowInitialMargin(p.liquidatorAccountId, collateralWad, initialWad);
        }
        // The auction ends when the account is emptied, or when the liquidation took exactly what brings it back to
        // its initial requirement: a later shortfall starts a new auction at the start discount.
        if (plan.restoresInitial || ($.seriesOf[p.accountId].length == 0 && $.debt[p.accountId] == 0)) {
            _resetAuction($, p.accountId);
        }
        emit IOptionsClearing.Liquidated(p.accountId, p.liquidatorAccountId, r);
    }

    /// @notice See IOptionsClearing.flagLiquidatable.
    /// The auction runs only while a liquidation could proceed: an account below maintenance whose liquidation the
    /// breaker refuses is not observed, and time in which it refused does not count (docs/liquidation.md).
    function flag(ClearingStorage.Layout storage $, Context memory ctx, uint256 accountId) public {
        AccountLogic.settlePending($, ctx.quote, accountId);
        (uint256 collateralWad, uint256 maintenanceWad, ) = MarginLogic.margin($, ctx.margin, accountId);
        if (collateralWad >= maintenanceWad) {
            if ($.auction[accountId].since != 0) _resetAuction($, accountId);
            return;
        }
        (bool allows, uint256 graceHorizon) = _breakerAllows($, ctx, accountId);
        if (allows) _observeLiquidatable($, ctx, accountId, graceHorizon);
    }

    /// @notice The discount a liquidation of `accountId` would get now: its running auction's, else the start's.
    function discount(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public view returns (uint256) {
        (bool allows, uint256 graceHorizon) = _breakerAllows($, ctx, accountId);
        return _discount($, ctx, accountId, allows, graceHorizon);
    }

    // ------------------------------------------------------------------------------------------------- checks

    function _checkCaller(ClearingStorage.Layout storage $, Params memory p) private view {
        if (block.timestamp > p.deadline) revert IOptionsClearing.LiquidationDeadlinePassed(p.deadline);
        if (p.maxFractionWad == 0 || p.maxFractionWad > WAD) {
            revert IOptionsClearing.InvalidLiquidationFraction(p.maxFractionWad);
        }
        address owner = $.owner[p.accountId];
        if (owner == address(0)) revert IOptionsClearing.AccountNotFound(p.accountId);
        address liquidator = $.owner[p.liquidatorAccountId];
        if (liquidator == address(0)) revert IOptionsClearing.AccountNotFound(p.liquidatorAccountId);
        if (msg.sender != liquidator && !$.isOperator[liquidator][msg.sender]) {
            revert IOptionsClearing.NotOwnerOrOperator(p.liquidatorAccountId, msg.sender);
        }
        if (liquidator == owner) revert IOptionsClearing.SelfLiquidation(p.accountId, p.liquidatorAccountId);
    }

    /// @dev Liquidations stop while the price scope of any asset the account's value depends on (the underlying of
    /// a position, or a collateral asset other than the quote), or LIQUIDATE, or GLOBAL, is tripped or in grace.
    /// Returns the breaker's grace horizon (the latest end of any scope's grace period).
    function _checkBreaker(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (uint256 graceHorizon) {
        bool clear;
        (clear, graceHorizon) = _breakerStatus(ctx.breaker);
        if (clear) return graceHorizon;
        (address[] memory assets, uint256 n) = MarginLogic.pricedAssets($, ctx.margin, accountId);
        // An account valued in the quote alone: LIQUIDATE and GLOBAL (tripped or in grace), and the quote's scope.
        if (n == 0) ctx.breaker.checkLiquidation(ctx.margin.quote);
        for (uint256 i; i < n; ++i) ctx.breaker.checkLiquidation(assets[i]);
    }

    /// @dev Whether `_checkBreaker` would pass now, and the breaker's grace horizon.
    function _breakerAllows(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (bool allows, uint256 graceHorizon) {
        (allows, graceHorizon) = _breakerStatus(ctx.breaker);
        if (allows) return (true, graceHorizon);
        (address[] memory assets, uint256 n) = MarginLogic.pricedAssets($, ctx.margin, accountId);
        if (n == 0) return (_allows(ctx.breaker, ctx.margin.quote), graceHorizon);
        for (uint256 i; i < n; ++i) {
            if (!_allows(ctx.breaker, assets[i])) return (false, graceHorizon);
        }
        return (true, graceHorizon);
    }

    /// @dev Whether `breaker.checkLiquidation(asset)` passes.
    function _allows(ICircuitBreaker breaker, address asset) private view returns (bool) {
        try breaker.checkLiquidation(asset) {
            return true;
        } catch {
            return false;
        }
    }

    /// @dev The breaker's status word (ICircuitBreaker.statusWord): `clear` when no scope is tripped and the latest
    /// grace period has ended, which lets every liquidation through; and that grace horizon.
    function _breakerStatus(ICircuitBreaker breaker) private view returns (bool clear, uint256 graceHorizon) {
        uint256 word = breaker.statusWord();
        graceHorizon = uint64(word >> 32);
        clear = uint32(word) == 0 && block.timestamp >= graceHorizon;
    }

    // ------------------------------------------------------------------------------------------------- auction

    /// @dev Record that the account is liquidatable now, the breaker allowing it: continue its auction if it was
    /// observed within AUCTION_HEARTBEAT_SECONDS of allowed time, its clock running by that time, else start a new
    /// one; return the discount it gives.
    function _observeLiquidatable(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        uint256 graceHorizon
    ) private returns (uint256) {
        ClearingStorage.Auction memory a = $.auction[accountId];
        uint256 allowedSeconds =
            a.since == 0 ? type(uint256).max : _allowedSeconds($, ctx, accountId, a.lastSeen, graceHorizon);
        if (allowedSeconds <= AUCTION_HEARTBEAT_SECONDS) {
            a.elapsedSeconds += uint64(allowedSeconds);
        } else {
            a.since = uint64(block.timestamp);
            a.elapsedSeconds = 0;
            emit IOptionsClearing.LiquidationFlagged(accountId, a.since);
        }
        a.lastSeen = uint64(block.timestamp);
        $.auction[accountId] = a;
        return LiquidationMath.discountAfter(a.elapsedSeconds);
    }

    /// @dev The discount of `accountId`'s auction now; its clock stands still while the breaker refuses.
    function _discount(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        bool breakerAllows,
        uint256 graceHorizon
    ) private view returns (uint256) {
        ClearingStorage.Auction memory a = $.auction[accountId];
        if (a.since == 0) return START_DISCOUNT_WAD;
        if (!breakerAllows) return LiquidationMath.discountAfter(a.elapsedSeconds);
        uint256 allowedSeconds = _allowedSeconds($, ctx, accountId, a.lastSeen, graceHorizon);
        if (allowedSeconds > AUCTION_HEARTBEAT_SECONDS) return START_DISCOUNT_WAD;
        return LiquidationMath.discountAfter(a.elapsedSeconds + allowedSeconds);
    }

    /// @dev The seconds since the last observation `lastSeen` in which the breaker allowed the liquidation, given that
    /// it allows it now. A scope the account depends on that came out of a grace period since was paused from its trip
    /// to that end; with several such scopes the pause spans the earliest trip to the latest end. The breaker's grace
    /// horizon at or before `lastSeen` means no grace period ended since.
    function _allowedSeconds(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        uint256 lastSeen,
        uint256 graceHorizon
    ) private view returns (uint256) {
        if (graceHorizon <= lastSeen) return block.timestamp - lastSeen;
        ICircuitBreaker breaker = ctx.breaker;
        uint256[2] memory pause = [type(uint256).max, lastSeen];
        _widenPause(breaker, Scopes.GLOBAL, lastSeen, pause);
        _widenPause(breaker, Scopes.LIQUIDATE, lastSeen, pause);
        (address[] memory assets, uint256 n) = MarginLogic.pricedAssets($, ctx.margin, accountId);
        if (n == 0) _widenPause(breaker, Scopes.asset(ctx.margin.quote), lastSeen, pause);
        for (uint256 i; i < n; ++i) _widenPause(breaker, Scopes.asset(assets[i]), lastSeen, pause);
        if (pause[1] == lastSeen) return block.timestamp - lastSeen;
        return (pause[0] - lastSeen) + (block.timestamp - pause[1]);
    }

    /// @dev Widen `pause` ([first trip, last grace end]) by `scope`'s pause if its grace period ended after `lastSeen`.
    function _widenPause(
        ICircuitBreaker breaker,
        bytes32 scope,
        uint256 lastSeen,
        uint256[2] memory pause
    ) private view {
        uint256 graceEnd = breaker.graceEndsAt(scope);
        if (graceEnd <= lastSeen) return;
        uint256 trippedAt = Math.max(breaker.scopeState(scope).trippedAt, lastSeen);
        pause[0] = Math.min(pause[0], trippedAt);
        pause[1] = Math.max(pause[1], graceEnd);
    }

    function _resetAuction(ClearingStorage.Layout storage $, uint256 accountId) private {
        delete $.auction[accountId];
        emit IOptionsClearing.LiquidationFlagged(accountId, 0);
    }

    // ------------------------------------------------------------------------------------------------- valuation

    /// @dev Mark liability of the account's positions (or of its shorts only), summed over its underlyings, and the
    /// mark value of its net-long underlyings (those whose positions are worth more than nothing at mark).
    function _mark(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        bool shortsOnly
    ) private view returns (uint256 liabilityWad, uint256 longValueWad) {
        // A settled series is not a position: a pending long is worth nothing until its pool pays it.
        address[] memory underlyings = AccountLogic.underlyingsOf($, accountId);
        for (uint256 j; j < underlyings.length; ++j) {
            (int256 valueWad, uint256 markWad) = _markOn($, ctx, accountId, underlyings[j], shortsOnly);
            liabilityWad += markWad;
            if (valueWad > 0) longValueWad += uint256(valueWad);
        }
    }

    /// @dev The calculator's mark of the account's positions (or shorts) on one underlying; zeros when it has none.
    function _markOn(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        address underlying,
        bool shortsOnly
    ) private view returns (int256 valueWad, uint256 markWad) {
        Position[] memory positions = AccountLogic.positionsOn($, accountId, underlying, shortsOnly);
        if (positions.length == 0) return (0, 0);
        return
            ctx.margin.calculator.mark(
                positions,
                MarginLogic.price(ctx.margin, underlying),
                $.risk[underlying].volWad,
                block.timestamp
            );
    }

    // ------------------------------------------------------------------------------------------------- transfers

    /// @dev Move `fractionWad` of every position to the liquidator; write off `writeOffWad` of each remaining short.
    function _movePositions(
        ClearingStorage.Layout storage $,
        Params memory p,
        uint256 fractionWad,
        uint256 writeOffWad
    ) private {
        uint256[] memory ids = $.seriesOf[p.accountId];
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            int256 position = $.position[p.accountId][id];
            uint256 written;
            if (position < 0 && writeOffWad != 0) {
                written = uint256(-position).mulWadDown(writeOffWad);
                AccountLogic.updatePosition($, p.accountId, id, int256(written));
                $.writtenOff[id] += written;
                emit IOptionsClearing.LossSocialised(id, written);
                position += int256(written);
            }
            int256 moved = fractionWad == WAD ? position : (position * int256(fractionWad)) / int256(WAD);
            if (moved == 0) continue;
            AccountLogic.movePosition($, p.accountId, p.liquidatorAccountId, id, moved);
        }
    }

    /// @dev Move `plan.seizeRatioWad` of every collateral balance to the liquidator, then take the penalty out of the
    /// seized quote-vault shares, capped by them (`InsuranceLogic.takePenalty`).
    /// @return paidPenaltyWad The penalty actually taken.
    function _moveCollateral(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        Params memory p,
        Plan memory plan,
        uint256 penaltyWad
    ) private returns (uint256 paidPenaltyWad) {
        uint256 seizeRatioWad = plan.seizeRatioWad;
        address quoteVault = address(ctx.quote.vault);
        uint256 seizedQuoteShares;
        address[] storage vaults = $.collateralVaults;
        for (uint256 i; i < vaults.length; ++i) {
            address vault = vaults[i];
            uint256 shares = $.collateral[p.accountId][vault];
            uint256 moved = seizeRatioWad == WAD ? shares : shares.mulWadDown(seizeRatioWad);
            if (moved == 0) continue;
            $.collateral[p.accountId][vault] = shares - moved;
            $.collateral[p.liquidatorAccountId][vault] += moved;
            if (vault == quoteVault) seizedQuoteShares = moved;
        }
        return InsuranceLogic.takePenalty($, ctx.quote, p.liquidatorAccountId, seizedQuoteShares, penaltyWad);
    }

    /// @notice See IOptionsClearing.payPenalties.
    function payPenalties(
        ClearingStorage.Layout storage $,
        IERC4626 quoteVault,
        address quoteAsset,
        IInsuranceVault insurance
    ) public returns (uint256) {
        return InsuranceLogic.payPenalties($, quoteVault, quoteAsset, insurance);
    }
}
