// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {RiskParams} from "../types/RiskParams.sol";
import {Trade} from "../types/Trade.sol";

/// @title IOptionsClearing
/// @notice Clearing house of European, cash-settled options on several underlyings, all settled in one quote
/// asset. Longs are ERC-1155 tokens (id = series id), freely transferable; shorts live only inside accounts.
/// Accounts hold collateral as shares of approved ERC-4626 collateral vaults, valued at the oracle price less a
/// per-vault haircut, and are margined as a portfolio (see IMarginCalculator).
///
/// Units: prices and strikes are WAD quote per one whole unit of the underlying; option amounts have 18 decimals
/// (1e18 = one option on one whole unit); collateral is vault shares in the vault's own decimals.
///
/// Rounding favours the protocol: requirements and debits round up; collateral values and payouts round down.
///
/// Trust: the clearing contract trusts the OracleAggregator (prices), the CircuitBreaker (may I act?), the
/// MarginCalculator (requirements) and the collateral vaults it approves (share accounting), all immutable or
/// approved by governance through the timelock. No role can move an account's collateral; governance only lists
/// series, sets parameters within hard bounds, and sets a fallback settlement price once the public settlement
/// window of a series has passed without an acceptable oracle price.
interface IOptionsClearing {
    // ------------------------------------------------------------------------------------------------- types
    /// @notice An option series.
    /// @param underlying The asset the option is on (priced by the oracle in the quote asset).
    /// @param expiry Unix expiry. Writing is allowed while `block.timestamp < expiry`; from `expiry` on the series is
    /// expired and can be settled.
    /// @param isCall Call (pays max(S - K, 0)) or put (pays max(K - S, 0)), per contract, in quote.
    /// @param strikeWad Strike.
    /// @param settled Whether the settlement price is fixed.
    /// @param settlementPriceWad The settlement price once settled.
    /// @param payoutPerContractWad Quote paid per long contract once settled.
    struct Series {
        address underlying;
        uint64 expiry;
        bool isCall;
        bool settled;
        uint256 strikeWad;
        uint256 settlementPriceWad;
        uint256 payoutPerContractWad;
    }

    /// @notice What may be listed on an underlying and how it is margined.
    struct UnderlyingConfig {
        bool enabled;
        uint256 minStrikeWad;
        uint256 maxStrikeWad;
        uint64 minTimeToExpirySeconds;
        uint64 maxTimeToExpirySeconds;
    }

    /// @notice An approved collateral vault.
    /// @param approved Whether new deposits are accepted (existing balances always count and can be withdrawn).
    /// @param haircutWad Share of the value that does not count as collateral (1e18 = 100%).
    /// @param asset The vault's underlying token (priced by the oracle unless it is the quote asset).
    /// @param assetDecimals The token's decimals.
    struct CollateralConfig {
        bool approved;
        uint64 haircutWad;
        address asset;
        uint8 assetDecimals;
    }

    /// @notice An account's margin figures, all WAD quote.
    struct Health {
        uint256 collateralValueWad;
        uint256 maintenanceWad;
        uint256 initialWad;
        uint256 debtWad;
    }

    /// @notice What a liquidation did, all WAD quote except `fractionWad` (1e18 = the whole portfolio).
    /// @param fractionWad Share of every position (and of the settlement debt) moved to the liquidator.
    /// @param liabilityWad Mark liability the liquidator took over (its positions' mark and the settlement debt, less
    /// the mark value of net-long positions).
    /// @param seizedValueWad Collateral value moved out of the liquidated account (to the liquidator and insurance).
    /// @param discountWad Auction discount applied (the liquidator's bonus per unit of liability, before penalty).
    /// @param penaltyWad Part of the bonus owed to the InsuranceVault (booked pending until `payPenalties`).
    /// @param coveredWad Bad debt covered by the InsuranceVault (insolvent accounts only).
    /// @param socialisedWad Bad debt left after insurance, socialised on the affected series' payouts (none when
    /// less than one unit of the quote asset is left: the liquidator absorbs that dust).
    struct LiquidationResult {
        uint256 fractionWad;
        uint256 liabilityWad;
        uint256 seizedValueWad;
        uint256 discountWad;
        uint256 penaltyWad;
        uint256 coveredWad;
        uint256 socialisedWad;
    }

