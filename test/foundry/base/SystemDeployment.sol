// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolAccessManager} from "../../../contracts/governance/ProtocolAccessManager.sol";
import {ProtocolTimelock} from "../../../contracts/governance/ProtocolTimelock.sol";
import {Roles} from "../../../contracts/governance/Roles.sol";
import {CircuitBreaker} from "../../../contracts/breaker/CircuitBreaker.sol";
import {OracleAggregator} from "../../../contracts/oracle/OracleAggregator.sol";
import {ChainlinkFeedAdapter} from "../../../contracts/oracle/ChainlinkFeedAdapter.sol";
import {VaultFactory} from "../../../contracts/vaults/VaultFactory.sol";
import {InsuranceVault} from "../../../contracts/vaults/InsuranceVault.sol";
import {MarginCalculator} from "../../../contracts/options/MarginCalculator.sol";
import {OptionsClearing} from "../../../contracts/options/OptionsClearing.sol";
import {MockERC20} from "../../../contracts/mocks/tokens/MockERC20.sol";
import {MockChainlinkFeed} from "../../../contracts/mocks/MockChainlinkFeed.sol";
import {ICircuitBreaker} from "../../../contracts/interfaces/ICircuitBreaker.sol";
import {IOracleAggregator} from "../../../contracts/interfaces/IOracleAggregator.sol";
import {IPriceOracle} from "../../../contracts/interfaces/IPriceOracle.sol";
import {IPriceSource} from "../../../contracts/interfaces/IPriceSource.sol";
import {IVaultFactory} from "../../../contracts/interfaces/IVaultFactory.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {ITrackedAssetsVault} from "../../../contracts/interfaces/ITrackedAssetsVault.sol";
import {IInsuranceVault} from "../../../contracts/interfaces/IInsuranceVault.sol";
import {IInsuranceStaking} from "../../../contracts/interfaces/IInsuranceStaking.sol";
import {IMarginCalculator} from "../../../contracts/interfaces/IMarginCalculator.sol";
import {RiskParams} from "../../../contracts/types/RiskParams.sol";
import {IOptionsClearing} from "../../../contracts/interfaces/IOptionsClearing.sol";
import {IOptionsExchange} from "../../../contracts/interfaces/IOptionsExchange.sol";
import {OptionsExchange} from "../../../contracts/exchange/OptionsExchange.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {WithVm} from "../utils/Vm.sol";

