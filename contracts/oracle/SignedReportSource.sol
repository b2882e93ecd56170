// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {ISignedReportSource} from "../interfaces/ISignedReportSource.sol";
import {SortedMedian} from "../libraries/SortedMedian.sol";

/// @title SignedReportSource
/// @notice Price source for one asset fed by EIP-712 reports of authorised off-chain reporters; see
/// `ISignedReportSource`.
contract SignedReportSource is ISignedReportSource, AccessManaged, EIP712 {
    /// @inheritdoc ISignedReportSource
    uint256 public constant MAX_REPORTERS = 31;
    /// @inheritdoc ISignedReportSource
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(address asset,uint256 priceWad,uint256 observedAt,uint256 round)"
    );

    address private immutable ASSET;

    /// @inheritdoc ISignedReportSource
    uint256 public reporterCount;
    /// @inheritdoc ISignedReportSource
    uint256 public minSigners;
    mapping(address reporter => bool) private _isReporter;

    /// @dev The last accepted batch, one storage slot: what `latest` reads.
    struct Stored {
        uint128 priceWad;
        uint64 observedAt;
        uint64 round;
    }
    Stored private _stored;

    /// @param authority The protocol's AccessManager.
    /// @param asset_ The asset this source prices.
    /// @param minSigners_ The number of distinct authorised signers a batch needs.
    constructor(
        address authority,
        address asset_,
        uint256 minSigners_
    ) AccessManaged(authority) EIP712("optiq SignedReportSource", "1") {
        if (asset_ == address(0)) revert ZeroAsset();
        ASSET = asset_;
        _setMinSigners(minSigners_);
    }

    // ----------------------------------------------------------------------------------------------- relay
    /// @inheritdoc ISignedReportSource
    function submit(uint256 round, SignedReport[] calldata reports) external {
        uint256 n = reports.length;
        uint256 needed = minSigners;
        if (n < needed || n > MAX_REPORTERS) revert InvalidSignerCount(n, needed, MAX_REPORTERS);
        Stored memory last = _stored;
        // A round above 2^64 - 1 cannot be stored; refusing it here keeps `round` strictly increasing.
        if (round <= last.round || round > type(uint64).max) revert RoundNotNewer(round, last.round);

        uint256[] memory prices = new uint256[](n);
        uint256 oldest = type(uint256).max;
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            SignedReport calldata report = reports[i];
            address signer = _checkReport(i, round, report, last.observedAt);
            if (signer == previous) revert DuplicateSigner(i, signer);
            if (signer < previous) revert SignersNotAscending(i, signer, previous);
            previous = signer;
            uint256 price = report.priceWad;
            uint256 observedAt = report.observedAt;
            SortedMedian.insert(prices, i, price);
            if (observedAt < oldest) oldest = observedAt;
            emit ReportAccepted(round, signer, price, observedAt);
        }

        uint256 median = SortedMedian.median(prices, n);
        // Effects only after every check: a bad batch leaves the state unchanged.
        _stored = Stored({priceWad: uint128(median), observedAt: uint64(oldest), round: uint64(round)});
        emit RoundAccepted(round, median, oldest, n);
    }

    // ----------------------------------------------------------------------------------------------- governance
    /// @inheritdoc ISignedReportSource
    function setReporter(address reporter, bool authorised) external restricted {
        if (reporter == address(0)) revert ZeroReporter();
        bool current = _isReporter[reporter];
        if (authorised && !current) {
            if (reporterCount == MAX_REPORTERS) revert TooManyReporters(MAX_REPORTERS);
            ++reporterCount;
        } else if (!authorised && current) {
            --reporterCount;
        }
        _isReporter[reporter] = authorised;
        emit ReporterSet(reporter, authorised);
    }

    /// @inheritdoc ISignedReportSource
    function setMinSigners(uint256 minSigners_) external restricted {
        _setMinSigners(minSigners_);
    }

    // ----------------------------------------------------------------------------------------------- views
    /// @inheritdoc IPriceSource
    function latest() external view returns (uint256 priceWad, uint256 updatedAt) {
        Stored memory s = _stored;
        if (s.round == 0) revert NoReport();
        return (s.priceWad, s.observedAt);
    }

    /// @inheritdoc IPriceSource
    function asset() external view returns (address) {
        return ASSET;
    }

    /// @inheritdoc ISignedReportSource
    function reportDigest(
        uint256 priceWad,
        uint256 observedAt,
        uint256 round
    ) external view returns (bytes32) {
        return _digest(priceWad, observedAt, round);
    }

    /// @inheritdoc ISignedReportSource
    function isReporter(address reporter) external view returns (bool) {
        return _isReporter[reporter];
    }

    /// @inheritdoc ISignedReportSource
    function lastRound() external view returns (uint256) {
        return _stored.round;
    }

    // ----------------------------------------------------------------------------------------------- internal
    function _setMinSigners(uint256 minSigners_) private {
        if (minSigners_ == 0 || minSigners_ > MAX_REPORTERS)
            revert InvalidMinSigners(minSigners_, MAX_REPORTERS);
        minSigners = minSigners_;
        emit MinSignersSet(minSigners_);
    }

    /// @dev Check report `i` of a batch for `round` and return its authorised signer.
    function _checkReport(
        uint256 i,
        uint256 round,
        SignedReport calldata report,
        uint256 lastObservedAt
    ) private view returns (address signer) {
        uint256 price = report.priceWad;
        uint256 observedAt = report.observedAt;
        if (price == 0 || price > type(uint128).max) revert InvalidPrice(i, price);
        if (observedAt > block.timestamp) revert ObservationInFuture(i, observedAt, block.timestamp);
        if (observedAt < lastObservedAt) revert ObservationOutOfOrder(i, observedAt, lastObservedAt);
        ECDSA.RecoverError err;
        (signer, err, ) = ECDSA.tryRecover(_digest(price, observedAt, round), report.signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
        if (!_isReporter[signer]) revert UnauthorisedSigner(i, signer);
    }

    function _digest(uint256 priceWad, uint256 observedAt, uint256 round) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REPORT_TYPEHASH, ASSET, priceWad, observedAt, round)));
    }
}