    /// @notice What `liquidate` would do to an account now, for a liquidator taking as much as it may
    /// (`maxFractionWad` = 100%, no limit, no deadline). All WAD quote.
    /// @param liquidatable Below maintenance and the breaker allows its liquidation now: `liquidate` would not revert
    /// for the account's sake (the liquidator's own checks are not part of the quote).
    /// @param belowMaintenance Collateral value below the maintenance requirement.
    /// @param breakerAllows LIQUIDATE, GLOBAL and the price scope of every underlying and non-quote collateral asset
    /// of the account untripped and out of their grace periods.
    /// @param settlementPending Lazy settlement would change the account now (a settled short, settlement debt its
    /// quote collateral would repay, or a settled long whose credit the free pool can pay), which `liquidate` applies
    /// first: the quote is exact only when this is false, so a keeper calls `settleAccount` (permissionless) first.
    /// @param collateralValueWad Collateral value after haircuts.
    /// @param maintenanceWad Maintenance requirement, settlement debt included.
    /// @param initialWad Initial requirement, settlement debt included.
    /// @param result What `liquidate` would return (zero unless `belowMaintenance`): `penaltyWad` is the penalty
    /// actually taken (capped by the seized quote shares), `discountWad` the auction
    /// discount now (START if the account is not flagged yet).
    struct LiquidationQuote {
        bool liquidatable;
        bool belowMaintenance;
        bool breakerAllows;
        bool settlementPending;
        uint256 collateralValueWad;
        uint256 maintenanceWad;
        uint256 initialWad;
        LiquidationResult result;
    }

