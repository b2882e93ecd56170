// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MockChainlinkFeed} from "../../../contracts/mocks/MockChainlinkFeed.sol";
import {MockERC20} from "../../../contracts/mocks/tokens/MockERC20.sol";
import {SystemDeployment} from "../base/SystemDeployment.sol";
import {World} from "../base/World.sol";
import {InvariantsSpec} from "./InvariantsSpec.sol";
import {VaultHandler} from "../handlers/VaultHandler.sol";
import {OracleHandler} from "../handlers/OracleHandler.sol";
import {BreakerHandler} from "../handlers/BreakerHandler.sol";
import {ClearingHandler} from "../handlers/ClearingHandler.sol";
import {SettlementHandler} from "../handlers/SettlementHandler.sol";
import {LiquidationHandler} from "../handlers/LiquidationHandler.sol";
import {InsuranceHandler} from "../handlers/InsuranceHandler.sol";
import {ExchangeHandler} from "../handlers/ExchangeHandler.sol";

/// @notice The stateful campaign over the whole suite: one handler per module, the named invariants checked after
/// every call. Handlers (test/foundry/handlers) act and record what an action broke; the checks below read state and
/// those records only.
contract SystemInvariantsTest is SystemDeployment, InvariantsSpec {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @dev The actors' private keys (the exchange handler signs their orders); their addresses are `vm.addr` of them.
    uint256 internal constant ALICE_KEY = 0xa11ce;
    uint256 internal constant BOB_KEY = 0xb0b;
    uint256 internal constant CAROL_KEY = 0xca401;
    uint256 internal constant KEEPER_KEY = 0x6ee9e4;

    address internal ALICE;
    address internal BOB;
    address internal CAROL;
    address internal KEEPER;
    /// @dev What an honest depositor may lose to rounding, in the asset's units (INV_VAULT_NO_THEFT).
    uint256 internal constant HONEST_DUST = 2;

    World internal world;
    FuzzSelector[] internal _selectors;
    address[] internal _targets;

    function setUp() public {
        (ALICE, BOB, CAROL, KEEPER) = (vm.addr(ALICE_KEY), vm.addr(BOB_KEY), vm.addr(CAROL_KEY), vm.addr(KEEPER_KEY));
        _deploySystem();
        // The keeper is the exchange's executor (the order book's matcher).
        _deployExchange(KEEPER);
        world = new World(
            timelock,
            breaker,
            oracle,
            usdc,
            weth,
            feeds,
            usdcVault,
            wethVault,
            insurance,
            clearing,
            [GOVERNOR, GUARDIAN, LISTER]
        );
        _fund(ALICE, ALICE_KEY, 100_000e6, 50e18);
        _fund(BOB, BOB_KEY, 100_000e6, 50e18);
        _fund(CAROL, CAROL_KEY, 40_000e6, 0);
        _fund(KEEPER, KEEPER_KEY, 2_000_000e6, 0);
        // The fee account opened up front (as the exchange fixture does): the book checks sum over it from the start.
        world.setExchange(exchange, exchange.openFeeAccount());
        _honestDeposit(IERC20(address(usdcVault)), usdc, 10_000e6);
        _honestDeposit(IERC20(address(wethVault)), weth, 5e18);
        world.observeWethLiquidity(breaker.trackedLiquidity(address(weth)));

        // First-loss capital, as the Hardhat campaign's 1,500 USDC.
        usdc.mint(address(0x57a1), 1_500e6);
        vm.startPrank(address(0x57a1));
        usdc.approve(address(insurance), 1_500e6);
        insurance.deposit(1_500e6, address(0x57a1));
        vm.stopPrank();

        vm.startPrank(LISTER);
        _list(2000e18, block.timestamp + 1 days, true);
        _list(1800e18, block.timestamp + 1 days, false);
        _list(2200e18, block.timestamp + 3 days, true);
        _list(2000e18, block.timestamp + 3 days, false);
        vm.stopPrank();

        // Open interest from the start: every trader writes to the next one; Carol writes close to her initial margin,
        // so ordinary moves make her liquidatable and gaps make her insolvent.
        _writeUpTo(ALICE, 0, 5e18, BOB);
        _writeUpTo(BOB, 1, 5e18, CAROL);
        _writeUpTo(CAROL, 2, 200e18, ALICE);

        _target(address(new VaultHandler(world)), _vaultSelectors());
        _target(address(new OracleHandler(world)), _oracleSelectors());
        _target(address(new BreakerHandler(world)), _breakerSelectors());
        _target(address(new ClearingHandler(world)), _clearingSelectors());
        _target(address(new SettlementHandler(world)), _settlementSelectors());
        _target(address(new LiquidationHandler(world)), _liquidationSelectors());
        _target(address(new InsuranceHandler(world)), _insuranceSelectors());
        _target(address(new ExchangeHandler(world, KEEPER)), _exchangeSelectors());
    }

    // ============================================================================================ the campaign

    /// @notice The one campaign: forge runs every `invariant_` function as its own campaign over the same call
    /// sequences, so the named checks are `check_…` functions, all asserted after every call of this one.
    function invariant_namedInvariants() external view {
        check_openInterest();
        check_solvency();
        check_seriesSolvency();
        check_vaultBacking();
        check_vaultRounding();
        check_vaultNoTheft();
        check_breakerOutflowLimit();
        check_oraclePriceValidity();
        check_noHealthyLiquidation();
        check_initialMarginAfterAction();
        check_breakerGuards();
        check_noTrippedPrice();
        check_marginConservative();
        check_liquidationImproves();
        check_badDebtAccounted();
        check_vaultActions();
        check_exchangePremium();
        check_exchangeFillBounds();
    }

    // ============================================================================================ state invariants

    /// @notice INV_OPEN_INTEREST: per unsettled series, long tokens + longs in accounts == shorts + written off, and
    /// each equals the sum over holders and accounts.
    function check_openInterest() public view {
        uint256[] memory ids = world.series();
        address[] memory actors = world.actors();
        uint256[] memory accounts = world.accounts();
        for (uint256 i; i < ids.length; ++i) {
            if (clearing.series(ids[i]).settled) continue;
            (uint256 shorts, uint256 inAccounts, uint256 tokens) = clearing.openInterest(ids[i]);
            require(shorts + clearing.writtenOff(ids[i]) == inAccounts + tokens, INV_OPEN_INTEREST);
            uint256 held;
            uint256 longs;
            uint256 shortSum;
            for (uint256 a; a < actors.length; ++a) held += IERC1155(address(clearing)).balanceOf(actors[a], ids[i]);
            for (uint256 a; a < accounts.length; ++a) {
                int256 p = clearing.positionOf(accounts[a], ids[i]);
                if (p > 0) longs += uint256(p);
                else shortSum += uint256(-p);
            }
            require(held == tokens, string.concat(INV_OPEN_INTEREST, ": long tokens != holders' balances"));
            require(longs == inAccounts, string.concat(INV_OPEN_INTEREST, ": longs in accounts != positions"));
            require(shortSum == shorts, string.concat(INV_OPEN_INTEREST, ": shorts != positions"));
        }
    }

    /// @notice INV_SOLVENCY: per vault, shares held by the clearing >= Σ balances (+ pending penalties), and the
    /// total equals the sum over accounts.
    function check_solvency() public view {
        uint256[] memory accounts = world.accounts();
        address[2] memory vaults = [address(usdcVault), address(wethVault)];
        for (uint256 v; v < 2; ++v) {
            uint256 sum;
            for (uint256 a; a < accounts.length; ++a) sum += clearing.collateralOf(accounts[a], vaults[v]);
            uint256 total = clearing.totalCollateral(vaults[v]);
            require(sum == total, string.concat(INV_SOLVENCY, ": totalCollateral != sum of accounts"));
            uint256 owed = total + (v == 0 ? clearing.pendingPenaltyShares() : 0);
            require(IERC20(vaults[v]).balanceOf(address(clearing)) >= owed, INV_SOLVENCY);
        }
    }

    /// @notice INV_SERIES_SOLVENCY: quote shares held >= balances + pending penalties + every series' pool; no pool
    /// before settlement.
    function check_seriesSolvency() public view {
        uint256[] memory ids = world.series();
        uint256 pools;
        for (uint256 i; i < ids.length; ++i) {
            uint256 pool = clearing.settlementPool(ids[i]);
            if (!clearing.series(ids[i]).settled) {
                require(pool == 0, string.concat(INV_SERIES_SOLVENCY, ": an unsettled series holds a pool"));
            }
            pools += pool;
        }
        uint256 owed = clearing.totalCollateral(address(usdcVault)) + clearing.pendingPenaltyShares() + pools;
        require(IERC20(address(usdcVault)).balanceOf(address(clearing)) >= owed, INV_SERIES_SOLVENCY);
    }

    /// @notice INV_VAULT_BACKING: every vault's booked assets are backed by its token balance.
    function check_vaultBacking() public view {
        require(usdc.balanceOf(address(usdcVault)) >= usdcVault.trackedAssets(), INV_VAULT_BACKING);
        require(weth.balanceOf(address(wethVault)) >= wethVault.trackedAssets(), INV_VAULT_BACKING);
        require(usdc.balanceOf(address(insurance)) >= insurance.trackedAssets(), INV_VAULT_BACKING);
        require(IERC4626(address(usdcVault)).totalAssets() <= usdcVault.trackedAssets(), INV_VAULT_BACKING);
    }

    /// @notice INV_VAULT_ROUNDING: previews and conversions equal the exact ERC-4626 quotients rounded in the vault's
    /// favour (offset 6), at probes from one unit to large amounts.
    function check_vaultRounding() public view {
        IERC4626[2] memory vaults = [IERC4626(address(usdcVault)), IERC4626(address(wethVault))];
        uint256[4] memory probes = [uint256(1), 999, 1e6 + 7, 1e18 + 3];
        for (uint256 v; v < 2; ++v) {
            IERC4626 vault = vaults[v];
            uint256 supply = vault.totalSupply() + 1e6;
            uint256 assets = vault.totalAssets() + 1;
            for (uint256 k; k < probes.length; ++k) {
                uint256 x = probes[k];
                uint256 sharesDown = Math.mulDiv(x, supply, assets);
                uint256 assetsDown = Math.mulDiv(x, assets, supply);
                require(vault.convertToShares(x) == sharesDown, string.concat(INV_VAULT_ROUNDING, ": convertToShares"));
                require(vault.previewDeposit(x) == sharesDown, string.concat(INV_VAULT_ROUNDING, ": previewDeposit"));
                require(vault.convertToAssets(x) == assetsDown, string.concat(INV_VAULT_ROUNDING, ": convertToAssets"));
                require(vault.previewRedeem(x) == assetsDown, string.concat(INV_VAULT_ROUNDING, ": previewRedeem"));
                require(
                    vault.previewMint(x) == Math.mulDiv(x, assets, supply, Math.Rounding.Ceil),
                    string.concat(INV_VAULT_ROUNDING, ": previewMint")
                );
                require(
                    vault.previewWithdraw(x) == Math.mulDiv(x, supply, assets, Math.Rounding.Ceil),
                    string.concat(INV_VAULT_ROUNDING, ": previewWithdraw")
                );
                require(vault.convertToAssets(vault.previewDeposit(x)) <= x, INV_VAULT_ROUNDING);
            }
        }
    }

    /// @notice INV_VAULT_NO_THEFT: the honest depositors, who never act again, can redeem what they put in (dust).
    function check_vaultNoTheft() public view {
        IERC4626[2] memory vaults = [IERC4626(address(usdcVault)), IERC4626(address(wethVault))];
        for (uint256 v; v < 2; ++v) {
            uint256 value = vaults[v].previewRedeem(vaults[v].balanceOf(world.HONEST()));
            require(value + HONEST_DUST >= world.honestDeposit(address(vaults[v])), INV_VAULT_NO_THEFT);
        }
    }

    /// @notice INV_BREAKER_OUTFLOW_LIMIT: WETH out of its vault within the last window <= the limit on the largest
    /// liquidity ever tracked + what came in within the last three windows (a sound bound on docs/breaker.md's
    /// statement: an interval [s, now] of one window may use inflows since the start of the bucket before s's, which
    /// begins up to three windows ago).
    function check_breakerOutflowLimit() public view {
        uint256 window = OUTFLOW_WINDOW;
        uint256 t = block.timestamp;
        uint256 out = world.wethOutflowSince(t > window ? t - window : 0);
        uint256 bound = (world.maxWethLiquidity() * WETH_OUTFLOW_BPS) / 10_000 +
            world.wethInflowSince(t > 3 * window ? t - 3 * window : 0);
        require(out <= bound, INV_BREAKER_OUTFLOW_LIMIT);
    }

    /// @notice INV_ORACLE_PRICE_VALIDITY: whenever the oracle serves a price, a quorum of fresh sources exists, their
    /// spread is within 2% and the price is their median.
    function check_oraclePriceValidity() public view {
        try oracle.getPrice(address(weth)) returns (uint256 price, uint256) {
            uint256[3] memory fresh;
            uint256 n;
            for (uint256 i; i < FEEDS; ++i) {
                if (feeds[i].mode() != MockChainlinkFeed.Mode.Normal) continue;
                (, int256 answer, , uint256 at, ) = feeds[i].latestRoundData();
                if (answer <= 0 || at > block.timestamp || block.timestamp - at > HOUR) continue;
                uint256 p = uint256(answer) * 1e10;
                uint256 j = n++;
                while (j > 0 && fresh[j - 1] > p) {
                    fresh[j] = fresh[j - 1];
                    --j;
                }
                fresh[j] = p;
            }
            require(n >= 2, string.concat(INV_ORACLE_PRICE_VALIDITY, ": price served without quorum"));
            uint256 median = n == 3 ? fresh[1] : fresh[0] + (fresh[1] - fresh[0]) / 2;
            require(price == median, string.concat(INV_ORACLE_PRICE_VALIDITY, ": price is not the fresh median"));
            require(
                Math.mulDiv(fresh[n - 1] - fresh[0], WAD, median, Math.Rounding.Ceil) <= 0.02e18,
                string.concat(INV_ORACLE_PRICE_VALIDITY, ": price served beyond the spread")
            );
        } catch {}
    }

    /// @notice INV_EXCHANGE_PREMIUM: over the run, the premiums buyers paid == what sellers received + the fees, and
    /// the fee account holds exactly the fees credited (nothing else moves its collateral; fees are never swept here).
    function check_exchangePremium() public view {
        require(
            world.premiumsPaid() == world.premiumsReceived() + world.feesCredited(),
            string.concat(INV_EXCHANGE_PREMIUM, ": premiums paid != received + fees")
        );
        require(
            clearing.collateralOf(world.feeAccount(), address(usdcVault)) == world.feesCredited(),
            string.concat(INV_EXCHANGE_PREMIUM, ": the fee account != the fees credited")
        );
        _noViolation(INV_EXCHANGE_PREMIUM);
    }

    /// @notice INV_EXCHANGE_FILL_BOUNDS: every order of the run is filled as the ghost fills say, never beyond its
    /// amount; a cancelled order was never filled (the handler's record).
    function check_exchangeFillBounds() public view {
        bytes32[] memory hashes = world.orderHashes();
        for (uint256 i; i < hashes.length; ++i) {
            uint256 filled = exchange.filled(hashes[i]);
            require(filled <= world.orderAmount(hashes[i]), string.concat(INV_EXCHANGE_FILL_BOUNDS, ": overfilled"));
            require(filled == world.ghostFilled(hashes[i]), string.concat(INV_EXCHANGE_FILL_BOUNDS, ": != ghost"));
        }
        _noViolation(INV_EXCHANGE_FILL_BOUNDS);
    }

    // ============================================================================================ action invariants
    // Checked by the handlers on every call; a violation is recorded in the World with what broke.

    function check_noHealthyLiquidation() public view {
        _noViolation(INV_NO_HEALTHY_LIQUIDATION);
    }

    function check_initialMarginAfterAction() public view {
        _noViolation(INV_INITIAL_MARGIN_AFTER_ACTION);
    }

    function check_breakerGuards() public view {
        _noViolation(INV_BREAKER_GUARDS);
    }

    function check_noTrippedPrice() public view {
        _noViolation(INV_NO_TRIPPED_PRICE);
    }

    /// @notice INV_MARGIN_CONSERVATIVE (its on-chain half; the comparison with the exact model is the Hardhat
    /// differential suite): after every write the account's short gives a nonzero maintenance requirement.
    function check_marginConservative() public view {
        _noViolation(INV_MARGIN_CONSERVATIVE);
    }

    function check_liquidationImproves() public view {
        _noViolation(INV_LIQUIDATION_IMPROVES);
    }

    function check_badDebtAccounted() public view {
        _noViolation(INV_BAD_DEBT_ACCOUNTED);
    }

    function check_vaultActions() public view {
        _noViolation(INV_VAULT_ROUNDING);
        _noViolation(INV_VAULT_NO_THEFT);
    }

    function _noViolation(string memory name) private view {
        require(world.violations(name) == 0, world.lastViolation());
    }

    // ============================================================================================ forge's targets

    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _selectors;
    }

    function _target(address handler, bytes4[] memory selectors) private {
        _targets.push(handler);
        _selectors.push(FuzzSelector(handler, selectors));
    }

    function _vaultSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](5);
        s[0] = VaultHandler.deposit.selector;
        s[1] = VaultHandler.mint.selector;
        s[2] = VaultHandler.withdraw.selector;
        s[3] = VaultHandler.redeem.selector;
        s[4] = VaultHandler.donate.selector;
    }

    function _oracleSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](6);
        s[0] = OracleHandler.moveWithinBand.selector;
        s[1] = OracleHandler.gapBeyondBand.selector;
        s[2] = OracleHandler.failFeed.selector;
        s[3] = OracleHandler.restoreFeed.selector;
        s[4] = OracleHandler.poke.selector;
        s[5] = OracleHandler.passTime.selector;
    }

    function _breakerSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](3);
        s[0] = BreakerHandler.pause.selector;
        s[1] = BreakerHandler.queueResume.selector;
        s[2] = BreakerHandler.executeResume.selector;
    }

    function _clearingSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](8);
        s[0] = ClearingHandler.depositCollateral.selector;
        s[1] = ClearingHandler.withdrawCollateral.selector;
        s[2] = ClearingHandler.write.selector;
        s[3] = ClearingHandler.close.selector;
        s[4] = ClearingHandler.depositLongs.selector;
        s[5] = ClearingHandler.withdrawLongs.selector;
        s[6] = ClearingHandler.transferLongs.selector;
        s[7] = ClearingHandler.settleAccount.selector;
    }

    function _settlementSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](3);
        s[0] = SettlementHandler.listSeries.selector;
        s[1] = SettlementHandler.settle.selector;
        s[2] = SettlementHandler.exercise.selector;
    }

    function _liquidationSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](3);
        s[0] = LiquidationHandler.liquidate.selector;
        s[1] = LiquidationHandler.flagLiquidatable.selector;
        s[2] = LiquidationHandler.payPenalties.selector;
    }

    function _exchangeSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](5);
        s[0] = ExchangeHandler.fill.selector;
        s[1] = ExchangeHandler.fillResting.selector;
        s[2] = ExchangeHandler.matchOrders.selector;
        s[3] = ExchangeHandler.cancel.selector;
        s[4] = ExchangeHandler.setMinNonce.selector;
    }

    function _insuranceSelectors() private pure returns (bytes4[] memory s) {
        s = new bytes4[](4);
        s[0] = InsuranceHandler.stake.selector;
        s[1] = InsuranceHandler.requestWithdraw.selector;
        s[2] = InsuranceHandler.cancelWithdraw.selector;
        s[3] = InsuranceHandler.exit.selector;
    }

    // ============================================================================================ set-up helpers

    /// @dev Mint `usdcAssets` and `wethAssets` to `actor`, put them in the vaults, open its account with half the
    /// shares in it (the other half stays in its wallet for the handlers).
    function _fund(address actor, uint256 key, uint256 usdcAssets, uint256 wethAssets) private {
        vm.startPrank(actor);
        uint256 accountId = clearing.openAccount();
        _depositHalf(actor, accountId, IERC20(address(usdcVault)), usdc, usdcAssets);
        if (wethAssets != 0) _depositHalf(actor, accountId, IERC20(address(wethVault)), weth, wethAssets);
        vm.stopPrank();
        world.addActor(actor, accountId);
        world.setKey(actor, key);
        vm.label(actor, "actor");
    }

    function _depositHalf(address actor, uint256 accountId, IERC20 vaultToken, MockERC20 token, uint256 assets)
        private
    {
        IERC4626 vault = IERC4626(address(vaultToken));
        token.mint(actor, assets);
        token.approve(address(vault), assets);
        uint256 shares = vault.deposit(assets, actor);
        if (address(token) == address(weth)) world.recordWethInflow(assets);
        vaultToken.approve(address(clearing), type(uint256).max);
        clearing.depositCollateral(accountId, address(vault), shares / 2);
    }

    function _honestDeposit(IERC20 vaultToken, MockERC20 token, uint256 assets) private {
        address honest = world.HONEST();
        token.mint(honest, assets);
        vm.startPrank(honest);
        token.approve(address(vaultToken), assets);
        IERC4626(address(vaultToken)).deposit(assets, honest);
        vm.stopPrank();
        if (address(token) == address(weth)) world.recordWethInflow(assets);
        world.setHonestDeposit(address(vaultToken), assets);
    }

    /// @dev `writer` writes series `index` one contract at a time, up to `amount` or its initial margin.
    function _writeUpTo(address writer, uint256 index, uint256 amount, address recipient) private {
        uint256 accountId = world.accountOf(writer);
        uint256 seriesId = world.series()[index];
        for (uint256 written; written < amount; written += 1e18) {
            vm.prank(writer);
            try clearing.write(accountId, seriesId, 1e18, recipient) {} catch {
                break;
            }
        }
    }

    function _list(uint256 strike, uint256 expiry, bool isCall) private {
        world.addSeries(clearing.listSeries(address(weth), strike, uint64(expiry), isCall));
    }
}
