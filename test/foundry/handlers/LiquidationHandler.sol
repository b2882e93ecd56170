// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {IInsuranceVault} from "../../../contracts/interfaces/IInsuranceVault.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice The keeper: flags, liquidations (partial and whole) into its own account, and the penalties' payment.
contract LiquidationHandler is HandlerBase {
    struct Before {
        IOptionsClearing.Health health;
        bool healthKnown;
        uint256 availableCover;
        uint256 pendingAssets;
        uint256 writtenOff;
        bool guarded;
    }

    IOptionsClearing internal immutable clearing;

    constructor(World world_) HandlerBase(world_) {
        clearing = IOptionsClearing(address(world_.clearing()));
    }

    function liquidate(uint256 targetSeed, bool whole, uint256 fractionSeed) external {
        address[] memory actors = world.actors();
        // The keeper is the last actor; it liquidates the traders.
        address keeper = actors[actors.length - 1];
        uint256 accountId = _belowMaintenance(actors, targetSeed);
        uint256 keeperAccount = world.accountOf(keeper);
        uint256 fractionWad = whole ? WAD : _bound(fractionSeed, 0.1e18, WAD);
        Before memory b = _before(accountId);
        vm.prank(keeper);
        try clearing.liquidate(accountId, keeperAccount, fractionWad, 0, block.timestamp) returns (
            IOptionsClearing.LiquidationResult memory r
        ) {
            _after(accountId, keeperAccount, b, r);
        } catch (bytes memory err) {
            if (
                _selector(err) == IOptionsClearing.AccountHealthy.selector &&
                b.healthKnown &&
                b.health.collateralValueWad < b.health.maintenanceWad
            ) return _violate(INV_NO_HEALTHY_LIQUIDATION, "an account below maintenance refused as healthy");
            _rethrow(err);
        }
    }

    /// @dev From the seed's starting point, the first trader's account below maintenance (the seed's when none is).
    function _belowMaintenance(address[] memory actors, uint256 seed) private view returns (uint256) {
        uint256 traders = actors.length - 1;
        for (uint256 i; i < traders; ++i) {
            uint256 accountId = world.accountOf(actors[(seed + i) % traders]);
            try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
                if (h.collateralValueWad < h.maintenanceWad) return accountId;
            } catch {}
        }
        return world.accountOf(actors[seed % traders]);
    }

    function flagLiquidatable(uint256 targetSeed) external {
        clearing.flagLiquidatable(world.accountOf(world.actor(targetSeed)));
    }

    function payPenalties() external {
        clearing.payPenalties();
    }

    function _before(uint256 accountId) private view returns (Before memory b) {
        try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
            (b.health, b.healthKnown) = (h, true);
        } catch {}
        b.availableCover = IInsuranceVault(address(world.insurance())).availableCover();
        uint256 pending = clearing.pendingPenaltyShares();
        b.pendingAssets = pending == 0 ? 0 : IERC4626(address(world.usdcVault())).previewRedeem(pending);
        b.writtenOff = _writtenOff();
        b.guarded =
            _blocked(Scopes.LIQUIDATE) ||
            _inGrace(Scopes.LIQUIDATE) ||
            _inGrace(Scopes.GLOBAL) ||
            (_pricedInWeth(accountId) && (world.breaker().isTripped(_wethScope()) || _inGrace(_wethScope())));
    }

    function _after(
        uint256 accountId,
        uint256 keeperAccount,
        Before memory b,
        IOptionsClearing.LiquidationResult memory r
    ) private {
        if (b.guarded) return _violate(INV_BREAKER_GUARDS, "liquidate while its scopes were tripped or in grace");
        if (!b.healthKnown || b.health.collateralValueWad >= b.health.maintenanceWad) {
            return _violate(INV_NO_HEALTHY_LIQUIDATION, "an account at or above maintenance was liquidated");
        }
        IOptionsClearing.Health memory k = clearing.health(keeperAccount);
        if (k.collateralValueWad < k.initialWad) {
            return _violate(INV_INITIAL_MARGIN_AFTER_ACTION, "the liquidator ended below initial margin");
        }
        _checkImproves(accountId, b.health);
        _checkBadDebt(b, r);
    }

    /// @dev Fully closed (no series, no debt), or a better collateral / maintenance ratio than before.
    function _checkImproves(uint256 accountId, IOptionsClearing.Health memory h0) private {
        if (clearing.seriesOf(accountId).length == 0 && clearing.debtOf(accountId) == 0) return;
        IOptionsClearing.Health memory h1 = clearing.health(accountId);
        if (h1.maintenanceWad == 0) return;
        // c1 / m1 > c0 / m0, cross-multiplied (values are far below 2^128).
        if (h1.collateralValueWad * h0.maintenanceWad <= h0.collateralValueWad * h1.maintenanceWad) {
            _violate(INV_LIQUIDATION_IMPROVES, "a partial liquidation did not improve the ratio");
        }
    }

    /// @dev Cover comes from the pending penalties and the insurance exactly as reported; a loss is socialised (shorts
    /// written off) only once all that cover is used, and shorts are written off exactly when a loss is socialised.
    function _checkBadDebt(Before memory b, IOptionsClearing.LiquidationResult memory r) private {
        uint256 coverAssets = r.coveredWad / 1e12;
        uint256 coverAfter = IInsuranceVault(address(world.insurance())).availableCover();
        uint256 drawn = b.availableCover > coverAfter ? b.availableCover - coverAfter : 0;
        uint256 pendingAfter = clearing.pendingPenaltyShares();
        pendingAfter = pendingAfter == 0 ? 0 : IERC4626(address(world.usdcVault())).previewRedeem(pendingAfter);
        // A solvent liquidation adds penalties; only an insolvent one uses them as cover.
        uint256 fromPending = b.pendingAssets > pendingAfter ? b.pendingAssets - pendingAfter : 0;
        if (r.coveredWad % 1e12 != 0 || drawn > coverAssets) {
            return _violate(INV_BAD_DEBT_ACCOUNTED, "insurance drawn differs from the reported cover");
        }
        // The pending penalties' value may round by a unit between the two previews.
        if (drawn + fromPending + 1 < coverAssets || drawn + fromPending > coverAssets + 1) {
            return _violate(INV_BAD_DEBT_ACCOUNTED, "cover differs from insurance drawn + penalties used");
        }
        bool wroteOff = _writtenOff() > b.writtenOff;
        if (wroteOff != (r.socialisedWad != 0)) {
            return _violate(INV_BAD_DEBT_ACCOUNTED, "shorts written off without a socialised loss, or the reverse");
        }
        if (r.socialisedWad != 0 && coverAssets + 1 < b.availableCover + b.pendingAssets) {
            _violate(INV_BAD_DEBT_ACCOUNTED, "a loss socialised while cover was left");
        }
    }

    function _writtenOff() private view returns (uint256 total) {
        uint256[] memory ids = world.series();
        for (uint256 i; i < ids.length; ++i) total += clearing.writtenOff(ids[i]);
    }
}
