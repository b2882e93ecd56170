// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPriceSource} from "./IPriceSource.sol";

/// @title ISignedReportSource
/// @notice A price source of the OracleAggregator for one asset, fed by off-chain reporters. Each reporter signs
/// an EIP-712 `Report(address asset,uint256 priceWad,uint256 observedAt)`; anyone relays signed reports, in any
/// number and order. The source keeps the latest report of each authorised reporter: a relayed report replaces
/// its signer's stored one only if it was observed later, and a relay never removes a report. The source's price
/// is the median of every authorised reporter's report that is fresh (observed at most `maxReportAgeSeconds`
/// ago), with at least `minSigners` fresh reports; its observation time is the oldest of those reports. So a
/// relayer chooses nothing: a report it withholds can be relayed by anyone afterwards, and then it counts.
/// @dev The EIP-712 domain (name "optiq SignedReportSource", version "2", chain id, this contract) makes a
/// signature valid for one chain and one source only; the per-reporter ordering by `observedAt` makes it count at
/// most once and never after a later report of the same reporter. Signatures are ECDSA with low `s`
/// (OpenZeppelin `ECDSA`); smart-contract signers are not supported. Each relay and each governance change
/// recomputes the median (cost O(r^2) in the number of reporters r <= `MAX_REPORTERS`); `latest` serves it from
/// one storage slot until its oldest report goes stale, and recomputes it (a view, within the aggregator's gas cap
/// per source) after that.
/// Trust: while the honest reporters' reports are fresh, colluding reporters move the price only with a majority
/// of the fresh reports; fewer than `minSigners` reports never make a price.
interface ISignedReportSource is IPriceSource {
    /// @notice One reporter's signed observation, as relayed.
    /// @param priceWad Quote per one whole unit of the asset, WAD; must be non-zero and fit in 128 bits.
    /// @param observedAt Unix time of the observation.
    /// @param signature 65-byte ECDSA signature over the EIP-712 digest of `Report(asset, priceWad, observedAt)`.
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
    /// @notice `maxReportAgeSeconds` outside `[1, MAX_REPORT_AGE_SECONDS]`.
    error InvalidMaxReportAge(uint256 maxReportAgeSeconds, uint256 max);
    /// @notice A relay of no report, or of more than `MAX_REPORTERS`.
    error InvalidReportCount(uint256 count, uint256 max);
    /// @notice Report `index` carries a zero price or one that does not fit in 128 bits.
    error InvalidPrice(uint256 index, uint256 priceWad);
    /// @notice Report `index` was observed after the current block.
    error ObservationInFuture(uint256 index, uint256 observedAt, uint256 nowTimestamp);
    /// @notice Report `index` carries a malformed signature or one with a high `s`.
    error InvalidSignature(uint256 index);
    /// @notice Report `index` was signed by `signer`, who is not an authorised reporter (including a signature
    /// over another chain id, contract or asset: it recovers to an unrelated address).
    error UnauthorisedSigner(uint256 index, address signer);
    /// @notice None of the `count` relayed reports is newer than its signer's stored report (all were relayed
    /// before, or superseded).
    error NoNewerReport(uint256 count);
    /// @notice `latest` with `fresh` fresh reports, fewer than `minSigners`.
    error TooFewFreshReports(uint256 fresh, uint256 minSigners);

    // ----------------------------------------------------------------------------------------------- events
    /// @notice Governance authorised (`authorised == true`) or removed `reporter` (and its stored report).
    event ReporterSet(address indexed reporter, bool authorised);
    /// @notice Governance set the number of fresh reports a price needs.
    event MinSignersSet(uint256 minSigners);
    /// @notice Governance set how long a report stays fresh.
    event MaxReportAgeSet(uint256 maxReportAgeSeconds);
    /// @notice `signer`'s report is now its stored one.
    event ReportAccepted(address indexed signer, uint256 priceWad, uint256 observedAt);
    /// @notice After a relay or a governance change the source reports `priceWad`, the median of `freshReports`
    /// fresh reports, observed at `observedAt` (the oldest of them).
    event PriceUpdated(uint256 priceWad, uint256 observedAt, uint256 freshReports);
    /// @notice After a relay or a governance change only `freshReports` reports are fresh, fewer than
    /// `minSigners`: `latest` reverts until enough fresh reports are relayed.
    event PriceUnavailable(uint256 freshReports, uint256 minSigners);

    // ----------------------------------------------------------------------------------------------- actions
    /// @notice Relay signed reports; anyone may call. Each report replaces its signer's stored report if it was
    /// observed later; older and already stored reports are skipped. Then the median is recomputed.
    /// @dev Reverts `InvalidReportCount`, `InvalidPrice`, `ObservationInFuture`, `InvalidSignature`,
    /// `UnauthorisedSigner`, and `NoNewerReport` when no report was newer than its signer's stored one.
    function submit(SignedReport[] calldata reports) external;

    /// @notice Authorise or remove `reporter`. Removing it deletes its stored report and recomputes the median.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `ZeroReporter`, `TooManyReporters`. Setting the current
    /// status again is a no-op that still emits the event.
    function setReporter(address reporter, bool authorised) external;

    /// @notice Set how many fresh reports a price needs; recomputes the median.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `InvalidMinSigners`.
    function setMinSigners(uint256 minSigners) external;

    /// @notice Set how long after its observation a report counts; recomputes the median.
    /// @dev Only governance (GOVERNOR_ROLE). Reverts `InvalidMaxReportAge`. Keep it at most the aggregator's
    /// heartbeat for this source.
    function setMaxReportAge(uint256 maxReportAgeSeconds) external;

    // ----------------------------------------------------------------------------------------------- views
    /// @notice The most reporters the set may hold and the most reports a relay may carry.
    function MAX_REPORTERS() external view returns (uint256);

    /// @notice The largest `maxReportAgeSeconds`.
    function MAX_REPORT_AGE_SECONDS() external view returns (uint256);

    /// @notice The EIP-712 type hash of `Report(address asset,uint256 priceWad,uint256 observedAt)`.
    function REPORT_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest a reporter signs for `(asset(), priceWad, observedAt)`.
    function reportDigest(uint256 priceWad, uint256 observedAt) external view returns (bytes32);

    /// @notice Whether `reporter` is authorised.
    function isReporter(address reporter) external view returns (bool);

    /// @notice The stored report of `reporter` (zeros when it has none or is not authorised), fresh or not.
    function reportOf(address reporter) external view returns (uint256 priceWad, uint256 observedAt);

    /// @notice The number of authorised reporters.
    function reporterCount() external view returns (uint256);

    /// @notice The number of fresh reports a price needs.
    function minSigners() external view returns (uint256);

    /// @notice How long after its observation a report counts, in seconds.
    function maxReportAgeSeconds() external view returns (uint256);
}
