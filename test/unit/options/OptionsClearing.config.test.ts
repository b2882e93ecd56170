import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { OptionsClearing__factory } from "../../../typechain-types";
import type { RiskParamsStruct } from "../../../typechain-types/contracts/interfaces/IMarginCalculator";
import type { IOptionsClearing } from "../../../typechain-types/contracts/interfaces/IOptionsClearing";
import { WAD, mulWadDown } from "../../../scripts/lib/math/wad";
import { toAssets } from "../../../scripts/lib/math/erc4626";
import { SECONDS_PER_YEAR } from "../../../scripts/lib/margin";
import {
  DAY,
  HOUR,
  SPOT_WETH,
  TIMELOCK_DELAY,
  WETH_HAIRCUT_WAD,
  deploySystem,
  wethListing,
  wethRisk,
} from "../../shared/fixtures/system";
import { deployPlainVault, vaultState } from "../../shared/fixtures/clearing-edge";

/** Independent statements of the contract's documented bounds (docs/options.md, IOptionsClearing). */
const MIN_STRIKE_DOMAIN_WAD = 10n ** 12n; // 1e-6 quote
const MAX_STRIKE_DOMAIN_WAD = 10n ** 30n; // 1e12 quote
const MAX_EXPIRY_HORIZON_SECONDS = 10n * SECONDS_PER_YEAR;
const MAX_HAIRCUT_WAD = (95n * WAD) / 100n;
const MAX_COLLATERAL_VAULTS = 8;
const MAX_DECIMALS = 36;
/** An address with no code, used as an underlying the oracle never prices (configuration does not need a price). */
const OTHER_UNDERLYING = ethers.getAddress("0x00000000000000000000000000000000000b7c01");

const json = (x: unknown): string => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v));

