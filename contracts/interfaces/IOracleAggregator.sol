// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";
import {IPriceOracle} from "./IPriceOracle.sol";
import {IPriceSource} from "./IPriceSource.sol";

/// @title IOracleAggregator
/// @notice The protocol's price oracle. Per asset: a set of price sources, each with its own heartbeat; a quorum
/// of fresh sources; a maximum spread between them; and a price band per window for jump detection.
///
/// Aggregation (`getPrice`, `poke`): every source is called with a gas cap (`SOURCE_GAS_LIMIT`); a source that
/// reverts, runs out of gas, returns malformed data, a zero price or a price above `MAX_PRICE_WAD` is
/// unavailable. A source is fresh when `updatedAt <= now` and `now - updatedAt <= heartbeat`. With fewer fresh
/// sources than the quorum the price is refused (`QuorumNotMet`). The price is the median of the fresh sources
/// (even count: the mean of the two middle values, rounded down); it is refused when `(max - min) / median`,
/// rounded up, exceeds the maximum spread (`SpreadTooWide`). `updatedAt` is the oldest observation among the
/// fresh sources.
///
/// Jump detection: each asset has a reference price, the last accepted price at the start of the current band
/// window. A price whose relative distance from the reference (rounded up) exceeds the band is a jump. `getPrice`
/// (a view) refuses a jump until `poke` has reported it to the CircuitBreaker (`PriceJumpUnreported`); `poke`
/// reports it (`reportPriceBandBreach`) and re-anchors the reference at the new price, without reverting so that
/// the trip persists. `poke` also reports a loss of quorum (`reportQuorumLoss`) and a sequencer outage
/// (`reportSequencerDown`), and otherwise records a round that the per-asset `AggregatorV3Facade` serves.
///
/// Optional L2 sequencer-uptime feed (Chainlink semantics: answer 0 = up, 1 = down, `startedAt` = when the status
/// last changed): while the sequencer is down, and for `sequencerGracePeriodSeconds` after it is back up, every
/// price is refused.
/// @dev Non-upgradeable. Configuration only through governance (GOVERNOR_ROLE, the timelock). The aggregator must
/// hold ORACLE_ROLE on the breaker. `getPrice` reverts `AssetNotConfigured`, `SequencerDown`,
/// `SequencerGracePeriod`, `QuorumNotMet`, `SpreadTooWide`, `PriceJumpUnreported` or `InsufficientGasForSource`;
/// its cost grows with the number of sources, and a source that burns its whole gas cap costs the caller
/// `SOURCE_GAS_LIMIT`.
/// Trust: governance chooses the sources; a minority of the fresh sources (fewer than half) cannot move the median
/// outside the range of the others, and any disagreement beyond the spread bound halts the price instead of
/// moving it.
interface IOracleAggregator is IPriceOracle {
    /// @notice One source of an asset.
    /// @param source The source contract; its `asset()` must be the configured asset.
    /// @param heartbeatSeconds The longest time since the source's `updatedAt` for which it counts as fresh.
    struct SourceConfig {
        IPriceSource source;
        uint32 heartbeatSeconds;
    }

    /// @notice The aggregation parameters of an asset.
    /// @param quorum The fewest fresh sources a price needs (1 <= quorum <= number of sources).
    /// @param maxSpreadWad The largest accepted `(max - min) / median` of the fresh sources, WAD (0 < x <=
    /// `MAX_SPREAD_WAD`).
    /// @param bandWad The largest accepted `|price - reference| / reference` within a window, WAD (0 < x <=
    /// `MAX_BAND_WAD`).
    /// @param bandWindowSeconds How long a reference price lasts before it rolls to the last accepted price
    /// (0 < x <= `MAX_BAND_WINDOW_SECONDS`).
    struct AssetParams {
        uint8 quorum;
        uint64 maxSpreadWad;
        uint64 bandWad;
        uint32 bandWindowSeconds;
    }

    /// @notice The jump-detection state of an asset.
    /// @param referenceWad The price the current window compares with (0 before the first `poke`).
    /// @param lastPriceWad The last price `poke` accepted (recorded or reported as a jump); the next window's
    /// reference.
    /// @param windowStartedAt When the current window started.
    struct BandState {
        uint128 referenceWad;
        uint128 lastPriceWad;
        uint64 windowStartedAt;
    }

