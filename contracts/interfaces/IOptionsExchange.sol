// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Order} from "../types/Order.sol";
import {IOptionsClearing} from "./IOptionsClearing.sol";

/// @title IOptionsExchange
/// @notice Settlement of EIP-712 signed orders on OptionsClearing. A trader signs an Order (ECDSA with low s, or
/// ERC-1271 for a contract signer such as a Safe); anyone may fill a resting order directly (`fill`) at the order's
/// price, and a matcher holding EXECUTOR_ROLE may cross one taker order against several makers (`matchOrders`) at
/// each maker's price, within the taker's limit. Fill state is kept per order hash. The trade itself (positions,
/// premium in quote-vault shares, fees, margin) is applied by the clearing's restricted `trade` entry.
///
/// Units: amounts in contracts with 18 decimals; premiums and fees in quote-asset units per 1e18 contracts.
///
/// Cancellation: `cancel(hashes)` by the order's owner or signer, `setMinNonce` by the owner (cancels every order
/// with a lower nonce). Both race with a matcher's pending transaction: a cancel only binds once mined.
interface IOptionsExchange {
    /// @notice Why an order would not fill (`validate`): Valid, or the first failing rule.
    enum OrderStatus {
        Valid,
        BelowMinLot,
        UnknownFlags,
        ZeroPremium,
        Expired,
        Cancelled,
        NonceBelowMin,
        Overfill,
        FillOrKill,
        OwnerMismatch,
        SignerNotAuthorized,
        InvalidSignature,
        SeriesNotTradable
    }

    /// @notice The fee schedule: per-contract fees in quote units (per 1e18 contracts), and the address `sweepFees`
    /// pays the exchange's fee account to.
    struct FeeSchedule {
        uint128 makerFeePerContract;
        uint128 takerFeePerContract;
        address recipient;
    }

    // ------------------------------------------------------------------------------------------------- errors
    /// @notice The fill amount is below MIN_LOT_CONTRACTS_WAD.
    error AmountBelowMinLot(uint256 amount, uint256 minLot);
    /// @notice The order carries flag bits the exchange does not know.
    error UnknownFlags(bytes32 orderHash, uint8 flags);
    /// @notice The order's limit premium is zero.
    error ZeroPremium(bytes32 orderHash);
    /// @notice The order's expiry has passed.
    error OrderExpired(bytes32 orderHash, uint64 expiry);
    /// @notice The order was cancelled by its owner or signer.
    error OrderIsCancelled(bytes32 orderHash);
    /// @notice The order's nonce is below its owner's minimum.
    error NonceBelowMin(bytes32 orderHash, uint256 nonce, uint256 minNonce);
    /// @notice The fill exceeds what remains of the order.
    error Overfill(bytes32 orderHash, uint256 amount, uint256 remaining);
    /// @notice A fill-or-kill order must fill whole in one call.
    error FillOrKillNotWhole(bytes32 orderHash, uint256 amount, uint256 orderAmount);
    /// @notice The order's owner is not the owner of its account.
    error OwnerMismatch(bytes32 orderHash, uint256 accountId, address owner, address accountOwner);
    /// @notice The order's signer is neither its owner nor an operator the owner approved.
    error SignerNotAuthorized(bytes32 orderHash, address owner, address signer);
    /// @notice The signature is not the signer's (bad, malleable high-s, or refused by the ERC-1271 wallet).
    error InvalidSignature(bytes32 orderHash, address signer);
    /// @notice The series is not listed, or has expired (and so may be settled).
    error SeriesNotTradable(uint256 seriesId);
    /// @notice The caller may not act for the taker account.
    error NotAccountController(uint256 accountId, address caller);
    /// @notice The order names another executor than the caller.
    error ExecutorMismatch(bytes32 orderHash, address executor, address caller);
    /// @notice The order names another counterparty owner.
    error TakerMismatch(bytes32 orderHash, address taker, address counterparty);
    /// @notice Both sides of a trade have the same owner.
    error SelfTrade(address owner);
    /// @notice The fee exceeds the signed (or, for `fill`, the caller's) maximum.
    error FeeAboveMax(uint256 feePerContract, uint256 maxFeePerContract);
    /// @notice Taker and maker are on the same side.
    error SameSide(bytes32 takerHash, bytes32 makerHash);
    /// @notice Taker and maker trade different series.
    error SeriesMismatch(uint256 takerSeriesId, uint256 makerSeriesId);
    /// @notice The maker's price is outside the taker's limit.
    error PriceNotCrossed(bytes32 makerHash, uint256 makerPremiumPerContract, uint256 takerLimitPerContract);
    /// @notice `matchOrders` got no maker, or arrays of different lengths.
    error InvalidMakerList(uint256 makers, uint256 signatures, uint256 amounts);
    /// @notice `setMinNonce` must raise the minimum.
    error NonceNotIncreasing(uint256 minNonce, uint256 current);
    /// @notice A fee above MAX_FEE_PER_CONTRACT, or a zero recipient.
    error InvalidFeeSchedule(address recipient, uint256 makerFeePerContract, uint256 takerFeePerContract);

