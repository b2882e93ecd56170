// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IInsuranceVault} from "../interfaces/IInsuranceVault.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ClearingStorage} from "./ClearingStorage.sol";

/// @title InsuranceLogic
/// @notice The clearing's side of the InsuranceVault (docs/liquidation.md): liquidation penalties taken as quote-vault
/// shares and held as owed to the insurance until `payPenalties`, and bad-debt cover paid first from those pending
/// shares, then drawn from the vault. Internal library of LiquidationLogic.
library InsuranceLogic {
    using WadMath for uint256;
    using SafeERC20 for IERC20;

    /// @dev Take the penalty out of the liquidator's `seizedQuoteShares` (`penaltyShares` prices it) and book it as
    /// owed to the insurance vault: one vault redemption for many liquidations instead of one per liquidation.
    /// @return paidWad The penalty actually taken.
    function takePenalty(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        uint256 liquidatorAccountId,
        uint256 seizedQuoteShares,
        uint256 penaltyWad
    ) internal returns (uint256 paidWad) {
        uint256 shares;
        (shares, paidWad) = penaltyShares(quote, seizedQuoteShares, penaltyWad);
        if (shares == 0) return 0;
        address vault = address(quote.vault);
        $.collateral[liquidatorAccountId][vault] -= shares;
        $.totalCollateral[vault] -= shares;
        $.pendingPenaltyShares += shares;
    }

    /// @dev The penalty taken out of `seizedQuoteShares`: the quote-vault shares that withdraw `penaltyWad` (rounded
    /// up to the quote asset's unit), worth at least that, or all the seized quote shares when they are worth less;
    /// and its value as reported (the rounded-up amount, or what the seized shares redeem for).
    function penaltyShares(
        AccountLogic.Quote memory quote,
        uint256 seizedQuoteShares,
        uint256 penaltyWad
    ) internal view returns (uint256 shares, uint256 paidWad) {
        if (penaltyWad == 0 || seizedQuoteShares == 0) return (0, 0);
        uint256 assets = penaltyWad.fromWadUp(quote.decimals);
        shares = quote.vault.previewWithdraw(assets);
        if (shares <= seizedQuoteShares) return (shares, assets.toWadDown(quote.decimals));
        shares = seizedQuoteShares;
        paidWad = quote.vault.previewRedeem(shares).toWadDown(quote.decimals);
    }

    /// @dev See IOptionsClearing.payPenalties: redeem the pending penalty shares and pay the assets to the insurance.
    function payPenalties(
        ClearingStorage.Layout storage $,
        IERC4626 quoteVault,
        address quoteAsset,
        IInsuranceVault insurance
    ) internal returns (uint256 assets) {
        uint256 shares = $.pendingPenaltyShares;
        if (shares == 0) return 0;
        $.pendingPenaltyShares = 0;
        assets = quoteVault.redeem(shares, address(this), address(this));
        emit IOptionsClearing.PenaltiesPaid(shares, assets);
        if (assets == 0) return 0;
        IERC20(quoteAsset).forceApprove(address(insurance), assets);
        insurance.payPenalty(assets);
    }

    /// @dev The quote assets the pending penalty shares redeem for: cover that `cover` uses before the vault's.
    function pendingPenaltyAssets(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote
    ) internal view returns (uint256) {
        uint256 shares = $.pendingPenaltyShares;
        return shares == 0 ? 0 : quote.vault.previewRedeem(shares);
    }

    /// @dev Credit `coverAssets` of bad-debt cover (at most what was found available) to the liquidator's account as
    /// quote-vault shares: first from the pending penalty shares, worth `pendingAssets` (already the insurance
    /// vault's money, moved as shares), then drawn from the insurance vault and deposited in the quote vault
    /// (`ICollateralVault.depositCover`).
    function cover(
        ClearingStorage.Layout storage $,
        AccountLogic.Quote memory quote,
        address quoteAsset,
        IInsuranceVault insurance,
        uint256 liquidatorAccountId,
        uint256 coverAssets,
        uint256 pendingAssets
    ) internal {
        address quoteVault = address(quote.vault);
        uint256 assets = coverAssets;
        uint256 shares;
        if (pendingAssets != 0) {
            uint256 fromPending = Math.min(assets, pendingAssets);
            uint256 pending = $.pendingPenaltyShares;
            // previewWithdraw(previewRedeem(pending)) <= pending, so the shares taken never exceed the pending ones.
            uint256 taken = fromPending == pendingAssets ? pending : quote.vault.previewWithdraw(fromPending);
            $.pendingPenaltyShares = pending - taken;
            shares = taken;
            assets -= fromPending;
            emit IOptionsClearing.PenaltiesUsedAsCover(taken, fromPending);
        }
        if (assets != 0) {
            assets = insurance.coverBadDebt(assets, address(this));
            IERC20(quoteAsset).forceApprove(quoteVault, assets);
            // Not stopped by the quote vault's DEPOSIT pause, cap or allowlist: the insurance's money is already ours.
            shares += ICollateralVault(quoteVault).depositCover(assets);
        }
        $.collateral[liquidatorAccountId][quoteVault] += shares;
        $.totalCollateral[quoteVault] += shares;
    }
}
