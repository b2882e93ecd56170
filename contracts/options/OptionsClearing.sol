// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {AuthorityUtils} from "@openzeppelin/contracts/access/manager/AuthorityUtils.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {BreakerGuarded} from "../breaker/BreakerGuarded.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IInsuranceVault} from "../interfaces/IInsuranceVault.sol";
import {IMarginCalculator} from "../interfaces/IMarginCalculator.sol";
import {IOptionsClearing} from "../interfaces/IOptionsClearing.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {BlackScholes} from "../libraries/BlackScholes.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {RiskParams} from "../types/RiskParams.sol";
import {Trade} from "../types/Trade.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ClearingStorage} from "./ClearingStorage.sol";
import "./ConstantsLib.sol" as Constants;
import {LiquidationLogic} from "./LiquidationLogic.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {SettlementLogic} from "./SettlementLogic.sol";
import {TradeLogic} from "./TradeLogic.sol";

/// @title OptionsClearing
/// @notice See IOptionsClearing.
contract OptionsClearing is
    IOptionsClearing,
    ERC1155,
    AccessManaged,
    BreakerGuarded,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------------------------------------- constants
    /// @notice Most series one account may hold at once: bounds every margin check.
    uint256 public constant MAX_SERIES_PER_ACCOUNT = Constants.MAX_SERIES_PER_ACCOUNT;
    /// @notice Most collateral vaults the clearing house approves: bounds every collateral valuation.
    uint256 public constant MAX_COLLATERAL_VAULTS = Constants.MAX_COLLATERAL_VAULTS;
    /// @notice Largest haircut governance may set (a 100% haircut would make collateral worthless).
    uint64 public constant MAX_HAIRCUT_WAD = Constants.MAX_HAIRCUT_WAD;
    /// @notice After expiry, an oracle price observed within this window settles the series.
    uint256 public constant SETTLEMENT_WINDOW_SECONDS = Constants.SETTLEMENT_WINDOW_SECONDS;
    /// @notice Farthest governance's fallback settlement price may lie from the last oracle round before expiry.
    uint256 public constant FALLBACK_MAX_DEVIATION_WAD = Constants.FALLBACK_MAX_DEVIATION_WAD;

    // ------------------------------------------------------------------------------------------------- immutables
    /// @notice Prices of underlyings and collateral assets, in the quote asset.
    IPriceOracle public immutable ORACLE;
    /// @notice The portfolio-margin engine.
    IMarginCalculator public immutable MARGIN;
    /// @notice The collateral vault of the quote asset: payouts, settlement debits and debt repayment use it.
    IERC4626 public immutable QUOTE_VAULT;
    /// @notice The quote (strike and settlement) asset.
    address public immutable QUOTE;
    /// @notice The quote asset's decimals.
    uint8 public immutable QUOTE_DECIMALS;
    /// @notice First-loss capital: covers bad debt, receives liquidation penalties.
    IInsuranceVault public immutable INSURANCE;

    // ------------------------------------------------------------------------------------------------- storage
    ClearingStorage.Layout internal $;

    constructor(
        address authority,
        ICircuitBreaker breaker,
        IPriceOracle oracle,
        IMarginCalculator margin,
        IERC4626 quoteVault,
        IInsuranceVault insurance,
        string memory uri_
    ) ERC1155(uri_) AccessManaged(authority) BreakerGuarded(breaker) {
        if (
            address(oracle) == address(0) ||
            address(margin) == address(0) ||
            address(quoteVault) == address(0) ||
            address(insurance) == address(0)
        ) {
            revert ZeroAddress();
        }
        INSURANCE = insurance;
        ORACLE = oracle;
        MARGIN = margin;
        QUOTE_VAULT = quoteVault;
        QUOTE = quoteVault.asset();
        uint8 decimals = IERC20Metadata(QUOTE).decimals();
        if (decimals > WadMath.MAX_TOKEN_DECIMALS) revert InvalidCollateralConfig(address(quoteVault));
        QUOTE_DECIMALS = decimals;
    }

    // ================================================================================================= governance

    /// @inheritdoc IOptionsClearing
    function configureUnderlying(
        address underlying,
        UnderlyingConfig calldata config,
        RiskParams calldata risk
    ) external restricted {
        if (underlying == address(0)) revert ZeroAddress();
        if (
            config.minStrikeWad == 0 ||
            config.minStrikeWad > config.maxStrikeWad ||
            config.maxTimeToExpirySeconds == 0 ||
            config.minTimeToExpirySeconds > config.maxTimeToExpirySeconds ||
            config.minStrikeWad < BlackScholes.MIN_PRICE_WAD ||
            config.maxStrikeWad > BlackScholes.MAX_PRICE_WAD ||
            config.maxTimeToExpirySeconds > BlackScholes.MAX_TIME_TO_EXPIRY_SECONDS
        ) revert InvalidListingBounds();
        MARGIN.validate(risk);
        $.underlyingConfig[underlying] = config;
        ClearingStorage.store($.risk[underlying], risk);
        emit UnderlyingConfigured(underlying, config, risk);
    }

    /// @inheritdoc IOptionsClearing
    function configureCollateral(address vault, bool approved, uint64 haircutWad) external restricted {
        if (vault == address(0)) revert ZeroAddress();
        if (haircutWad > MAX_HAIRCUT_WAD) revert InvalidCollateralConfig(vault);
        CollateralConfig storage config = $.collateralConfig[vault];
        if (config.asset == address(0)) {
            if ($.collateralVaults.length >= MAX_COLLATERAL_VAULTS) revert InvalidCollateralConfig(vault);
            address asset = IERC4626(vault).asset();
            if (asset == address(0)) revert InvalidCollateralConfig(vault);
            uint8 decimals = IERC20Metadata(asset).decimals();
            if (decimals > WadMath.MAX_TOKEN_DECIMALS) revert InvalidCollateralConfig(vault);
            config.asset = asset;
            config.assetDecimals = decimals;
            $.collateralVaults.push(vault);
        }
        config.approved = approved;
        config.haircutWad = haircutWad;
        emit CollateralConfigured(vault, config);
    }

    /// @inheritdoc IOptionsClearing
    function listSeries(
        address underlying,
        uint256 strikeWad,
        uint64 expiry,
        bool isCall
    ) external restricted returns (uint256 seriesId) {
        UnderlyingConfig memory config = $.underlyingConfig[underlying];
        if (!config.enabled) revert UnderlyingNotEnabled(underlying);
        if (strikeWad < config.minStrikeWad || strikeWad > config.maxStrikeWad) {
            revert StrikeOutOfBounds(underlying, strikeWad, config.minStrikeWad, config.maxStrikeWad);
        }
        uint256 minExpiry = block.timestamp + config.minTimeToExpirySeconds;
        uint256 maxExpiry = block.timestamp + config.maxTimeToExpirySeconds;
        if (expiry <= block.timestamp || expiry < minExpiry || expiry > maxExpiry) {
            revert ExpiryOutOfBounds(underlying, expiry, minExpiry, maxExpiry);
        }
        seriesId = seriesIdOf(underlying, strikeWad, expiry, isCall);
        if ($.series[seriesId].underlying != address(0)) revert SeriesAlreadyListed(seriesId);
        $.series[seriesId] = Series({
            underlying: underlying,
            expiry: expiry,
            isCall: isCall,
            settled: false,
            strikeWad: strikeWad,
            settlementPriceWad: 0,
            payoutPerContractWad: 0
        });
        emit SeriesListed(seriesId, underlying, strikeWad, expiry, isCall);
    }

    /// @inheritdoc IOptionsClearing
    function settleWithFallbackPrice(
        uint256 seriesId,
        uint256 priceWad,
        uint80 referenceRoundId
    ) external restricted {
        SettlementLogic.settleWithFallbackPrice($, ORACLE, seriesId, priceWad, referenceRoundId);
    }

    // ================================================================================================= accounts

    /// @inheritdoc IOptionsClearing
    function openAccount() external returns (uint256 accountId) {
        accountId = ++$.accountCount;
        $.owner[accountId] = msg.sender;
        emit AccountOpened(accountId, msg.sender);
    }

    /// @inheritdoc IOptionsClearing
    function setOperator(address operator, bool approved) external {
        if (operator == address(0)) revert ZeroAddress();
        $.isOperator[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc IOptionsClearing
    function depositCollateral(uint256 accountId, address vault, uint256 shares) external nonReentrant {
        _exists(accountId);
        if (shares == 0) revert ZeroAmount();
        if (!$.collateralConfig[vault].approved) revert CollateralNotApproved(vault);
        _settlePending(accountId);
        $.collateral[accountId][vault] += shares;
        $.totalCollateral[vault] += shares;
        emit CollateralDeposited(accountId, vault, msg.sender, shares);
        IERC20(vault).safeTransferFrom(msg.sender, address(this), shares);
        if (vault == address(QUOTE_VAULT)) _repayDebt(accountId);
    }

    /// @inheritdoc IOptionsClearing
    function withdrawCollateral(
        uint256 accountId,
        address vault,
        uint256 shares,
        address to
    ) external nonReentrant onlyUntripped(Scopes.WITHDRAW) {
        _authorize(accountId);
        if (shares == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        _settlePending(accountId);
        uint256 available = $.collateral[accountId][vault];
        if (shares > available) revert InsufficientCollateral(accountId, vault, shares, available);
        $.collateral[accountId][vault] = available - shares;
        $.totalCollateral[vault] -= shares;
        MarginLogic.requireInitial($, _marginContext(), accountId);
        emit CollateralWithdrawn(accountId, vault, to, shares);
        IERC20(vault).safeTransfer(to, shares);
    }

    /// @inheritdoc IOptionsClearing
    function write(
        uint256 accountId,
        uint256 seriesId,
        uint256 amount,
        address recipient
    ) external nonReentrant onlyUntrippedFor(Scopes.WRITE, $.series[seriesId].underlying) {
        _authorize(accountId);
        if (recipient == address(0)) revert ZeroAddress();
        int256 delta = _signed(amount);
        Series storage s = _listed(seriesId);
        if (block.timestamp >= s.expiry) revert SeriesExpired(seriesId, s.expiry);
        // New longs would share the loss written off before them: an impaired series only winds down.
        uint256 written = $.writtenOff[seriesId];
        if (written != 0) revert SeriesImpaired(seriesId, written);
        _settlePending(accountId);
        // Writing against a held long nets it away and mints it to the recipient: a withdrawal of longs.
        if ($.position[accountId][seriesId] > 0) _checkScope(Scopes.WITHDRAW);
        _updatePosition(accountId, seriesId, -delta);
        uint256 initialWad = MarginLogic.requireInitial($, _marginContext(), accountId);
        if ($.position[accountId][seriesId] < 0 && initialWad == 0) {
            revert RequirementRoundsToZero(accountId, seriesId, amount);
        }
        emit Written(accountId, seriesId, recipient, amount);
        _mint(recipient, seriesId, amount, "");
    }

    /// @inheritdoc IOptionsClearing
    function trade(Trade[] calldata trades, uint256 feeAccountId) external nonReentrant {
        if (!$.isTrader[msg.sender]) {
            if (!_mayTrade(msg.sender)) revert AccessManagedUnauthorized(msg.sender);
            _recordTrader(msg.sender, true);
        }
        TradeLogic.trade($, _marginContext(), _quote(), trades, feeAccountId);
    }

    /// @inheritdoc IOptionsClearing
    function syncTrader(address trader) external {
        bool allowed = _mayTrade(trader);
        if ($.isTrader[trader] != allowed) _recordTrader(trader, allowed);
    }

    /// @inheritdoc IOptionsClearing
    function isTrader(address trader) external view returns (bool) {
        return $.isTrader[trader];
    }

    /// @inheritdoc IOptionsClearing
    function close(uint256 accountId, uint256 seriesId, uint256 amount) external nonReentrant {
        _exists(accountId);
        int256 delta = _signed(amount);
        _listed(seriesId);
        _settlePending(accountId);
        int256 position = $.position[accountId][seriesId];
        uint256 shortAmount = position < 0 ? uint256(-position) : 0;
        if (amount > shortAmount) revert CloseExceedsShort(accountId, seriesId, amount, shortAmount);
        _burn(msg.sender, seriesId, amount);
        _updatePosition(accountId, seriesId, delta);
        emit Closed(accountId, seriesId, msg.sender, amount);
    }

    /// @inheritdoc IOptionsClearing
    function depositLongs(uint256 accountId, uint256 seriesId, uint256 amount) external nonReentrant {
        _authorize(accountId);
        int256 delta = _signed(amount);
        Series storage s = _listed(seriesId);
        if (s.settled) revert SeriesAlreadySettled(seriesId);
        _settlePending(accountId);
        _burn(msg.sender, seriesId, amount);
        _updatePosition(accountId, seriesId, delta);
        emit LongsDeposited(accountId, seriesId, msg.sender, amount);
    }

    /// @inheritdoc IOptionsClearing
    function withdrawLongs(
        uint256 accountId,
        uint256 seriesId,
        uint256 amount,
        address to
    ) external nonReentrant onlyUntripped(Scopes.WITHDRAW) {
        _authorize(accountId);
        if (to == address(0)) revert ZeroAddress();
        int256 delta = _signed(amount);
        _listed(seriesId);
        _settlePending(accountId);
        int256 position = $.position[accountId][seriesId];
        uint256 longAmount = position > 0 ? uint256(position) : 0;
        if (amount > longAmount) revert InsufficientLongs(accountId, seriesId, amount, longAmount);
        _updatePosition(accountId, seriesId, -delta);
        MarginLogic.requireInitial($, _marginContext(), accountId);
        emit LongsWithdrawn(accountId, seriesId, to, amount);
        _mint(to, seriesId, amount, "");
    }

    /// @inheritdoc IOptionsClearing
    function settleAccount(uint256 accountId) external nonReentrant {
        _exists(accountId);
        _settlePending(accountId);
    }

    // ================================================================================================= settlement

    /// @inheritdoc IOptionsClearing
    function settle(
        uint256 seriesId
    ) external nonReentrant onlyUntrippedFor(Scopes.SETTLE, $.series[seriesId].underlying) {
        SettlementLogic.settle($, ORACLE, seriesId);
    }

    /// @inheritdoc IOptionsClearing
    function settleFromRound(
        uint256 seriesId,
        uint80 roundId
    ) external nonReentrant onlyUntrippedFor(Scopes.SETTLE, $.series[seriesId].underlying) {
        SettlementLogic.settleFromRound($, ORACLE, seriesId, roundId);
    }

    /// @inheritdoc IOptionsClearing
    function exercise(
        uint256 seriesId,
        uint256 amount,
        address to
    ) external nonReentrant onlyUntripped(Scopes.SETTLE) returns (uint256 paidAssets) {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Series storage s = _listed(seriesId);
        if (!s.settled) revert SeriesNotSettled(seriesId);
        _burn(msg.sender, seriesId, amount);
        paidAssets = SettlementLogic.payExercise($, _quote(), seriesId, amount, to);
    }

    // ================================================================================================= liquidation

    /// @inheritdoc IOptionsClearing
    function liquidate(
        uint256 accountId,
        uint256 liquidatorAccountId,
        uint256 maxFractionWad,
        uint256 minSeizedPerLiabilityWad,
        uint256 deadline
    ) external nonReentrant returns (LiquidationResult memory) {
        return
            LiquidationLogic.liquidate(
                $,
                _liquidationContext(),
                LiquidationLogic.Params({
                    accountId: accountId,
                    liquidatorAccountId: liquidatorAccountId,
                    maxFractionWad: maxFractionWad,
                    minSeizedPerLiabilityWad: minSeizedPerLiabilityWad,
                    deadline: deadline
                })
            );
    }

    /// @inheritdoc IOptionsClearing
    function payPenalties() external nonReentrant returns (uint256) {
        return LiquidationLogic.payPenalties($, QUOTE_VAULT, QUOTE, INSURANCE);
    }

    /// @inheritdoc IOptionsClearing
    function pendingPenaltyShares() external view returns (uint256) {
        return $.pendingPenaltyShares;
    }

    /// @inheritdoc IOptionsClearing
    function flagLiquidatable(uint256 accountId) external nonReentrant {
        _exists(accountId);
        LiquidationLogic.flag($, _liquidationContext(), accountId);
    }

    /// @inheritdoc IOptionsClearing
    function liquidationDiscount(uint256 accountId) external view returns (uint256) {
        return LiquidationLogic.discount($, _liquidationContext(), accountId);
    }

    /// @inheritdoc IOptionsClearing
    function dutchAuctionSchedule()
        external
        pure
        returns (
            uint256 startDiscountWad,
            uint256 maxDiscountWad,
            uint256 durationSeconds,
            uint256 heartbeatSeconds,
            uint256 penaltyShareWad
        )
    {
        return (
            Constants.START_DISCOUNT_WAD,
            Constants.MAX_DISCOUNT_WAD,
            Constants.AUCTION_DURATION_SECONDS,
            Constants.AUCTION_HEARTBEAT_SECONDS,
            Constants.PENALTY_SHARE_WAD
        );
    }

    /// @inheritdoc IOptionsClearing
    function liquidationQuote(uint256 accountId) external view returns (LiquidationQuote memory) {
        return LiquidationLogic.quote($, _liquidationContext(), accountId);
    }

    /// @inheritdoc IOptionsClearing
    function writtenOff(uint256 seriesId) external view returns (uint256) {
        return $.writtenOff[seriesId];
    }

    /// @inheritdoc IOptionsClearing
    function settlementPool(uint256 seriesId) external view returns (uint256) {
        return $.seriesPool[seriesId];
    }

    /// @inheritdoc IOptionsClearing
    function seriesDebtOf(uint256 accountId, uint256 seriesId) external view returns (uint256) {
        return $.seriesDebt[accountId][seriesId];
    }

    // ================================================================================================= views

    /// @inheritdoc IOptionsClearing
    function seriesIdOf(
        address underlying,
        uint256 strikeWad,
        uint64 expiry,
        bool isCall
    ) public view returns (uint256) {
        return uint256(keccak256(abi.encode(underlying, QUOTE, strikeWad, expiry, isCall)));
    }

    /// @inheritdoc IOptionsClearing
    function series(uint256 seriesId) external view returns (Series memory) {
        return $.series[seriesId];
    }

    /// @inheritdoc IOptionsClearing
    function openInterest(
        uint256 seriesId
    ) external view returns (uint256 shorts, uint256 longsInAccounts, uint256 longTokens) {
        ClearingStorage.SeriesTotals storage t = $.totals[seriesId];
        return (t.shorts, t.longsInAccounts, t.longTokens);
    }

    /// @notice Long tokens of `seriesId` outstanding.
    function totalSupply(uint256 seriesId) external view returns (uint256) {
        return $.totals[seriesId].longTokens;
    }

    /// @inheritdoc IOptionsClearing
    function ownerOf(uint256 accountId) external view returns (address) {
        return $.owner[accountId];
    }

    /// @inheritdoc IOptionsClearing
    function positionOf(uint256 accountId, uint256 seriesId) external view returns (int256) {
        return $.position[accountId][seriesId];
    }

    /// @inheritdoc IOptionsClearing
    function seriesOf(uint256 accountId) external view returns (uint256[] memory) {
        return $.seriesOf[accountId];
    }

    /// @inheritdoc IOptionsClearing
    function collateralOf(uint256 accountId, address vault) external view returns (uint256) {
        return $.collateral[accountId][vault];
    }

    /// @inheritdoc IOptionsClearing
    function debtOf(uint256 accountId) external view returns (uint256) {
        return $.debt[accountId];
    }

    /// @inheritdoc IOptionsClearing
    function health(uint256 accountId) external view returns (Health memory) {
        return MarginLogic.health($, _marginContext(), _quote(), accountId);
    }

    /// @inheritdoc IOptionsClearing
    function collateralVaults() external view returns (address[] memory) {
        return $.collateralVaults;
    }

    /// @inheritdoc IOptionsClearing
    function underlyingConfig(address underlying) external view returns (UnderlyingConfig memory) {
        return $.underlyingConfig[underlying];
    }

    /// @inheritdoc IOptionsClearing
    function collateralConfig(address vault) external view returns (CollateralConfig memory) {
        return $.collateralConfig[vault];
    }

    /// @inheritdoc IOptionsClearing
    function totalCollateral(address vault) external view returns (uint256) {
        return $.totalCollateral[vault];
    }

    /// @inheritdoc IOptionsClearing
    function accountCount() external view returns (uint256) {
        return $.accountCount;
    }

    /// @inheritdoc IOptionsClearing
    function isOperator(address owner, address operator) external view returns (bool) {
        return $.isOperator[owner][operator];
    }

    /// @inheritdoc IOptionsClearing
    function riskParams(address underlying) external view returns (RiskParams memory) {
        return ClearingStorage.load($.risk[underlying]);
    }

    // ================================================================================================= internals

    function _exists(uint256 accountId) internal view {
        if ($.owner[accountId] == address(0)) revert AccountNotFound(accountId);
    }

    function _authorize(uint256 accountId) internal view {
        address owner = $.owner[accountId];
        if (owner == address(0)) revert AccountNotFound(accountId);
        if (msg.sender != owner && !$.isOperator[owner][msg.sender])
            revert NotOwnerOrOperator(accountId, msg.sender);
    }

    function _listed(uint256 seriesId) internal view returns (Series storage s) {
        s = $.series[seriesId];
        if (s.underlying == address(0)) revert SeriesNotListed(seriesId);
    }

    function _signed(uint256 amount) internal pure returns (int256) {
        if (amount == 0) revert ZeroAmount();
        if (amount > uint256(type(int256).max)) revert AmountTooLarge(amount);
        return int256(amount);
    }

    function _updatePosition(uint256 accountId, uint256 seriesId, int256 delta) internal {
        AccountLogic.updatePosition($, accountId, seriesId, delta);
    }

    function _settlePending(uint256 accountId) internal {
        SettlementLogic.settleAccount($, _quote(), accountId);
    }

    function _repayDebt(uint256 accountId) internal {
        SettlementLogic.repayDebt($, _quote(), accountId);
    }

    /// @dev Whether the AccessManager lets `caller` call `trade` now (a permission with a delay does not count).
    function _mayTrade(address caller) internal view returns (bool immediate) {
        (immediate, ) = AuthorityUtils.canCallWithDelay(
            authority(),
            caller,
            address(this),
            this.trade.selector
        );
    }

    function _recordTrader(address trader, bool allowed) internal {
        $.isTrader[trader] = allowed;
        emit TraderSynced(trader, allowed);
    }

    function _quote() internal view returns (AccountLogic.Quote memory) {
        return AccountLogic.Quote({vault: QUOTE_VAULT, decimals: QUOTE_DECIMALS});
    }

    function _liquidationContext() internal view returns (LiquidationLogic.Context memory) {
        return
            LiquidationLogic.Context({
                margin: _marginContext(),
                quote: _quote(),
                breaker: BREAKER,
                insurance: INSURANCE
            });
    }

    function _marginContext() internal view returns (MarginLogic.Context memory) {
        return MarginLogic.Context({oracle: ORACLE, calculator: MARGIN, quote: QUOTE, breaker: BREAKER});
    }

    /// @dev Keep each series' long-token supply in step with mints and burns (transfers leave it unchanged).
    function _update(
        address from,
        address to,
        uint256[] memory ids,
        uint256[] memory values
    ) internal override {
        super._update(from, to, ids, values);
        if (from == address(0)) {
            for (uint256 i; i < ids.length; ++i) $.totals[ids[i]].longTokens += values[i];
        } else if (to == address(0)) {
            for (uint256 i; i < ids.length; ++i) $.totals[ids[i]].longTokens -= values[i];
        }
    }
}