    /// @notice What a `poke` did.
    enum PokeOutcome {
        /// A new round was recorded.
        Recorded,
        /// The aggregate equals the latest round: nothing recorded.
        Unchanged,
        /// Fewer fresh sources than the quorum: reported to the breaker.
        QuorumLossReported,
        /// A jump beyond the band: reported to the breaker, reference re-anchored at the new price.
        PriceBandBreachReported,
        /// The sequencer is down: reported to the breaker.
        SequencerDownReported
    }

    // ----------------------------------------------------------------------------------------------- errors
    /// @notice Constructor: the breaker is the zero address.
    error ZeroBreaker();
    /// @notice `asset` has no configuration.
    error AssetNotConfigured(address asset);
    /// @notice `asset` has `fresh` fresh sources, fewer than its `quorum`.
    error QuorumNotMet(address asset, uint256 fresh, uint256 quorum);
    /// @notice The fresh sources of `asset` disagree: `(max - min) / median` is `spreadWad` > `maxSpreadWad`.
    error SpreadTooWide(address asset, uint256 spreadWad, uint256 maxSpreadWad);
    /// @notice The aggregate of `asset` moved from `referenceWad` to `newWad`, beyond the band, and no `poke` has
    /// reported it to the breaker yet. Call `poke(asset)`.
    error PriceJumpUnreported(address asset, uint256 referenceWad, uint256 newWad);
    /// @notice The L2 sequencer is down (or its uptime feed reports an invalid round); prices of `asset` refused.
    error SequencerDown(address asset);
    /// @notice The L2 sequencer is back up but its grace period runs until `graceEndsAt`; prices refused.
    error SequencerGracePeriod(address asset, uint256 graceEndsAt);
    /// @notice Too little gas is left to give source `index` of `asset` its full `SOURCE_GAS_LIMIT`: the call is
    /// refused rather than letting a caller starve an honest source into looking unavailable.
    error InsufficientGasForSource(address asset, uint256 index, uint256 gasLeft);
    /// @notice `poke`: the aggregate of `asset` was observed at `updatedAt`, before the latest recorded round's
    /// `latestUpdatedAt` (a source came back with an older, still fresh observation). Rounds never go back in
    /// time; the next round is recorded once the sources' oldest observation reaches `latestUpdatedAt`.
    error RoundOlderThanLatest(address asset, uint256 updatedAt, uint256 latestUpdatedAt);
    /// @notice Configuration: the asset is the zero address.
    error ZeroAsset();
    /// @notice Configuration: `count` sources, not in `[1, MAX_SOURCES]`.
    error InvalidSourceCount(address asset, uint256 count, uint256 maxSources);
    /// @notice Configuration: the quorum is not in `[1, sourceCount]`.
    error InvalidQuorum(address asset, uint256 quorum, uint256 sourceCount);
    /// @notice Configuration: `maxSpreadWad` is not in `(0, MAX_SPREAD_WAD]`.
    error InvalidMaxSpread(address asset, uint256 maxSpreadWad, uint256 limitWad);
    /// @notice Configuration: `bandWad` is not in `(0, MAX_BAND_WAD]`.
    error InvalidBand(address asset, uint256 bandWad, uint256 limitWad);
    /// @notice Configuration: `bandWindowSeconds` is not in `(0, MAX_BAND_WINDOW_SECONDS]`.
    error InvalidBandWindow(address asset, uint256 bandWindowSeconds, uint256 limitSeconds);
    /// @notice Configuration: a heartbeat is not in `(0, MAX_HEARTBEAT_SECONDS]`.
    error InvalidHeartbeat(address asset, address source, uint256 heartbeatSeconds, uint256 limitSeconds);
    /// @notice Configuration: `source` has no code.
    error SourceNotContract(address asset, address source);
    /// @notice Configuration: `source` appears twice.
    error DuplicateSource(address asset, address source);
    /// @notice Configuration: `source` prices `sourceAsset`, not `asset`.
    error SourceAssetMismatch(address asset, address source, address sourceAsset);
    /// @notice Configuration: the sequencer grace period is above `MAX_SEQUENCER_GRACE_PERIOD_SECONDS`, or zero
    /// with a feed set.
    error InvalidSequencerGracePeriod(uint256 gracePeriodSeconds, uint256 limitSeconds);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice Governance (re)configured `asset`. The band state is kept.
    event AssetConfigured(address indexed asset, AssetParams params, SourceConfig[] sources);
    /// @notice Governance set the sequencer-uptime feed (zero: none) and its grace period.
    event SequencerUptimeFeedSet(address indexed feed, uint256 gracePeriodSeconds);
    /// @notice `poke` recorded round `roundId` of `asset`.
    event RoundRecorded(address indexed asset, uint80 indexed roundId, uint256 priceWad, uint256 updatedAt);
    /// @notice The band reference of `asset` is now `referenceWad`, for a window starting at `windowStartedAt`.
    event BandReferenceSet(address indexed asset, uint256 referenceWad, uint256 windowStartedAt);
    /// @notice `poke` reported a jump of `asset` from `referenceWad` to `newWad` to the breaker.
    event PriceBandBreachReported(address indexed asset, uint256 referenceWad, uint256 newWad);
    /// @notice `poke` reported a loss of quorum of `asset` to the breaker.
    event QuorumLossReported(address indexed asset, uint256 fresh, uint256 quorum);
    /// @notice `poke` reported the sequencer down to the breaker.
    event SequencerDownReported(address indexed asset);

