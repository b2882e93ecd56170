// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPriceSource} from "./IPriceSource.sol";

/// @title ISignedReportSource
/// @notice A price source of the OracleAggregator for one asset, fed by off-chain reporters. Each reporter signs
/// an EIP-712 `Report(address asset,uint256 priceWad,uint256 observedAt,uint256 round)`; anyone relays a batch of
/// signed reports for one round. The batch is accepted only if at least `minSigners` distinct authorised
/// reporters signed it, its round is strictly greater than the last accepted one and no observation is in the
/// future or older than the last accepted observation time. The source then stores the median of the signed
/// prices and, as its observation time, the oldest `observedAt` of the batch.
/// @dev The EIP-712 domain (name "optiq SignedReportSource", version "1", chain id, this contract) makes a
/// signature valid for one chain and one source only; the round makes it valid once. Signatures are ECDSA with
/// low `s` (OpenZeppelin `ECDSA`); smart-contract signers are not supported. `latest` returns the stored median and
/// the oldest observation time of the last accepted batch, and reverts `NoReport` before the first batch.
/// Trust: fewer than `minSigners` colluding reporters cannot store any price; `minSigners` or more can store any
/// price, which the aggregator then weighs against its other sources (median, spread, band).
interface ISignedReportSource is IPriceSource {
    /// @notice One reporter's signed observation, as relayed.
    /// @param priceWad Quote per one whole unit of the asset, WAD; must be non-zero and fit in 128 bits.
    /// @param observedAt Unix time of the observation.
    /// @param signature 65-byte ECDSA signature over the EIP-712 digest of `Report(asset, priceWad, observedAt,
    /// round)`.
    struct SignedReport {
        uint256 priceWad;
        uint256 observedAt;
        bytes signature;
    }

    // ----------------------------------------------------------------------------------------------- errors
    /// @notice Constructor: the asset is the zero address.
    error ZeroAsset();
    /// @notice `setReporter` with the zero address.
    error ZeroReporter();
    /// @notice Adding a reporter beyond `MAX_REPORTERS`.
    error TooManyReporters(uint256 max);
    /// @notice `minSigners` outside `[1, MAX_REPORTERS]`.
    error InvalidMinSigners(uint256 minSigners, uint256 max);
    /// @notice A batch with fewer reports than `minSigners`, or more than `MAX_REPORTERS`.
    error InvalidSignerCount(uint256 count, uint256 minSigners, uint256 max);
    /// @notice The batch's round is not strictly greater than the last accepted round (a replay or a reorder).
    error RoundNotNewer(uint256 round, uint256 lastRound);
    /// @notice Report `index` carries a zero price or one that does not fit in 128 bits.
    error InvalidPrice(uint256 index, uint256 priceWad);
    /// @notice Report `index` was observed after the current block.
    error ObservationInFuture(uint256 index, uint256 observedAt, uint256 nowTimestamp);
    /// @notice Report `index` was observed before the last accepted observation time.
    error ObservationOutOfOrder(uint256 index, uint256 observedAt, uint256 lastObservedAt);
    /// @notice Report `index` carries a malformed signature or one with a high `s`.
    error InvalidSignature(uint256 index);
    /// @notice Report `index` was signed by `signer`, who is not an authorised reporter (including a signature
    /// over another chain id, contract, asset or round: it recovers to an unrelated address).
    error UnauthorisedSigner(uint256 index, address signer);
    /// @notice Report `index` was signed by a reporter who already signed this batch.
    error DuplicateSigner(uint256 index, address signer);
    /// @notice Signers must be sorted by strictly ascending address; report `index` breaks the order.
    error SignersNotAscending(uint256 index, address signer, address previousSigner);
    /// @notice `latest` before any batch was accepted.
    error NoReport();

    // ----------------------------------------------------------------------------------------------- events
    /// @notice Governance authorised (`authorised == true`) or removed `reporter`.
    event ReporterSet(address indexed reporter, bool authorised);
    /// @notice Governance set the number of distinct signers a batch needs.
    event MinSignersSet(uint256 minSigners);
    /// @notice `signer`'s report for `round` was accepted as part of a batch.
    event ReportAccepted(uint256 indexed round, address indexed signer, uint256 priceWad, uint256 observedAt);
    /// @notice A batch was accepted: the source now reports `priceWad` (the median) observed at `observedAt`.
    event RoundAccepted(uint256 indexed round, uint256 priceWad, uint256 observedAt, uint256 signers);

    // ----------------------------------------------------------------------------------------------- actions
    /// @notice Relay a batch of reports for `round`; anyone may call.
    /// @dev Reverts `InvalidSignerCount`, `RoundNotNewer`, `InvalidPrice`, `ObservationInFuture`,
    /// `ObservationOutOfOrder`, `InvalidSignature`, `UnauthorisedSigner`, `DuplicateSigner`, `SignersNotAscending`.
    /// Reports must be ordered by ascending signer address (the TypeScript helper `sortBySigner` does it).
    /// Cost is O(n^2) in the batch size n <= `MAX_REPORTERS` (insertion sort of the prices).
    function submit(uint256 round, SignedReport[] calldata reports) external;

    /// @notice Authorise or remove `reporter`.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `ZeroReporter`, `TooManyReporters`. Setting the current
    /// status again is a no-op that still emits the event.
    function setReporter(address reporter, bool authorised) external;

    /// @notice Set how many distinct authorised signers a batch needs.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `InvalidMinSigners`.
    function setMinSigners(uint256 minSigners) external;

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The most reports a batch may carry and the most reporters the set may hold.
    function MAX_REPORTERS() external view returns (uint256);

    /// @notice The EIP-712 type hash of `Report(address asset,uint256 priceWad,uint256 observedAt,uint256 round)`.
    function REPORT_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest a reporter signs for `(asset(), priceWad, observedAt, round)`.
    function reportDigest(
        uint256 priceWad,
        uint256 observedAt,
        uint256 round
    ) external view returns (bytes32);

    /// @notice Whether `reporter` is authorised.
    function isReporter(address reporter) external view returns (bool);

    /// @notice The number of authorised reporters.
    function reporterCount() external view returns (uint256);

    /// @notice The number of distinct authorised signers a batch needs.
    function minSigners() external view returns (uint256);

    /// @notice The last accepted round (0 before any).
    function lastRound() external view returns (uint256);
}