    // ------------------------------------------------------------------------------------------------- errors
    /// @notice An amount of zero.
    error ZeroAmount();
    /// @notice An address argument that must not be zero.
    error ZeroAddress();
    /// @notice An amount too large to be a signed position.
    error AmountTooLarge(uint256 amount);
    /// @notice `accountId` does not exist.
    error AccountNotFound(uint256 accountId);
    /// @notice `caller` is neither the owner of `accountId` nor an operator approved by the owner.
    error NotOwnerOrOperator(uint256 accountId, address caller);
    /// @notice `underlying` is not enabled for listing.
    error UnderlyingNotEnabled(address underlying);
    /// @notice The strike is outside the underlying's listing bounds.
    error StrikeOutOfBounds(
        address underlying,
        uint256 strikeWad,
        uint256 minStrikeWad,
        uint256 maxStrikeWad
    );
    /// @notice The expiry is outside the underlying's listing window `[minExpiry, maxExpiry]`.
    error ExpiryOutOfBounds(address underlying, uint256 expiry, uint256 minExpiry, uint256 maxExpiry);
    /// @notice Listing bounds that are inconsistent (min above max, zero horizon) or outside the pricing model's
    /// domain (strikes in [1e-6, 1e12] quote, expiries within 10 years).
    error InvalidListingBounds();
    /// @notice The series is already listed.
    error SeriesAlreadyListed(uint256 seriesId);
    /// @notice The series is not listed.
    error SeriesNotListed(uint256 seriesId);
    /// @notice The series has expired: it can no longer be written or have longs withdrawn into new risk.
    error SeriesExpired(uint256 seriesId, uint64 expiry);
    /// @notice The series has not expired yet.
    error SeriesNotExpired(uint256 seriesId, uint64 expiry);
    /// @notice The series is already settled.
    error SeriesAlreadySettled(uint256 seriesId);
    /// @notice The series is not settled yet.
    error SeriesNotSettled(uint256 seriesId);
    /// @notice The oracle price was observed before expiry or after the settlement window.
    error SettlementPriceOutsideWindow(
        uint256 seriesId,
        uint256 observedAt,
        uint64 expiry,
        uint256 windowEnd
    );
    /// @notice The settlement window has passed: only the governance fallback can settle now.
    error SettlementWindowClosed(uint256 seriesId, uint256 windowEnd);
    /// @notice The fallback price may be set only after the settlement window.
    error SettlementWindowStillOpen(uint256 seriesId, uint256 windowEnd);
    /// @notice A fallback settlement price of zero.
    error InvalidSettlementPrice(uint256 priceWad);
    /// @notice The vault is not an approved collateral vault.
    error CollateralNotApproved(address vault);
    /// @notice Collateral configuration out of bounds (haircut above the maximum, asset decimals above 36,
    /// too many vaults).
    error InvalidCollateralConfig(address vault);
    /// @notice Withdrawing more collateral shares than the account holds.
    error InsufficientCollateral(uint256 accountId, address vault, uint256 requested, uint256 available);
    /// @notice After the action the account's collateral value is below its initial requirement.
    error BelowInitialMargin(uint256 accountId, uint256 collateralValueWad, uint256 initialWad);
    /// @notice The account already holds the maximum number of open series.
    error TooManySeries(uint256 accountId, uint256 maxSeries);
    /// @notice Closing more than the account's short in the series.
    error CloseExceedsShort(uint256 accountId, uint256 seriesId, uint256 amount, uint256 shortAmount);
    /// @notice Withdrawing more longs than the account holds in the series.
    error InsufficientLongs(uint256 accountId, uint256 seriesId, uint256 amount, uint256 longAmount);
    /// @notice Exercise needs more quote-vault shares than the series' own pool holds (what its shorts paid in, less
    /// what its longs were paid): settle the series' short accounts first (`settleAccount` is permissionless).
    error InsufficientSettledFunds(uint256 seriesId, uint256 sharesNeeded, uint256 sharesAvailable);
    /// @notice Writing a series some of whose shorts were written off: new longs would share that loss.
    error SeriesImpaired(uint256 seriesId, uint256 writtenOffContracts);
    /// @notice `settleFromRound`: the round is not the first recorded round observed at or after expiry and within
    /// the settlement window (`previousAt`: the observation time of the round before it, 0 if none).
    error NotFirstRoundAfterExpiry(uint256 seriesId, uint80 roundId, uint256 observedAt, uint256 previousAt);
    /// @notice `settleWithFallbackPrice`: the reference is not the last round observed before expiry (0: none exists),
    /// or a round was observed within the window (`nextAt`), which `settleFromRound` must use.
    error InvalidReferenceRound(
        uint256 seriesId,
        uint80 referenceRoundId,
        uint256 referenceAt,
        uint256 nextAt
    );
    /// @notice `settleWithFallbackPrice`: the price is farther than FALLBACK_MAX_DEVIATION from the reference round.
    error FallbackPriceOutOfBounds(uint256 seriesId, uint256 priceWad, uint256 lowWad, uint256 highWad);
    /// @notice A short would be opened with a requirement of zero (amount too small to margin).
    error RequirementRoundsToZero(uint256 accountId, uint256 seriesId, uint256 amount);

    /// @notice The account is at or above its maintenance requirement: it cannot be liquidated.
    error AccountHealthy(uint256 accountId, uint256 collateralValueWad, uint256 maintenanceWad);
    /// @notice The liquidator's account has the same owner as the liquidated one.
    error SelfLiquidation(uint256 accountId, uint256 liquidatorAccountId);
    /// @notice The liquidator's deadline has passed.
    error LiquidationDeadlinePassed(uint256 deadline);
    /// @notice A liquidation fraction of zero or above 100%.
    error InvalidLiquidationFraction(uint256 fractionWad);
    /// @notice The account is insolvent: only a liquidation of the whole portfolio is allowed.
    error FullLiquidationRequired(uint256 accountId, uint256 maxFractionWad);
    /// @notice The liquidator would receive less than its stated limit per unit of liability.
    error LiquidationBelowLimit(uint256 receivedWad, uint256 requiredWad);