    // ------------------------------------------------------------------------------------------------- events
    /// @notice `amount` of the maker order `orderHash` filled against `takerAccountId` at the order's price.
    event OrderFilled(
        bytes32 indexed orderHash,
        uint256 indexed makerAccountId,
        uint256 indexed takerAccountId,
        uint256 seriesId,
        uint256 amount,
        uint256 premiumPerContract,
        uint256 makerFeePerContract,
        uint256 takerFeePerContract
    );
    /// @notice The taker order `takerHash` crossed `makers` maker orders for `amount` in total.
    event OrdersMatched(bytes32 indexed takerHash, uint256 makers, uint256 amount);
    /// @notice `by` cancelled the order `orderHash` (binding when `by` is the order's owner or signer).
    event OrderCancelled(address indexed by, bytes32 indexed orderHash);
    /// @notice Every order of `owner` with a nonce below `minNonce` is cancelled.
    event MinNonceSet(address indexed owner, uint256 minNonce);
    /// @notice Governance set the fee schedule.
    event FeeScheduleSet(FeeSchedule schedule);
    /// @notice `shares` quote-vault shares of fees and premium rounding paid from the fee account to `recipient`.
    event FeesSwept(address indexed recipient, uint256 shares);
    /// @notice The first fill opened the exchange's fee account `accountId` on the clearing.
    event FeeAccountOpened(uint256 indexed accountId);

    // ------------------------------------------------------------------------------------------------- trading
    /// @notice Take `amount` of the resting order `order` at its price from `takerAccountId`, paying at most
    /// `maxFeePerContract` as taker fee.
    /// @dev The caller must be the owner or an operator of `takerAccountId`. Reverts with the reason of `validate`
    /// as its custom error, or ExecutorMismatch, TakerMismatch, SelfTrade, FeeAboveMax, or the clearing's errors.
    function fill(
        Order calldata order,
        bytes calldata signature,
        uint256 amount,
        uint256 takerAccountId,
        uint256 maxFeePerContract
    ) external returns (bytes32 orderHash);

    /// @notice Cross `taker` against `makers`, `amounts[i]` with maker i at maker i's price; the taker's limit holds
    /// for every maker. Only EXECUTOR_ROLE.
    function matchOrders(
        Order calldata taker,
        bytes calldata takerSignature,
        Order[] calldata makers,
        bytes[] calldata makerSignatures,
        uint256[] calldata amounts
    ) external;

    /// @notice Cancel orders by hash; binding for orders whose owner or signer is the caller.
    function cancel(bytes32[] calldata orderHashes) external;

    /// @notice Cancel every order of the caller (as owner) with a nonce below `minNonce`; it only rises.
    function setMinNonce(uint256 minNonce) external;

    /// @notice Set the fee schedule. Only governance. Each fee at most MAX_FEE_PER_CONTRACT; a non-zero recipient.
    function setFeeSchedule(FeeSchedule calldata schedule) external;

    /// @notice Open the exchange's fee account now if no fill has yet (anyone may; idempotent); returns its id.
    function openFeeAccount() external returns (uint256 accountId);

    /// @notice Pay the fee account's quote-vault shares (fees and premium rounding) to the schedule's recipient.
    /// Anyone may call it; the shares go only to the governance-set recipient.
    /// @return shares The shares paid (zero: nothing to pay).
    function sweepFees() external returns (uint256 shares);

    // ------------------------------------------------------------------------------------------------- views
    /// @notice The EIP-712 digest a signer signs for `order`.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Contracts of the order `orderHash` filled so far.
    function filled(bytes32 orderHash) external view returns (uint256);

    /// @notice Whether `by` has cancelled `orderHash`.
    function cancelled(address by, bytes32 orderHash) external view returns (bool);

    /// @notice The lowest nonce of `owner`'s orders that may still fill.
    function minNonce(address owner) external view returns (uint256);

    /// @notice Whether `amount` of `order` would pass the exchange's checks now (the clearing's margin and position
    /// checks excepted); the first failing rule otherwise.
    function validate(
        Order calldata order,
        bytes calldata signature,
        uint256 amount
    ) external view returns (OrderStatus);

    /// @notice The current fee schedule.
    function feeSchedule() external view returns (FeeSchedule memory);

    /// @notice The clearing house the exchange settles on.
    function CLEARING() external view returns (IOptionsClearing);

    /// @notice The exchange's own clearing account (0 until the first fill opens it; owned by the exchange, never a
    /// party to a trade): it receives the fees and the rounding of every premium until `sweepFees`.
    function feeAccountId() external view returns (uint256);
}
