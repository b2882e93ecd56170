// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../../../contracts/interfaces/ICircuitBreaker.sol";
import {IOracleAggregator} from "../../../contracts/interfaces/IOracleAggregator.sol";
import {MockChainlinkFeed} from "../../../contracts/mocks/MockChainlinkFeed.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {World} from "../base/World.sol";

/// @notice The external feeds and the oracle: moves within and beyond the band, source failures and recoveries,
/// pokes and the passing of time.
contract OracleHandler is HandlerBase {
    /// @dev Feed answers stay within [100, 100,000] quote (8 decimals), inside the adapters' and listing bounds.
    int256 private constant MIN_ANSWER = 100e8;
    int256 private constant MAX_ANSWER = 100_000e8;

    constructor(World world_) HandlerBase(world_) {}

    /// @notice Every live feed moves by up to ±15% (each within 0.5% of the others: inside the 2% spread).
    function moveWithinBand(uint256 moveSeed, uint256 jitterSeed) external {
        int256 bps = int256(_bound(moveSeed, 0, 3000)) - 1500;
        _move(bps, jitterSeed);
    }

    /// @notice A gap beyond the 50% band: the next poke must report it and trip WETH's scope.
    function gapBeyondBand(bool up, uint256 moveSeed, uint256 jitterSeed) external {
        int256 bps = int256(_bound(moveSeed, 5500, 8000));
        _move(up ? bps * 2 : -bps, jitterSeed);
    }

    /// @notice Take feed `index` down: stale (its last round ages past the heartbeat) or reverting.
    function failFeed(uint256 index, bool reverting) external {
        index %= 3;
        MockChainlinkFeed f = world.feed(index);
        world.setFeedDown(index, true);
        if (reverting) {
            f.setMode(MockChainlinkFeed.Mode.Revert);
        } else {
            (, int256 answer, , , ) = f.latestRoundData();
            f.setAnswer(answer, block.timestamp - 2 hours);
        }
        _poke();
    }

    function restoreFeed(uint256 index) external {
        index %= 3;
        MockChainlinkFeed f = world.feed(index);
        world.setFeedDown(index, false);
        f.setMode(MockChainlinkFeed.Mode.Normal);
        (, int256 answer, , , ) = _reference();
        f.setAnswer(answer, block.timestamp);
        _poke();
    }

    function poke() external {
        _poke();
    }

    function passTime(uint256 seconds_) external {
        _warp(_bound(seconds_, 60, MAX_STEP_SECONDS));
    }

    function _move(int256 bps, uint256 jitterSeed) private {
        (, int256 answer, , , ) = _reference();
        int256 next = (answer * (10_000 + bps)) / 10_000;
        if (next < MIN_ANSWER) next = MIN_ANSWER;
        if (next > MAX_ANSWER) next = MAX_ANSWER;
        for (uint256 i; i < 3; ++i) {
            if (world.feedDown(i)) continue;
            int256 jitter = int256(uint256(keccak256(abi.encode(jitterSeed, i))) % 51) - 25;
            world.feed(i).setAnswer((next * (10_000 + jitter)) / 10_000, block.timestamp);
        }
        _poke();
    }

    /// @dev The answer of a live feed (the first one up; feed 0 when all are down).
    function _reference() private view returns (uint80, int256, uint256, uint256, uint80) {
        for (uint256 i; i < 3; ++i) {
            if (!world.feedDown(i)) return world.feed(i).latestRoundData();
        }
        MockChainlinkFeed f = world.feed(0);
        if (f.mode() == MockChainlinkFeed.Mode.Revert) return (0, 2000e8, 0, 0, 0);
        return f.latestRoundData();
    }

    /// @dev A poke that reports a jump or a lost quorum must leave WETH's scope tripped.
    function _poke() private {
        IOracleAggregator oracle = IOracleAggregator(address(world.oracle()));
        try oracle.poke(address(world.weth())) returns (IOracleAggregator.PokeOutcome outcome) {
            if (
                (outcome == IOracleAggregator.PokeOutcome.PriceBandBreachReported ||
                    outcome == IOracleAggregator.PokeOutcome.QuorumLossReported) &&
                !ICircuitBreaker(address(world.breaker())).isTripped(_wethScope())
            ) _violate(INV_BREAKER_GUARDS, "an oracle report left WETH's scope untripped");
        } catch (bytes memory err) {
            _rethrow(err);
        }
    }
}