    /// @notice `trade`: the seller and the buyer are the same account.
    error SelfTrade(uint256 accountId);
    /// @notice `trade`: a side flagged reduce-only would open, grow or flip the account's position.
    error ReduceOnlyViolated(uint256 accountId, uint256 seriesId, int256 position, uint256 amount);
    /// @notice `trade`: an account in a running liquidation auction may only reduce its positions.
    error AccountInLiquidation(uint256 accountId, uint64 auctionSince);
    /// @notice `trade`: the premium the seller would receive (after its fee) rounds to zero quote assets or shares.
    error DustTrade(uint256 seriesId, uint256 amount, uint256 premiumPerContract);
    /// @notice `trade`: a risk-reducing side below its initial requirement would end with less margin excess
    /// (collateral value less maintenance) than before.
    error MarginExcessDecreased(uint256 accountId, int256 excessBeforeWad, int256 excessAfterWad);

    // ------------------------------------------------------------------------------------------------- events
    event UnderlyingConfigured(address indexed underlying, UnderlyingConfig config, RiskParams risk);
    event CollateralConfigured(address indexed vault, CollateralConfig config);
    event SeriesListed(
        uint256 indexed seriesId,
        address indexed underlying,
        uint256 strikeWad,
        uint64 expiry,
        bool isCall
    );
    event AccountOpened(uint256 indexed accountId, address indexed owner);
    event OperatorSet(address indexed owner, address indexed operator, bool approved);
    event CollateralDeposited(
        uint256 indexed accountId,
        address indexed vault,
        address indexed from,
        uint256 shares
    );
    event CollateralWithdrawn(
        uint256 indexed accountId,
        address indexed vault,
        address indexed to,
        uint256 shares
    );
    /// @notice `amount` longs minted to `recipient` against a short in `accountId`.
    event Written(
        uint256 indexed accountId,
        uint256 indexed seriesId,
        address indexed recipient,
        uint256 amount
    );
    /// @notice `amount` longs of `from` burnt against the short of `accountId`.
    event Closed(uint256 indexed accountId, uint256 indexed seriesId, address indexed from, uint256 amount);
    event LongsDeposited(
        uint256 indexed accountId,
        uint256 indexed seriesId,
        address indexed from,
        uint256 amount
    );
    event LongsWithdrawn(
        uint256 indexed accountId,
        uint256 indexed seriesId,
        address indexed to,
        uint256 amount
    );
    event SeriesSettled(
        uint256 indexed seriesId,
        uint256 priceWad,
        uint256 payoutPerContractWad,
        bool byFallback
    );
    event Exercised(
        uint256 indexed seriesId,
        address indexed holder,
        address indexed to,
        uint256 amount,
        uint256 paid
    );
    /// @notice Lazy settlement of `accountId`'s position in a settled series: `position` contracts (signed) settled,
    /// `quoteDeltaWad` credited (> 0) or debited (< 0).
    event PositionSettled(
        uint256 indexed accountId,
        uint256 indexed seriesId,
        int256 position,
        int256 quoteDeltaWad
    );
    /// @notice The account's settlement debt changed (debited beyond its quote collateral, or repaid).
    event DebtUpdated(uint256 indexed accountId, uint256 debtWad);

    /// @notice `accountId` was liquidated by `liquidatorAccountId`.
    event Liquidated(
        uint256 indexed accountId,
        uint256 indexed liquidatorAccountId,
        LiquidationResult result
    );
    /// @notice The liquidation auction of `accountId` started (`since` > 0) or was reset (`since` == 0).
    event LiquidationFlagged(uint256 indexed accountId, uint64 since);
    /// @notice The clearing's record of whether `trader` may call `trade` changed to the AccessManager's answer.
    event TraderSynced(address indexed trader, bool allowed);
    /// @notice `contracts` short contracts of `seriesId` were written off: their loss is socialised on its payout.
    event LossSocialised(uint256 indexed seriesId, uint256 contracts);
    /// @notice `payPenalties` redeemed `shares` pending penalty quote-vault shares for `assets` and paid them to
    /// the InsuranceVault.
    event PenaltiesPaid(uint256 shares, uint256 assets);
    /// @notice An insolvent liquidation used `shares` pending penalty shares, worth at least `assets` quote
    /// assets, as bad-debt cover for the liquidator (before drawing on the InsuranceVault).
    event PenaltiesUsedAsCover(uint256 shares, uint256 assets);
    /// @notice `amount` contracts of `seriesId` moved from `sellerAccountId` to `buyerAccountId`: the buyer paid
    /// `paidShares` quote-vault shares, the seller received `receivedShares`, the fee account the difference.
    event Traded(
        uint256 indexed sellerAccountId,
        uint256 indexed buyerAccountId,
        uint256 indexed seriesId,
        uint256 amount,
        uint256 paidShares,
        uint256 receivedShares
    );

