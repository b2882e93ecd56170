// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SortedMedian} from "../../contracts/libraries/SortedMedian.sol";

/// @notice The oracle's median (INV_ORACLE_PRICE_VALIDITY): it lies between the fresh sources' lowest and highest
/// price, for the quorum sizes the deployments use (two and three sources).
contract SortedMedianSpec {
    function medianOfTwo(uint256 a, uint256 b) external pure {
        uint256[] memory prices = new uint256[](2);
        SortedMedian.insert(prices, 0, a);
        SortedMedian.insert(prices, 1, b);
        uint256 m = SortedMedian.median(prices, 2);
        assert(prices[0] <= prices[1]);
        assert(m >= (a < b ? a : b) && m <= (a < b ? b : a));
    }

    function medianOfThree(uint256 a, uint256 b, uint256 c) external pure {
        uint256[] memory prices = new uint256[](3);
        SortedMedian.insert(prices, 0, a);
        SortedMedian.insert(prices, 1, b);
        SortedMedian.insert(prices, 2, c);
        uint256 m = SortedMedian.median(prices, 3);
        uint256 lo = a < b ? (a < c ? a : c) : (b < c ? b : c);
        uint256 hi = a > b ? (a > c ? a : c) : (b > c ? b : c);
        assert(m >= lo && m <= hi);
    }
}
