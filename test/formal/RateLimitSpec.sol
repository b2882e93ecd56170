// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RateLimit} from "../../contracts/libraries/RateLimit.sol";

/// @notice The outflow limiter's window arithmetic (INV_BREAKER_OUTFLOW_LIMIT), for every state satisfying the
/// library's documented invariant `0 <= base - netPrev - netCur <= MAX_LIQUIDITY`.
contract RateLimitSpec {
    using RateLimit for RateLimit.Window;

    /// @dev An outflow the limiter lets through (nonzero, at most `capacity`) leaves the net outflow of both buckets
    /// within the limit on the base.
    function outflowWithinLimit(uint128 base, int128 prev, int128 cur, uint16 bps, uint256 amount) external pure {
        RateLimit.Window memory w = _window(base, prev, cur, bps);
        require(amount != 0 && amount <= w.capacity());
        w.addOutflow(amount);
        assert(int256(w.netOutflowPrev) + w.netOutflowCur <= int256((uint256(base) * bps) / 10_000));
    }

    /// @dev The capacity never exceeds the liquidity: what may leave is there.
    function capacityWithinLiquidity(uint128 base, int128 prev, int128 cur, uint16 bps) external pure {
        RateLimit.Window memory w = _window(base, prev, cur, bps);
        assert(int256(w.capacity()) <= int256(uint256(base)) - prev - cur);
    }

    /// @dev Rolling to a later bucket never changes the liquidity and never refills more than the limit.
    function rollKeepsLiquidity(uint128 base, int128 prev, int128 cur, uint16 bps, uint40 epoch, uint40 later)
        external
        pure
    {
        RateLimit.Window memory w = _window(base, prev, cur, bps);
        w.epoch = epoch;
        require(later > epoch);
        int256 before = int256(uint256(base)) - prev - cur;
        w.roll(uint256(later) * 1 days);
        assert(int256(uint256(w.baseLiquidity)) - w.netOutflowPrev - w.netOutflowCur == before);
        assert(w.netOutflowCur == 0);
    }

    function _window(uint128 base, int128 prev, int128 cur, uint16 bps) private pure returns (RateLimit.Window memory) {
        require(bps >= 1 && bps <= 10_000);
        int256 liquidity = int256(uint256(base)) - prev - cur;
        require(liquidity >= 0 && uint256(liquidity) <= RateLimit.MAX_LIQUIDITY);
        require(uint256(base) <= RateLimit.MAX_LIQUIDITY);
        RateLimit.Window memory w;
        w.baseLiquidity = base;
        w.windowSeconds = uint32(1 days);
        w.maxOutflowBps = bps;
        w.netOutflowPrev = prev;
        w.netOutflowCur = cur;
        return w;
    }
}
