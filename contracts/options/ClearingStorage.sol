// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {RiskParams} from "../types/RiskParams.sol";

/// @title ClearingStorage
/// @notice The storage layout of OptionsClearing, shared with its logic libraries (MarginLogic, LiquidationLogic,
/// SettlementLogic, AccountLogic, InsuranceLogic), which receive it as a storage pointer.
library ClearingStorage {
    /// @notice Totals of one series, kept in step with every position change and every mint and burn of its long
    /// tokens (INV_OPEN_INTEREST: before settlement `shorts == longsInAccounts + longTokens`). Packed: one slot for
    /// the account side, one for the token supply.
    struct SeriesTotals {
        uint128 shorts;
        uint128 longsInAccounts;
        uint256 longTokens;
    }

    /// @notice Risk parameters of one underlying, packed into four slots (the margin check reads them on every
    /// risk-increasing action). Every field is within PortfolioMargin's hard bounds, far inside its type.
    struct PackedRisk {
        uint64 volWad;
        uint64 volShockUpWad;
        uint64 volShockDownWad;
        uint64 minPerShortSpotWad;
        uint64 initialBufferWad;
        uint8 shockCount;
        int64[16] spotShocksWad;
    }

    /// @notice A liquidation auction: started when the account was first seen liquidatable, kept alive by each
    /// observation within AUCTION_HEARTBEAT_SECONDS of the last (a longer gap, or a healthy observation, ends it).
    /// Its clock, `elapsedSeconds` as of `lastSeen`, counts only time in which the breaker allowed liquidation.
    struct Auction {
        uint64 since;
        uint64 lastSeen;
        uint64 elapsedSeconds;
    }

    struct Layout {
        mapping(uint256 seriesId => IOptionsClearing.Series) series;
        mapping(uint256 seriesId => SeriesTotals) totals;
        mapping(address underlying => IOptionsClearing.UnderlyingConfig) underlyingConfig;
        mapping(address underlying => PackedRisk) risk;
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
        /// @notice Each account's liquidation auction: since when it has been continuously liquidatable.
        mapping(uint256 accountId => Auction) auction;
        /// @notice Short contracts of each series written off in bad-debt liquidations (socialised loss).
        mapping(uint256 seriesId => uint256) writtenOff;
        /// @notice Payout per long contract of a settled series with write-offs (otherwise the series' payout).
        mapping(uint256 seriesId => uint256) longPayout;
        /// @notice Quote-vault shares taken as liquidation penalties and owed to the InsuranceVault, held by the
        /// clearing until `payPenalties` (or used first as bad-debt cover). Not part of the free pool.
        uint256 pendingPenaltyShares;
        /// @notice Settlement debt of each account per settled series (their sum is `debt`): a series stays in the
        /// account's series list until both its position and its debt are zero.
        mapping(uint256 accountId => mapping(uint256 seriesId => uint256)) seriesDebt;
        /// @notice Quote-vault shares paid in by each settled series' shorts and not yet paid to its longs: a long is
        /// paid only from its own series' pool (INV_SERIES_SOLVENCY).
        mapping(uint256 seriesId => uint256) seriesPool;
        /// @notice Callers the AccessManager allowed to call `trade` when last asked (see `syncTrader`).
        mapping(address caller => bool) isTrader;
    }

    /// @notice Store `risk` (already validated by the calculator) packed into `stored`.
    /// @dev Reverts with SafeCast's error if a field does not fit, which validated parameters never do.
    function store(PackedRisk storage stored, RiskParams calldata risk) internal {
        stored.volWad = SafeCast.toUint64(risk.volWad);
        stored.volShockUpWad = SafeCast.toUint64(risk.volShockUpWad);
        stored.volShockDownWad = SafeCast.toUint64(risk.volShockDownWad);
        stored.minPerShortSpotWad = SafeCast.toUint64(risk.minPerShortSpotWad);
        stored.initialBufferWad = SafeCast.toUint64(risk.initialBufferWad);
        uint256 n = risk.spotShocksWad.length;
        stored.shockCount = SafeCast.toUint8(n);
        for (uint256 i; i < n; ++i) stored.spotShocksWad[i] = SafeCast.toInt64(risk.spotShocksWad[i]);
    }

    /// @notice The risk parameters packed in `stored`, as the calculator takes them.
    function load(PackedRisk storage stored) internal view returns (RiskParams memory risk) {
        uint256 n = stored.shockCount;
        int256[] memory shocks = new int256[](n);
        for (uint256 i; i < n; ++i) shocks[i] = stored.spotShocksWad[i];
        risk = RiskParams({
            volWad: stored.volWad,
            spotShocksWad: shocks,
            volShockUpWad: stored.volShockUpWad,
            volShockDownWad: stored.volShockDownWad,
            minPerShortSpotWad: stored.minPerShortSpotWad,
            initialBufferWad: stored.initialBufferWad
        });
    }
}
