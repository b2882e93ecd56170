// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {ISignedReportSource} from "../interfaces/ISignedReportSource.sol";
import {SortedMedian} from "../libraries/SortedMedian.sol";

/// @title SignedReportSource
/// @notice Price source for one asset: the median of the fresh latest reports of its authorised off-chain
/// reporters (EIP-712); see `ISignedReportSource`.
contract SignedReportSource is ISignedReportSource, AccessManaged, EIP712 {
    /// @inheritdoc ISignedReportSource
    /// @dev Bounded so that the read that recomputes the median (15 cold slots and an insertion sort, about 70,000
    /// gas) fits the aggregator's `SOURCE_GAS_LIMIT` of 100,000 per source.
    uint256 public constant MAX_REPORTERS = 15;
    /// @inheritdoc ISignedReportSource
    uint256 public constant MAX_REPORT_AGE_SECONDS = 3 days;
    /// @inheritdoc ISignedReportSource
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(address asset,uint256 priceWad,uint256 observedAt)"
    );

    address private immutable ASSET;

    /// @inheritdoc ISignedReportSource
    uint256 public reporterCount;
    /// @inheritdoc ISignedReportSource
    uint256 public minSigners;
    /// @inheritdoc ISignedReportSource
    uint256 public maxReportAgeSeconds;

    /// @dev A reporter's latest report, one slot; `observedAt == 0`: none.
    struct StoredReport {
        uint128 priceWad;
        uint64 observedAt;
    }

    /// @dev The median as of the last relay or governance change, one slot: what `latest` reads while
    /// `block.timestamp <= validUntil` (the time its oldest report goes stale; 0 without a quorum).
    struct Aggregate {
        uint128 priceWad;
        uint64 observedAt;
        uint64 validUntil;
    }

    /// @dev Reporters occupy slots `[0, reporterCount)`; their reports sit at the same index.
    address[MAX_REPORTERS] private _reporterAt;
    StoredReport[MAX_REPORTERS] private _reports;
    mapping(address reporter => uint256 slotPlusOne) private _slotOf;
    Aggregate private _aggregate;

    /// @param authority The protocol's AccessManager.
    /// @param asset_ The asset this source prices.
    /// @param minSigners_ The number of fresh reports a price needs.
    /// @param maxReportAgeSeconds_ How long after its observation a report counts.
    constructor(
        address authority,
        address asset_,
        uint256 minSigners_,
        uint256 maxReportAgeSeconds_
    ) AccessManaged(authority) EIP712("optiq SignedReportSource", "2") {
        if (asset_ == address(0)) revert ZeroAsset();
        ASSET = asset_;
        _setMinSigners(minSigners_);
        _setMaxReportAge(maxReportAgeSeconds_);
    }

    // ----------------------------------------------------------------------------------------------- relay
    /// @inheritdoc ISignedReportSource
    function submit(SignedReport[] calldata reports) external {
        uint256 n = reports.length;
        if (n == 0 || n > MAX_REPORTERS) revert InvalidReportCount(n, MAX_REPORTERS);
        uint256 accepted = 0;
        for (uint256 i = 0; i < n; ++i) {
            SignedReport calldata report = reports[i];
            (address signer, uint256 slot) = _checkReport(i, report);
            uint256 observedAt = report.observedAt;
            // Only a later observation replaces a reporter's report: replays and older reports are skipped.
            if (observedAt <= _reports[slot].observedAt) continue;
            uint256 price = report.priceWad;
            _reports[slot] = StoredReport({priceWad: uint128(price), observedAt: uint64(observedAt)});
            ++accepted;
            emit ReportAccepted(signer, price, observedAt);
        }
        if (accepted == 0) revert NoNewerReport(n);
        _updateAggregate();
    }

    // ----------------------------------------------------------------------------------------------- governance
    /// @inheritdoc ISignedReportSource
    function setReporter(address reporter, bool authorised) external restricted {
        if (reporter == address(0)) revert ZeroReporter();
        uint256 slotPlusOne = _slotOf[reporter];
        uint256 count = reporterCount;
        if (authorised && slotPlusOne == 0) {
            if (count == MAX_REPORTERS) revert TooManyReporters(MAX_REPORTERS);
            _reporterAt[count] = reporter;
            _slotOf[reporter] = count + 1;
            reporterCount = count + 1;
        } else if (!authorised && slotPlusOne != 0) {
            uint256 last = count - 1;
            uint256 slot = slotPlusOne - 1;
            if (slot != last) {
                address moved = _reporterAt[last];
                _reporterAt[slot] = moved;
                _reports[slot] = _reports[last];
                _slotOf[moved] = slotPlusOne;
            }
            delete _reporterAt[last];
            delete _reports[last];
            delete _slotOf[reporter];
            reporterCount = last;
        }
        emit ReporterSet(reporter, authorised);
        // A new reporter has no report yet, so only a removal changes the median.
        if (!authorised && slotPlusOne != 0) _updateAggregate();
    }

    /// @inheritdoc ISignedReportSource
    function setMinSigners(uint256 minSigners_) external restricted {
        _setMinSigners(minSigners_);
        _updateAggregate();
    }

    /// @inheritdoc ISignedReportSource
    function setMaxReportAge(uint256 maxReportAgeSeconds_) external restricted {
        _setMaxReportAge(maxReportAgeSeconds_);
        _updateAggregate();
    }

    // ----------------------------------------------------------------------------------------------- views
    /// @inheritdoc IPriceSource
    function latest() external view returns (uint256 priceWad, uint256 updatedAt) {
        Aggregate memory a = _aggregate;
        if (block.timestamp <= a.validUntil) return (a.priceWad, a.observedAt);
        // The oldest counted report went stale since the last relay: the median of the reports fresh now.
        uint256 fresh;
        (priceWad, updatedAt, fresh) = _freshMedian();
        if (fresh < minSigners) revert TooFewFreshReports(fresh, minSigners);
    }

    /// @inheritdoc IPriceSource
    function asset() external view returns (address) {
        return ASSET;
    }

    /// @inheritdoc ISignedReportSource
    function reportDigest(uint256 priceWad, uint256 observedAt) external view returns (bytes32) {
        return _digest(priceWad, observedAt);
    }

    /// @inheritdoc ISignedReportSource
    function isReporter(address reporter) external view returns (bool) {
        return _slotOf[reporter] != 0;
    }

    /// @inheritdoc ISignedReportSource
    function reportOf(address reporter) external view returns (uint256 priceWad, uint256 observedAt) {
        uint256 slotPlusOne = _slotOf[reporter];
        if (slotPlusOne == 0) return (0, 0);
        StoredReport memory r = _reports[slotPlusOne - 1];
        return (r.priceWad, r.observedAt);
    }

    // ----------------------------------------------------------------------------------------------- internal
    function _setMinSigners(uint256 minSigners_) private {
        if (minSigners_ == 0 || minSigners_ > MAX_REPORTERS)
            revert InvalidMinSigners(minSigners_, MAX_REPORTERS);
        minSigners = minSigners_;
        emit MinSignersSet(minSigners_);
    }

    function _setMaxReportAge(uint256 maxReportAgeSeconds_) private {
        if (maxReportAgeSeconds_ == 0 || maxReportAgeSeconds_ > MAX_REPORT_AGE_SECONDS)
            revert InvalidMaxReportAge(maxReportAgeSeconds_, MAX_REPORT_AGE_SECONDS);
        maxReportAgeSeconds = maxReportAgeSeconds_;
        emit MaxReportAgeSet(maxReportAgeSeconds_);
    }

    /// @dev Check report `i` of a relay and return its authorised signer and the signer's slot.
    function _checkReport(
        uint256 i,
        SignedReport calldata report
    ) private view returns (address signer, uint256 slot) {
        uint256 price = report.priceWad;
        uint256 observedAt = report.observedAt;
        if (price == 0 || price > type(uint128).max) revert InvalidPrice(i, price);
        if (observedAt > block.timestamp) revert ObservationInFuture(i, observedAt, block.timestamp);
        ECDSA.RecoverError err;
        (signer, err, ) = ECDSA.tryRecover(_digest(price, observedAt), report.signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
        uint256 slotPlusOne = _slotOf[signer];
        if (slotPlusOne == 0) revert UnauthorisedSigner(i, signer);
        slot = slotPlusOne - 1;
    }

    /// @dev Recompute the median of the reports fresh now and store it with the time its oldest report goes stale.
    function _updateAggregate() private {
        (uint256 price, uint256 oldest, uint256 fresh) = _freshMedian();
        uint256 needed = minSigners;
        if (fresh < needed) {
            delete _aggregate;
            emit PriceUnavailable(fresh, needed);
            return;
        }
        // oldest <= block.timestamp and the age is at most 3 days, so both fit in 64 bits.
        _aggregate = Aggregate({
            priceWad: uint128(price),
            observedAt: uint64(oldest),
            validUntil: uint64(oldest + maxReportAgeSeconds)
        });
        emit PriceUpdated(price, oldest, fresh);
    }

    /// @dev The median and the oldest observation of the reports observed at most `maxReportAgeSeconds` ago, and
    /// their number (price and time are 0 when none is fresh).
    function _freshMedian() private view returns (uint256 priceWad, uint256 oldest, uint256 fresh) {
        uint256 n = reporterCount;
        uint256 maxAge = maxReportAgeSeconds;
        uint256[] memory prices = new uint256[](n);
        oldest = type(uint256).max;
        for (uint256 i = 0; i < n; ++i) {
            StoredReport memory r = _reports[i];
            // Stored observations are never in the future, so the subtraction cannot underflow.
            if (r.observedAt == 0 || block.timestamp - r.observedAt > maxAge) continue;
            SortedMedian.insert(prices, fresh, r.priceWad);
            ++fresh;
            if (r.observedAt < oldest) oldest = r.observedAt;
        }
        if (fresh == 0) return (0, 0, 0);
        priceWad = SortedMedian.median(prices, fresh);
    }

    function _digest(uint256 priceWad, uint256 observedAt) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REPORT_TYPEHASH, ASSET, priceWad, observedAt)));
    }
}
