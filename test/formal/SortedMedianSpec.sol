// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SortedMedian} from "../../contracts/libraries/SortedMedian.sol";

/// @notice The oracle's median (INV_ORACLE_PRICE_VALIDITY): over the fresh sources' prices in ascending order (as
/// `insert` leaves them), it lies between the lowest and the highest, for two, three and four sources.
/// @dev The arrays are built here: the SMTChecker does not carry a callee's writes to a memory array back to the
/// caller, so `insert`'s ordering is left to test/fuzz/OracleMedian.fuzz.test.ts.
contract SortedMedianSpec {
    function medianOfTwo(uint256 a, uint256 b) external pure {
        require(a <= b);
        uint256[] memory prices = new uint256[](2);
        (prices[0], prices[1]) = (a, b);
        uint256 m = SortedMedian.median(prices, 2);
        assert(m >= a && m <= b);
    }

    function medianOfThree(uint256 a, uint256 b, uint256 c) external pure {
        require(a <= b && b <= c);
        uint256[] memory prices = new uint256[](3);
        (prices[0], prices[1], prices[2]) = (a, b, c);
        uint256 m = SortedMedian.median(prices, 3);
        assert(m >= a && m <= c);
    }

    function medianOfFour(uint256 a, uint256 b, uint256 c, uint256 d) external pure {
        require(a <= b && b <= c && c <= d);
        uint256[] memory prices = new uint256[](4);
        (prices[0], prices[1], prices[2], prices[3]) = (a, b, c, d);
        uint256 m = SortedMedian.median(prices, 4);
        assert(m >= b && m <= c);
    }
}
