// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {IOracleAggregator} from "../../../contracts/interfaces/IOracleAggregator.sol";
import {Scopes} from "../../../contracts/libraries/Scopes.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice Listing, settlement (from the live oracle, from the first round of the window, and the governance
/// fallback after the window) and exercise.
contract SettlementHandler is HandlerBase {
    uint256 internal constant MAX_SERIES = 12;
    uint256 internal constant SETTLEMENT_WINDOW = 1 days;
    /// @dev Rounds looked at when searching the oracle's history (the campaign records far fewer).
    uint256 internal constant MAX_ROUND_SCAN = 256;

    IOptionsClearing internal immutable clearing;
    IOracleAggregator internal immutable oracle;

    constructor(World world_) HandlerBase(world_) {
        clearing = IOptionsClearing(address(world_.clearing()));
        oracle = IOracleAggregator(address(world_.oracle()));
    }

    /// @notice The lister lists a series near the money, expiring in 2 hours to 3 days.
    function listSeries(uint256 strikeSeed, uint256 expirySeed, bool isCall) external {
        if (world.seriesCount() >= MAX_SERIES) revert("enough series");
        (, uint256 spot, ) = oracle.latestRound(address(world.weth()));
        uint256 strike = ((spot * _bound(strikeSeed, 80, 120)) / 100 / 50e18) * 50e18;
        if (strike < 100e18) strike = 100e18;
        uint64 expiry = uint64(block.timestamp + _bound(expirySeed, 2 hours, 3 days));
        (address lister, address weth) = (world.lister(), address(world.weth()));
        vm.prank(lister);
        uint256 id = clearing.listSeries(weth, strike, expiry, isCall);
        world.addSeries(id);
    }

    /// @notice Settle a series: time passes to its expiry if needed; within the window from the live oracle, after it
    /// from the first round recorded in the window, or by the governance fallback when the window recorded none.
    function settle(uint256 seriesSeed, uint256 delaySeed) external {
        uint256[] memory ids = world.series();
        uint256 seriesId;
        IOptionsClearing.Series memory s;
        for (uint256 i; i < ids.length; ++i) {
            seriesId = ids[(seriesSeed + i) % ids.length];
            s = clearing.series(seriesId);
            if (!s.settled) break;
        }
        if (s.settled) revert("every series settled");
        if (block.timestamp < s.expiry) _warp(s.expiry - block.timestamp + _bound(delaySeed, 1, 1 hours));
        bool blocked = _blocked(Scopes.SETTLE) || world.breaker().isTripped(_wethScope());
        if (block.timestamp <= s.expiry + SETTLEMENT_WINDOW) {
            try clearing.settle(seriesId) {
                if (blocked) _violate(INV_BREAKER_GUARDS, "settle while SETTLE or WETH tripped");
            } catch (bytes memory err) {
                _rethrow(err);
            }
            return;
        }
        (uint80 first, uint80 refRound) = _windowRounds(s.expiry);
        if (first != 0) {
            try clearing.settleFromRound(seriesId, first) {
                if (blocked) _violate(INV_BREAKER_GUARDS, "settleFromRound while SETTLE or WETH tripped");
            } catch (bytes memory err) {
                _rethrow(err);
            }
            return;
        }
        uint256 price = 2000e18;
        if (refRound != 0) {
            (uint256 referencePrice, ) = oracle.roundData(address(world.weth()), refRound);
            price = (referencePrice * _bound(delaySeed, 60, 140)) / 100;
        }
        address governor = world.governor();
        vm.prank(governor);
        clearing.settleWithFallbackPrice(seriesId, price, refRound);
    }

    function exercise(uint256 actorSeed, uint256 seriesSeed, uint256 fractionBps) external {
        (address actor, uint256 seriesId, uint256 held) = _findLongTokens(actorSeed, seriesSeed, true);
        uint256 amount = (held * _bound(fractionBps, 1, 10_000)) / 10_000;
        if (amount == 0) amount = 1;
        bool blocked = _blocked(Scopes.SETTLE);
        vm.prank(actor);
        try clearing.exercise(seriesId, amount, actor) {
            if (blocked) _violate(INV_BREAKER_GUARDS, "exercise while SETTLE tripped");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }

    /// @dev The first round observed in [expiry, expiry + window] (0: none) and the last before expiry (0: none).
    function _windowRounds(uint64 expiry) private view returns (uint80 first, uint80 refRound) {
        address weth = address(world.weth());
        (uint80 id, , ) = oracle.latestRound(weth);
        for (uint256 k; k < MAX_ROUND_SCAN && id != 0; ++k) {
            (, uint256 at) = oracle.roundData(weth, id);
            if (at < expiry) return (first, id);
            if (at <= expiry + SETTLEMENT_WINDOW) first = id;
            --id;
        }
    }
}
