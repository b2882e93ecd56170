import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Scopes } from "../../../scripts/lib/scopes";
import { WAD, mulWadDown, mulWadUp } from "../../../scripts/lib/math/wad";
import { liquidatedResults } from "../../../scripts/lib/liquidation";
import { seriesSettlementRounds } from "../../../scripts/lib/settlement/rounds";
import { deploySystem, DAY, HOUR, USDC_UNIT, type System } from "../../shared/fixtures/system";
import { deployTwoUnderlyings } from "../../shared/fixtures/clearing-edge";
import { INV, assertInvariant } from "../../shared/invariants";

const ONE = WAD;
const FAR = 2n ** 63n;

/**
 * Regression tests of the security review's findings (issue 14), each named after the rule it protects. Each one
 * failed on the code before its fix.
 */
describe("unit/options/OptionsClearing.review", () => {
  /** Fund the insurance vault with `assets` USDC from carol. */
  async function stake(sys: System, assets: bigint): Promise<void> {
    await sys.usdc.mint(sys.carol.address, assets);
    await sys.usdc.connect(sys.carol).approve(await sys.insurance.getAddress(), assets);
    await sys.insurance.connect(sys.carol).deposit(assets, sys.carol.address);
  }

  /** Move WETH from 2,000 to `to` in steps within the oracle's 50%-per-hour band (no trip). */
  async function wethStepsTo(sys: System, prices: bigint[]): Promise<void> {
    const weth = await sys.weth.getAddress();
    for (const p of prices) {
      await time.increase(HOUR + 60);
      await sys.setSpot(weth, p);
    }
  }

  /** A jump of WETH beyond the oracle's band: the aggregator reports it and the breaker trips WETH's scope. */
  async function tripWeth(sys: System, priceWad: bigint): Promise<string> {
    const weth = await sys.weth.getAddress();
    await sys.setSpot(weth, priceWad);
    const scope = Scopes.asset(weth);
    expect(await sys.breaker.isTripped(scope), "WETH tripped").to.equal(true);
    return scope;
  }

  describe("INV_NO_TRIPPED_PRICE: no action that adds risk is valued at a price whose scope is tripped", () => {
    async function wethBackedWriter() {
      const sys = await loadFixture(deploySystem);
      const expiry = (await time.latest()) + 7 * DAY;
      const put = await sys.list(1800n * WAD, expiry, false);
      const account = await sys.fundAccount(sys.alice, "weth", 2n * WAD);
      await sys.clearing.connect(sys.alice).write(account, put, ONE, sys.carol.address);
      return { sys, put, account, expiry };
    }

    it("a WETH-backed writer withdraws no WETH while WETH's scope is tripped (WITHDRAW open)", async () => {
      const { sys, account } = await wethBackedWriter();
      const { clearing, alice, wethVault } = sys;
      const scope = await tripWeth(sys, 3_100n * WAD);
      const vault = await wethVault.getAddress();
      const before = await clearing.collateralOf(account, vault);
      await expect(clearing.connect(alice).withdrawCollateral(account, vault, before / 2n, alice.address))
        .to.be.revertedWithCustomError(sys.breaker, "ScopeTripped")
        .withArgs(
          scope,
          (r: bigint) => r > 0n,
          (t: bigint) => t > 0n,
        );
      expect(await clearing.collateralOf(account, vault)).to.equal(before);
    });

    it("a WBTC call backed only by WETH is not written while WETH's scope is tripped", async () => {
      const sys = await loadFixture(deployTwoUnderlyings);
      const { clearing, alice, carol, listWbtc } = sys;
      const btcCall = await listWbtc(70_000n * WAD, (await time.latest()) + 7 * DAY, true);
      const account = await sys.fundAccount(alice, "weth", 20n * WAD);
      const scope = await tripWeth(sys, 3_100n * WAD);
      await expect(clearing.connect(alice).write(account, btcCall, ONE / 100n, carol.address))
        .to.be.revertedWithCustomError(sys.breaker, "ScopeTripped")
        .withArgs(
          scope,
          (r: bigint) => r > 0n,
          (t: bigint) => t > 0n,
        );
      expect(await clearing.positionOf(account, btcCall)).to.equal(0n);
    });

    it("longs are not withdrawn from an account valued at a tripped price", async () => {
      const { sys, put } = await wethBackedWriter();
      const { clearing, carol } = sys;
      const holder = await sys.fundAccount(carol, "usdc", 1_000n * USDC_UNIT);
      await clearing.connect(carol).depositLongs(holder, put, ONE);
      const scope = await tripWeth(sys, 3_100n * WAD);
      // Half of them: the rest is still valued at the tripped price (withdrawing all leaves nothing priced).
      await expect(clearing.connect(carol).withdrawLongs(holder, put, ONE / 2n, carol.address))
        .to.be.revertedWithCustomError(sys.breaker, "ScopeTripped")
        .withArgs(
          scope,
          (r: bigint) => r > 0n,
          (t: bigint) => t > 0n,
        );
      expect(await clearing.positionOf(holder, put)).to.equal(ONE);
    });

    it("risk-reducing actions stay open while the price is tripped: deposit, close, settleAccount", async () => {
      const { sys, put, account } = await wethBackedWriter();
      const { clearing, alice, carol, wethVault } = sys;
      await tripWeth(sys, 3_100n * WAD);
      const shares = await sys.fundVaultShares(alice, "weth", WAD);
      await clearing.connect(alice).depositCollateral(account, await wethVault.getAddress(), shares);
      await clearing.connect(carol).safeTransferFrom(carol.address, alice.address, put, ONE / 2n, "0x");
      await clearing.connect(alice).close(account, put, ONE / 2n);
      await clearing.settleAccount(account);
      expect(await clearing.positionOf(account, put)).to.equal(-ONE / 2n);
    });

    it("an account with no position and no debt withdraws its WETH while WETH is tripped: nothing is priced", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, wethVault } = sys;
      const account = await sys.fundAccount(alice, "weth", WAD);
      await tripWeth(sys, 3_100n * WAD);
      const vault = await wethVault.getAddress();
      const shares = await clearing.collateralOf(account, vault);
      await clearing.connect(alice).withdrawCollateral(account, vault, shares, alice.address);
      expect(await clearing.collateralOf(account, vault)).to.equal(0n);
    });
  });

  describe("no one fills another account's series slots", () => {
    it("depositLongs into someone else's account is refused (NotOwnerOrOperator), state unchanged", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol } = sys;
      const call = await sys.list(2200n * WAD, (await time.latest()) + 7 * DAY, true);
      const writer = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, carol.address);
      const keeper = await sys.fundAccount(bob, "usdc", 1_000n * USDC_UNIT);
      await expect(clearing.connect(carol).depositLongs(keeper, call, 1n))
        .to.be.revertedWithCustomError(clearing, "NotOwnerOrOperator")
        .withArgs(keeper, carol.address);
      expect(await clearing.seriesOf(keeper)).to.deep.equal([]);
      expect(await clearing.balanceOf(carol.address, call)).to.equal(ONE);
      // The account's operator may.
      await clearing.connect(bob).setOperator(carol.address, true);
      await clearing.connect(carol).depositLongs(keeper, call, 1n);
      expect(await clearing.positionOf(keeper, call)).to.equal(1n);
    });
  });

  describe("INV_SERIES_SOLVENCY: one series' unpaid settlement is never paid by another series' holders", () => {
    it("a holder of an unpaid series waits; the paid series' holder is paid in full", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol, usdc, weth } = sys;
      const expiry = (await time.latest()) + 7 * DAY;
      const unpaid = await sys.list(2200n * WAD, expiry, true);
      const paid = await sys.list(2000n * WAD, expiry, true);
      // WETH collateral only: the short's debt is not repaid at settlement. USDC collateral: it is.
      const wethWriter = await sys.fundAccount(alice, "weth", 2n * WAD);
      await clearing.connect(alice).write(wethWriter, unpaid, ONE, carol.address);
      const usdcWriter = await sys.fundAccount(bob, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(bob).write(usdcWriter, paid, ONE, carol.address);
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await weth.getAddress(), 2_500n * WAD);
      await clearing.settle(unpaid);
      await clearing.settle(paid);
      await clearing.settleAccount(wethWriter);
      await clearing.settleAccount(usdcWriter);
      expect(await clearing.seriesDebtOf(wethWriter, unpaid)).to.equal(300n * WAD);
      expect(await clearing.settlementPool(unpaid)).to.equal(0n);
      expect((await clearing.settlementPool(paid)) > 0n).to.equal(true);

      await expect(clearing.connect(carol).exercise(unpaid, ONE, carol.address))
        .to.be.revertedWithCustomError(clearing, "InsufficientSettledFunds")
        .withArgs(unpaid, (needed: bigint) => needed > 0n, 0n);
      const before = await usdc.balanceOf(carol.address);
      await clearing.connect(carol).exercise(paid, ONE, carol.address);
      expect((await usdc.balanceOf(carol.address)) - before).to.equal(500n * USDC_UNIT);
      assertInvariant(
        INV.SERIES_SOLVENCY,
        (await clearing.settlementPool(unpaid)) === 0n,
        () => "the unpaid series' pool was drawn",
      );
    });

    it("a repayment goes to the series that owes it: a top-up pays the unpaid series, whose holder is then paid", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, carol, usdcVault, weth } = sys;
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await sys.list(2200n * WAD, expiry, true);
      const writer = await sys.fundAccount(alice, "weth", 2n * WAD);
      await clearing.connect(alice).write(writer, call, ONE, carol.address);
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await weth.getAddress(), 2_500n * WAD);
      await clearing.settle(call);
      await clearing.settleAccount(writer);
      const shares = await sys.fundVaultShares(alice, "usdc", 1_000n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(writer, await usdcVault.getAddress(), shares);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.seriesOf(writer)).to.deep.equal([]);
      expect(await clearing.settlementPool(call)).to.equal(await usdcVault.previewWithdraw(300n * USDC_UNIT));
      await clearing.connect(carol).exercise(call, ONE, carol.address);
      expect(await clearing.settlementPool(call)).to.equal(0n);
    });
  });

  describe("health() is the account after its lazy settlement, per series", () => {
    it("stored debt beside quote credited from a long's pool: health shows it repaid, as settleAccount does", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol, weth, usdcVault } = sys;
      const expiry = (await time.latest()) + 7 * DAY;
      const short = await sys.list(2200n * WAD, expiry, true);
      const long = await sys.list(2000n * WAD, expiry, true);
      const victim = await sys.fundAccount(alice, "weth", 2n * WAD);
      await clearing.connect(alice).write(victim, short, ONE, carol.address);
      const writer = await sys.fundAccount(bob, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(bob).write(writer, long, ONE, alice.address);
      await clearing.connect(alice).depositLongs(victim, long, ONE);
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await weth.getAddress(), 2_500n * WAD);
      await clearing.settle(short);
      await clearing.settle(long);
      // The short's debit finds no quote collateral (debt 300); the long waits for its pool.
      await clearing.settleAccount(victim);
      expect(await clearing.seriesDebtOf(victim, short)).to.equal(300n * WAD);
      expect(await clearing.positionOf(victim, long)).to.equal(ONE);
      // Bob's short pays the long's pool; the next touch credits the long (500) after its repayment step.
      await clearing.settleAccount(writer);
      await clearing.settleAccount(victim);
      const vault = await usdcVault.getAddress();
      expect(await clearing.collateralOf(victim, vault)).to.equal(
        await usdcVault.previewWithdraw(500n * USDC_UNIT),
      );
      expect(await clearing.debtOf(victim)).to.equal(300n * WAD);
      // health() already sees the repayment the next touch makes; settleAccount then leaves it unchanged.
      const before = await clearing.health(victim);
      expect(before.debtWad).to.equal(0n);
      await clearing.settleAccount(victim);
      expect(await clearing.debtOf(victim)).to.equal(0n);
      const after = await clearing.health(victim);
      expect([after.collateralValueWad, after.maintenanceWad, after.debtWad]).to.deep.equal([
        before.collateralValueWad,
        before.maintenanceWad,
        before.debtWad,
      ]);
      expect(await clearing.settlementPool(short)).to.equal(
        await usdcVault.previewWithdraw(300n * USDC_UNIT),
      );
    });
  });

  describe("a settled long is not a position: liquidation never values it at today's intrinsic value", () => {
    it("an insolvent account holding a pending settled long is liquidated as insolvent, with insurance cover", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol, weth } = sys;
      await stake(sys, 10_000n * USDC_UNIT);
      const t0 = await time.latest();
      const settling = await sys.list(2000n * WAD, t0 + 7 * DAY, true);
      const later = await sys.list(2200n * WAD, t0 + 30 * DAY, true);
      // Bob writes the settling call from WETH only (his debt stays unpaid, so the long's credit stays pending).
      const bobAccount = await sys.fundAccount(bob, "weth", 3n * WAD);
      await clearing.connect(bob).write(bobAccount, settling, ONE, alice.address);
      const victim = await sys.fundAccount(alice, "usdc", 1_500n * USDC_UNIT);
      await clearing.connect(alice).depositLongs(victim, settling, ONE);
      await clearing.connect(alice).write(victim, later, ONE, carol.address);
      await time.increaseTo(t0 + 7 * DAY + 60);
      await sys.setSpot(await weth.getAddress(), 2_500n * WAD);
      await clearing.settle(settling);
      await clearing.settleAccount(victim);
      expect(await clearing.positionOf(victim, settling), "pending").to.equal(ONE);
      // Spot climbs further: the pending long's intrinsic value grows, but the pool still cannot pay it.
      await wethStepsTo(sys, [3_700n * WAD]);
      const keeper = await sys.fundAccount(carol, "usdc", 100_000n * USDC_UNIT);
      const quote = await clearing.liquidationQuote(victim);
      expect(quote.liquidatable).to.equal(true);
      expect(
        quote.result.liabilityWad > 0n,
        "the short's liability is not offset by the pending long",
      ).to.equal(true);
      const tx = await clearing.connect(carol).liquidate(victim, keeper, WAD, 0, FAR);
      const [done] = liquidatedResults(clearing, (await tx.wait())!.logs);
      expect(done.fractionWad).to.equal(WAD);
      expect(done.coveredWad > 0n, "the insurance covers the deficit").to.equal(true);
      expect(await clearing.positionOf(keeper, settling), "the pending long goes with the account").to.equal(
        ONE,
      );
    });
  });

  describe("the liquidation grace period holds for an account valued in the quote alone", () => {
    it("a debt-only account is not liquidated during LIQUIDATE's grace period (ScopeInGracePeriod)", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol, breaker, guardian, governor } = sys;
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await sys.list(2200n * WAD, expiry, true);
      const victim = await sys.fundAccount(alice, "usdc", 1_000n * USDC_UNIT);
      await clearing.connect(alice).write(victim, call, ONE, carol.address);
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await sys.weth.getAddress(), 2_900n * WAD);
      await wethStepsTo(sys, [3_500n * WAD]);
      await clearing.settle(call);
      await clearing.settleAccount(victim);
      expect(await clearing.debtOf(victim)).to.equal(300n * WAD);
      const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
      await breaker.connect(guardian).pause(Scopes.LIQUIDATE, "test");
      await time.increaseTo(await breaker.resumableAt(Scopes.LIQUIDATE));
      await breaker.connect(governor).resume(Scopes.LIQUIDATE);
      await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.LIQUIDATE, await breaker.graceEndsAt(Scopes.LIQUIDATE));
      expect(await clearing.debtOf(victim)).to.equal(300n * WAD);
      await time.increaseTo(await breaker.graceEndsAt(Scopes.LIQUIDATE));
      await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
      expect(await clearing.debtOf(victim)).to.equal(0n);
    });
  });

  describe("write never pulls longs out of an account while WITHDRAW is paused", () => {
    it("writing against a held long (netting it, minting it to the recipient) needs WITHDRAW", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, carol, breaker, guardian } = sys;
      const call = await sys.list(2200n * WAD, (await time.latest()) + 7 * DAY, true);
      const writer = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, carol.address);
      const holder = await sys.fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(carol).depositLongs(holder, call, ONE);
      await breaker.connect(guardian).pause(Scopes.WITHDRAW, "test");
      await expect(clearing.connect(carol).write(holder, call, ONE, carol.address))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(
          Scopes.WITHDRAW,
          (r: bigint) => r > 0n,
          (t: bigint) => t > 0n,
        );
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      // A plain write (no long to net) is not a withdrawal.
      await clearing.connect(alice).write(writer, call, ONE, carol.address);
      expect(await clearing.positionOf(writer, call)).to.equal(-2n * ONE);
    });
  });

  describe("longs written after a socialised loss are not diluted by it", () => {
    it("a series with written-off shorts refuses new writes (SeriesImpaired)", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol } = sys;
      const call = await sys.list(2200n * WAD, (await time.latest()) + 7 * DAY, true);
      const victim = await sys.fundAccount(alice, "usdc", 1_200n * USDC_UNIT);
      await clearing.connect(alice).write(victim, call, 2n * ONE, carol.address);
      const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
      await sys.setSpot(await sys.weth.getAddress(), 2_900n * WAD);
      await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
      const written = await clearing.writtenOff(call);
      expect(written > 0n, "the empty insurance vault leaves a socialised loss").to.equal(true);
      const writer = await sys.fundAccount(carol, "usdc", 50_000n * USDC_UNIT);
      await expect(clearing.connect(carol).write(writer, call, ONE, carol.address))
        .to.be.revertedWithCustomError(clearing, "SeriesImpaired")
        .withArgs(call, written);
      expect(await clearing.positionOf(writer, call)).to.equal(0n);
    });
  });

  describe("settlement after its window: the first round in it, or a bounded fallback", () => {
    async function expiredCall() {
      const sys = await loadFixture(deploySystem);
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await sys.list(2200n * WAD, expiry, true);
      const windowEnd = BigInt(expiry) + (await sys.clearing.SETTLEMENT_WINDOW_SECONDS());
      return { sys, call, expiry, windowEnd };
    }

    it("recovers after a trip during the window: the first round after expiry settles once resumed", async () => {
      const { sys, call, expiry, windowEnd } = await expiredCall();
      const { clearing, oracle, breaker, guardian, governor, weth } = sys;
      const wethAddress = await weth.getAddress();
      await time.increaseTo(expiry + 60);
      await sys.setSpot(wethAddress, 2_300n * WAD);
      const [first] = await oracle.latestRound(wethAddress);
      await breaker.connect(guardian).pause(Scopes.SETTLE, "test");
      await expect(clearing.settle(call)).to.be.revertedWithCustomError(breaker, "ScopeTripped");
      await sys.setSpot(wethAddress, 2_400n * WAD);
      await time.increaseTo(windowEnd + 1n);
      await expect(clearing.settleFromRound(call, first)).to.be.revertedWithCustomError(
        breaker,
        "ScopeTripped",
      );
      // The window is longer than the breaker's cooldown here: the resume comes after it closed.
      expect((await breaker.resumableAt(Scopes.SETTLE)) <= BigInt(await time.latest())).to.equal(true);
      await breaker.connect(governor).resume(Scopes.SETTLE);
      await expect(clearing.settle(call)).to.be.revertedWithCustomError(clearing, "SettlementWindowClosed");
      // A later round of the window is not the first: the caller has no choice of price.
      const second = first + 1n;
      const [, firstAt] = await oracle.roundData(wethAddress, first);
      const [, secondAt] = await oracle.roundData(wethAddress, second);
      await expect(clearing.settleFromRound(call, second))
        .to.be.revertedWithCustomError(clearing, "NotFirstRoundAfterExpiry")
        .withArgs(call, second, secondAt, firstAt);
      await expect(clearing.settleFromRound(call, first))
        .to.emit(clearing, "SeriesSettled")
        .withArgs(call, 2_300n * WAD, 100n * WAD, false);
      const rounds = await seriesSettlementRounds(clearing, oracle, call);
      expect(rounds.firstInWindow).to.equal(first);
    });

    it("settleFromRound refuses a round before expiry and waits for the window to close", async () => {
      const { sys, call, expiry, windowEnd } = await expiredCall();
      const { clearing, oracle, weth } = sys;
      const wethAddress = await weth.getAddress();
      const [before] = await oracle.latestRound(wethAddress);
      await time.increaseTo(expiry + 60);
      await expect(clearing.settleFromRound(call, before))
        .to.be.revertedWithCustomError(clearing, "SettlementWindowStillOpen")
        .withArgs(call, windowEnd);
      await time.increaseTo(windowEnd + 1n);
      const [, beforeAt] = await oracle.roundData(wethAddress, before);
      await expect(clearing.settleFromRound(call, before))
        .to.be.revertedWithCustomError(clearing, "NotFirstRoundAfterExpiry")
        .withArgs(call, before, beforeAt, (prev: bigint) => prev < beforeAt);
    });

    it("the fallback price lies within FALLBACK_MAX_DEVIATION of the last round before expiry", async () => {
      const { sys, call, windowEnd } = await expiredCall();
      const { clearing, oracle, governor } = sys;
      await time.increaseTo(windowEnd + 1n);
      const rounds = await seriesSettlementRounds(clearing, oracle, call);
      expect(rounds.firstInWindow).to.equal(null);
      const ref = rounds.referenceRoundId;
      const deviation = await clearing.FALLBACK_MAX_DEVIATION_WAD();
      const low = mulWadUp(rounds.referencePriceWad, WAD - deviation);
      const high = mulWadDown(rounds.referencePriceWad, WAD + deviation);
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, high + 1n, ref))
        .to.be.revertedWithCustomError(clearing, "FallbackPriceOutOfBounds")
        .withArgs(call, high + 1n, low, high);
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, low - 1n, ref))
        .to.be.revertedWithCustomError(clearing, "FallbackPriceOutOfBounds")
        .withArgs(call, low - 1n, low, high);
      // Only the last round before expiry is the reference.
      if (ref > 1n) {
        await expect(
          clearing.connect(governor).settleWithFallbackPrice(call, high, ref - 1n),
        ).to.be.revertedWithCustomError(clearing, "InvalidReferenceRound");
      }
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, high, 0n))
        .to.be.revertedWithCustomError(clearing, "InvalidReferenceRound")
        .withArgs(call, 0n, 0n, (next: bigint) => next > 0n);
      // A round that does not exist, or one observed after expiry, is no reference either.
      await expect(
        clearing.connect(governor).settleWithFallbackPrice(call, high, ref + 1000n),
      ).to.be.revertedWithCustomError(clearing, "InvalidReferenceRound");
      await sys.setSpot(await sys.weth.getAddress(), 2_000n * WAD);
      const [after] = await oracle.latestRound(await sys.weth.getAddress());
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, high, after))
        .to.be.revertedWithCustomError(clearing, "InvalidReferenceRound")
        .withArgs(call, after, (at: bigint) => at > 0n, 0n);
      expect((await clearing.series(call)).settled).to.equal(false);
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, high, ref))
        .to.emit(clearing, "SeriesSettled")
        .withArgs(call, high, high - 2200n * WAD, true);
    });

    it("the fallback is refused when a round was recorded in the window (settleFromRound settles it)", async () => {
      const { sys, call, expiry, windowEnd } = await expiredCall();
      const { clearing, oracle, governor, weth } = sys;
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await weth.getAddress(), 2_300n * WAD);
      await time.increaseTo(windowEnd + 1n);
      const rounds = await seriesSettlementRounds(clearing, oracle, call);
      expect(rounds.firstInWindow !== null).to.equal(true);
      await expect(
        clearing.connect(governor).settleWithFallbackPrice(call, 2_300n * WAD, rounds.referenceRoundId),
      ).to.be.revertedWithCustomError(clearing, "InvalidReferenceRound");
      await clearing.settleFromRound(call, rounds.firstInWindow!);
      expect((await clearing.series(call)).settlementPriceWad).to.equal(2_300n * WAD);
    });
  });
});
