// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {MockERC20} from "../../../contracts/mocks/tokens/MockERC20.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice CollateralVault deposits, mints, withdrawals, redemptions and donations by the actors, both vaults.
contract VaultHandler is HandlerBase {
    constructor(World world_) HandlerBase(world_) {}

    function deposit(uint256 actorSeed, bool useWeth, uint256 assets) external {
        (address actor, IERC4626 vault, MockERC20 token) = _pick(actorSeed, useWeth);
        assets = _bound(assets, 1, useWeth ? 20e18 : 50_000e6);
        token.mint(actor, assets);
        vm.startPrank(actor);
        token.approve(address(vault), assets);
        bool blocked = world.breaker().isTripped(Scopes.DEPOSIT);
        try vault.deposit(assets, actor) {
            vm.stopPrank();
            if (blocked) return _violate(INV_BREAKER_GUARDS, "vault deposit while DEPOSIT tripped");
            if (useWeth) world.recordWethInflow(assets);
            _observe();
        } catch (bytes memory err) {
            vm.stopPrank();
            _rethrow(err);
        }
    }

    function mint(uint256 actorSeed, bool useWeth, uint256 shares) external {
        (address actor, IERC4626 vault, MockERC20 token) = _pick(actorSeed, useWeth);
        shares = _bound(shares, 1e6, useWeth ? 20e24 : 50_000e12);
        uint256 assets = vault.previewMint(shares);
        token.mint(actor, assets);
        vm.startPrank(actor);
        token.approve(address(vault), assets);
        bool blocked = world.breaker().isTripped(Scopes.DEPOSIT);
        try vault.mint(shares, actor) returns (uint256 paid) {
            vm.stopPrank();
            if (blocked) return _violate(INV_BREAKER_GUARDS, "vault mint while DEPOSIT tripped");
            if (paid != assets) return _violate(INV_VAULT_ROUNDING, "mint paid other than previewMint");
            if (useWeth) world.recordWethInflow(paid);
            _observe();
        } catch (bytes memory err) {
            vm.stopPrank();
            _rethrow(err);
        }
    }

    function withdraw(uint256 actorSeed, bool useWeth, uint256 fractionBps) external {
        (address actor, IERC4626 vault, ) = _pick(actorSeed, useWeth);
        uint256 assets = (vault.maxWithdraw(actor) * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (assets == 0) assets = 1;
        uint256 expectedShares = vault.previewWithdraw(assets);
        bool blocked = _blocked(Scopes.WITHDRAW);
        vm.prank(actor);
        try vault.withdraw(assets, actor, actor) returns (uint256 burnt) {
            if (blocked) return _violate(INV_BREAKER_GUARDS, "vault withdraw while WITHDRAW tripped");
            if (burnt != expectedShares) return _violate(INV_VAULT_ROUNDING, "withdraw burnt other than preview");
            if (useWeth) world.recordWethOutflow(assets);
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    function redeem(uint256 actorSeed, bool useWeth, uint256 fractionBps) external {
        (address actor, IERC4626 vault, ) = _pick(actorSeed, useWeth);
        uint256 shares = (vault.maxRedeem(actor) * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (shares == 0) shares = 1;
        uint256 expectedAssets = vault.previewRedeem(shares);
        bool blocked = _blocked(Scopes.WITHDRAW);
        vm.prank(actor);
        try vault.redeem(shares, actor, actor) returns (uint256 paid) {
            if (blocked) return _violate(INV_BREAKER_GUARDS, "vault redeem while WITHDRAW tripped");
            if (paid != expectedAssets) return _violate(INV_VAULT_ROUNDING, "redeem paid other than preview");
            if (useWeth) world.recordWethOutflow(paid);
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @notice A direct transfer into the vault (the inflation attack's lever): it must not move the share price.
    function donate(bool useWeth, uint256 assets) external {
        (, IERC4626 vault, MockERC20 token) = _pick(0, useWeth);
        assets = _bound(assets, 1, useWeth ? 10e18 : 10_000e6);
        uint256 priceBefore = vault.convertToAssets(1e24);
        token.mint(address(vault), assets);
        if (vault.convertToAssets(1e24) != priceBefore) _violate(INV_VAULT_NO_THEFT, "a donation moved the share price");
    }

    function _pick(uint256 actorSeed, bool useWeth) private view returns (address, IERC4626, MockERC20) {
        return
            useWeth
                ? (world.actor(actorSeed), IERC4626(address(world.wethVault())), world.weth())
                : (world.actor(actorSeed), IERC4626(address(world.usdcVault())), world.usdc());
    }

    function _observe() private {
        world.observeWethLiquidity(world.breaker().trackedLiquidity(address(world.weth())));
    }
}
