// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RateLimit
/// @notice Window arithmetic of the CircuitBreaker's outflow limiter (ERC-7265 style): at most `maxOutflowBps` of a
/// token's liquidity may leave, net of what came in, within any `windowSeconds`.
/// @dev Two fixed buckets of `windowSeconds` each: the current one (index `epoch = timestamp / windowSeconds`) and
/// the previous one. An outflow is allowed when the net outflow of both buckets stays within
/// `maxOutflowBps * baseLiquidity / 10_000`, where `baseLiquidity` is the liquidity at the start of the previous
/// bucket. Any interval of at most `windowSeconds` lies inside two consecutive buckets, so the limit holds over
/// every sliding window exactly (not approximately); the price is that an outflow is remembered for between one
/// and two windows. Inflows net against outflows (a deposit withdrawn within the same two buckets consumes
/// nothing), but only raise the base after a full bucket has passed, so a flash loan can neither raise the limit
/// nor consume it. Invariant kept by every function: `liquidity = baseLiquidity - netOutflowPrev - netOutflowCur`,
/// `0 <= liquidity <= MAX_LIQUIDITY`. Every operation is O(1). See docs/breaker.md for a worked example.
library RateLimit {
    /// @notice Denominator of `maxOutflowBps`: 10,000 bps = 100%.
    uint256 internal constant BPS_DENOMINATOR = 10_000;
    /// @notice Largest tracked liquidity: 2^127 - 1, so every net outflow fits an int128.
    uint256 internal constant MAX_LIQUIDITY = uint256(uint128(type(int128).max));

    /// @notice The limiter state of one token: two storage slots.
    /// @param baseLiquidity Liquidity at the start of the previous bucket: the base of the limit.
    /// @param epoch Index of the current bucket, `timestamp / windowSeconds`.
    /// @param windowSeconds Width of a bucket and of the window; 0 = no limit configured.
    /// @param maxOutflowBps Share of `baseLiquidity` that may leave net within the window; 0 = not configured.
    /// @param netOutflowPrev Outflows minus inflows in the previous bucket.
    /// @param netOutflowCur Outflows minus inflows in the current bucket.
    struct Window {
        uint128 baseLiquidity;
        uint40 epoch;
        uint32 windowSeconds;
        uint16 maxOutflowBps;
        int128 netOutflowPrev;
        int128 netOutflowCur;
    }

    /// @notice Bring `w` to the bucket of `nowSeconds`. Returns whether anything but the current bucket's net changed,
    /// i.e. whether the first storage slot must be written back.
    /// @dev Requires a configured window. One bucket later the current bucket becomes the previous one and the base
    /// moves to the liquidity at the start of the old current bucket; two or more buckets later (a long idle
    /// period) both buckets are empty and the base is the current liquidity.
    function roll(Window memory w, uint256 nowSeconds) internal pure returns (bool rolled) {
        uint256 epoch = nowSeconds / w.windowSeconds;
        if (epoch == w.epoch) return false;
        if (epoch == uint256(w.epoch) + 1) {
            // Liquidity at the start of the old current bucket: within [0, MAX_LIQUIDITY] by the invariant.
            w.baseLiquidity = uint128(uint256(int256(uint256(w.baseLiquidity)) - w.netOutflowPrev));
            w.netOutflowPrev = w.netOutflowCur;
        } else {
            w.baseLiquidity = uint128(liquidity(w));
            w.netOutflowPrev = 0;
        }
        w.netOutflowCur = 0;
        w.epoch = uint40(epoch);
        return true;
    }

    /// @notice The tracked liquidity: base minus the net outflow of both buckets.
    function liquidity(Window memory w) internal pure returns (uint256) {
        return uint256(int256(uint256(w.baseLiquidity)) - w.netOutflowPrev - w.netOutflowCur);
    }

    /// @notice What may still leave in the current bucket (rounded down): the limit on the base minus the net
    /// outflow of both buckets, floored at zero. Never more than `liquidity(w)`, since the share is at most 100%.
    /// @dev Call after `roll`.
    function capacity(Window memory w) internal pure returns (uint256) {
        int256 limit = int256((uint256(w.baseLiquidity) * w.maxOutflowBps) / BPS_DENOMINATOR);
        int256 available = limit - w.netOutflowPrev - w.netOutflowCur;
        return available > 0 ? uint256(available) : 0;
    }

    /// @notice Count `amount` leaving. The caller has checked `amount <= capacity(w)` after `roll`, which keeps the
    /// liquidity non-negative and the net within int128.
    function addOutflow(Window memory w, uint256 amount) internal pure {
        w.netOutflowCur += int128(int256(amount));
    }

    /// @notice Count `amount` entering. The caller has checked `liquidity(w) + amount <= MAX_LIQUIDITY`.
    function addInflow(Window memory w, uint256 amount) internal pure {
        w.netOutflowCur -= int128(int256(amount));
    }

    /// @notice Remove `amount` of liquidity that was lost, not withdrawn: it comes off the base first (so the limit
    /// measures against what is left), and only the part beyond the base (liquidity that entered within the window)
    /// is charged to the current bucket. The caller has checked `amount <= liquidity(w)` after `roll`, which keeps
    /// the liquidity non-negative.
    function removeLiquidity(Window memory w, uint256 amount) internal pure {
        uint256 base = w.baseLiquidity;
        if (amount <= base) {
            w.baseLiquidity = uint128(base - amount);
        } else {
            w.baseLiquidity = 0;
            w.netOutflowCur += int128(int256(amount - base));
        }
    }

    /// @notice Apply a new limit at `nowSeconds`. A configured window is first rolled under its old width; the net
    /// outflow of both buckets is then carried into the current bucket of the new window, so it is remembered for
    /// at least one full new window after the change: a change of limit never refills capacity early (it may
    /// remember an outflow longer). The base and the liquidity are unchanged.
    function reconfigure(
        Window memory w,
        uint16 maxOutflowBps,
        uint32 windowSeconds,
        uint256 nowSeconds
    ) internal pure {
        if (w.windowSeconds != 0) {
            roll(w, nowSeconds);
            w.netOutflowCur += w.netOutflowPrev;
            w.netOutflowPrev = 0;
        }
        w.maxOutflowBps = maxOutflowBps;
        w.windowSeconds = windowSeconds;
        w.epoch = uint40(nowSeconds / windowSeconds);
    }
}