/// @notice The whole suite deployed and wired as test/shared/fixtures/system.ts and scripts/lib/deploy/* wire it:
/// governance (AccessManager + timelock), the breaker, the oracle over three Chainlink-style feeds, the USDC and WETH
/// collateral vaults through the factory, the insurance vault, the calculator and the clearing (its libraries linked by
/// forge). Mocks only at the edges: the ERC-20 tokens and the external feeds.
abstract contract SystemDeployment is WithVm {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant HOUR = 3600;
    uint256 internal constant DAY = 24 * HOUR;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint8 internal constant FEED_DECIMALS = 8;
    uint256 internal constant FEEDS = 3;
    uint256 internal constant SPOT_WETH = 2000e18;
    uint64 internal constant WETH_HAIRCUT_WAD = 0.2e18;
    /// @dev The campaign's WETH outflow limit (the functional suite's is unlimited): 30% of liquidity per day.
    uint16 internal constant WETH_OUTFLOW_BPS = 3000;
    uint32 internal constant OUTFLOW_WINDOW = uint32(DAY);

    address internal constant GOVERNOR = address(0x60f);
    address internal constant GUARDIAN = address(0x6a4d);
    address internal constant LISTER = address(0x1157);
    /// @dev The exchange's fees as test/shared/fixtures/exchange.ts sets them: 0.25 and 0.5 USDC per contract.
    uint128 internal constant MAKER_FEE_PER_CONTRACT = 0.25e6;
    uint128 internal constant TAKER_FEE_PER_CONTRACT = 0.5e6;

    ProtocolAccessManager internal manager;
    ProtocolTimelock internal timelock;
    CircuitBreaker internal breaker;
    OracleAggregator internal oracle;
    MockERC20 internal usdc;
    MockERC20 internal weth;
    MockChainlinkFeed[FEEDS] internal feeds;
    VaultFactory internal factory;
    ICollateralVault internal usdcVault;
    ICollateralVault internal wethVault;
    InsuranceVault internal insurance;
    MarginCalculator internal calculator;
    OptionsClearing internal clearing;
    OptionsExchange internal exchange;

    function _deploySystem() internal {
        manager = new ProtocolAccessManager(address(this));
        address[] memory proposers = new address[](1);
        proposers[0] = GOVERNOR;
        address[] memory executors = new address[](1);
        timelock = new ProtocolTimelock(TIMELOCK_DELAY, proposers, executors, address(0));
        manager.grantRole(Roles.GOVERNOR_ROLE, address(timelock), 0);
        manager.grantRole(Roles.GUARDIAN_ROLE, GUARDIAN, 0);
        // As the fixture: the governor holds GOVERNOR_ROLE directly beside the timelock (setup only; resumes go
        // through the timelock in the campaign).
        manager.grantRole(Roles.GOVERNOR_ROLE, GOVERNOR, 0);
        manager.grantRole(Roles.LISTER_ROLE, LISTER, 0);

        breaker = new CircuitBreaker(address(manager), uint64(HOUR), uint64(HOUR));
        _restrict(address(breaker), _sel(ICircuitBreaker.pause.selector), Roles.GUARDIAN_ROLE);
        _restrict(
            address(breaker),
            _sel(
                ICircuitBreaker.resume.selector,
                ICircuitBreaker.setCooldown.selector,
                ICircuitBreaker.setGracePeriod.selector,
                ICircuitBreaker.setOutflowLimit.selector
            ),
            Roles.GOVERNOR_ROLE
        );
        _restrict(
            address(breaker),
            _sel(
                ICircuitBreaker.reportPriceBandBreach.selector,
                ICircuitBreaker.reportQuorumLoss.selector,
                ICircuitBreaker.reportSequencerDown.selector
            ),
            Roles.ORACLE_ROLE
        );
        _restrict(
            address(breaker),
            _sel(
                ICircuitBreaker.recordOutflow.selector,
                ICircuitBreaker.recordInflow.selector,
                ICircuitBreaker.recordLoss.selector
            ),
            Roles.VAULT_ROLE
        );

        usdc = new MockERC20("USD Coin", "USDC", 6);
        weth = new MockERC20("Wrapped Ether", "WETH", 18);
        vm.startPrank(GOVERNOR);
        breaker.setOutflowLimit(address(usdc), 10_000, OUTFLOW_WINDOW);
        breaker.setOutflowLimit(address(weth), WETH_OUTFLOW_BPS, OUTFLOW_WINDOW);
        vm.stopPrank();

        oracle = new OracleAggregator(address(manager), breaker);
        _restrict(
            address(oracle),
            _sel(IOracleAggregator.setAssetConfig.selector, IOracleAggregator.setSequencerUptimeFeed.selector),
            Roles.GOVERNOR_ROLE
        );
        manager.grantRole(Roles.ORACLE_ROLE, address(oracle), 0);
        IOracleAggregator.SourceConfig[] memory sources = new IOracleAggregator.SourceConfig[](FEEDS);
        for (uint256 i; i < FEEDS; ++i) {
            feeds[i] = new MockChainlinkFeed(FEED_DECIMALS);
            ChainlinkFeedAdapter adapter = new ChainlinkFeedAdapter(feeds[i], address(weth), WAD / 100, 1e9 * WAD);
            sources[i] = IOracleAggregator.SourceConfig(IPriceSource(address(adapter)), uint32(HOUR));
        }
        // Quorum 2 of 3, 2% spread, 50% band per hour (as the fixture).
        vm.prank(GOVERNOR);
        oracle.setAssetConfig(address(weth), IOracleAggregator.AssetParams(2, 0.02e18, 0.5e18, uint32(HOUR)), sources);
        for (uint256 i; i < FEEDS; ++i) feeds[i].setAnswer(int256(SPOT_WETH / 1e10), block.timestamp);
        oracle.poke(address(weth));

        factory = new VaultFactory(breaker, address(manager));
        _restrict(address(factory), _sel(IVaultFactory.createVault.selector), Roles.GOVERNOR_ROLE);
        usdcVault = _createVault(address(usdc), "optiq USDC collateral", "oqUSDC");
        wethVault = _createVault(address(weth), "optiq WETH collateral", "oqWETH");

        insurance = new InsuranceVault(usdc, address(manager), "optiq insurance", "oqINS", uint64(7 days), uint64(2 days));
        _restrict(
            address(insurance),
            _sel(
                IInsuranceStaking.setWithdrawalTimings.selector,
                ITrackedAssetsVault.skim.selector,
                ITrackedAssetsVault.recognizeLoss.selector
            ),
            Roles.GOVERNOR_ROLE
        );
        _restrict(
            address(insurance),
            _sel(IInsuranceVault.coverBadDebt.selector, IInsuranceVault.payPenalty.selector),
            Roles.CLEARING_ROLE
        );

        calculator = new MarginCalculator();
        clearing = new OptionsClearing(
            address(manager),
            breaker,
            IPriceOracle(address(oracle)),
            IMarginCalculator(address(calculator)),
            IERC4626(address(usdcVault)),
            IInsuranceVault(address(insurance)),
            "https://optiq.invalid/series/{id}.json"
        );
        _restrict(
            address(clearing),
            _sel(
                IOptionsClearing.configureUnderlying.selector,
                IOptionsClearing.configureCollateral.selector,
                IOptionsClearing.settleWithFallbackPrice.selector
            ),
            Roles.GOVERNOR_ROLE
        );
        _restrict(address(clearing), _sel(IOptionsClearing.listSeries.selector), Roles.LISTER_ROLE);
        manager.grantRole(Roles.CLEARING_ROLE, address(clearing), 0);

        vm.startPrank(GOVERNOR);
        clearing.configureCollateral(address(usdcVault), true, 0);
        clearing.configureCollateral(address(wethVault), true, WETH_HAIRCUT_WAD);
        clearing.configureUnderlying(address(weth), _wethListing(), _wethRisk());
        vm.stopPrank();
    }

    /// @dev OptionsExchange on the clearing, wired as test/shared/deployers/exchange.ts wires it: `trade` restricted to
    /// EXCHANGE_ROLE (held by the exchange), `matchOrders` to EXECUTOR_ROLE (held by `executor`), the fee schedule to
    /// governance; fees swept to the governor.
    function _deployExchange(address executor) internal {
        exchange = new OptionsExchange(
            address(manager),
            clearing,
            IOptionsExchange.FeeSchedule(MAKER_FEE_PER_CONTRACT, TAKER_FEE_PER_CONTRACT, GOVERNOR)
        );
        _restrict(address(clearing), _sel(IOptionsClearing.trade.selector), Roles.EXCHANGE_ROLE);
        _restrict(address(exchange), _sel(IOptionsExchange.setFeeSchedule.selector), Roles.GOVERNOR_ROLE);
        _restrict(address(exchange), _sel(IOptionsExchange.matchOrders.selector), Roles.EXECUTOR_ROLE);
        manager.grantRole(Roles.EXCHANGE_ROLE, address(exchange), 0);
        manager.grantRole(Roles.EXECUTOR_ROLE, executor, 0);
    }

    function _createVault(address asset, string memory name, string memory symbol) private returns (ICollateralVault vault) {
        vm.prank(GOVERNOR);
        vault = ICollateralVault(factory.createVault(asset, name, symbol, type(uint256).max, false));
        _restrict(
            address(vault),
            _sel(
                ICollateralVault.setDepositCap.selector,
                ICollateralVault.setPermissioned.selector,
                ICollateralVault.setDepositorAllowed.selector,
                ITrackedAssetsVault.skim.selector,
                ITrackedAssetsVault.recognizeLoss.selector
            ),
            Roles.GOVERNOR_ROLE
        );
        _restrict(address(vault), _sel(ICollateralVault.depositCover.selector), Roles.CLEARING_ROLE);
        manager.grantRole(Roles.VAULT_ROLE, address(vault), 0);
        breaker.syncVault(address(vault));
    }

    /// @dev WETH listing bounds of the fixture: strikes 100..100,000, expiries 1 hour..365 days.
    function _wethListing() internal pure returns (IOptionsClearing.UnderlyingConfig memory) {
        return IOptionsClearing.UnderlyingConfig(true, 100e18, 100_000e18, uint64(HOUR), uint64(365 days));
    }

    /// @dev WETH risk of the fixture: 80% vol, ±30% spot grid, vol +50% / −30%, 1% of spot per short, 20% buffer.
    function _wethRisk() internal pure returns (RiskParams memory risk) {
        int256[] memory shocks = new int256[](5);
        shocks[0] = -0.3e18;
        shocks[1] = -0.15e18;
        shocks[3] = 0.15e18;
        shocks[4] = 0.3e18;
        risk = RiskParams(0.8e18, shocks, 0.5e18, 0.3e18, 0.01e18, 0.2e18);
    }

    function _restrict(address target, bytes4[] memory selectors, uint64 role) internal {
        manager.setTargetFunctionRole(target, selectors, role);
    }

    function _sel(bytes4 a) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](1);
        s[0] = a;
    }

    function _sel(bytes4 a, bytes4 b) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](2);
        (s[0], s[1]) = (a, b);
    }

    function _sel(bytes4 a, bytes4 b, bytes4 c) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](3);
        (s[0], s[1], s[2]) = (a, b, c);
    }

    function _sel(bytes4 a, bytes4 b, bytes4 c, bytes4 d) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](4);
        (s[0], s[1], s[2], s[3]) = (a, b, c, d);
    }

    function _sel(bytes4 a, bytes4 b, bytes4 c, bytes4 d, bytes4 e) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](5);
        (s[0], s[1], s[2], s[3], s[4]) = (a, b, c, d, e);
    }
}
