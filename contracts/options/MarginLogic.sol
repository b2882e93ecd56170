// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {IMarginCalculator} from "../interfaces/IMarginCalculator.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ClearingStorage} from "./ClearingStorage.sol";

/// @title MarginLogic
/// @notice Valuation of a clearing account: collateral value after haircuts and the portfolio requirements of its
/// positions. An external library of OptionsClearing (linked at deployment, called by DELEGATECALL), so the
/// clearing contract stays under the EIP-170 size limit. Reads storage only.
/// @dev Cost is O(positions × scenarios + collateral vaults): at most MAX_SERIES_PER_ACCOUNT positions and
/// MAX_COLLATERAL_VAULTS vaults.
library MarginLogic {
    using WadMath for uint256;

    /// @notice How old a `poke`-confirmed oracle round may be for a margin check to use it instead of aggregating
    /// the sources live (`IPriceOracle.getRecentPrice`). Settlement always aggregates live.
    uint256 internal constant MAX_PRICE_ROUND_AGE_SECONDS = 60;

    /// @notice The clearing contract's immutables the valuation needs.
    struct Context {
        IPriceOracle oracle;
        IMarginCalculator calculator;
        address quote;
    }

    /// @notice Collateral value and requirements (settlement debt included) of the account's unsettled positions.
    function margin(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public view returns (uint256 collateralValueWad, uint256 maintenanceWad, uint256 initialWad) {
        collateralValueWad = _collateralValue($, ctx, accountId);
        (maintenanceWad, initialWad) = _requirements($, ctx, accountId);
        uint256 debtWad = $.debt[accountId];
        maintenanceWad += debtWad;
        initialWad += debtWad;
    }

    /// @notice `margin` plus the pending lazy settlement of settled series: credits add to collateral, debits to
    /// debt and to both requirements.
    function health(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) public view returns (IOptionsClearing.Health memory h) {
        (h.collateralValueWad, h.maintenanceWad, h.initialWad) = margin($, ctx, accountId);
        h.debtWad = $.debt[accountId];
        uint256[] storage ids = $.seriesOf[accountId];
        for (uint256 i; i < ids.length; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            if (!s.settled) continue;
            int256 position = $.position[accountId][ids[i]];
            if (position > 0) {
                h.collateralValueWad += uint256(position).mulWadDown(s.payoutPerContractWad);
            } else {
                uint256 debit = uint256(-position).mulWadUp(s.payoutPerContractWad);
                h.debtWad += debit;
                h.maintenanceWad += debit;
                h.initialWad += debit;
            }
        }
    }

    function _collateralValue(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (uint256 valueWad) {
        address[] storage vaults = $.collateralVaults;
        uint256 n = vaults.length;
        for (uint256 i; i < n; ++i) {
            address vault = vaults[i];
            uint256 shares = $.collateral[accountId][vault];
            if (shares == 0) continue;
            IOptionsClearing.CollateralConfig storage config = $.collateralConfig[vault];
            uint256 amountWad = IERC4626(vault).convertToAssets(shares).toWadDown(config.assetDecimals);
            uint256 priceWad = config.asset == ctx.quote ? WadMath.WAD : price(ctx, config.asset);
            valueWad += amountWad.mulWadDown(priceWad).mulWadDown(WadMath.WAD - config.haircutWad);
        }
    }

    /// @dev Sum over the account's underlyings of the calculator's requirements; settled series are excluded.
    function _requirements(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId
    ) private view returns (uint256 maintenanceWad, uint256 initialWad) {
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 n = ids.length;
        if (n == 0) return (0, 0);
        address[] memory underlyings = new address[](n);
        uint256[] memory counts = new uint256[](n);
        uint256 distinct;
        for (uint256 i; i < n; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            if (s.settled) continue;
            uint256 j;
            while (j < distinct && underlyings[j] != s.underlying) ++j;
            if (j == distinct) underlyings[distinct++] = s.underlying;
            ++counts[j];
        }
        for (uint256 j; j < distinct; ++j) {
            (uint256 m, uint256 ini) = _requirementsOn($, ctx, accountId, underlyings[j], counts[j]);
            maintenanceWad += m;
            initialWad += ini;
        }
    }

    function _requirementsOn(
        ClearingStorage.Layout storage $,
        Context memory ctx,
        uint256 accountId,
        address underlying,
        uint256 count
    ) private view returns (uint256 maintenanceWad, uint256 initialWad) {
        IMarginCalculator.Position[] memory positions = _positionsOn($, accountId, underlying, count);
        return
            ctx.calculator.requirements(
                positions,
                price(ctx, underlying),
                ClearingStorage.load($.risk[underlying]),
                block.timestamp
            );
    }

    /// @dev The account's `count` unsettled positions on `underlying`, as the calculator takes them.
    function _positionsOn(
        ClearingStorage.Layout storage $,
        uint256 accountId,
        address underlying,
        uint256 count
    ) private view returns (IMarginCalculator.Position[] memory positions) {
        positions = new IMarginCalculator.Position[](count);
        uint256[] storage ids = $.seriesOf[accountId];
        uint256 k;
        for (uint256 i; i < ids.length; ++i) {
            IOptionsClearing.Series storage s = $.series[ids[i]];
            if (s.settled || s.underlying != underlying) continue;
            positions[k++] = IMarginCalculator.Position({
                strikeWad: s.strikeWad,
                expiry: s.expiry,
                isCall: s.isCall,
                amount: $.position[accountId][ids[i]]
            });
        }
    }

    /// @notice The price every valuation of the clearing uses (margin, health, liquidation).
    function price(Context memory ctx, address asset) internal view returns (uint256 priceWad) {
        (priceWad, ) = ctx.oracle.getRecentPrice(asset, MAX_PRICE_ROUND_AGE_SECONDS);
    }
}
