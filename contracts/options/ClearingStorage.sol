// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginCalculator} from "../interfaces/IMarginCalculator.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";

/// @title ClearingStorage
/// @notice The storage layout of OptionsClearing, shared with its external logic libraries (MarginLogic and,
/// later, LiquidationLogic), which receive it as a storage pointer.
library ClearingStorage {
    /// @notice Totals of one series, kept in step with every position change (INV_OPEN_INTEREST).
    struct SeriesTotals {
        uint256 shorts;
        uint256 longsInAccounts;
    }

    struct Layout {
        mapping(uint256 seriesId => IOptionsClearing.Series) series;
        mapping(uint256 seriesId => SeriesTotals) totals;
        mapping(address underlying => IOptionsClearing.UnderlyingConfig) underlyingConfig;
        mapping(address underlying => IMarginCalculator.RiskParams) risk;
        mapping(address vault => IOptionsClearing.CollateralConfig) collateralConfig;
        address[] collateralVaults;
        mapping(address vault => uint256) totalCollateral;
        uint256 accountCount;
        mapping(uint256 accountId => address) owner;
        mapping(uint256 accountId => uint256[]) seriesOf;
        mapping(uint256 accountId => mapping(uint256 seriesId => int256)) position;
        mapping(uint256 accountId => mapping(address vault => uint256)) collateral;
        mapping(uint256 accountId => uint256) debt;
        mapping(address owner => mapping(address operator => bool)) isOperator;
    }
}
