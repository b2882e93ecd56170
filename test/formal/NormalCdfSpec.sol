// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {NormalCdf} from "../../contracts/libraries/NormalCdf.sol";

/// @notice Φ is a probability: never above one (WAD), for every input.
contract NormalCdfSpec {
    function cdfAtMostOne(int256 x) external pure {
        assert(NormalCdf.cdf(x) <= 1e18);
    }
}