    // ----------------------------------------------------------------------------------------------- actions
    /// @notice Aggregate `asset`'s sources; report a loss of quorum, a jump beyond the band or a sequencer outage
    /// to the breaker (without reverting, so the trip persists); otherwise record a round for the facade and roll
    /// the band window when it has elapsed. Anyone may call (keepers, reporters). A recorded round's `updatedAt` is
    /// never earlier than the previous round's.
    /// @dev Reverts `AssetNotConfigured`, `SequencerGracePeriod`, `SpreadTooWide`, `InsufficientGasForSource`,
    /// `RoundOlderThanLatest`, or what the breaker or the sequencer feed revert with.
    function poke(address asset) external returns (PokeOutcome outcome);

    /// @notice Set (replace) the sources and parameters of `asset`.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `ZeroAsset`, `InvalidSourceCount`, `InvalidQuorum`,
    /// `InvalidMaxSpread`, `InvalidBand`, `InvalidBandWindow`, `InvalidHeartbeat`, `SourceNotContract`,
    /// `DuplicateSource`, `SourceAssetMismatch`. The band state and the recorded rounds are kept.
    function setAssetConfig(
        address asset,
        AssetParams calldata params,
        SourceConfig[] calldata sources
    ) external;

    /// @notice Set the L2 sequencer-uptime feed (the zero address: none, on L1) and its grace period.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `InvalidSequencerGracePeriod`.
    function setSequencerUptimeFeed(AggregatorV3Interface feed, uint256 gracePeriodSeconds) external;

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The breaker this aggregator reports to.
    function BREAKER() external view returns (ICircuitBreaker);

    /// @notice The gas each source call may use.
    function SOURCE_GAS_LIMIT() external view returns (uint256);

    /// @notice The most sources an asset may have.
    function MAX_SOURCES() external view returns (uint256);

    /// @notice The largest price a source may report, WAD (`type(uint128).max`); above it a source is unavailable.
    function MAX_PRICE_WAD() external view returns (uint256);

    /// @notice The configuration of `asset` (`quorum == 0`: not configured).
    function assetConfig(
        address asset
    ) external view returns (AssetParams memory params, SourceConfig[] memory);

    /// @notice The jump-detection state of `asset`.
    function bandState(address asset) external view returns (BandState memory);

    /// @notice The sequencer-uptime feed (zero: none) and its grace period.
    function sequencerUptimeFeed()
        external
        view
        returns (AggregatorV3Interface feed, uint256 gracePeriodSeconds);

    /// @notice The latest recorded round of `asset` (all zero before the first).
    function latestRound(
        address asset
    ) external view returns (uint80 roundId, uint256 priceWad, uint256 updatedAt);

    /// @notice Round `roundId` of `asset` (zero price and time when unknown).
    function roundData(
        address asset,
        uint80 roundId
    ) external view returns (uint256 priceWad, uint256 updatedAt);
}