describe("unit/options/OptionsClearing.config", () => {
  async function snapshotUnderlying(
    clearing: Awaited<ReturnType<typeof deploySystem>>["clearing"],
    underlying: string,
  ): Promise<string> {
    return json([await clearing.underlyingConfig(underlying), await clearing.riskParams(underlying)]);
  }

  describe("constructor", () => {
    async function factoryOf(sys: Awaited<ReturnType<typeof deploySystem>>) {
      return new OptionsClearing__factory(
        {
          "contracts/options/MarginLogic.sol:MarginLogic": sys.marginLogic,
          "contracts/options/LiquidationLogic.sol:LiquidationLogic": sys.liquidationLogic,
          "contracts/options/SettlementLogic.sol:SettlementLogic": sys.settlementLogic,
          "contracts/options/TradeLogic.sol:TradeLogic": sys.tradeLogic,
        },
        sys.deployer,
      );
    }

    it("wires its immutables: oracle, calculator, quote vault, quote asset and its decimals", async () => {
      const { clearing, oracle, calculator, usdcVault, usdc } = await loadFixture(deploySystem);
      expect(await clearing.ORACLE()).to.equal(await oracle.getAddress());
      expect(await clearing.MARGIN()).to.equal(await calculator.getAddress());
      expect(await clearing.QUOTE_VAULT()).to.equal(await usdcVault.getAddress());
      expect(await clearing.QUOTE()).to.equal(await usdc.getAddress());
      expect(await clearing.QUOTE_DECIMALS()).to.equal(6n);
    });

    it("refuses a zero oracle, calculator, quote vault or insurance vault (ZeroAddress)", async () => {
      const sys = await loadFixture(deploySystem);
      const factory = await factoryOf(sys);
      const args = {
        authority: await sys.manager.getAddress(),
        breaker: await sys.breaker.getAddress(),
        oracle: await sys.oracle.getAddress(),
        margin: await sys.calculator.getAddress(),
        quoteVault: await sys.usdcVault.getAddress(),
        insurance: await sys.insurance.getAddress(),
      };
      const zero = ethers.ZeroAddress;
      for (const missing of ["oracle", "margin", "quoteVault", "insurance"] as const) {
        const a = { ...args, [missing]: zero };
        await expect(
          factory.deploy(a.authority, a.breaker, a.oracle, a.margin, a.quoteVault, a.insurance, "uri"),
          missing,
        ).to.be.revertedWithCustomError(sys.clearing, "ZeroAddress");
      }
    });

    it("refuses a quote asset with more than 36 decimals and accepts exactly 36", async () => {
      const sys = await loadFixture(deploySystem);
      const factory = await factoryOf(sys);
      const common = [
        await sys.manager.getAddress(),
        await sys.breaker.getAddress(),
        await sys.oracle.getAddress(),
        await sys.calculator.getAddress(),
      ] as const;
      const tooMany = await deployPlainVault(MAX_DECIMALS + 1);
      const tooManyAddress = await tooMany.vault.getAddress();
      const insurance = await sys.insurance.getAddress();
      await expect(factory.deploy(...common, tooManyAddress, insurance, "uri"))
        .to.be.revertedWithCustomError(sys.clearing, "InvalidCollateralConfig")
        .withArgs(tooManyAddress);
      const atMax = await deployPlainVault(MAX_DECIMALS);
      const clearing36 = await factory.deploy(...common, await atMax.vault.getAddress(), insurance, "uri");
      expect(await clearing36.QUOTE_DECIMALS()).to.equal(BigInt(MAX_DECIMALS));
      expect(await clearing36.QUOTE()).to.equal(await atMax.token.getAddress());
    });
  });

  describe("configureUnderlying", () => {
    it("is governance only: another caller gets AccessManagedUnauthorized and changes nothing", async () => {
      const { clearing, alice, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const before = await snapshotUnderlying(clearing, w);
      for (const caller of [alice, lister]) {
        await expect(clearing.connect(caller).configureUnderlying(w, wethListing(), wethRisk()))
          .to.be.revertedWithCustomError(clearing, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
      expect(await snapshotUnderlying(clearing, w)).to.equal(before);
    });

    it("refuses the zero address as underlying", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      await expect(
        clearing.connect(governor).configureUnderlying(ethers.ZeroAddress, wethListing(), wethRisk()),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect((await clearing.underlyingConfig(ethers.ZeroAddress)).enabled).to.equal(false);
    });

    const badBounds: [string, Partial<IOptionsClearing.UnderlyingConfigStruct>][] = [
      ["a zero minimum strike", { minStrikeWad: 0n }],
      ["a minimum strike above the maximum", { minStrikeWad: 5000n * WAD, maxStrikeWad: 4999n * WAD }],
      ["a zero horizon", { minTimeToExpirySeconds: 0, maxTimeToExpirySeconds: 0 }],
      [
        "a minimum time to expiry above the maximum",
        { minTimeToExpirySeconds: 2 * DAY, maxTimeToExpirySeconds: DAY },
      ],
      ["a minimum strike below the pricing domain", { minStrikeWad: MIN_STRIKE_DOMAIN_WAD - 1n }],
      ["a maximum strike above the pricing domain", { maxStrikeWad: MAX_STRIKE_DOMAIN_WAD + 1n }],
      ["a horizon beyond ten years", { maxTimeToExpirySeconds: MAX_EXPIRY_HORIZON_SECONDS + 1n }],
    ];
    for (const [what, change] of badBounds) {
      it(`refuses ${what} (InvalidListingBounds), leaving the underlying's configuration unchanged`, async () => {
        const { clearing, governor, weth } = await loadFixture(deploySystem);
        const w = await weth.getAddress();
        const before = await snapshotUnderlying(clearing, w);
        await expect(
          clearing.connect(governor).configureUnderlying(w, { ...wethListing(), ...change }, wethRisk()),
        ).to.be.revertedWithCustomError(clearing, "InvalidListingBounds");
        expect(await snapshotUnderlying(clearing, w)).to.equal(before);
      });
    }

    it("accepts bounds exactly at the pricing domain's edges and a single-point window", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      const edge: IOptionsClearing.UnderlyingConfigStruct = {
        enabled: true,
        minStrikeWad: MIN_STRIKE_DOMAIN_WAD,
        maxStrikeWad: MAX_STRIKE_DOMAIN_WAD,
        minTimeToExpirySeconds: MAX_EXPIRY_HORIZON_SECONDS,
        maxTimeToExpirySeconds: MAX_EXPIRY_HORIZON_SECONDS,
      };
      await expect(
        clearing.connect(governor).configureUnderlying(OTHER_UNDERLYING, edge, wethRisk()),
      ).to.emit(clearing, "UnderlyingConfigured");
      const stored = await clearing.underlyingConfig(OTHER_UNDERLYING);
      expect([stored.enabled, stored.minStrikeWad, stored.maxStrikeWad]).to.deep.equal([
        true,
        MIN_STRIKE_DOMAIN_WAD,
        MAX_STRIKE_DOMAIN_WAD,
      ]);
      expect([stored.minTimeToExpirySeconds, stored.maxTimeToExpirySeconds]).to.deep.equal([
        MAX_EXPIRY_HORIZON_SECONDS,
        MAX_EXPIRY_HORIZON_SECONDS,
      ]);
    });

    it("refuses risk parameters the calculator rejects, with the calculator's error", async () => {
      const { clearing, calculator, governor, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const before = await snapshotUnderlying(clearing, w);
      const badVol = 0n;
      await expect(
        clearing.connect(governor).configureUnderlying(w, wethListing(), { ...wethRisk(), volWad: badVol }),
      )
        .to.be.revertedWithCustomError(calculator, "InvalidVolatility")
        .withArgs(badVol);
      await expect(
        clearing
          .connect(governor)
          .configureUnderlying(w, wethListing(), { ...wethRisk(), spotShocksWad: [] }),
      )
        .to.be.revertedWithCustomError(calculator, "InvalidSpotShockCount")
        .withArgs(0n);
      expect(await snapshotUnderlying(clearing, w)).to.equal(before);
    });

    it("round-trips the packed risk parameters at their bounds, and a shorter grid replaces a longer one", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      // Every field at its hard bound (PortfolioMargin: vol 3, 16 shocks in [-0.9, +9], vol shocks +2 / -0.9,
      // 50% of spot per short, 100% buffer).
      const shocks: bigint[] = [];
      for (let i = 0n; i < 16n; i++) shocks.push(-(9n * WAD) / 10n + (i * (99n * WAD)) / 10n / 15n);
      const extreme: RiskParamsStruct = {
        volWad: 3n * WAD,
        spotShocksWad: shocks,
        volShockUpWad: 2n * WAD,
        volShockDownWad: (9n * WAD) / 10n,
        minPerShortSpotWad: WAD / 2n,
        initialBufferWad: WAD,
      };
      expect(shocks[0]).to.equal(-(9n * WAD) / 10n);
      expect(shocks[15]).to.equal(9n * WAD);
      await clearing.connect(governor).configureUnderlying(OTHER_UNDERLYING, wethListing(), extreme);
      const got = await clearing.riskParams(OTHER_UNDERLYING);
      expect(got.volWad).to.equal(extreme.volWad);
      expect([...got.spotShocksWad]).to.deep.equal(shocks);
      expect(got.volShockUpWad).to.equal(extreme.volShockUpWad);
      expect(got.volShockDownWad).to.equal(extreme.volShockDownWad);
      expect(got.minPerShortSpotWad).to.equal(extreme.minPerShortSpotWad);
      expect(got.initialBufferWad).to.equal(extreme.initialBufferWad);

      const short: RiskParamsStruct = { ...wethRisk(), spotShocksWad: [-(WAD / 10n)] };
      await clearing.connect(governor).configureUnderlying(OTHER_UNDERLYING, wethListing(), short);
      const again = await clearing.riskParams(OTHER_UNDERLYING);
      expect([...again.spotShocksWad]).to.deep.equal([-(WAD / 10n)]);
      expect(again.volWad).to.equal(wethRisk().volWad);
    });

    it("a disabled underlying lists nothing new", async () => {
      const { clearing, governor, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      await clearing
        .connect(governor)
        .configureUnderlying(w, { ...wethListing(), enabled: false }, wethRisk());
      const expiry = (await time.latest()) + 7 * DAY;
      await expect(clearing.connect(lister).listSeries(w, 2000n * WAD, expiry, true))
        .to.be.revertedWithCustomError(clearing, "UnderlyingNotEnabled")
        .withArgs(w);
    });

    it("goes through the timelock: scheduled, refused before the delay, executed after it", async () => {
      const { clearing, gov, governor, keeper, alice, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const newRisk = { ...wethRisk(), volWad: (6n * WAD) / 10n };
      const target = await clearing.getAddress();
      const data = clearing.interface.encodeFunctionData("configureUnderlying", [w, wethListing(), newRisk]);
      const salt = ethers.id("clearing.configureUnderlying.weth");
      // The production path: nobody but GOVERNOR_ROLE holders (the timelock) may call it.
      await expect(clearing.connect(alice).configureUnderlying(w, wethListing(), newRisk))
        .to.be.revertedWithCustomError(clearing, "AccessManagedUnauthorized")
        .withArgs(alice.address);
      await gov.timelock.connect(governor).schedule(target, 0n, data, ethers.ZeroHash, salt, TIMELOCK_DELAY);
      await expect(
        gov.timelock.connect(keeper).execute(target, 0n, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(gov.timelock, "TimelockUnexpectedOperationState");
      expect((await clearing.riskParams(w)).volWad).to.equal(wethRisk().volWad);
      await time.increase(TIMELOCK_DELAY);
      await expect(gov.timelock.connect(keeper).execute(target, 0n, data, ethers.ZeroHash, salt)).to.emit(
        clearing,
        "UnderlyingConfigured",
      );
      expect((await clearing.riskParams(w)).volWad).to.equal(newRisk.volWad);
    });
  });

  describe("configureCollateral", () => {
    it("is governance only", async () => {
      const { clearing, alice, wethVault } = await loadFixture(deploySystem);
      const v = await wethVault.getAddress();
      await expect(clearing.connect(alice).configureCollateral(v, false, 0))
        .to.be.revertedWithCustomError(clearing, "AccessManagedUnauthorized")
        .withArgs(alice.address);
      expect((await clearing.collateralConfig(v)).approved).to.equal(true);
    });

    it("refuses the zero vault", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      const before = await clearing.collateralVaults();
      await expect(
        clearing.connect(governor).configureCollateral(ethers.ZeroAddress, true, 0),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect(await clearing.collateralVaults()).to.deep.equal(before);
    });

    it("refuses a haircut above 95% on a new or an existing vault, and accepts exactly 95%", async () => {
      const { clearing, governor, wethVault } = await loadFixture(deploySystem);
      expect(await clearing.MAX_HAIRCUT_WAD()).to.equal(MAX_HAIRCUT_WAD);
      const existing = await wethVault.getAddress();
      const { vault } = await deployPlainVault(18);
      const fresh = await vault.getAddress();
      for (const v of [existing, fresh]) {
        await expect(clearing.connect(governor).configureCollateral(v, true, MAX_HAIRCUT_WAD + 1n))
          .to.be.revertedWithCustomError(clearing, "InvalidCollateralConfig")
          .withArgs(v);
      }
      expect((await clearing.collateralConfig(existing)).haircutWad).to.equal(WETH_HAIRCUT_WAD);
      expect((await clearing.collateralConfig(fresh)).asset).to.equal(ethers.ZeroAddress);
      await clearing.connect(governor).configureCollateral(fresh, true, MAX_HAIRCUT_WAD);
      expect((await clearing.collateralConfig(fresh)).haircutWad).to.equal(MAX_HAIRCUT_WAD);
    });

    it("refuses a vault whose asset has more than 36 decimals", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      const { vault } = await deployPlainVault(MAX_DECIMALS + 1);
      const v = await vault.getAddress();
      const before = await clearing.collateralVaults();
      await expect(clearing.connect(governor).configureCollateral(v, true, 0))
        .to.be.revertedWithCustomError(clearing, "InvalidCollateralConfig")
        .withArgs(v);
      expect(await clearing.collateralVaults()).to.deep.equal(before);
      expect((await clearing.collateralConfig(v)).asset).to.equal(ethers.ZeroAddress);
    });

    it("refuses a vault whose asset is the zero address, before reading the asset", async () => {
      const { clearing, governor } = await loadFixture(deploySystem);
      const zeroAsset = await ethers.deployContract("ZeroAssetVault");
      const v = await zeroAsset.getAddress();
      const before = await clearing.collateralVaults();
      await expect(clearing.connect(governor).configureCollateral(v, true, 0))
        .to.be.revertedWithCustomError(clearing, "InvalidCollateralConfig")
        .withArgs(v);
      expect(await clearing.collateralVaults()).to.deep.equal(before);
    });

    it("approves at most 8 vaults, in order; re-configuring one at the cap still works", async () => {
      const { clearing, governor, usdcVault, wethVault } = await loadFixture(deploySystem);
      expect(await clearing.MAX_COLLATERAL_VAULTS()).to.equal(BigInt(MAX_COLLATERAL_VAULTS));
      const expected = [await usdcVault.getAddress(), await wethVault.getAddress()];
      while (expected.length < MAX_COLLATERAL_VAULTS) {
        const { vault } = await deployPlainVault(18);
        expected.push(await vault.getAddress());
        await clearing.connect(governor).configureCollateral(expected[expected.length - 1], true, WAD / 10n);
      }
      expect(await clearing.collateralVaults()).to.deep.equal(expected);
      const { vault: ninth } = await deployPlainVault(18);
      const n = await ninth.getAddress();
      await expect(clearing.connect(governor).configureCollateral(n, true, 0))
        .to.be.revertedWithCustomError(clearing, "InvalidCollateralConfig")
        .withArgs(n);
      expect(await clearing.collateralVaults()).to.deep.equal(expected);
      // The cap bounds the list, not updates of listed vaults.
      await clearing.connect(governor).configureCollateral(expected[7], false, WAD / 5n);
      const cfg = await clearing.collateralConfig(expected[7]);
      expect([cfg.approved, cfg.haircutWad]).to.deep.equal([false, WAD / 5n]);
      expect(await clearing.collateralVaults()).to.deep.equal(expected);
    });

    it("re-configures an existing vault in place: new haircut and approval, same asset, no duplicate", async () => {
      const { clearing, governor, wethVault, weth } = await loadFixture(deploySystem);
      const v = await wethVault.getAddress();
      const before = await clearing.collateralVaults();
      const haircut = WAD / 3n;
      await expect(clearing.connect(governor).configureCollateral(v, true, haircut)).to.emit(
        clearing,
        "CollateralConfigured",
      );
      const cfg = await clearing.collateralConfig(v);
      expect([cfg.approved, cfg.haircutWad, cfg.asset, cfg.assetDecimals]).to.deep.equal([
        true,
        haircut,
        await weth.getAddress(),
        18n,
      ]);
      expect(await clearing.collateralVaults()).to.deep.equal(before);
    });

    it("after un-approval refuses new deposits (CollateralNotApproved); the balance still counts and withdraws", async () => {
      const { clearing, governor, alice, fundAccount, fundVaultShares, wethVault } =
        await loadFixture(deploySystem);
      const id = await fundAccount(alice, "weth", 3n * WAD);
      const v = await wethVault.getAddress();
      const held = await clearing.collateralOf(id, v);
      await clearing.connect(governor).configureCollateral(v, false, WETH_HAIRCUT_WAD);
      const more = await fundVaultShares(alice, "weth", WAD);
      await expect(clearing.connect(alice).depositCollateral(id, v, more))
        .to.be.revertedWithCustomError(clearing, "CollateralNotApproved")
        .withArgs(v);
      expect(await clearing.collateralOf(id, v)).to.equal(held);
      expect(await clearing.totalCollateral(v)).to.equal(held);
      // Still valued: convertToAssets (reference ERC-4626 arithmetic) x spot x (1 - haircut), rounded down.
      const assets = toAssets(await vaultState(wethVault), held, "down");
      const expected = mulWadDown(mulWadDown(assets, SPOT_WETH), WAD - WETH_HAIRCUT_WAD);
      expect((await clearing.health(id)).collateralValueWad).to.equal(expected);
      await clearing.connect(alice).withdrawCollateral(id, v, held, alice.address);
      expect(await clearing.collateralOf(id, v)).to.equal(0n);
      expect(await wethVault.balanceOf(alice.address)).to.equal(held + more);
    });
  });

  describe("listing bounds", () => {
    async function atNextBlock(): Promise<number> {
      const ts = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(ts);
      return ts;
    }

    it("refuses a strike below the minimum and accepts both bounds exactly", async () => {
      const { clearing, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const cfg = wethListing();
      const [min, max] = [BigInt(cfg.minStrikeWad), BigInt(cfg.maxStrikeWad)];
      const expiry = (await time.latest()) + 7 * DAY;
      await expect(clearing.connect(lister).listSeries(w, min - 1n, expiry, true))
        .to.be.revertedWithCustomError(clearing, "StrikeOutOfBounds")
        .withArgs(w, min - 1n, min, max);
      expect(
        (await clearing.series(await clearing.seriesIdOf(w, min - 1n, expiry, true))).underlying,
      ).to.equal(ethers.ZeroAddress);
      for (const strike of [min, max]) {
        await clearing.connect(lister).listSeries(w, strike, expiry, false);
        expect(
          (await clearing.series(await clearing.seriesIdOf(w, strike, expiry, false))).strikeWad,
        ).to.equal(strike);
      }
    });

    it("refuses an expiry in the future but sooner than the minimum time to expiry", async () => {
      const { clearing, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const ts = await atNextBlock();
      const expiry = ts + HOUR / 2;
      await expect(clearing.connect(lister).listSeries(w, 2000n * WAD, expiry, true))
        .to.be.revertedWithCustomError(clearing, "ExpiryOutOfBounds")
        .withArgs(w, expiry, ts + HOUR, ts + 365 * DAY);
    });

    it("accepts expiries exactly at both ends of the window", async () => {
      const { clearing, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      const first = await atNextBlock();
      await clearing.connect(lister).listSeries(w, 2000n * WAD, first + HOUR, true);
      const second = await atNextBlock();
      await clearing.connect(lister).listSeries(w, 2000n * WAD, second + 365 * DAY, true);
      for (const e of [first + HOUR, second + 365 * DAY]) {
        expect((await clearing.series(await clearing.seriesIdOf(w, 2000n * WAD, e, true))).expiry).to.equal(
          BigInt(e),
        );
      }
    });

    it("with no minimum time to expiry, still refuses an expiry at the current block", async () => {
      const { clearing, governor, lister, weth } = await loadFixture(deploySystem);
      const w = await weth.getAddress();
      await clearing
        .connect(governor)
        .configureUnderlying(w, { ...wethListing(), minTimeToExpirySeconds: 0 }, wethRisk());
      const ts = await atNextBlock();
      await expect(clearing.connect(lister).listSeries(w, 2000n * WAD, ts, true))
        .to.be.revertedWithCustomError(clearing, "ExpiryOutOfBounds")
        .withArgs(w, ts, ts, ts + 365 * DAY);
      expect((await clearing.series(await clearing.seriesIdOf(w, 2000n * WAD, ts, true))).expiry).to.equal(
        0n,
      );
    });
  });

  describe("operators and governance settlement", () => {
    it("refuses the zero address as operator; isOperator reflects grants and revocations", async () => {
      const { clearing, alice, bob } = await loadFixture(deploySystem);
      await expect(
        clearing.connect(alice).setOperator(ethers.ZeroAddress, true),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect(await clearing.isOperator(alice.address, ethers.ZeroAddress)).to.equal(false);
      await clearing.connect(alice).setOperator(bob.address, true);
      expect(await clearing.isOperator(alice.address, bob.address)).to.equal(true);
      expect(await clearing.isOperator(bob.address, alice.address)).to.equal(false);
      await clearing.connect(alice).setOperator(bob.address, false);
      expect(await clearing.isOperator(alice.address, bob.address)).to.equal(false);
    });

    it("refuses a fallback price for a series already settled, keeping its payout", async () => {
      const { clearing, governor, list, referenceRound } = await loadFixture(deploySystem);
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await list(2200n * WAD, expiry, true);
      await time.increaseTo(expiry + DAY + 1);
      await clearing.connect(governor).settleWithFallbackPrice(call, 2300n * WAD, await referenceRound(call));
      await expect(
        clearing.connect(governor).settleWithFallbackPrice(call, 3000n * WAD, await referenceRound(call)),
      )
        .to.be.revertedWithCustomError(clearing, "SeriesAlreadySettled")
        .withArgs(call);
      const s = await clearing.series(call);
      expect([s.settlementPriceWad, s.payoutPerContractWad]).to.deep.equal([2300n * WAD, 100n * WAD]);
    });
  });
});