    // ------------------------------------------------------------------------------------------------- governance
    /// @notice Enable `underlying` for listing with its bounds and risk parameters (validated by the calculator).
    /// @dev Only governance (GOVERNOR_ROLE, the timelock).
    function configureUnderlying(
        address underlying,
        UnderlyingConfig calldata config,
        RiskParams calldata risk
    ) external;

    /// @notice Approve (or stop new deposits into) collateral vault `vault` with `haircutWad`.
    /// @dev Only governance. At most MAX_COLLATERAL_VAULTS vaults. Its asset's decimals must be at most 36.
    function configureCollateral(address vault, bool approved, uint64 haircutWad) external;

    /// @notice List a series within its underlying's bounds. The id is `seriesIdOf(...)`.
    /// @dev Only the lister (LISTER_ROLE). Reverts UnderlyingNotEnabled, StrikeOutOfBounds, ExpiryOutOfBounds,
    /// SeriesAlreadyListed.
    function listSeries(
        address underlying,
        uint256 strikeWad,
        uint64 expiry,
        bool isCall
    ) external returns (uint256);

    /// @notice Settle a series whose settlement window passed with no oracle round recorded in it, at a price within
    /// FALLBACK_MAX_DEVIATION of `referenceRoundId`, the underlying's last round observed before expiry (0 when none
    /// exists: the price is then unbounded).
    /// @dev Only governance (the timelock: the price is public for the timelock's delay before it applies).
    /// Reverts SettlementWindowStillOpen before `expiry + SETTLEMENT_WINDOW_SECONDS`, InvalidSettlementPrice (zero),
    /// InvalidReferenceRound, FallbackPriceOutOfBounds.
    function settleWithFallbackPrice(uint256 seriesId, uint256 priceWad, uint80 referenceRoundId) external;

    // ------------------------------------------------------------------------------------------------- accounts
    /// @notice Open a new account owned by the caller. An owner may open several.
    function openAccount() external returns (uint256 accountId);

    /// @notice Let `operator` act (withdraw, write, move longs) for all the caller's accounts, or revoke it.
    function setOperator(address operator, bool approved) external;

    /// @notice Move `shares` of `vault` from the caller into `accountId`. Anyone may top up any account; never
    /// guarded by the breaker (risk-reducing).
    function depositCollateral(uint256 accountId, address vault, uint256 shares) external;

    /// @notice Move `shares` of `vault` out of `accountId` to `to`.
    /// @dev Owner or operator. Guarded by the WITHDRAW scope, and by the price scope of every asset the account is
    /// valued at afterwards (ScopeTripped). Reverts BelowInitialMargin if the account ends below its initial
    /// requirement.
    function withdrawCollateral(uint256 accountId, address vault, uint256 shares, address to) external;

    /// @notice Open (or extend) a short of `amount` in `seriesId` in `accountId` and mint `amount` longs to
    /// `recipient`.
    /// @dev Owner or operator. Guarded by WRITE, the underlying's price scope and the price scope of every asset the
    /// account is valued at; by WITHDRAW too when it nets a long the account holds. Reverts SeriesExpired,
    /// SeriesImpaired (shorts of the series were written off), TooManySeries, RequirementRoundsToZero,
    /// BelowInitialMargin.
    function write(uint256 accountId, uint256 seriesId, uint256 amount, address recipient) external;

