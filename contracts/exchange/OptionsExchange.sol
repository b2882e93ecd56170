// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IOptionsExchange} from "../interfaces/IOptionsExchange.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {Order, OrderLib, Side} from "../types/Order.sol";
import {Trade, TradeLib} from "../types/Trade.sol";

/// @title OptionsExchange
/// @notice See IOptionsExchange.
contract OptionsExchange is IOptionsExchange, EIP712, AccessManaged {
    /// @notice Smallest fill, in contracts (18 decimals): 0.001 contract.
    uint256 public constant MIN_LOT_CONTRACTS_WAD = 1e15;
    /// @notice Largest fee per contract governance may set, in whole quote units (WAD): 10 quote units.
    uint256 public constant MAX_FEE_PER_CONTRACT_QUOTE_WAD = 10e18;

    /// @notice The clearing house the exchange settles on.
    IOptionsClearing public immutable CLEARING;
    /// @notice MAX_FEE_PER_CONTRACT_QUOTE_WAD in the quote asset's units.
    uint256 public immutable MAX_FEE_PER_CONTRACT;
    /// @notice The clearing's quote vault (fees are its shares).
    address internal immutable QUOTE_VAULT;

    /// @dev The per-contract fees of one fill and the exchange's fee account (0 until the first fill).
    struct Fees {
        uint256 makerFeePerContract;
        uint256 takerFeePerContract;
        uint256 accountId;
    }

    /// @dev The fees and the fee account in one slot, read once per call.
    struct FeeSlot {
        uint96 makerFeePerContract;
        uint96 takerFeePerContract;
        uint64 accountId;
    }

    FeeSlot internal _feeSlot;
    address internal _feeRecipient;
    mapping(bytes32 orderHash => uint256) internal _filled;
    mapping(address by => mapping(bytes32 orderHash => bool)) internal _cancelled;
    mapping(address owner => uint256) internal _minNonce;

    constructor(
        address authority,
        IOptionsClearing clearing,
        FeeSchedule memory fees
    ) EIP712("optiq OptionsExchange", "1") AccessManaged(authority) {
        CLEARING = clearing;
        MAX_FEE_PER_CONTRACT = WadMath.fromWadDown(MAX_FEE_PER_CONTRACT_QUOTE_WAD, clearing.QUOTE_DECIMALS());
        QUOTE_VAULT = address(clearing.QUOTE_VAULT());
        _setFeeSchedule(fees);
    }

    // ================================================================================================= trading

    /// @inheritdoc IOptionsExchange
    function fill(
        Order calldata order,
        bytes calldata signature,
        uint256 amount,
        uint256 takerAccountId,
        uint256 maxFeePerContract
    ) external returns (bytes32 orderHash) {
        address takerOwner = CLEARING.ownerOf(takerAccountId);
        if (msg.sender != takerOwner && !CLEARING.isOperator(takerOwner, msg.sender)) {
            revert NotAccountController(takerAccountId, msg.sender);
        }
        orderHash = _take(order, signature, amount);
        _checkCounterparty(order, orderHash, takerOwner);
        Fees memory fees = _loadFees();
        _checkFee(fees.makerFeePerContract, order.maxFeePerContract);
        _checkFee(fees.takerFeePerContract, maxFeePerContract);
        Trade[] memory trades = new Trade[](1);
        trades[0] = _trade(order, takerAccountId, amount, fees);
        emit OrderFilled(
            orderHash,
            order.accountId,
            takerAccountId,
            order.seriesId,
            amount,
            order.limitPremiumPerContract,
            fees.makerFeePerContract,
            fees.takerFeePerContract
        );
        CLEARING.trade(trades, _feeAccount(fees));
    }

    /// @inheritdoc IOptionsExchange
    function matchOrders(
        Order calldata taker,
        bytes calldata takerSignature,
        Order[] calldata makers,
        bytes[] calldata makerSignatures,
        uint256[] calldata amounts
    ) external restricted {
        uint256 n = makers.length;
        if (n == 0 || makerSignatures.length != n || amounts.length != n) {
            revert InvalidMakerList(n, makerSignatures.length, amounts.length);
        }
        uint256 total;
        for (uint256 i; i < n; ++i) total += amounts[i];
        bytes32 takerHash = _take(taker, takerSignature, total);
        if (taker.executor != address(0) && taker.executor != msg.sender) {
            revert ExecutorMismatch(takerHash, taker.executor, msg.sender);
        }
        Fees memory fees = _loadFees();
        _checkFee(fees.takerFeePerContract, taker.maxFeePerContract);
        Trade[] memory trades = new Trade[](n);
        for (uint256 i; i < n; ++i) {
            trades[i] = _matchMaker(taker, takerHash, makers[i], makerSignatures[i], amounts[i], fees);
        }
        emit OrdersMatched(takerHash, n, total);
        CLEARING.trade(trades, _feeAccount(fees));
    }

    /// @inheritdoc IOptionsExchange
    function cancel(bytes32[] calldata orderHashes) external {
        for (uint256 i; i < orderHashes.length; ++i) {
            _cancelled[msg.sender][orderHashes[i]] = true;
            emit OrderCancelled(msg.sender, orderHashes[i]);
        }
    }

    /// @inheritdoc IOptionsExchange
    function setMinNonce(uint256 minNonce_) external {
        uint256 current = _minNonce[msg.sender];
        if (minNonce_ <= current) revert NonceNotIncreasing(minNonce_, current);
        _minNonce[msg.sender] = minNonce_;
        emit MinNonceSet(msg.sender, minNonce_);
    }

    /// @inheritdoc IOptionsExchange
    function setFeeSchedule(FeeSchedule calldata schedule) external restricted {
        _setFeeSchedule(schedule);
    }

    /// @inheritdoc IOptionsExchange
    function openFeeAccount() external returns (uint256) {
        return _feeAccount(_loadFees());
    }

    /// @inheritdoc IOptionsExchange
    function sweepFees() external returns (uint256 shares) {
        uint256 accountId = _feeSlot.accountId;
        if (accountId == 0) return 0;
        shares = CLEARING.collateralOf(accountId, QUOTE_VAULT);
        if (shares == 0) return 0;
        address recipient = _feeRecipient;
        emit FeesSwept(recipient, shares);
        CLEARING.withdrawCollateral(accountId, QUOTE_VAULT, shares, recipient);
    }

    // ================================================================================================= views

    /// @inheritdoc IOptionsExchange
    function hashOrder(Order calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(order.structHash());
    }

    /// @inheritdoc IOptionsExchange
    function filled(bytes32 orderHash) external view returns (uint256) {
        return _filled[orderHash];
    }

    /// @inheritdoc IOptionsExchange
    function cancelled(address by, bytes32 orderHash) external view returns (bool) {
        return _cancelled[by][orderHash];
    }

    /// @inheritdoc IOptionsExchange
    function minNonce(address owner) external view returns (uint256) {
        return _minNonce[owner];
    }

    /// @inheritdoc IOptionsExchange
    function feeSchedule() external view returns (FeeSchedule memory) {
        FeeSlot memory f = _feeSlot;
        return FeeSchedule(f.makerFeePerContract, f.takerFeePerContract, _feeRecipient);
    }

    /// @inheritdoc IOptionsExchange
    function feeAccountId() external view returns (uint256) {
        return _feeSlot.accountId;
    }

    /// @inheritdoc IOptionsExchange
    function validate(
        Order calldata order,
        bytes calldata signature,
        uint256 amount
    ) external view returns (OrderStatus status) {
        status = _status(order, signature, amount, hashOrder(order));
        if (status != OrderStatus.Valid) return status;
        IOptionsClearing.Series memory s = CLEARING.series(order.seriesId);
        if (s.underlying == address(0) || block.timestamp >= s.expiry) return OrderStatus.SeriesNotTradable;
    }

    // ================================================================================================= internals

    /// @dev Check `order` for a fill of `amount` and record the fill; reverts with the failing rule's error.
    function _take(
        Order calldata order,
        bytes calldata signature,
        uint256 amount
    ) internal returns (bytes32 hash) {
        hash = hashOrder(order);
        OrderStatus status = _status(order, signature, amount, hash);
        if (status != OrderStatus.Valid) _revertWith(status, order, amount, hash);
        _filled[hash] += amount;
    }

    /// @dev The first rule `amount` of `order` fails, cheapest first (the signature last), or Valid.
    function _status(
        Order calldata order,
        bytes calldata signature,
        uint256 amount,
        bytes32 hash
    ) internal view returns (OrderStatus) {
        if (amount < MIN_LOT_CONTRACTS_WAD) return OrderStatus.BelowMinLot;
        if (order.flags & ~OrderLib.KNOWN_FLAGS != 0) return OrderStatus.UnknownFlags;
        if (order.limitPremiumPerContract == 0) return OrderStatus.ZeroPremium;
        if (block.timestamp > order.expiry) return OrderStatus.Expired;
        address owner = order.owner;
        address signer = order.signer;
        if (_cancelled[owner][hash] || (signer != owner && _cancelled[signer][hash]))
            return OrderStatus.Cancelled;
        if (order.nonce < _minNonce[owner]) return OrderStatus.NonceBelowMin;
        uint256 done = _filled[hash];
        if (amount > order.amount - _min(done, order.amount)) return OrderStatus.Overfill;
        if (order.isFillOrKill() && (done != 0 || amount != order.amount)) return OrderStatus.FillOrKill;
        if (CLEARING.ownerOf(order.accountId) != owner) return OrderStatus.OwnerMismatch;
        if (signer != owner && !CLEARING.isOperator(owner, signer)) return OrderStatus.SignerNotAuthorized;
        if (!_isValidSignature(signer, hash, signature)) return OrderStatus.InvalidSignature;
        return OrderStatus.Valid;
    }

    /// @dev ECDSA (low s) first, ERC-1271 only if that fails and `signer` has code: an EOA's signature needs no look at
    /// its code (a cold account), and no key signs for a contract's address.
    function _isValidSignature(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return
            signer.code.length != 0 &&
            SignatureChecker.isValidERC1271SignatureNowCalldata(signer, hash, signature);
    }

    /// @dev Revert with the custom error of `status`, naming the offending values.
    function _revertWith(
        OrderStatus status,
        Order calldata order,
        uint256 amount,
        bytes32 hash
    ) internal view {
        if (status == OrderStatus.BelowMinLot) revert AmountBelowMinLot(amount, MIN_LOT_CONTRACTS_WAD);
        if (status == OrderStatus.UnknownFlags) revert UnknownFlags(hash, order.flags);
        if (status == OrderStatus.ZeroPremium) revert ZeroPremium(hash);
        if (status == OrderStatus.Expired) revert OrderExpired(hash, order.expiry);
        if (status == OrderStatus.Cancelled) revert OrderIsCancelled(hash);
        if (status == OrderStatus.NonceBelowMin)
            revert NonceBelowMin(hash, order.nonce, _minNonce[order.owner]);
        uint256 done = _filled[hash];
        if (status == OrderStatus.Overfill)
            revert Overfill(hash, amount, order.amount - _min(done, order.amount));
        if (status == OrderStatus.FillOrKill) revert FillOrKillNotWhole(hash, amount, order.amount);
        if (status == OrderStatus.OwnerMismatch) {
            revert OwnerMismatch(hash, order.accountId, order.owner, CLEARING.ownerOf(order.accountId));
        }
        if (status == OrderStatus.SignerNotAuthorized)
            revert SignerNotAuthorized(hash, order.owner, order.signer);
        revert InvalidSignature(hash, order.signer);
    }

    /// @dev Check and record maker `maker`'s fill of `amount` against the taker; the clearing's trade of it.
    function _matchMaker(
        Order calldata taker,
        bytes32 takerHash,
        Order calldata maker,
        bytes calldata signature,
        uint256 amount,
        Fees memory fees
    ) internal returns (Trade memory t) {
        bytes32 makerHash = _take(maker, signature, amount);
        _checkCross(taker, takerHash, maker, makerHash);
        _checkCounterparty(maker, makerHash, taker.owner);
        if (taker.taker != address(0) && taker.taker != maker.owner) {
            revert TakerMismatch(takerHash, taker.taker, maker.owner);
        }
        _checkFee(fees.makerFeePerContract, maker.maxFeePerContract);
        t = _trade(maker, taker.accountId, amount, fees);
        // The taker's own reduce-only flag binds its side of every trade.
        if (taker.isReduceOnly()) {
            t.flags |= taker.side == Side.Sell ? TradeLib.SELLER_REDUCE_ONLY : TradeLib.BUYER_REDUCE_ONLY;
        }
        emit OrderFilled(
            makerHash,
            maker.accountId,
            taker.accountId,
            maker.seriesId,
            amount,
            maker.limitPremiumPerContract,
            fees.makerFeePerContract,
            fees.takerFeePerContract
        );
    }

    /// @dev The order's own restrictions on who submits it and who trades against it; no self-trade.
    function _checkCounterparty(Order calldata order, bytes32 hash, address counterparty) internal view {
        if (order.executor != address(0) && order.executor != msg.sender) {
            revert ExecutorMismatch(hash, order.executor, msg.sender);
        }
        if (order.taker != address(0) && order.taker != counterparty) {
            revert TakerMismatch(hash, order.taker, counterparty);
        }
        if (order.owner == counterparty) revert SelfTrade(counterparty);
    }

    /// @dev Same series, opposite sides, the maker's price within the taker's limit.
    function _checkCross(
        Order calldata taker,
        bytes32 takerHash,
        Order calldata maker,
        bytes32 makerHash
    ) internal pure {
        if (maker.seriesId != taker.seriesId) revert SeriesMismatch(taker.seriesId, maker.seriesId);
        if (maker.side == taker.side) revert SameSide(takerHash, makerHash);
        uint256 price = maker.limitPremiumPerContract;
        uint256 limit = taker.limitPremiumPerContract;
        if (taker.side == Side.Buy ? price > limit : price < limit)
            revert PriceNotCrossed(makerHash, price, limit);
    }

    function _checkFee(uint256 feePerContract, uint256 maxFeePerContract) internal pure {
        if (feePerContract > maxFeePerContract) revert FeeAboveMax(feePerContract, maxFeePerContract);
    }

    /// @dev The clearing's trade of `amount` of the maker order against `takerAccountId` at the maker's price.
    function _trade(
        Order calldata maker,
        uint256 takerAccountId,
        uint256 amount,
        Fees memory fees
    ) internal pure returns (Trade memory t) {
        bool makerSells = maker.side == Side.Sell;
        t.sellerAccountId = makerSells ? maker.accountId : takerAccountId;
        t.buyerAccountId = makerSells ? takerAccountId : maker.accountId;
        t.seriesId = maker.seriesId;
        t.amount = amount;
        t.premiumPerContract = maker.limitPremiumPerContract;
        t.sellerFeePerContract = makerSells ? fees.makerFeePerContract : fees.takerFeePerContract;
        t.buyerFeePerContract = makerSells ? fees.takerFeePerContract : fees.makerFeePerContract;
        if (maker.isReduceOnly())
            t.flags = makerSells ? TradeLib.SELLER_REDUCE_ONLY : TradeLib.BUYER_REDUCE_ONLY;
    }

    /// @dev The fees of a fill and the fee account, one storage read.
    function _loadFees() internal view returns (Fees memory) {
        FeeSlot memory f = _feeSlot;
        return Fees(f.makerFeePerContract, f.takerFeePerContract, f.accountId);
    }

    /// @dev The fee account, opened on the first fill so that deploying the exchange opens no account.
    function _feeAccount(Fees memory fees) internal returns (uint256 accountId) {
        accountId = fees.accountId;
        if (accountId != 0) return accountId;
        accountId = CLEARING.openAccount();
        _feeSlot.accountId = SafeCast.toUint64(accountId);
        emit FeeAccountOpened(accountId);
    }

    function _setFeeSchedule(FeeSchedule memory schedule) internal {
        if (
            schedule.makerFeePerContract > MAX_FEE_PER_CONTRACT ||
            schedule.takerFeePerContract > MAX_FEE_PER_CONTRACT ||
            schedule.recipient == address(0)
        ) {
            revert InvalidFeeSchedule(
                schedule.recipient,
                schedule.makerFeePerContract,
                schedule.takerFeePerContract
            );
        }
        _feeSlot.makerFeePerContract = uint96(schedule.makerFeePerContract);
        _feeSlot.takerFeePerContract = uint96(schedule.takerFeePerContract);
        _feeRecipient = schedule.recipient;
        emit FeeScheduleSet(schedule);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
