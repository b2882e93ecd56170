// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {SortedMedian} from "../libraries/SortedMedian.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title OracleAggregator
/// @notice Median of fresh sources per asset, with quorum, spread and band checks, breaker reports and recorded
/// rounds for the Chainlink facades; see `IOracleAggregator`.
/// @dev Invariant INV_ORACLE_PRICE_VALIDITY: `getPrice` returns a price only with quorum, freshness and spread
/// satisfied (and no unreported jump); `poke` records a round only under the same conditions.
contract OracleAggregator is IOracleAggregator, AccessManaged {
    /// @inheritdoc IOracleAggregator
    uint256 public constant SOURCE_GAS_LIMIT = 100_000;
    /// @inheritdoc IOracleAggregator
    uint256 public constant MAX_SOURCES = 8;
    /// @inheritdoc IOracleAggregator
    uint256 public constant MAX_PRICE_WAD = type(uint128).max;
    /// @notice Upper limit of an asset's `maxSpreadWad` (50%).
    uint256 public constant MAX_SPREAD_WAD = 0.5e18;
    /// @notice Upper limit of an asset's `bandWad` (100%).
    uint256 public constant MAX_BAND_WAD = 1e18;
    /// @notice Upper limit of an asset's `bandWindowSeconds`.
    uint256 public constant MAX_BAND_WINDOW_SECONDS = 7 days;
    /// @notice Upper limit of a source's heartbeat.
    uint256 public constant MAX_HEARTBEAT_SECONDS = 3 days;
    /// @notice Upper limit of the sequencer grace period.
    uint256 public constant MAX_SEQUENCER_GRACE_PERIOD_SECONDS = 1 days;
    /// @dev Gas the CALL to a source and the bookkeeping around it need on top of the source's own cap: the cold
    /// account access (2,600) plus the stack and memory work of one loop iteration, with margin.
    uint256 private constant SOURCE_CALL_GAS_OVERHEAD = 5_000;
    /// @dev Chainlink sequencer-uptime feeds answer 0 when the sequencer is up, 1 when it is down.
    int256 private constant SEQUENCER_UP = 0;

    /// @inheritdoc IOracleAggregator
    ICircuitBreaker public immutable BREAKER;

    /// @dev One storage slot per asset: the parameters and the number of sources.
    struct StoredConfig {
        uint8 quorum;
        uint8 sourceCount;
        uint64 maxSpreadWad;
        uint64 bandWad;
        uint32 bandWindowSeconds;
    }

    /// @dev The latest round of an asset in one slot, so a facade read or a `getRecentPrice` fast path costs one
    /// SLOAD. `confirmedAt`: the last `poke` that recorded this round or found the live aggregate unchanged; 0 once
    /// a `poke` reported a jump or a loss of quorum, or governance reconfigured the asset.
    struct LatestRound {
        uint48 roundId;
        uint128 priceWad;
        uint40 updatedAt;
        uint40 confirmedAt;
    }

    /// @dev A historical round, one slot.
    struct Round {
        uint128 priceWad;
        uint64 updatedAt;
    }

    enum AggregateStatus {
        Ok,
        QuorumNotMet,
        SpreadTooWide
    }

    enum SequencerStatus {
        Up,
        Down,
        GracePeriod
    }

    /// @dev The result of aggregating an asset's sources.
    struct Aggregate {
        AggregateStatus status;
        uint256 fresh;
        uint256 priceWad;
        uint256 updatedAt;
        uint256 spreadWad;
    }

    mapping(address asset => StoredConfig) private _config;
    mapping(address asset => mapping(uint256 index => SourceConfig)) private _sources;
    mapping(address asset => BandState) private _band;
    mapping(address asset => LatestRound) private _latest;
    mapping(address asset => mapping(uint80 roundId => Round)) private _rounds;
    AggregatorV3Interface private _sequencerFeed;
    uint32 private _sequencerGracePeriodSeconds;

    /// @param authority The protocol's AccessManager.
    /// @param breaker The CircuitBreaker; this contract must hold ORACLE_ROLE on it.
    constructor(address authority, ICircuitBreaker breaker) AccessManaged(authority) {
        if (address(breaker) == address(0)) revert ZeroBreaker();
        BREAKER = breaker;
    }

    // ----------------------------------------------------------------------------------------------- reads
    /// @inheritdoc IPriceOracle
    function getPrice(address asset) external view returns (uint256 priceWad, uint256 updatedAt) {
        return _livePrice(asset);
    }

    /// @inheritdoc IPriceOracle
    function getRecentPrice(
        address asset,
        uint256 maxRoundAgeSeconds
    ) external view returns (uint256 priceWad, uint256 updatedAt) {
        LatestRound memory last = _latest[asset];
        if (last.confirmedAt != 0 && block.timestamp - last.confirmedAt <= maxRoundAgeSeconds) {
            _requireSequencerUp(asset);
            return (last.priceWad, last.updatedAt);
        }
        return _livePrice(asset);
    }

    // ----------------------------------------------------------------------------------------------- poke
    /// @inheritdoc IOracleAggregator
    function poke(address asset) external returns (PokeOutcome) {
        StoredConfig memory c = _configOf(asset);
        (SequencerStatus seq, uint256 graceEndsAt) = _sequencerStatus();
        if (seq == SequencerStatus.Down) {
            emit SequencerDownReported(asset);
            BREAKER.reportSequencerDown();
            return PokeOutcome.SequencerDownReported;
        }
        if (seq == SequencerStatus.GracePeriod) revert SequencerGracePeriod(asset, graceEndsAt);

        Aggregate memory a = _aggregate(asset, c);
        if (a.status == AggregateStatus.QuorumNotMet) {
            _latest[asset].confirmedAt = 0;
            emit QuorumLossReported(asset, a.fresh, c.quorum);
            BREAKER.reportQuorumLoss(asset, a.fresh, c.quorum);
            return PokeOutcome.QuorumLossReported;
        }
        if (a.status == AggregateStatus.SpreadTooWide)
            revert SpreadTooWide(asset, a.spreadWad, c.maxSpreadWad);

        uint128 price = uint128(a.priceWad); // the median of values <= MAX_PRICE_WAD fits in 128 bits
        if (_updateBand(asset, c, price)) return PokeOutcome.PriceBandBreachReported;
        return _record(asset, price, a.updatedAt);
    }

    // ----------------------------------------------------------------------------------------------- governance
    /// @inheritdoc IOracleAggregator
    function setAssetConfig(
        address asset,
        AssetParams calldata params,
        SourceConfig[] calldata sources
    ) external restricted {
        if (asset == address(0)) revert ZeroAsset();
        uint256 n = sources.length;
        if (n == 0 || n > MAX_SOURCES) revert InvalidSourceCount(asset, n, MAX_SOURCES);
        if (params.quorum == 0 || params.quorum > n) revert InvalidQuorum(asset, params.quorum, n);
        if (params.maxSpreadWad == 0 || params.maxSpreadWad > MAX_SPREAD_WAD) {
            revert InvalidMaxSpread(asset, params.maxSpreadWad, MAX_SPREAD_WAD);
        }
        if (params.bandWad == 0 || params.bandWad > MAX_BAND_WAD) {
            revert InvalidBand(asset, params.bandWad, MAX_BAND_WAD);
        }
        if (params.bandWindowSeconds == 0 || params.bandWindowSeconds > MAX_BAND_WINDOW_SECONDS) {
            revert InvalidBandWindow(asset, params.bandWindowSeconds, MAX_BAND_WINDOW_SECONDS);
        }
        for (uint256 i = 0; i < n; ++i) {
            address source = address(sources[i].source);
            uint256 heartbeat = sources[i].heartbeatSeconds;
            if (heartbeat == 0 || heartbeat > MAX_HEARTBEAT_SECONDS) {
                revert InvalidHeartbeat(asset, source, heartbeat, MAX_HEARTBEAT_SECONDS);
            }
            if (source.code.length == 0) revert SourceNotContract(asset, source);
            for (uint256 j = 0; j < i; ++j) {
                if (address(sources[j].source) == source) revert DuplicateSource(asset, source);
            }
            address sourceAsset = IPriceSource(source).asset();
            if (sourceAsset != asset) revert SourceAssetMismatch(asset, source, sourceAsset);
            _sources[asset][i] = sources[i];
        }
        // A failed check above reverts the whole call, so the writes in the loop never survive bad input.
        uint256 previousCount = _config[asset].sourceCount;
        for (uint256 i = n; i < previousCount; ++i) {
            delete _sources[asset][i];
        }
        _latest[asset].confirmedAt = 0; // the recorded round was vouched for by the old configuration
        _config[asset] = StoredConfig({
            quorum: params.quorum,
            sourceCount: uint8(n),
            maxSpreadWad: params.maxSpreadWad,
            bandWad: params.bandWad,
            bandWindowSeconds: params.bandWindowSeconds
        });
        emit AssetConfigured(asset, params, sources);
    }

    /// @inheritdoc IOracleAggregator
    function setSequencerUptimeFeed(
        AggregatorV3Interface feed,
        uint256 gracePeriodSeconds
    ) external restricted {
        bool hasFeed = address(feed) != address(0);
        if ((hasFeed && gracePeriodSeconds == 0) || gracePeriodSeconds > MAX_SEQUENCER_GRACE_PERIOD_SECONDS) {
            revert InvalidSequencerGracePeriod(gracePeriodSeconds, MAX_SEQUENCER_GRACE_PERIOD_SECONDS);
        }
        _sequencerFeed = feed;
        _sequencerGracePeriodSeconds = uint32(gracePeriodSeconds);
        emit SequencerUptimeFeedSet(address(feed), gracePeriodSeconds);
    }

    // ----------------------------------------------------------------------------------------------- views
    /// @inheritdoc IOracleAggregator
    function assetConfig(
        address asset
    ) external view returns (AssetParams memory params, SourceConfig[] memory sources) {
        StoredConfig memory c = _config[asset];
        params = AssetParams({
            quorum: c.quorum,
            maxSpreadWad: c.maxSpreadWad,
            bandWad: c.bandWad,
            bandWindowSeconds: c.bandWindowSeconds
        });
        sources = new SourceConfig[](c.sourceCount);
        for (uint256 i = 0; i < c.sourceCount; ++i) {
            sources[i] = _sources[asset][i];
        }
    }

    /// @inheritdoc IOracleAggregator
    function bandState(address asset) external view returns (BandState memory) {
        return _band[asset];
    }

    /// @inheritdoc IOracleAggregator
    function sequencerUptimeFeed()
        external
        view
        returns (AggregatorV3Interface feed, uint256 gracePeriodSeconds)
    {
        return (_sequencerFeed, _sequencerGracePeriodSeconds);
    }

    /// @inheritdoc IOracleAggregator
    function latestRound(
        address asset
    ) external view returns (uint80 roundId, uint256 priceWad, uint256 updatedAt) {
        LatestRound memory last = _latest[asset];
        return (last.roundId, last.priceWad, last.updatedAt);
    }

    /// @inheritdoc IOracleAggregator
    function roundData(
        address asset,
        uint80 roundId
    ) external view returns (uint256 priceWad, uint256 updatedAt) {
        Round memory r = _rounds[asset][roundId];
        return (r.priceWad, r.updatedAt);
    }

    // ----------------------------------------------------------------------------------------------- internal
    /// @dev `getPrice`: the live aggregate with every check.
    function _livePrice(address asset) private view returns (uint256 priceWad, uint256 updatedAt) {
        StoredConfig memory c = _configOf(asset);
        _requireSequencerUp(asset);
        Aggregate memory a = _aggregate(asset, c);
        if (a.status == AggregateStatus.QuorumNotMet) revert QuorumNotMet(asset, a.fresh, c.quorum);
        if (a.status == AggregateStatus.SpreadTooWide)
            revert SpreadTooWide(asset, a.spreadWad, c.maxSpreadWad);
        BandState memory b = _band[asset];
        if (b.referenceWad != 0) {
            uint256 referencePrice = _windowElapsed(b, c) ? b.lastPriceWad : b.referenceWad;
            if (_beyondBand(referencePrice, a.priceWad, c.bandWad)) {
                revert PriceJumpUnreported(asset, referencePrice, a.priceWad);
            }
        }
        return (a.priceWad, a.updatedAt);
    }

    function _requireSequencerUp(address asset) private view {
        (SequencerStatus seq, uint256 graceEndsAt) = _sequencerStatus();
        if (seq == SequencerStatus.Down) revert SequencerDown(asset);
        if (seq == SequencerStatus.GracePeriod) revert SequencerGracePeriod(asset, graceEndsAt);
    }

    function _configOf(address asset) private view returns (StoredConfig memory c) {
        c = _config[asset];
        if (c.quorum == 0) revert AssetNotConfigured(asset);
    }

    /// @dev Call every source with a gas cap; keep the fresh ones; median, quorum and spread.
    function _aggregate(address asset, StoredConfig memory c) private view returns (Aggregate memory a) {
        uint256 n = c.sourceCount;
        uint256[] memory prices = new uint256[](n);
        uint256 fresh = 0;
        uint256 oldest = type(uint256).max;
        for (uint256 i = 0; i < n; ++i) {
            SourceConfig memory s = _sources[asset][i];
            // EIP-150 gives a callee at most 63/64 of the gas left: without this check a caller could pass just
            // too little gas, starve an honest source and make poke report a false loss of quorum.
            if (gasleft() < SOURCE_GAS_LIMIT + SOURCE_GAS_LIMIT / 63 + SOURCE_CALL_GAS_OVERHEAD) {
                revert InsufficientGasForSource(asset, i, gasleft());
            }
            (bool ok, uint256 price, uint256 updatedAt) = _callSource(address(s.source));
            if (
                !ok ||
                price == 0 ||
                price > MAX_PRICE_WAD ||
                updatedAt > block.timestamp ||
                block.timestamp - updatedAt > s.heartbeatSeconds
            ) continue;
            SortedMedian.insert(prices, fresh, price);
            ++fresh;
            if (updatedAt < oldest) oldest = updatedAt;
        }
        a.fresh = fresh;
        if (fresh < c.quorum) {
            a.status = AggregateStatus.QuorumNotMet;
            return a;
        }
        a.priceWad = SortedMedian.median(prices, fresh);
        a.updatedAt = oldest;
        // Rounded up, so a spread a hair above the bound is refused rather than accepted.
        a.spreadWad = Math.mulDiv(prices[fresh - 1] - prices[0], WadMath.WAD, a.priceWad, Math.Rounding.Ceil);
        if (a.spreadWad > c.maxSpreadWad) a.status = AggregateStatus.SpreadTooWide;
    }

    /// @dev `source.latest()` with at most `SOURCE_GAS_LIMIT` gas and without copying more than 64 bytes of return
    /// data: a revert, an out-of-gas, a missing contract or a short answer yield `ok == false` instead of reverting
    /// here (a Solidity try/catch would still revert on a short answer, and copy an arbitrarily long revert).
    function _callSource(address source) private view returns (bool ok, uint256 priceWad, uint256 updatedAt) {
        bytes4 selector = IPriceSource.latest.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            ok := staticcall(SOURCE_GAS_LIMIT, source, 0x00, 0x04, 0x00, 0x40)
            ok := and(ok, iszero(lt(returndatasize(), 0x40)))
            priceWad := mload(0x00)
            updatedAt := mload(0x20)
        }
    }

    /// @dev The sequencer's status; `Up` when no feed is set. A round with `startedAt == 0` counts as down.
    function _sequencerStatus() private view returns (SequencerStatus, uint256 graceEndsAt) {
        AggregatorV3Interface feed = _sequencerFeed;
        if (address(feed) == address(0)) return (SequencerStatus.Up, 0);
        (, int256 answer, uint256 startedAt, , ) = feed.latestRoundData();
        if (answer != SEQUENCER_UP || startedAt == 0) return (SequencerStatus.Down, 0);
        graceEndsAt = startedAt + _sequencerGracePeriodSeconds;
        if (block.timestamp <= graceEndsAt) return (SequencerStatus.GracePeriod, graceEndsAt);
        return (SequencerStatus.Up, graceEndsAt);
    }

    function _windowElapsed(BandState memory b, StoredConfig memory c) private view returns (bool) {
        return block.timestamp >= uint256(b.windowStartedAt) + c.bandWindowSeconds;
    }

    /// @dev Whether `|price - referencePrice| / referencePrice`, rounded up, exceeds `bandWad`. `referencePrice > 0`.
    function _beyondBand(uint256 referencePrice, uint256 price, uint256 bandWad) private pure returns (bool) {
        uint256 diff = price > referencePrice ? price - referencePrice : referencePrice - price;
        return Math.mulDiv(diff, WadMath.WAD, referencePrice, Math.Rounding.Ceil) > bandWad;
    }

    /// @dev Roll the band window when it has elapsed and check `price` against the reference. On a jump, re-anchor
    /// the band, report it to the breaker and return true (effects before the call).
    function _updateBand(
        address asset,
        StoredConfig memory c,
        uint128 price
    ) private returns (bool breached) {
        BandState memory b = _band[asset];
        if (b.referenceWad == 0) {
            _band[asset] = BandState({
                referenceWad: price,
                lastPriceWad: price,
                windowStartedAt: uint64(block.timestamp)
            });
            emit BandReferenceSet(asset, price, block.timestamp);
        } else {
            if (_windowElapsed(b, c)) {
                b.referenceWad = b.lastPriceWad;
                b.windowStartedAt = uint64(block.timestamp);
                emit BandReferenceSet(asset, b.referenceWad, block.timestamp);
            }
            if (_beyondBand(b.referenceWad, price, c.bandWad)) {
                uint256 referencePrice = b.referenceWad;
                // Re-anchor at the jumped price: the jump is now known to the breaker, so getPrice serves it
                // (guarded consumers stay stopped by the trip) and the next poke compares with it. The latest
                // round is no longer served by getRecentPrice's fast path.
                _latest[asset].confirmedAt = 0;
                _band[asset] = BandState({
                    referenceWad: price,
                    lastPriceWad: price,
                    windowStartedAt: uint64(block.timestamp)
                });
                emit PriceBandBreachReported(asset, referencePrice, price);
                emit BandReferenceSet(asset, price, block.timestamp);
                BREAKER.reportPriceBandBreach(asset, referencePrice, price);
                return true;
            }
            b.lastPriceWad = price;
            _band[asset] = b;
        }
    }

    function _record(address asset, uint128 price, uint256 updatedAt) private returns (PokeOutcome) {
        LatestRound memory last = _latest[asset];
        // Rounds move forward in observation time, so consumers may weigh rounds by time (TWAPs).
        if (updatedAt < last.updatedAt) revert RoundOlderThanLatest(asset, updatedAt, last.updatedAt);
        // updatedAt <= block.timestamp (stale and future sources were dropped), so it fits in 40 bits.
        uint40 confirmedAt = uint40(block.timestamp);
        if (last.roundId != 0 && last.priceWad == price && last.updatedAt == updatedAt) {
            if (last.confirmedAt != confirmedAt) _latest[asset].confirmedAt = confirmedAt;
            return PokeOutcome.Unchanged;
        }
        uint48 roundId = last.roundId + 1;
        _latest[asset] = LatestRound({
            roundId: roundId,
            priceWad: price,
            updatedAt: uint40(updatedAt),
            confirmedAt: confirmedAt
        });
        _rounds[asset][roundId] = Round({priceWad: price, updatedAt: uint64(updatedAt)});
        emit RoundRecorded(asset, roundId, price, updatedAt);
        return PokeOutcome.Recorded;
    }
}