    /// @notice Apply trades matched by the exchange: each moves `amount` contracts from the seller's account to the
    /// buyer's (a short opened or reduced on the seller, a long credited to or a short bought back by the buyer,
    /// positions netted), and the premium as quote-vault shares: the buyer pays `amount × (premium + buyer fee)`
    /// rounded up, the seller receives `amount × (premium − seller fee)` rounded down, and `feeAccountId` the
    /// difference in shares (fees and rounding). Every account whose position grew ends at or above its initial
    /// requirement (one check per account per call) and must not be in a running liquidation auction; an account
    /// whose every side reduced ends at or above initial, or with no less margin excess than before. A trade that
    /// grows any position is guarded by TRADE, WRITE, the underlying's price scope and GLOBAL; a trade where both
    /// sides reduce is never guarded.
    /// @dev Only the exchange (EXCHANGE_ROLE): it has checked the signed orders, prices, fees and fill state. The
    /// AccessManager is asked on a caller's first trade and its yes is recorded (`isTrader`); a revocation in the
    /// manager takes effect here once anyone calls `syncTrader` (AccessManagedUnauthorized otherwise).
    /// Reverts SeriesNotListed, SeriesExpired, SeriesImpaired (new shorts), SelfTrade, ReduceOnlyViolated,
    /// AccountInLiquidation, DustTrade, InsufficientCollateral (the buyer's quote shares), TooManySeries,
    /// BelowInitialMargin, RequirementRoundsToZero, MarginExcessDecreased, AccountNotFound (the fee account).
    function trade(Trade[] calldata trades, uint256 feeAccountId) external;

    /// @notice Set the clearing's record of `trader` to the AccessManager's current answer for `trade` (an
    /// immediate permission, no execution delay): anyone may call it, so a revoked exchange, or a closed clearing,
    /// stops trading one call after the manager's change. Emits TraderSynced when the record changes.
    function syncTrader(address trader) external;

    /// @notice Whether the clearing lets `trader` call `trade` without asking the AccessManager.
    function isTrader(address trader) external view returns (bool);

    /// @notice The quote asset's decimals (premiums and fees of `trade` are in its units).
    function QUOTE_DECIMALS() external view returns (uint8);

    /// @notice The collateral vault of the quote asset (premiums and fees move as its shares).
    function QUOTE_VAULT() external view returns (IERC4626);

    /// @notice Burn `amount` of the caller's longs against the short of `accountId`. Anyone holding longs may close
    /// any account's short (it only reduces risk); never guarded by the breaker.
    function close(uint256 accountId, uint256 seriesId, uint256 amount) external;

    /// @notice Move `amount` of the caller's longs into `accountId`, netting against its short. Never guarded.
    /// @dev Owner or operator (no one fills another account's series slots).
    function depositLongs(uint256 accountId, uint256 seriesId, uint256 amount) external;

    /// @notice Move `amount` longs out of `accountId` to `to` as ERC-1155 tokens.
    /// @dev Owner or operator. Guarded by WITHDRAW and by the price scope of every asset the account is valued at
    /// afterwards. Reverts InsufficientLongs, BelowInitialMargin.
    function withdrawLongs(uint256 accountId, uint256 seriesId, uint256 amount, address to) external;

    /// @notice Apply the lazy settlement of every settled series in `accountId` and repay its debt from its quote
    /// collateral. Anyone may call it; every state-changing account action does it first.
    function settleAccount(uint256 accountId) external;

    // ------------------------------------------------------------------------------------------------- settlement
    /// @notice Fix the settlement price of an expired series from the oracle: accepted only when observed at or
    /// after expiry and within the settlement window, with SETTLE and the underlying's scope untripped.
    function settle(uint256 seriesId) external;

    /// @notice After the settlement window, fix the settlement price from the underlying's recorded oracle round
    /// `roundId`, which must be the first observed at or after expiry and within the window: settlement recovers
    /// once a scope tripped during the window is resumed. Anyone; guarded like `settle`.
    /// @dev Reverts SettlementWindowStillOpen, NotFirstRoundAfterExpiry, SeriesAlreadySettled, SeriesNotListed.
    function settleFromRound(uint256 seriesId, uint80 roundId) external;

