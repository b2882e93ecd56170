// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SortedMedian
/// @notice Median of a short list of prices, built by insertion into a sorted prefix of a memory array. Used by
/// the OracleAggregator and the SignedReportSource, whose lists are bounded by small constants (n <= 31), so the
/// O(n^2) insertion sort is cheaper than anything cleverer.
library SortedMedian {
    /// @notice Insert `value` into the ascending prefix `a[0..len)`; afterwards `a[0..len+1)` is ascending.
    /// @dev `a.length` must exceed `len` (panics otherwise).
    function insert(uint256[] memory a, uint256 len, uint256 value) internal pure {
        uint256 j = len;
        while (j > 0 && a[j - 1] > value) {
            a[j] = a[j - 1];
            --j;
        }
        a[j] = value;
    }

    /// @notice The median of the ascending prefix `a[0..len)`, `len > 0`: the middle value, or for an even `len`
    /// the mean of the two middle values rounded down (computed without overflow for any uint256 values).
    function median(uint256[] memory a, uint256 len) internal pure returns (uint256) {
        uint256 mid = len / 2;
        if (len % 2 == 1) return a[mid];
        uint256 lo = a[mid - 1];
        uint256 hi = a[mid];
        return lo + (hi - lo) / 2;
    }
}
