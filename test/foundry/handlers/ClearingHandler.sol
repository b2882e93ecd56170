// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice Accounts and positions: collateral in and out, writes, closes, longs in and out of accounts, ERC-1155
/// transfers and lazy settlement. Every risk-adding success is checked against initial margin, the breaker and the
/// tripped-price rule; every risk-reducing call must pass the breaker.
contract ClearingHandler is HandlerBase {
    IOptionsClearing internal immutable clearing;

    constructor(World world_) HandlerBase(world_) {
        clearing = IOptionsClearing(address(world_.clearing()));
    }

    function depositCollateral(uint256 actorSeed, bool useWeth, uint256 fractionBps) external {
        address actor = world.actor(actorSeed);
        address vault = useWeth ? address(world.wethVault()) : address(world.usdcVault());
        uint256 shares = (IERC20(vault).balanceOf(actor) * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (shares == 0) shares = 1;
        uint256 accountId = world.accountOf(actor);
        vm.prank(actor);
        try clearing.depositCollateral(accountId, vault, shares) {} catch (bytes memory err) {
            if (_isBreakerError(err)) return _violate(INV_BREAKER_GUARDS, "depositCollateral refused by the breaker");
            _rethrow(err);
        }
    }

    function withdrawCollateral(uint256 actorSeed, bool useWeth, uint256 fractionBps) external {
        address actor = world.actor(actorSeed);
        uint256 accountId = world.accountOf(actor);
        address vault = useWeth ? address(world.wethVault()) : address(world.usdcVault());
        uint256 shares = (clearing.collateralOf(accountId, vault) * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (shares == 0) shares = 1;
        bool blocked = _blocked(Scopes.WITHDRAW);
        vm.prank(actor);
        try clearing.withdrawCollateral(accountId, vault, shares, actor) {
            if (blocked) return _violate(INV_BREAKER_GUARDS, "withdrawCollateral while WITHDRAW tripped");
            _afterRiskAdded(accountId, "withdrawCollateral");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    function write(uint256 actorSeed, uint256 seriesSeed, uint256 amount, uint256 recipientSeed) external {
        address actor = world.actor(actorSeed);
        uint256 accountId = world.accountOf(actor);
        uint256 seriesId = _openSeries(seriesSeed);
        amount = _bound(amount, 0.01e18, _writable(accountId));
        address recipient = world.actor(recipientSeed);
        bool blocked = _blocked(Scopes.WRITE) || world.breaker().isTripped(_wethScope());
        vm.prank(actor);
        try clearing.write(accountId, seriesId, amount, recipient) {
            if (blocked) return _violate(INV_BREAKER_GUARDS, "write while WRITE or WETH tripped");
            _afterRiskAdded(accountId, "write");
            _checkRequirement(accountId, seriesId);
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @notice A holder of longs burns them against an account's short (any account: it only reduces risk).
    function close(uint256 holderSeed, uint256 accountSeed, uint256 seriesSeed, uint256 fractionBps) external {
        (address writer, uint256 seriesId, uint256 shortAmount) = _findPosition(accountSeed, seriesSeed, false);
        uint256 accountId = world.accountOf(writer);
        address holder = world.actor(holderSeed);
        uint256 held = IERC1155(address(clearing)).balanceOf(holder, seriesId);
        for (uint256 a; a < 4 && held == 0; ++a) {
            holder = world.actor(holderSeed + a);
            held = IERC1155(address(clearing)).balanceOf(holder, seriesId);
        }
        uint256 amount = ((held < shortAmount ? held : shortAmount) * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (amount == 0) amount = 1;
        vm.prank(holder);
        try clearing.close(accountId, seriesId, amount) {} catch (bytes memory err) {
            if (_isBreakerError(err)) return _violate(INV_BREAKER_GUARDS, "close refused by the breaker");
            _rethrow(err);
        }
    }

    function depositLongs(uint256 actorSeed, uint256 seriesSeed, uint256 fractionBps) external {
        (address actor, uint256 seriesId, uint256 held) = _findLongTokens(actorSeed, seriesSeed, false);
        uint256 amount = (held * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (amount == 0) amount = 1;
        uint256 accountId = world.accountOf(actor);
        vm.prank(actor);
        try clearing.depositLongs(accountId, seriesId, amount) {} catch (bytes memory err) {
            if (_isBreakerError(err)) return _violate(INV_BREAKER_GUARDS, "depositLongs refused by the breaker");
            _rethrow(err);
        }
    }

    function withdrawLongs(uint256 actorSeed, uint256 seriesSeed, uint256 fractionBps) external {
        (address actor, uint256 seriesId, uint256 longAmount) = _findPosition(actorSeed, seriesSeed, true);
        uint256 accountId = world.accountOf(actor);
        uint256 amount = (longAmount * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (amount == 0) amount = 1;
        bool blocked = _blocked(Scopes.WITHDRAW);
        vm.prank(actor);
        try clearing.withdrawLongs(accountId, seriesId, amount, actor) {
            if (blocked) return _violate(INV_BREAKER_GUARDS, "withdrawLongs while WITHDRAW tripped");
            _afterRiskAdded(accountId, "withdrawLongs");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    function transferLongs(uint256 fromSeed, uint256 toSeed, uint256 seriesSeed, uint256 fractionBps) external {
        (address from, uint256 seriesId, uint256 held) = _findLongTokens(fromSeed, seriesSeed, false);
        address to = world.actor(toSeed);
        uint256 amount = (held * _bound(fractionBps, 1, 10_000)) / 10_000;
        vm.prank(from);
        IERC1155(address(clearing)).safeTransferFrom(from, to, seriesId, amount, "");
    }

    function settleAccount(uint256 actorSeed) external {
        uint256 accountId = world.accountOf(world.actor(actorSeed));
        try clearing.settleAccount(accountId) {} catch (bytes memory err) {
            if (_isBreakerError(err)) return _violate(INV_BREAKER_GUARDS, "settleAccount refused by the breaker");
            _rethrow(err);
        }
    }

    /// @dev Contracts the account's headroom over initial margin roughly carries (at 40% of spot per contract), so
    /// writes reach leveraged accounts and most still pass.
    function _writable(uint256 accountId) private view returns (uint256) {
        try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
            if (h.collateralValueWad <= h.initialWad) return 0.01e18;
            (, uint256 spot, ) = world.oracle().latestRound(address(world.weth()));
            uint256 amount = ((h.collateralValueWad - h.initialWad) * WAD) / ((spot * 2) / 5);
            return amount < 0.01e18 ? 0.01e18 : amount;
        } catch {
            return 0.01e18;
        }
    }

    /// @dev From the seed's starting point, the first listed series that is still open for writing.
    function _openSeries(uint256 seed) private view returns (uint256 seriesId) {
        uint256[] memory ids = world.series();
        for (uint256 i; i < ids.length; ++i) {
            seriesId = ids[(seed + i) % ids.length];
            IOptionsClearing.Series memory s = clearing.series(seriesId);
            if (!s.settled && s.expiry > block.timestamp && clearing.writtenOff(seriesId) == 0) return seriesId;
        }
        revert("no open series");
    }

    /// @dev After a write that leaves a short (a write first nets a long the account holds), the maintenance
    /// requirement is nonzero.
    function _checkRequirement(uint256 accountId, uint256 seriesId) private {
        if (clearing.positionOf(accountId, seriesId) >= 0) return;
        try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
            if (h.maintenanceWad == 0) _violate(INV_MARGIN_CONSERVATIVE, "a short with a zero requirement");
        } catch {}
    }

    /// @dev After a risk-adding success: at or above initial margin, and not valued at a tripped price.
    function _afterRiskAdded(uint256 accountId, string memory action) private {
        if (world.breaker().isTripped(_wethScope()) && _pricedInWeth(accountId)) {
            return _violate(INV_NO_TRIPPED_PRICE, string.concat(action, " left the account valued at WETH's tripped price"));
        }
        try clearing.health(accountId) returns (IOptionsClearing.Health memory h) {
            if (h.collateralValueWad < h.initialWad) {
                _violate(INV_INITIAL_MARGIN_AFTER_ACTION, string.concat(action, " left the account below initial margin"));
            }
        } catch {
            // Not valued at any price the oracle refuses now: an account with positions must be priceable after a
            // risk-adding action succeeded at the same timestamp.
            if (_pricedInWeth(accountId)) {
                _violate(INV_INITIAL_MARGIN_AFTER_ACTION, string.concat(action, " passed but health() reverts"));
            }
        }
    }
}