    /// @notice Burn `amount` of the caller's longs of a settled series and pay the payout in the quote asset to
    /// `to`. O(1).
    function exercise(uint256 seriesId, uint256 amount, address to) external returns (uint256 paidAssets);

    // ------------------------------------------------------------------------------------------------- liquidation
    /// @notice Liquidate `accountId`, below its maintenance requirement, into `liquidatorAccountId`: the liquidator
    /// takes over a fraction of every position (no more than needed to bring the account back to its initial
    /// requirement, at most `maxFractionWad`) and collateral worth the mark liability taken times (1 + discount),
    /// where the discount grows from START to MAX over the auction since the account was first flagged. The auction
    /// ends (LiquidationFlagged with 0) when a liquidation empties the account or takes exactly what restores its
    /// initial requirement; a liquidation capped by `maxFractionWad` leaves it running. A share of
    /// the bonus (the penalty) is owed to the InsuranceVault: taken from the seized quote-vault shares and held
    /// pending until `payPenalties`. An insolvent account is taken whole: the pending penalties, then the
    /// InsuranceVault, cover the deficit first (in whole units of the quote asset) and a rest of at least one unit
    /// is socialised by writing off short contracts (LossSocialised).
    /// @dev Caller: owner or operator of `liquidatorAccountId`, never of the same owner (SelfLiquidation). Guarded
    /// by the breaker's liquidation check (trips and grace periods) for every underlying of the account's positions
    /// and every collateral asset other than the quote it holds (LIQUIDATE alone when it has neither).
    /// Reverts LiquidationDeadlinePassed, InvalidLiquidationFraction, AccountHealthy, FullLiquidationRequired,
    /// LiquidationBelowLimit (the liquidator's limit: collateral value received per unit of liability), and
    /// BelowInitialMargin if the liquidator's account would end below its initial requirement.
    function liquidate(
        uint256 accountId,
        uint256 liquidatorAccountId,
        uint256 maxFractionWad,
        uint256 minSeizedPerLiabilityWad,
        uint256 deadline
    ) external returns (LiquidationResult memory result);

    /// @notice Redeem the pending penalty shares (`pendingPenaltyShares`) from the quote vault and pay the assets
    /// to the InsuranceVault, raising its share price. Anyone may call it (keepers after liquidations); with nothing
    /// pending it does nothing and returns 0.
    /// @dev Reverts with what the quote vault's redeem reverts with (a tripped WITHDRAW scope, the outflow limit):
    /// the penalties then stay pending, still owed to the insurance and still usable as bad-debt cover.
    function payPenalties() external returns (uint256 assets);

    /// @notice Quote-vault shares taken as liquidation penalties and not yet paid to the InsuranceVault.
    function pendingPenaltyShares() external view returns (uint256);

    /// @notice Start the liquidation auction of an account below maintenance, or reset the flag of a healthy one.
    /// Anyone may call it (keepers; an owner after topping up).
    function flagLiquidatable(uint256 accountId) external;

    /// @notice The auction discount `accountId` would be liquidated at now: its running auction's, or START_DISCOUNT
    /// when none runs (never flagged, healthy since, or last seen liquidatable over AUCTION_HEARTBEAT_SECONDS ago).
    function liquidationDiscount(uint256 accountId) external view returns (uint256 discountWad);

    /// @notice The Dutch auction's constants (docs/liquidation.md): the liquidator's bonus per unit of liability grows
    /// linearly from `startDiscountWad` to `maxDiscountWad` over `durationSeconds`; an auction lasts while the account
    /// is observed liquidatable at least every `heartbeatSeconds`; `penaltyShareWad` of the bonus goes to insurance.
    function dutchAuctionSchedule()
        external
        pure
        returns (
            uint256 startDiscountWad,
            uint256 maxDiscountWad,
            uint256 durationSeconds,
            uint256 heartbeatSeconds,
            uint256 penaltyShareWad
        );

