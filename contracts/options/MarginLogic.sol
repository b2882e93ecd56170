// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IMarginCalculator} from "../interfaces/IMarginCalculator.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {PortfolioMargin} from "../libraries/PortfolioMargin.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {Position} from "../types/Position.sol";
import {RiskParams} from "../types/RiskParams.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import {MAX_PRICE_ROUND_AGE_SECONDS} from "./ConstantsLib.sol";

/// @title MarginLogic
/// @notice Valuation of a clearing account: collateral value after haircuts and the portfolio requirements of its
/// positions. An external library of OptionsClearing (linked at deployment, called by DELEGATECALL), so the
/// clearing contract stays under the EIP-170 size limit. Reads storage only.
/// @dev Cost is O(positions × scenarios + collateral vaults): at most MAX_SERIES_PER_ACCOUNT positions and
/// MAX_COLLATERAL_VAULTS vaults.
library MarginLogic {
    using WadMath for uint256;

    /// @dev The inputs of one underlying's requirements: the account's unsettled positions on it, its price and its
    /// risk parameters.
    struct Exposure {
        Position[] positions;
        uint256 spotWad;
        RiskParams risk;
    }

    /// @notice The clearing contract's immutables the valuation needs.
    struct Context {
        IPriceOracle oracle;
        IMarginCalculator calculator;
        address quote;
        ICircuitBreaker breaker;
    }

    /// @notice Collateral value and requirements (settlement debt included) of the account's unsettled positions.
    function margin(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public view returns (uint256 collateralValueWad, uint256 maintenanceWad, uint256 initialWad) {
        return valuation($, ctx, accountId);
    }

    /// @notice `margin`, compiled into the calling library (TradeLogic) to spare it a DELEGATECALL per check.
    function valuation(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) internal view returns (uint256 collateralValueWad, uint256 maintenanceWad, uint256 initialWad) {
        bool nonQuoteCollateral;
        (collateralValueWad, nonQuoteCollateral) = _collateralValue($, ctx, accountId);
        (maintenanceWad, initialWad, ) = _requirements($, ctx, accountId, nonQuoteCollateral);
        uint256 debtWad = $.debt[accountId];
        maintenanceWad += debtWad;
        initialWad += debtWad;
    }

    /// @notice `margin`, and the part of the initial requirement that is the correlated collateral's own fall in its
    /// underlyings' worst down shocks (Σ A · (S - min S_i) · (1 + buffer), rounded up): what a liquidation's fraction
    /// must allow for, since seizing collateral by value does not shrink it with the positions.
    function liquidationMargin(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    )
        public
        view
        returns (
            uint256 collateralValueWad,
            uint256 maintenanceWad,
            uint256 initialWad,
            uint256 correlatedFallWad
        )
    {
        bool nonQuoteCollateral;
        (collateralValueWad, nonQuoteCollateral) = _collateralValue($, ctx, accountId);
        (maintenanceWad, initialWad, correlatedFallWad) = _requirements(
            $,
            ctx,
            accountId,
            nonQuoteCollateral
        );
        uint256 debtWad = $.debt[accountId];
        maintenanceWad += debtWad;
        initialWad += debtWad;
    }

    /// @notice The check of every action that may add risk (write, withdrawals): the account's collateral covers its
    /// initial requirement, valued only at prices whose scope is untripped (INV_NO_TRIPPED_PRICE: a price the breaker
    /// distrusts never lets value out), and the account is no longer in a liquidation auction. An account with no
    /// position and no debt has no requirement: nothing is priced and nothing is checked.
    /// An account whose collateral, all in the quote asset, covers PortfolioMargin's unpriced upper bound of its
    /// initial requirement passes without pricing (the bound never lets through an account the priced check would
    /// refuse; docs/risk-model.md); any other account is priced in full.
    /// @return initialWad The initial requirement after the action, or the bound its collateral covers: either is
    /// zero exactly when the account has no short and no debt.
    function requireInitial(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public returns (uint256 initialWad) {
        return enforceInitial($, ctx, accountId);
    }

    /// @notice `requireInitial`, compiled into the calling library (TradeLogic) to spare it a DELEGATECALL per check.
    function enforceInitial(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) internal returns (uint256 initialWad) {
        if ($.seriesOf[accountId].length == 0 && $.debt[accountId] == 0) return 0;
        if (ctx.breaker.trippedScopeCount() != 0) {
            (address[] memory assets, uint256 n) = pricedAssets($, ctx, accountId);
            for (uint256 i; i < n; ++i) ctx.breaker.checkScope(Scopes.asset(assets[i]));
        }
        (uint256 collateralValueWad, bool nonQuoteCollateral) = _collateralValue($, ctx, accountId);
        initialWad =
            nonQuoteCollateral
                ? _initialCorrelated($, ctx, accountId)
                : _initialOrCoveredBound($, ctx, accountId, collateralValueWad);
        if (collateralValueWad < initialWad) {
            revert IOptionsClearing.BelowInitialMargin(accountId, collateralValueWad, initialWad);
        }
        // At or above initial, so above maintenance: any auction of the account has ended.
        if ($.auction[accountId].since != 0) {
            delete $.auction[accountId];
            emit IOptionsClearing.LiquidationFlagged(accountId, 0);
        }
    }

    /// @dev The initial requirement of an account with correlated collateral: always priced (the bound counts no
    /// correlation).
    function _initialCorrelated(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (uint256 initialWad) {
        (, initialWad, ) = _requirements($, ctx, accountId, true);
        initialWad += $.debt[accountId];
    }

    /// @dev The unpriced bound of the initial requirement (settlement debt included) if `collateralValueWad` covers it;
    /// else the priced requirement, from the same positions, prices and parameters. Reads and reverts in
    /// `_requirements`' order (the bound reverts where the calculator would).
    function _initialOrCoveredBound(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        uint256 collateralValueWad
    ) private view returns (uint256 initialWad) {
        uint256 debtWad = $.debt[accountId];
        address[] memory underlyings = AccountLogic.underlyingsOf($, accountId);
        Exposure[] memory exposures = new Exposure[](underlyings.length);
        uint256 boundWad = debtWad;
        for (uint256 j; j < underlyings.length; ++j) {
            Exposure memory e = Exposure({
                positions: AccountLogic.positionsOn($, accountId, underlyings[j], false),
                spotWad: price(ctx, underlyings[j]),
                risk: ClearingStorage.load($.risk[underlyings[j]])
            });
            boundWad += PortfolioMargin.initialUpperBoundOfValid(
                e.positions,
                e.spotWad,
                e.risk,
                block.timestamp
            );
            exposures[j] = e;
        }
        if (boundWad <= collateralValueWad) return boundWad;
        initialWad = debtWad;
        for (uint256 j; j < exposures.length; ++j) {
            Exposure memory e = exposures[j];
            (, uint256 ini) = ctx.calculator.requirements(e.positions, e.spotWad, e.risk, block.timestamp);
            initialWad += ini;
        }
    }

    /// @notice The assets whose prices value the account (possibly repeated): the underlyings of its unsettled
    /// positions and its non-quote collateral assets.
    function pricedAssets(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) internal view returns (address[] memory assets, uint256 n) {
        uint256[] storage ids = $.seriesOf[accountId];
        address[] storage vaults = $.collateralVaults;
        assets = new address[](ids.length + vaults.length);
        for (uint256 i; i < ids.length; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            if (!s.settled) assets[n++] = s.underlying;
        }
        for (uint256 i; i < vaults.length; ++i) {
            address asset = $.collateralConfig[vaults[i]].asset;
            if (asset != ctx.quote && $.collateral[accountId][vaults[i]] != 0) assets[n++] = asset;
        }
    }

    /// @notice `margin` as the account will stand once its lazy settlement applies (what `liquidate` and every
    /// guarded action see after `AccountLogic.settlePending`), without writing (`AccountLogic.previewSettlePending`):
    /// a settled long whose credit its pool cannot pay yet stays pending and is not valued.
    function health(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        AccountLogic.Quote memory quote,
        uint256 accountId
    ) public view returns (IOptionsClearing.Health memory h) {
        (uint256 debtWad, uint256 quoteShares, ) = AccountLogic.previewSettlePending($, quote, accountId);
        // The value is a sum over vaults: swap the quote vault's term for its balance after settlement (when it is a
        // collateral vault at all; the margin values no other shares).
        bool nonQuoteCollateral;
        (h.collateralValueWad, nonQuoteCollateral) = _collateralValue($, ctx, accountId);
        address quoteVault = address(quote.vault);
        if ($.collateralConfig[quoteVault].asset != address(0)) {
            uint256 stored = $.collateral[accountId][quoteVault];
            if (stored != 0) h.collateralValueWad -= _quoteVaultValue($, ctx, quoteVault, stored);
            if (quoteShares != 0) h.collateralValueWad += _quoteVaultValue($, ctx, quoteVault, quoteShares);
        }
        (h.maintenanceWad, h.initialWad, ) = _requirements($, ctx, accountId, nonQuoteCollateral);
        h.debtWad = debtWad;
        h.maintenanceWad += debtWad;
        h.initialWad += debtWad;
    }

    /// @dev The account's collateral value, and whether any of it is in an asset other than the quote (only then can
    /// it be correlated with an underlying).
    function _collateralValue(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (uint256 valueWad, bool nonQuote) {
        address[] storage vaults = $.collateralVaults;
        uint256 n = vaults.length;
        for (uint256 i; i < n; ++i) {
            address vault = vaults[i];
            uint256 shares = $.collateral[accountId][vault];
            if (shares == 0) continue;
            (uint256 vaultValueWad, bool isQuote) = _vaultValue($, ctx, vault, shares);
            valueWad += vaultValueWad;
            if (!isQuote) nonQuote = true;
        }
    }

    /// @dev `shares` of an approved collateral vault, valued at the oracle price less the haircut, rounded down; and
    /// whether its asset is the quote.
    function _vaultValue(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        address vault,
        uint256 shares
    ) private view returns (uint256 valueWad, bool isQuote) {
        IOptionsClearing.CollateralConfig storage config = $.collateralConfig[vault];
        uint256 amountWad = IERC4626(vault).convertToAssets(shares).toWadDown(config.assetDecimals);
        isQuote = config.asset == ctx.quote;
        uint256 priceWad = isQuote ? WadMath.WAD : price(ctx, config.asset);
        valueWad = amountWad.mulWadDown(priceWad).mulWadDown(WadMath.WAD - config.haircutWad);
    }

    /// @dev `_vaultValue` of the quote vault.
    function _quoteVaultValue(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        address vault,
        uint256 shares
    ) private view returns (uint256 valueWad) {
        (valueWad, ) = _vaultValue($, ctx, vault, shares);
    }

    /// @dev Sum over the account's underlyings of the calculator's requirements, each beside the account's collateral
    /// in that underlying (revalued in every scenario of its grid) when it holds `nonQuoteCollateral`; settled series
    /// are excluded.
    function _requirements(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        bool nonQuoteCollateral
    ) private view returns (uint256 maintenanceWad, uint256 initialWad, uint256 correlatedFallWad) {
        address[] memory underlyings = AccountLogic.underlyingsOf($, accountId);
        for (uint256 j; j < underlyings.length; ++j) {
            (uint256 m, uint256 ini, uint256 fall) = _requirementsOn(
                $,
                ctx,
                accountId,
                underlyings[j],
                nonQuoteCollateral
            );
            maintenanceWad += m;
            initialWad += ini;
            correlatedFallWad += fall;
        }
    }

    function _requirementsOn(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        address underlying,
        bool nonQuoteCollateral
    ) private view returns (uint256 maintenanceWad, uint256 initialWad, uint256 fallWad) {
        Position[] memory positions = AccountLogic.positionsOn($, accountId, underlying, false);
        uint256 spotWad = price(ctx, underlying);
        RiskParams memory risk = ClearingStorage.load($.risk[underlying]);
        uint256 collateralWad = nonQuoteCollateral ? _collateralIn($, accountId, underlying) : 0;
        if (collateralWad == 0) {
            (maintenanceWad, initialWad) = ctx.calculator.requirements(
                positions,
                spotWad,
                risk,
                block.timestamp
            );
        } else {
            (maintenanceWad, initialWad) = ctx.calculator.requirementsWithCollateral(
                positions,
                collateralWad,
                spotWad,
                risk,
                block.timestamp
            );
            fallWad = _worstFall(collateralWad, spotWad, risk);
        }
    }

    /// @dev `collateralWad` units' fall from `spotWad` to the grid's lowest shocked spot, times (1 + buffer), rounded
    /// up.
    function _worstFall(
        uint256 collateralWad,
        uint256 spotWad,
        RiskParams memory risk
    ) private pure returns (uint256) {
        int256 lowest;
        for (uint256 i; i < risk.spotShocksWad.length; ++i) {
            if (risk.spotShocksWad[i] < lowest) lowest = risk.spotShocksWad[i];
        }
        uint256 shocked = (spotWad * uint256(int256(WadMath.WAD) + lowest)) / WadMath.WAD;
        return collateralWad.mulWadUp(spotWad - shocked).mulWadUp(WadMath.WAD + risk.initialBufferWad);
    }

    /// @dev Units of `asset` (WAD) the account holds as collateral, each vault's after its haircut, rounded down: the
    /// correlated collateral of its positions on `asset`.
    function _collateralIn(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        address asset
    ) private view returns (uint256 amountWad) {
        address[] storage vaults = $.collateralVaults;
        uint256 n = vaults.length;
        for (uint256 i; i < n; ++i) {
            address vault = vaults[i];
            uint256 shares = $.collateral[accountId][vault];
            if (shares == 0) continue;
            IOptionsClearing.CollateralConfig storage config = $.collateralConfig[vault];
            if (config.asset != asset) continue;
            amountWad += IERC4626(vault).convertToAssets(shares).toWadDown(config.assetDecimals).mulWadDown(
                WadMath.WAD - config.haircutWad
            );
        }
    }

    /// @notice The price every valuation of the clearing uses (margin, health, liquidation).
    function price(Context memory ctx, address asset) internal view returns (uint256 priceWad) {
        (priceWad, ) = ctx.oracle.getRecentPrice(asset, MAX_PRICE_ROUND_AGE_SECONDS);
    }
}