    /// @notice Keeper view: whether `accountId` can be liquidated now and what `liquidate` would do, computed by the
    /// same code as `liquidate` for a liquidator taking up to 100% (see LiquidationQuote). It ignores the
    /// liquidator's side: its own margin check after taking the positions (BelowInitialMargin), its limit and its
    /// deadline. Exact when `settlementPending` is false and nothing changes before the liquidation is mined (the
    /// auction discount grows with time). Reverts AccountNotFound, or if a needed price is refused by the oracle.
    function liquidationQuote(uint256 accountId) external view returns (LiquidationQuote memory);

    /// @notice Short contracts of `seriesId` written off in bad-debt liquidations.
    function writtenOff(uint256 seriesId) external view returns (uint256);

    /// @notice Quote-vault shares paid in by `seriesId`'s shorts and not yet paid to its longs: its longs' only source.
    function settlementPool(uint256 seriesId) external view returns (uint256 shares);

    /// @notice Settlement debt of `accountId` on the settled series `seriesId` (`debtOf` is the sum over series).
    function seriesDebtOf(uint256 accountId, uint256 seriesId) external view returns (uint256 debtWad);

    // ------------------------------------------------------------------------------------------------- views
    /// @notice The deterministic id of a series.
    function seriesIdOf(
        address underlying,
        uint256 strikeWad,
        uint64 expiry,
        bool isCall
    ) external view returns (uint256);

    /// @notice A series (zero struct when not listed).
    function series(uint256 seriesId) external view returns (Series memory);

    /// @notice Shorts, longs held in accounts, and long tokens outstanding of a series. Before settlement
    /// `shorts == longsInAccounts + longTokens` (INV_OPEN_INTEREST).
    function openInterest(
        uint256 seriesId
    ) external view returns (uint256 shorts, uint256 longsInAccounts, uint256 longTokens);

    /// @notice The owner of `accountId` (zero when it does not exist).
    function ownerOf(uint256 accountId) external view returns (address);

    /// @notice Signed position of `accountId` in `seriesId` (> 0 long, < 0 short).
    function positionOf(uint256 accountId, uint256 seriesId) external view returns (int256);

    /// @notice The series with a position in `accountId`.
    function seriesOf(uint256 accountId) external view returns (uint256[] memory);

    /// @notice Collateral shares of `vault` in `accountId`.
    function collateralOf(uint256 accountId, address vault) external view returns (uint256);

    /// @notice The account's settlement debt (WAD quote) as stored, before pending lazy settlement.
    function debtOf(uint256 accountId) external view returns (uint256);

    /// @notice Collateral value, requirements and debt of `accountId` as every guarded action and `liquidate` see
    /// them: after its pending lazy settlement, simulated without writing (settled shorts debited, the debt repaid
    /// from quote collateral, settled longs credited as far as the free pool can pay them now; a long the pool cannot
    /// pay yet is not valued until its shorts have paid). Reverts if a needed price is refused by the oracle.
    function health(uint256 accountId) external view returns (Health memory);

    /// @notice Listing bounds of `underlying`.
    function underlyingConfig(address underlying) external view returns (UnderlyingConfig memory);

    /// @notice Risk parameters of `underlying`.
    function riskParams(address underlying) external view returns (RiskParams memory);

    /// @notice Configuration of collateral vault `vault`.
    function collateralConfig(address vault) external view returns (CollateralConfig memory);

    /// @notice Sum of all accounts' shares of `vault` (INV_SOLVENCY compares it with the shares held).
    function totalCollateral(address vault) external view returns (uint256);

    /// @notice Number of accounts opened; ids run from 1 to `accountCount()`.
    function accountCount() external view returns (uint256);

    /// @notice Whether `operator` may act for every account of `owner`.
    function isOperator(address owner, address operator) external view returns (bool);

    /// @notice The approved collateral vaults, in order of approval.
    function collateralVaults() external view returns (address[] memory);
}
