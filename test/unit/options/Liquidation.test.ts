import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { OptionsClearing } from "../../../typechain-types";
import { Scopes } from "../../../scripts/lib/scopes";
import { WAD, divUp, mulWadDown, mulWadUp } from "../../../scripts/lib/math/wad";
import { riskParamsFrom } from "../../../scripts/lib/margin";
import {
  deploySystem,
  DAY,
  HOUR,
  USDC_UNIT,
  WETH_HAIRCUT_WAD,
  type System,
} from "../../shared/fixtures/system";
import { LIQUIDATION_RESULT_FIELDS, liquidatedResults } from "../../../scripts/lib/liquidation";
import { referenceRequirement } from "../../../scripts/lib/keeper/health";
import {
  allowedSecondsBetween,
  discountAfter,
  neededFraction,
  type LiquidationPause,
} from "../../../scripts/lib/math/liquidation";
import { INV, assertInvariant } from "../../shared/invariants";

const STRIKE = 2200n * WAD;
const ONE = WAD;
const FAR = 2n ** 63n;

describe("unit/options/Liquidation", () => {
  // The auction's bounds, as the clearing exposes them.
  let START_DISCOUNT: bigint;
  let MAX_DISCOUNT: bigint;
  before(async () => {
    const { clearing } = await loadFixture(deploySystem);
    ({ startDiscountWad: START_DISCOUNT, maxDiscountWad: MAX_DISCOUNT } =
      await clearing.dutchAuctionSchedule());
  });

  /**
   * Alice writes 2 calls K=2200 from an account funded just above the initial requirement; Bob, the liquidator,
   * has a well-funded account of his own; a staker funds the insurance vault.
   */
  async function unhealthyBook() {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, usdc, insurance } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const victim = await sys.fundAccount(alice, "usdc", 1_200n * USDC_UNIT);
    await clearing.connect(alice).write(victim, call, 2n * ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await usdc.mint(carol.address, 10_000n * USDC_UNIT);
    await usdc.connect(carol).approve(await insurance.getAddress(), 10_000n * USDC_UNIT);
    await insurance.connect(carol).deposit(10_000n * USDC_UNIT, carol.address);
    return { ...sys, expiry, call, victim, keeper };
  }

  /**
   * Alice writes one call K=2200 from an account backed by 1 WETH; Bob's keeper account holds 100,000 USDC; the
   * series expires and settles at 2,900 (the short owes 700 once the account is settled).
   */
  async function settledWethWriter() {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const victim = await sys.fundAccount(alice, "weth", WAD);
    await clearing.connect(alice).write(victim, call, ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await time.increaseTo(expiry + 60);
    await sys.setSpot(await weth.getAddress(), 2_900n * WAD);
    await clearing.settle(call);
    return { sys, clearing, bob, call, victim, keeper };
  }

  /** Alice writes one `call` from 2,000 USDC, then withdraws down to exactly her initial requirement. */
  async function writerAtInitial(
    sys: Pick<System, "clearing" | "alice" | "carol" | "usdcVault" | "fundAccount">,
    call: bigint,
  ): Promise<bigint> {
    const { clearing, alice, carol, usdcVault } = sys;
    const second = await sys.fundAccount(alice, "usdc", 2_000n * USDC_UNIT);
    await clearing.connect(alice).write(second, call, ONE, carol.address);
    const h = await clearing.health(second);
    const excess = await usdcVault.convertToShares((h.collateralValueWad - h.initialWad) / 10n ** 12n);
    await clearing
      .connect(alice)
      .withdrawCollateral(second, await usdcVault.getAddress(), excess, alice.address);
    return second;
  }

  /** WETH from 2,900 to 800 in two steps, each within the oracle's band (its window rolls in between). */
  async function wethDownTo800(sys: Pick<System, "weth" | "setSpot">) {
    const weth = await sys.weth.getAddress();
    await time.increase(HOUR / 2);
    await sys.setSpot(weth, 1_500n * WAD);
    await time.increase(HOUR + 60);
    await sys.setSpot(weth, 800n * WAD);
  }

  /**
   * A calendar spread whose short leg settled: Alice, on `wethCollateral`, holds 1 long call K=2200 expiring in 30
   * days (written by Carol) and writes `shorts` calls K=2200 expiring in 7 days; those settle at 2,900 and her
   * account is settled (debt 700 per short; no quote collateral repays it). Bob's keeper account holds 100,000 USDC;
   * a staker funds the insurance vault.
   */
  async function settledCalendar(shorts: bigint, wethCollateral: bigint) {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth, insurance, usdc } = sys;
    const now = await time.latest();
    const near = await sys.list(STRIKE, now + 7 * DAY, true);
    const farExpiry = now + 30 * DAY;
    const far = await sys.list(STRIKE, farExpiry, true);
    const maker = await sys.fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
    await clearing.connect(carol).write(maker, far, ONE, alice.address);
    const victim = await sys.fundAccount(alice, "weth", wethCollateral);
    await clearing.connect(alice).depositLongs(victim, far, ONE);
    await clearing.connect(alice).write(victim, near, shorts, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await usdc.mint(carol.address, 10_000n * USDC_UNIT);
    await usdc.connect(carol).approve(await insurance.getAddress(), 10_000n * USDC_UNIT);
    await insurance.connect(carol).deposit(10_000n * USDC_UNIT, carol.address);
    await time.increaseTo(now + 7 * DAY + 60);
    const spot = 2_900n * WAD;
    await sys.setSpot(await weth.getAddress(), spot);
    await clearing.settle(near);
    await clearing.settleAccount(victim);
    return { sys, victim, keeper, far, farExpiry, spot };
  }

  /** `weth` of collateral's fall to the grid's lowest spot (-30%) times (1 + the 20% buffer): wethRisk's D. */
  const wethFall = (weth: bigint, spot: bigint): bigint => {
    const lowest = (spot * 7n) / 10n;
    return mulWadUp(mulWadUp(mulWadDown(weth, WAD - WETH_HAIRCUT_WAD), spot - lowest), (12n * WAD) / 10n);
  };

  /** The result fields of a quote or of a Liquidated event, as plain bigints (field order of LiquidationResult). */
  const FIELDS = LIQUIDATION_RESULT_FIELDS;
  type ResultLike = Record<(typeof FIELDS)[number], bigint>;
  const fields = (r: ResultLike) => Object.fromEntries(FIELDS.map((f) => [f, r[f]]));

  /**
   * Quote the account at the timestamp the next block will have, then liquidate it in that block with a full
   * appetite: returns the quote and what the liquidation did (its Liquidated event).
   */
  async function quoteThenLiquidate(
    clearing: OptionsClearing,
    liquidator: HardhatEthersSigner,
    accountId: bigint,
    liquidatorAccountId: bigint,
  ) {
    await time.setNextBlockTimestamp((await time.latest()) + 7);
    const quote = await clearing.liquidationQuote(accountId, { blockTag: "pending" });
    const tx = await clearing.connect(liquidator).liquidate(accountId, liquidatorAccountId, WAD, 0, FAR);
    const receipt = await tx.wait();
    const events = await clearing.queryFilter(
      clearing.filters.Liquidated(accountId),
      receipt!.blockNumber,
      receipt!.blockNumber,
    );
    expect(events.length).to.equal(1);
    return { quote, done: events[0].args.result };
  }

  /** Let `seconds` pass as a keeper would, re-flagging the account every half heartbeat (keeps its auction alive). */
  async function keepFlagged(
    sys: Awaited<ReturnType<typeof unhealthyBook>>,
    account: bigint,
    seconds: number,
  ) {
    const step = Number((await sys.clearing.dutchAuctionSchedule()).heartbeatSeconds) / 2;
    for (let left = seconds; left > 0; left -= step) {
      await time.increase(Math.min(step, left));
      await sys.refreshPrices();
      await sys.clearing.flagLiquidatable(account);
    }
  }

  async function below(sys: Awaited<ReturnType<typeof unhealthyBook>>, price: bigint) {
    await sys.setSpot(await sys.weth.getAddress(), price);
    const h = await sys.clearing.health(sys.victim);
    return h;
  }

  it("refuses to liquidate a healthy account (AccountHealthy), state unchanged", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper, call } = sys;
    const h = await clearing.health(victim);
    expect(h.collateralValueWad >= h.maintenanceWad).to.equal(true);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "AccountHealthy")
      .withArgs(victim, h.collateralValueWad, (m: bigint) => m <= h.collateralValueWad);
    expect(await clearing.positionOf(victim, call)).to.equal(-2n * ONE);
  });

  it("liquidates an account below maintenance only as far as needed, at the starting discount", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper, call, insurance } = sys;
    const h = await below(sys, 2300n * WAD);
    expect(h.collateralValueWad < h.maintenanceWad).to.equal(true);
    const insuranceBefore = await insurance.totalAssets();
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.emit(
      clearing,
      "Liquidated",
    );
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const result = event.args.result;
    expect(result.discountWad).to.equal(START_DISCOUNT);
    expect(result.fractionWad > 0n && result.fractionWad < WAD).to.equal(true);
    // The liquidated account ends at (about) its initial requirement: healthier, not emptied.
    const after = await clearing.health(victim);
    expect(after.collateralValueWad >= after.maintenanceWad).to.equal(true);
    const shortAfter = -(await clearing.positionOf(victim, call));
    expect(shortAfter > 0n && shortAfter < 2n * ONE).to.equal(true);
    // The liquidator holds the moved short and ends above its initial requirement.
    expect(-(await clearing.positionOf(keeper, call))).to.equal(2n * ONE - shortAfter);
    const k = await clearing.health(keeper);
    expect(k.collateralValueWad >= k.initialWad).to.equal(true);
    // Open interest is conserved; the penalty reached the insurance vault.
    const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === inAccounts + tokens,
      () => `${shorts} ${inAccounts} ${tokens}`,
    );
    // The penalty is owed to the insurance vault as pending quote-vault shares; payPenalties pays it.
    const penaltyAssets = result.penaltyWad / 10n ** 12n;
    const pending = await clearing.pendingPenaltyShares();
    expect(await sys.usdcVault.previewRedeem(pending)).to.equal(penaltyAssets);
    expect(await insurance.totalAssets()).to.equal(insuranceBefore);
    await expect(clearing.connect(bob).payPenalties())
      .to.emit(clearing, "PenaltiesPaid")
      .withArgs(pending, penaltyAssets);
    expect((await insurance.totalAssets()) - insuranceBefore).to.equal(penaltyAssets);
    expect(await clearing.pendingPenaltyShares()).to.equal(0n);
    expect(result.penaltyWad > 0n).to.equal(true);
  });

  it("takes no more than the liquidator's maximum fraction", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper } = sys;
    await below(sys, 2300n * WAD);
    const result = await clearing.connect(bob).liquidate.staticCall(victim, keeper, WAD / 100n, 0, FAR);
    expect(result.fractionWad).to.equal(WAD / 100n);
  });

  it("refuses an unknown account or liquidator account (AccountNotFound), state unchanged", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper, call } = sys;
    await below(sys, 2300n * WAD);
    const missing = (await clearing.accountCount()) + 1n;
    await expect(clearing.connect(bob).liquidate(missing, keeper, WAD, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "AccountNotFound")
      .withArgs(missing);
    await expect(clearing.connect(bob).liquidate(victim, missing, WAD, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "AccountNotFound")
      .withArgs(missing);
    await expect(clearing.flagLiquidatable(missing))
      .to.be.revertedWithCustomError(clearing, "AccountNotFound")
      .withArgs(missing);
    expect(await clearing.positionOf(victim, call)).to.equal(-2n * ONE);
    expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT); // not flagged: the start value
    expect((await clearing.queryFilter(clearing.filters.LiquidationFlagged(victim))).length).to.equal(0);
  });

  it("flagLiquidatable starts the auction below maintenance, resets it once healthy, and leaves a healthy account alone", async () => {
    const sys = await unhealthyBook();
    const { clearing, victim, alice } = sys;
    // Healthy and never flagged: nothing happens.
    await expect(clearing.flagLiquidatable(victim)).to.not.emit(clearing, "LiquidationFlagged");
    await below(sys, 2300n * WAD);
    const tx = clearing.flagLiquidatable(victim);
    await expect(tx)
      .to.emit(clearing, "LiquidationFlagged")
      .withArgs(victim, (since: bigint) => since > 0n);
    // A second flag while still below keeps the clock where it started.
    await expect(clearing.flagLiquidatable(victim)).to.not.emit(clearing, "LiquidationFlagged");
    // The owner tops up above maintenance: the next flag resets the auction.
    await sys.fundVaultShares(alice, "usdc", 10_000n * USDC_UNIT);
    const shares = await sys.usdcVault.balanceOf(alice.address);
    await clearing.connect(alice).depositCollateral(victim, await sys.usdcVault.getAddress(), shares);
    await expect(clearing.flagLiquidatable(victim))
      .to.emit(clearing, "LiquidationFlagged")
      .withArgs(victim, 0);
    expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
  });

  it("an account collateralised only in WETH pays no penalty (the penalty comes from quote collateral)", async () => {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    // WETH backing WETH puts: the collateral falls with the puts (docs/risk-model.md, "Correlated collateral").
    const put = await sys.list(1800n * WAD, expiry, false);
    const victim = await sys.fundAccount(alice, "weth", ONE);
    await clearing.connect(alice).write(victim, put, ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    const h0 = await clearing.health(victim);
    expect(h0.collateralValueWad >= h0.initialWad).to.equal(true);
    await sys.setSpot(await weth.getAddress(), 1400n * WAD);
    const h = await clearing.health(victim);
    expect(h.collateralValueWad < h.maintenanceWad, "liquidatable").to.equal(true);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    expect(event.args.result.penaltyWad).to.equal(0n);
    expect(event.args.result.seizedValueWad > 0n).to.equal(true);
    expect(await clearing.pendingPenaltyShares()).to.equal(0n);
  });

  it("a liquidator holding longs of the series nets them against the shorts it takes (INV_OPEN_INTEREST)", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, carol, victim, keeper, call } = sys;
    // Carol sells Bob one of her longs; Bob deposits it into his keeper account.
    await clearing.connect(carol).safeTransferFrom(carol.address, bob.address, call, ONE, "0x");
    await clearing.connect(bob).depositLongs(keeper, call, ONE);
    const [shortsBefore, inAccountsBefore, tokensBefore] = await clearing.openInterest(call);
    expect(inAccountsBefore).to.equal(ONE);
    await below(sys, 2300n * WAD);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const taken = 2n * ONE + (await clearing.positionOf(victim, call)); // shorts moved out of the victim
    expect(taken > 0n && taken < ONE).to.equal(true);
    // The keeper's long absorbed the shorts it took: shorts and longs in accounts both fell by the amount taken.
    expect(await clearing.positionOf(keeper, call)).to.equal(ONE - taken);
    const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
    expect([shorts, inAccounts, tokens]).to.deep.equal([
      shortsBefore - taken,
      inAccountsBefore - taken,
      tokensBefore,
    ]);
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === inAccounts + tokens,
      () => `${shorts} ${inAccounts} ${tokens}`,
    );
  });

  it("caps the penalty by the quote collateral seized (a mostly-WETH account)", async () => {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth, usdcVault } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    const put = await sys.list(1800n * WAD, expiry, false);
    const victim = await sys.fundAccount(alice, "weth", ONE);
    // A few cents of USDC beside the WETH: the seized quote shares are worth less than the penalty.
    const cents = await sys.fundVaultShares(alice, "usdc", USDC_UNIT / 100n);
    await clearing.connect(alice).depositCollateral(victim, await usdcVault.getAddress(), cents);
    await clearing.connect(alice).write(victim, put, ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await sys.setSpot(await weth.getAddress(), 1400n * WAD);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const r = event.args.result;
    const pending = await clearing.pendingPenaltyShares();
    const seizedQuote = cents - (await clearing.collateralOf(victim, await usdcVault.getAddress()));
    // Uncapped the penalty would be half the bonus: liability × discount / 2.
    const uncapped = mulWadDown(mulWadDown(r.liabilityWad, r.discountWad), WAD / 2n);
    expect(r.penaltyWad < uncapped).to.equal(true);
    expect(pending).to.equal(seizedQuote);
    expect(r.penaltyWad).to.equal((await usdcVault.previewRedeem(pending)) * 10n ** 12n);
  });

  it("grows the discount from START to MAX over an auction kept alive by observations", async () => {
    const sys = await unhealthyBook();
    const { clearing, victim } = sys;
    await below(sys, 2300n * WAD);
    await clearing.flagLiquidatable(victim);
    expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    await keepFlagged(sys, victim, HOUR / 2);
    const mid = await clearing.liquidationDiscount(victim);
    expect(mid > START_DISCOUNT && mid < MAX_DISCOUNT).to.equal(true);
    await keepFlagged(sys, victim, HOUR);
    expect(await clearing.liquidationDiscount(victim)).to.equal(MAX_DISCOUNT);
  });

  describe("the auction clock means continuously liquidatable since (INV_AUCTION_CONTINUOUS)", () => {
    it("an account that recovered by price and fell again later starts at the start discount", async () => {
      const sys = await unhealthyBook();
      const { clearing, bob, victim, keeper } = sys;
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      await keepFlagged(sys, victim, HOUR);
      expect(await clearing.liquidationDiscount(victim)).to.equal(MAX_DISCOUNT);
      // The price recovers (nobody observes it), and days later falls again.
      await below(sys, 2000n * WAD);
      await time.increase(3 * DAY);
      await below(sys, 2300n * WAD);
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
      const tx = await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
      const receipt = await tx.wait();
      const [event] = liquidatedResults(clearing, receipt!.logs);
      expect(event.discountWad).to.equal(START_DISCOUNT);
    });

    it("a healthy observation ends the auction: flagLiquidatable after a top-up", async () => {
      const sys = await unhealthyBook();
      const { clearing, victim, alice, usdcVault } = sys;
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      await keepFlagged(sys, victim, HOUR / 2);
      const shares = await sys.fundVaultShares(alice, "usdc", 50_000n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(victim, await usdcVault.getAddress(), shares);
      await expect(clearing.flagLiquidatable(victim))
        .to.emit(clearing, "LiquidationFlagged")
        .withArgs(victim, 0);
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    });

    it("a withdrawal that passes the initial requirement ends the auction", async () => {
      const sys = await unhealthyBook();
      const { clearing, victim, alice, usdcVault } = sys;
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      await keepFlagged(sys, victim, HOUR / 2);
      await below(sys, 1500n * WAD);
      const vault = await usdcVault.getAddress();
      await expect(clearing.connect(alice).withdrawCollateral(victim, vault, 1n, alice.address))
        .to.emit(clearing, "LiquidationFlagged")
        .withArgs(victim, 0);
      await below(sys, 2300n * WAD);
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    });

    it("a gap between observations longer than the heartbeat restarts the auction", async () => {
      const sys = await unhealthyBook();
      const { clearing, victim } = sys;
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      const heartbeat = Number((await clearing.dutchAuctionSchedule()).heartbeatSeconds);
      await time.increase(heartbeat + 1);
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
      await sys.refreshPrices();
      const tx = clearing.flagLiquidatable(victim);
      await expect(tx).to.emit(clearing, "LiquidationFlagged");
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    });

    it("does not run while the breaker refuses the liquidation: a flag in a pause starts nothing", async () => {
      const sys = await unhealthyBook();
      const { clearing, breaker, guardian, victim } = sys;
      await below(sys, 2300n * WAD);
      await breaker.connect(guardian).pause(Scopes.LIQUIDATE, "test");
      await expect(clearing.flagLiquidatable(victim)).to.not.emit(clearing, "LiquidationFlagged");
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    });

    /** The block time of a mined transaction. */
    async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
      const receipt = await (await tx).wait();
      return BigInt((await receipt!.getBlock()).timestamp);
    }

    /** A pause of `scope` from now, resumed after the cooldown: its trip and the end of its grace period. */
    async function pauseAndResume(
      sys: Awaited<ReturnType<typeof unhealthyBook>>,
      scope: string,
    ): Promise<LiquidationPause> {
      const { breaker, guardian, governor } = sys;
      const trippedAt = await minedAt(breaker.connect(guardian).pause(scope, "test"));
      await time.increase(Number(await breaker.cooldownSeconds()));
      await breaker.connect(governor).resume(scope);
      return { trippedAt, graceEndsAt: await breaker.graceEndsAt(scope) };
    }

    it("stands still while the breaker refuses (pause and grace), then runs on from where it stood", async () => {
      const sys = await unhealthyBook();
      const { clearing, bob, victim, keeper, weth } = sys;
      const schedule = await clearing.dutchAuctionSchedule();
      await below(sys, 2300n * WAD);
      const started = await minedAt(clearing.flagLiquidatable(victim));
      await time.increase(300);
      await sys.refreshPrices();
      const seen = await minedAt(clearing.flagLiquidatable(victim));
      const before = discountAfter(schedule, seen - started);
      expect(before > START_DISCOUNT, "the clock ran before the pause").to.equal(true);

      const scope = Scopes.asset(await weth.getAddress());
      const pause = await pauseAndResume(sys, scope);
      // In the grace period: no observation, and the discount has not moved (a restart would read START).
      await sys.refreshPrices();
      await expect(clearing.flagLiquidatable(victim)).to.not.emit(clearing, "LiquidationFlagged");
      expect(await clearing.liquidationDiscount(victim)).to.equal(before);

      await time.increaseTo(pause.graceEndsAt + 30n);
      await sys.refreshPrices();
      const tx = clearing.flagLiquidatable(victim);
      await expect(tx).to.not.emit(clearing, "LiquidationFlagged"); // the same auction, not a new one
      const resumedAt = await minedAt(tx);
      const elapsed = allowedSecondsBetween(started, resumedAt, [pause]);
      expect(elapsed, "the pause and its grace do not count").to.equal(
        seen - started + (pause.trippedAt - seen) + (resumedAt - pause.graceEndsAt),
      );
      expect(await clearing.liquidationDiscount(victim)).to.equal(discountAfter(schedule, elapsed));

      const liquidation = clearing.connect(bob).liquidate(victim, keeper, WAD / 100n, 0, FAR);
      const at = await minedAt(liquidation);
      const [result] = liquidatedResults(clearing, (await (await liquidation).wait())!.logs);
      expect(result.discountWad).to.equal(discountAfter(schedule, elapsed + (at - resumedAt)));
      expect(result.discountWad < MAX_DISCOUNT, "not the capped discount of a clock that ran on").to.equal(
        true,
      );
    });

    it("counts the allowed time before a trip: over the heartbeat in all, the next observation starts afresh", async () => {
      const sys = await unhealthyBook();
      const { clearing, victim, weth } = sys;
      const { heartbeatSeconds } = await clearing.dutchAuctionSchedule();
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      await time.increase(Number(heartbeatSeconds) - 120);
      const pause = await pauseAndResume(sys, Scopes.asset(await weth.getAddress()));
      // 8 minutes before the trip and 3 after the grace period: 11 minutes of allowed time unobserved.
      await time.increaseTo(pause.graceEndsAt + 180n);
      await sys.refreshPrices();
      const tx = clearing.flagLiquidatable(victim);
      await expect(tx)
        .to.emit(clearing, "LiquidationFlagged")
        .withArgs(victim, await minedAt(tx));
      expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    });

    it("keeps running through a pause of a scope the account does not depend on", async () => {
      const sys = await unhealthyBook();
      const { clearing, breaker, guardian, victim } = sys;
      const schedule = await clearing.dutchAuctionSchedule();
      await below(sys, 2300n * WAD);
      const started = await minedAt(clearing.flagLiquidatable(victim));
      // Another asset's price scope trips: the account's liquidation stays allowed and its clock runs.
      await breaker
        .connect(guardian)
        .pause(Scopes.asset("0x000000000000000000000000000000000000dEaD"), "test");
      let seen = started;
      for (let i = 0; i < 3; i++) {
        await time.increase(300);
        await sys.refreshPrices();
        seen = await minedAt(clearing.flagLiquidatable(victim));
      }
      expect(await clearing.liquidationDiscount(victim)).to.equal(discountAfter(schedule, seen - started));
      expect(seen - started >= 900n, "longer than one heartbeat").to.equal(true);
      // Its resume and grace period do not stop the account's clock either: it reaches the cap, no restart.
      await keepFlagged(sys, victim, HOUR);
      await breaker.connect(sys.governor).resume(Scopes.asset("0x000000000000000000000000000000000000dEaD"));
      await keepFlagged(sys, victim, 15 * 60);
      expect(await clearing.liquidationDiscount(victim)).to.equal(MAX_DISCOUNT);
      const flagged = await clearing.queryFilter(clearing.filters.LiquidationFlagged(victim));
      expect(flagged.map((e) => e.args.since)).to.deep.equal([started]);
    });
  });

  it("ends the auction when a partial liquidation restores the initial requirement, not when it is capped", async () => {
    // Capped by the liquidator's maximum: the account is still short of maintenance and the auction clock runs on.
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper } = sys;
    await below(sys, 2300n * WAD);
    await clearing.flagLiquidatable(victim);
    await keepFlagged(sys, victim, HOUR / 2);
    const running = await clearing.liquidationDiscount(victim);
    expect(running > START_DISCOUNT).to.equal(true);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD / 100n, 0, FAR)).to.not.emit(
      clearing,
      "LiquidationFlagged",
    );
    const capped = await clearing.health(victim);
    expect(capped.collateralValueWad < capped.maintenanceWad, "still short after a 1% take").to.equal(true);
    expect(await clearing.liquidationDiscount(victim)).to.be.greaterThanOrEqual(running);

    // Taking what is needed brings the account back to its initial requirement: the auction is over, and a later
    // shortfall starts again from the start discount instead of the discount reached in this one.
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR))
      .to.emit(clearing, "LiquidationFlagged")
      .withArgs(victim, 0);
    const restored = await clearing.health(victim);
    expect(restored.collateralValueWad >= restored.maintenanceWad, "restored").to.equal(true);
    expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
    await time.increase(2 * HOUR);
    expect(await clearing.liquidationDiscount(victim)).to.equal(START_DISCOUNT);
  });

  it("refuses a liquidator that would end below its initial requirement", async () => {
    const sys = await unhealthyBook();
    const { clearing, victim, carol } = sys;
    await below(sys, 2300n * WAD);
    const poor = await sys.fundAccount(carol, "usdc", 1n * USDC_UNIT);
    await expect(clearing.connect(carol).liquidate(victim, poor, WAD, 0, FAR)).to.be.revertedWithCustomError(
      clearing,
      "BelowInitialMargin",
    );
  });

  it("refuses self-liquidation (same owner) and a caller who does not control the liquidator account", async () => {
    const sys = await unhealthyBook();
    const { clearing, alice, carol, victim, keeper } = sys;
    await below(sys, 2300n * WAD);
    const own = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
    await expect(clearing.connect(alice).liquidate(victim, own, WAD, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "SelfLiquidation")
      .withArgs(victim, own);
    await expect(clearing.connect(carol).liquidate(victim, keeper, WAD, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "NotOwnerOrOperator")
      .withArgs(keeper, carol.address);
  });

  it("refuses while the underlying is tripped and during the grace period after the resume", async () => {
    const sys = await unhealthyBook();
    const { clearing, breaker, guardian, governor, bob, victim, keeper, weth } = sys;
    await below(sys, 2300n * WAD);
    const scope = Scopes.asset(await weth.getAddress());
    await breaker.connect(guardian).pause(scope, "test");
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.be.revertedWithCustomError(
      breaker,
      "ScopeTripped",
    );
    await time.increase(HOUR);
    await breaker.connect(governor).resume(scope);
    await sys.refreshPrices();
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.be.revertedWithCustomError(
      breaker,
      "ScopeInGracePeriod",
    );
    // Risk-reducing actions work in the grace period: the owner can top up.
    const shares = await sys.fundVaultShares(sys.alice, "usdc", 100n * USDC_UNIT);
    await clearing.connect(sys.alice).depositCollateral(victim, await sys.usdcVault.getAddress(), shares);
  });

  it("fails cleanly when the owner's top-up lands first (front-run)", async () => {
    const sys = await unhealthyBook();
    const { clearing, alice, bob, victim, keeper, usdcVault } = sys;
    await below(sys, 2300n * WAD);
    const shares = await sys.fundVaultShares(alice, "usdc", 5_000n * USDC_UNIT);
    await clearing.connect(alice).depositCollateral(victim, await usdcVault.getAddress(), shares);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.be.revertedWithCustomError(
      clearing,
      "AccountHealthy",
    );
  });

  it("honours the liquidator's limit and deadline, and refuses a fraction of zero or above 100%", async () => {
    const sys = await unhealthyBook();
    const { clearing, bob, victim, keeper } = sys;
    await below(sys, 2300n * WAD);
    await expect(
      clearing.connect(bob).liquidate(victim, keeper, WAD, 2n * WAD, FAR),
    ).to.be.revertedWithCustomError(clearing, "LiquidationBelowLimit");
    const past = BigInt(await time.latest()) - 1n;
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, past))
      .to.be.revertedWithCustomError(clearing, "LiquidationDeadlinePassed")
      .withArgs(past);
    for (const f of [0n, WAD + 1n]) {
      await expect(clearing.connect(bob).liquidate(victim, keeper, f, 0, FAR))
        .to.be.revertedWithCustomError(clearing, "InvalidLiquidationFraction")
        .withArgs(f);
    }
  });

  it("takes an insolvent account whole: insurance covers it, and dust under one USDC unit is not socialised", async () => {
    const sys = await unhealthyBook();
    const { clearing, calculator, bob, victim, keeper, call, expiry, weth, insurance } = sys;
    const spot = 2900n * WAD;
    const h = await below(sys, spot);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD / 2n, 0, FAR))
      .to.be.revertedWithCustomError(clearing, "FullLiquidationRequired")
      .withArgs(victim, WAD / 2n);
    // The deficit recomputed with the calculator at the liquidation's block time: owed at the discount - collateral.
    const at = (await time.latest()) + 10;
    const { volWad } = await clearing.riskParams(await weth.getAddress());
    const short = { strikeWad: STRIKE, expiry, isCall: true, amount: -2n * ONE };
    const owedWad = mulWadUp(await calculator.markLiability([short], spot, volWad, at), WAD + START_DISCOUNT);
    const deficitWad = owedWad - h.collateralValueWad;
    expect(deficitWad % 10n ** 12n, "the deficit is not a whole number of USDC units").to.not.equal(0n);
    const insuranceBefore = await insurance.totalAssets();
    expect(insuranceBefore * 10n ** 12n > deficitWad, "the insurance vault can cover it").to.equal(true);
    await time.setNextBlockTimestamp(at);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const result = event.args.result;
    expect(result.fractionWad).to.equal(WAD);
    expect(result.seizedValueWad).to.equal(h.collateralValueWad);
    // INV_BAD_DEBT_ACCOUNTED: the insurance pays the deficit in whole USDC units; the remainder, under one unit
    // (1e12 WAD), is absorbed by the liquidator instead of being written off the longs' payout.
    const coverAssets = deficitWad / 10n ** 12n;
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      result.coveredWad === coverAssets * 10n ** 12n && result.socialisedWad === 0n,
      () => `deficit ${deficitWad}: cover ${result.coveredWad}, socialised ${result.socialisedWad}`,
    );
    expect(await insurance.totalAssets()).to.equal(insuranceBefore - coverAssets);
    expect(await clearing.writtenOff(call)).to.equal(0n);
    expect(await clearing.queryFilter(clearing.filters.LossSocialised())).to.have.length(0);
    expect(await clearing.positionOf(victim, call)).to.equal(0n);
    expect((await clearing.seriesOf(victim)).length).to.equal(0);
  });

  it("socialises the loss on the series payout when the insurance vault is empty", async () => {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const victim = await sys.fundAccount(alice, "usdc", 1_200n * USDC_UNIT);
    await clearing.connect(alice).write(victim, call, 2n * ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await sys.setSpot(await weth.getAddress(), 2900n * WAD);
    const result = await clearing.connect(bob).liquidate.staticCall(victim, keeper, WAD, 0, FAR);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.emit(
      clearing,
      "LossSocialised",
    );
    expect(result.coveredWad).to.equal(0n);
    expect(result.socialisedWad > 0n).to.equal(true);
    const written = await clearing.writtenOff(call);
    expect(written > 0n).to.equal(true);
    // Open interest now reads longs == shorts + written off.
    const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
    assertInvariant(
      INV.OPEN_INTEREST,
      inAccounts + tokens === shorts + written,
      () => `${shorts} ${written}`,
    );
    // At settlement every long receives the payout scaled by shorts / (shorts + written off).
    await time.increaseTo(expiry + 60);
    const price = 2900n * WAD;
    await sys.setSpot(await weth.getAddress(), price);
    await clearing.settle(call);
    await clearing.settleAccount(keeper);
    const payout = price - STRIKE;
    const perLong = (payout * shorts) / (shorts + written);
    const before = await sys.usdc.balanceOf(carol.address);
    await clearing.connect(carol).exercise(call, ONE, carol.address);
    expect((await sys.usdc.balanceOf(carol.address)) - before).to.equal(
      mulWadDown(ONE, perLong) / 10n ** 12n,
    );
  });

  it("liquidates an account whose only exposure is settlement debt (expired series) backed by WETH", async () => {
    const { sys, clearing, call, bob, victim, keeper } = await settledWethWriter();
    await clearing.settleAccount(victim);
    const debt = await clearing.debtOf(victim);
    expect(debt).to.equal(700n * WAD);
    const h = await clearing.health(victim);
    // 1 WETH × 2,900 × 0.8 = 2,320 of collateral against a debt of 700: healthy, so it cannot be liquidated.
    expect(h.collateralValueWad > h.maintenanceWad).to.equal(true);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.be.revertedWithCustomError(
      clearing,
      "AccountHealthy",
    );
    // WETH falling to 800 (in two steps within the oracle's band) leaves 640 of collateral against 700 of debt:
    // liquidatable, with no series left; the liquidator takes the debt and the WETH.
    await wethDownTo800(sys);
    // No position left: the settled series stays listed only for the debt the account owes to it.
    expect(await clearing.seriesOf(victim)).to.deep.equal([call]);
    expect(await clearing.seriesDebtOf(victim, call)).to.equal(await clearing.debtOf(victim));
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    expect(await clearing.debtOf(victim)).to.equal(0n);
  });

  it("nets a long against the settlement debt beside it: a calendar spread whose short leg settled is solvent", async () => {
    // Alice, on 0.6 WETH: short 2 calls K=2200 expiring in 7 days, long 1 call K=2200 expiring in 30 days. The short
    // leg settles at 2,900 (debt 1,400; no quote collateral repays it); the long is worth more than 700.
    const { sys, victim, keeper, far, farExpiry, spot } = await settledCalendar(2n * ONE, (6n * WAD) / 10n);
    const { clearing, calculator, bob, weth, insurance } = sys;
    const debt = await clearing.debtOf(victim);
    expect(debt).to.equal(1_400n * WAD);
    // The account at the liquidation's own block time (the long's value and its WETH's scenario term decay with it).
    const at = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(at);
    const h = await clearing.health(victim, { blockTag: "pending" });
    expect(h.collateralValueWad < h.maintenanceWad, "liquidatable: longs are not margin collateral").to.equal(
      true,
    );

    // The mark of the long at the liquidation's own block time, with the calculator.
    const { volWad } = await clearing.riskParams(await weth.getAddress());
    const long = { strikeWad: STRIKE, expiry: farExpiry, isCall: true, amount: ONE };
    const [valueWad, markWad] = await calculator.mark([long], spot, volWad, at);
    expect(markWad, "a long alone owes nothing at mark").to.equal(0n);
    expect(valueWad > 700n * WAD, "the long is worth more than its intrinsic value").to.equal(true);
    const liabilityWad = debt - valueWad;
    // Without the netting the account would be insolvent (owed = debt x (1 + d) > collateral) and draw insurance.
    expect(mulWadUp(debt, WAD + START_DISCOUNT) > h.collateralValueWad).to.equal(true);
    const owedWad = mulWadUp(liabilityWad, WAD + START_DISCOUNT);
    expect(owedWad < h.collateralValueWad, "solvent once the long pays part of the debt").to.equal(true);

    const insuranceBefore = await insurance.totalAssets();
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const r = event.args.result;
    expect([r.coveredWad, r.socialisedWad]).to.deep.equal([0n, 0n]);
    expect(await insurance.totalAssets()).to.equal(insuranceBefore);
    // Solvent: only as far as needed, f = (I - C) / (I - owed) rounded up, with the initial requirement = the debt.
    // The WETH's fall at -30% x (1 + 20% buffer) is the correlated part the seized collateral leaves behind.
    const fallWad = wethFall((6n * WAD) / 10n, spot);
    const fraction = neededFraction(h.collateralValueWad, h.initialWad, owedWad, fallWad, WAD).fractionWad;
    expect(r.fractionWad).to.equal(fraction);
    expect(r.liabilityWad).to.equal(mulWadUp(liabilityWad, fraction));
    expect(r.seizedValueWad).to.equal(mulWadDown(owedWad, fraction));
    // The liquidator took that fraction of the long with the debt.
    expect(await clearing.positionOf(keeper, far)).to.equal(mulWadDown(ONE, fraction));
    // Back at its initial requirement (= maintenance: the debt), up to the valuation's rounding of the WETH left:
    // one wei of WETH at 2,900 x 0.8 (docs/liquidation.md, "Rounding").
    const after = await clearing.health(victim);
    const roundingWad = mulWadDown(spot, WAD - WETH_HAIRCUT_WAD);
    expect(after.collateralValueWad + roundingWad >= after.maintenanceWad, "back at maintenance").to.equal(
      true,
    );
    // The requirement left: the debt left, and the long left beside the WETH left (its scenario term).
    const left = await referenceRequirement(
      clearing,
      sys.oracle,
      victim,
      "latest",
      BigInt(await time.latest()),
    );
    const beyondDebt = after.maintenanceWad - (await clearing.debtOf(victim));
    expect(beyondDebt - left.maintenanceWad <= left.toleranceWad).to.equal(true);
    expect(left.maintenanceWad - beyondDebt <= left.toleranceWad).to.equal(true);
  });

  it("a long worth more than everything owed leaves no liability: nothing seized, only the fraction needed taken", async () => {
    // 1 short settled (debt 700) beside the 30-day long, on 0.3 WETH (696 of collateral at 2,900): liquidatable,
    // but the long pays the whole debt at mark, so the liquidator takes a sliver of both and seizes nothing.
    const { sys, victim, keeper, far, spot } = await settledCalendar(ONE, (3n * WAD) / 10n);
    const { clearing, bob, insurance } = sys;
    const at = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(at);
    const h = await clearing.health(victim, { blockTag: "pending" });
    // The debt, and the long beside the WETH (its scenario term; docs/risk-model.md, "Correlated collateral").
    const long = await referenceRequirement(clearing, sys.oracle, victim, "pending", BigInt(at));
    const beyondDebt = h.maintenanceWad - 700n * WAD;
    expect(beyondDebt - long.maintenanceWad <= long.toleranceWad).to.equal(true);
    expect(long.maintenanceWad - beyondDebt <= long.toleranceWad).to.equal(true);
    expect(h.collateralValueWad < h.maintenanceWad).to.equal(true);
    const insuranceBefore = await insurance.totalAssets();
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const r = event.args.result;
    expect([r.liabilityWad, r.seizedValueWad, r.penaltyWad, r.coveredWad, r.socialisedWad]).to.deep.equal([
      0n,
      0n,
      0n,
      0n,
      0n,
    ]);
    // f = (I - C) / (I - 0): the debt (= initial requirement) the collateral does not cover, rounded up.
    const fraction = neededFraction(
      h.collateralValueWad,
      h.initialWad,
      0n,
      wethFall((3n * WAD) / 10n, spot),
      WAD,
    ).fractionWad;
    expect(r.fractionWad).to.equal(fraction);
    expect(await clearing.positionOf(keeper, far)).to.equal(mulWadDown(ONE, fraction));
    expect(await clearing.debtOf(keeper)).to.equal(0n); // the keeper's USDC repaid the debt it took at once
    expect(await insurance.totalAssets()).to.equal(insuranceBefore);
    const after = await clearing.health(victim);
    expect(after.collateralValueWad >= after.maintenanceWad, "healthy again").to.equal(true);
  });

  it("takes exactly the smallest fraction that restores the initial requirement, rounded up", async () => {
    const sys = await unhealthyBook();
    const { clearing, calculator, bob, victim, keeper, call, expiry, weth } = sys;
    const spot = 2300n * WAD;
    await below(sys, spot);
    // Requirement and mark liability recomputed with the calculator at the liquidation's own block time.
    const at = (await time.latest()) + 10;
    const r = await clearing.riskParams(await weth.getAddress());
    const risk = riskParamsFrom(r);
    const position = {
      strikeWad: STRIKE,
      expiry,
      isCall: true,
      amount: await clearing.positionOf(victim, call),
    };
    const [, initialWad] = await calculator.requirements([position], spot, risk, at);
    const owedWad = mulWadUp(
      await calculator.markLiability([position], spot, r.volWad, at),
      WAD + START_DISCOUNT,
    );
    const collateralWad = (await clearing.health(victim)).collateralValueWad;
    expect(initialWad > owedWad && collateralWad > owedWad).to.equal(true);
    // f = (I - C) / (I - owed), rounded up so that the account is back at its initial requirement.
    const numerator = (initialWad - collateralWad) * WAD;
    const denominator = initialWad - owedWad;
    expect(
      numerator % denominator,
      "the division must not be exact for this test to mean anything",
    ).to.not.equal(0n);
    await time.setNextBlockTimestamp(at);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    expect(event.args.result.fractionWad).to.equal(divUp(numerator, denominator));
  });

  it("rounds the socialised payout per long down (at a size where its last wei is one unit of quote)", async () => {
    // 10^12 contracts: exercise pays amount x payout / 10^30 quote units, which is the payout per long in wei.
    const SCALE = 10n ** 12n;
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth } = sys;
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const victim = await sys.fundAccount(alice, "usdc", 1_200n * USDC_UNIT * SCALE);
    // An odd number of contracts and a price with a last decimal: shorts / (shorts + written off) is not exact.
    await clearing.connect(alice).write(victim, call, 2n * ONE * SCALE + 1n, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT * SCALE);
    const price = 2900n * WAD + 10n ** 10n;
    await sys.setSpot(await weth.getAddress(), price);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const written = await clearing.writtenOff(call);
    const [shorts] = await clearing.openInterest(call);
    const payout = price - STRIKE;
    expect(written > 0n, "a loss was socialised").to.equal(true);
    expect((payout * shorts) % (shorts + written), "the scaling must not be exact").to.not.equal(0n);
    await time.increaseTo(expiry + 60);
    await sys.setSpot(await weth.getAddress(), price);
    await clearing.settle(call);
    await clearing.settleAccount(keeper);
    const perLong = (payout * shorts) / (shorts + written);
    const before = await sys.usdc.balanceOf(carol.address);
    await clearing.connect(carol).exercise(call, ONE * SCALE, carol.address);
    expect((await sys.usdc.balanceOf(carol.address)) - before).to.equal(
      mulWadDown(ONE * SCALE, perLong) / 10n ** 12n,
    );
  });

  it("moves the settlement debt with the fraction taken: a partial liquidation leaves the rest with the account", async () => {
    const sys = await loadFixture(deploySystem);
    const { clearing, alice, bob, carol, weth } = sys;
    const wethAddress = await weth.getAddress();
    const t0 = await time.latest();
    const soon = await sys.list(2000n * WAD, t0 + DAY, false);
    const later = await sys.list(2000n * WAD, t0 + 7 * DAY, false);
    // WETH collateral only: the settlement debt is not repaid from quote collateral and stays on the account.
    const victim = await sys.fundAccount(alice, "weth", (3n * WAD) / 2n);
    await clearing.connect(alice).write(victim, soon, ONE / 2n, carol.address);
    await clearing.connect(alice).write(victim, later, ONE, carol.address);
    const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
    await time.increaseTo(t0 + DAY + 60);
    await sys.setSpot(wethAddress, 1900n * WAD);
    await clearing.settle(soon);
    await clearing.settleAccount(victim);
    const debt = await clearing.debtOf(victim);
    expect(debt).to.equal(50n * WAD); // half a put, 100 in the money
    await sys.setSpot(wethAddress, 1300n * WAD);
    const h = await clearing.health(victim);
    expect(h.collateralValueWad < h.maintenanceWad).to.equal(true);
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
    const fraction = event.args.result.fractionWad;
    expect(fraction > 0n && fraction < WAD, "a partial liquidation").to.equal(true);
    expect(await clearing.debtOf(victim)).to.equal(debt - mulWadUp(debt, fraction));
  });

  it("refuses to liquidate on a tripped collateral price: a debt-only account backed by WETH after a WETH crash", async () => {
    // Regression (found by test/fuzz/Liquidation.fuzz.test.ts): with no series left, the breaker check looked at
    // LIQUIDATE only, so an account whose only risk is its WETH collateral was liquidated at the very price that had
    // just tripped WETH's scope, with no grace period for its owner to top up.
    const { sys, clearing, call, bob, victim, keeper } = await settledWethWriter();
    const { weth, breaker, governor } = sys;
    await clearing.settleAccount(victim);
    // No position left: the settled series stays listed only for the debt the account owes to it.
    expect(await clearing.seriesOf(victim)).to.deep.equal([call]);
    expect(await clearing.seriesDebtOf(victim, call)).to.equal(await clearing.debtOf(victim));
    // WETH crashes 2,900 -> 800 in one report: beyond the 50% band, WETH's scope trips; 640 of collateral vs 700.
    await time.increase(HOUR + 60);
    await sys.setSpot(await weth.getAddress(), 800n * WAD);
    const scope = Scopes.asset(await weth.getAddress());
    expect(await breaker.isTripped(scope)).to.equal(true);
    const h = await clearing.health(victim);
    expect(h.collateralValueWad < h.maintenanceWad).to.equal(true);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR))
      .to.be.revertedWithCustomError(breaker, "ScopeTripped")
      .withArgs(
        scope,
        (r: bigint) => r >= 0n,
        (t: bigint) => t > 0n,
      );
    expect((await clearing.liquidationQuote(victim)).breakerAllows).to.equal(false);
    await time.increase(HOUR);
    await sys.refreshPrices();
    await breaker.connect(governor).resume(scope);
    await expect(clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR)).to.be.revertedWithCustomError(
      breaker,
      "ScopeInGracePeriod",
    );
    expect(await clearing.debtOf(victim)).to.equal(700n * WAD);
    await time.increase(HOUR + 1);
    await sys.refreshPrices();
    await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
    expect(await clearing.debtOf(victim)).to.equal(0n);
  });

  describe("penalties: pending until payPenalties, first in line as bad-debt cover", () => {
    async function liquidatedOnce() {
      const sys = await unhealthyBook();
      await below(sys, 2300n * WAD);
      await sys.clearing.connect(sys.bob).liquidate(sys.victim, sys.keeper, WAD, 0, FAR);
      const pending = await sys.clearing.pendingPenaltyShares();
      expect(pending > 0n).to.equal(true);
      return { ...sys, pending };
    }

    it("payPenalties with nothing pending does nothing and returns 0", async () => {
      const { clearing, insurance, bob } = await unhealthyBook();
      const before = await insurance.totalAssets();
      expect(await clearing.connect(bob).payPenalties.staticCall()).to.equal(0n);
      await expect(clearing.connect(bob).payPenalties()).to.not.emit(clearing, "PenaltiesPaid");
      expect(await insurance.totalAssets()).to.equal(before);
    });

    it("pending penalty shares stay out of the free pool and out of every account", async () => {
      const { clearing, usdcVault, pending } = await liquidatedOnce();
      const vault = await usdcVault.getAddress();
      const held = await usdcVault.balanceOf(await clearing.getAddress());
      // Held by the clearing = collateral of all accounts + pending penalties (no settlement yet: no free pool).
      expect(held).to.equal((await clearing.totalCollateral(vault)) + pending);
    });

    it("exercises never pay out of the pending penalties: the free pool excludes them", async () => {
      const sys = await liquidatedOnce();
      const { clearing, carol, call, expiry, victim, keeper, pending } = sys;
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await sys.weth.getAddress(), 2300n * WAD);
      await clearing.settle(call);
      // 0.01 contract pays 1 USDC, less than the pending penalties are worth; no short has paid yet.
      const small = ONE / 100n;
      expect((await sys.usdcVault.previewRedeem(pending)) > 1n * USDC_UNIT).to.equal(true);
      await expect(clearing.connect(carol).exercise(call, small, carol.address))
        .to.be.revertedWithCustomError(clearing, "InsufficientSettledFunds")
        .withArgs(call, (needed: bigint) => needed > 0n, 0n);
      // Once the shorts are settled the pool pays, and the pending penalties are untouched.
      await clearing.settleAccount(victim);
      await clearing.settleAccount(keeper);
      await clearing.connect(carol).exercise(call, small, carol.address);
      expect(await clearing.pendingPenaltyShares()).to.equal(pending);
    });

    it("with an empty insurance vault the pending penalties still cover, before anything is socialised", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, carol, usdcVault, insurance } = sys;
      const weth = await sys.weth.getAddress();
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await sys.list(STRIKE, expiry, true);
      const victim = await sys.fundAccount(alice, "usdc", 1_200n * USDC_UNIT);
      await clearing.connect(alice).write(victim, call, 2n * ONE, carol.address);
      const keeper = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
      // A second writer at exactly its initial requirement.
      const second = await writerAtInitial(sys, call);
      // The first liquidation books a penalty; the insurance vault itself stays empty.
      await sys.setSpot(weth, 2300n * WAD);
      await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
      const pending = await clearing.pendingPenaltyShares();
      const pendingAssets = await usdcVault.previewRedeem(pending);
      expect(pendingAssets > 0n && (await insurance.totalAssets()) === 0n).to.equal(true);
      // +48% within the band once its window rolled: the second writer is insolvent.
      await time.increase(HOUR);
      await sys.setSpot(weth, 3400n * WAD);
      await clearing.connect(bob).liquidate(second, keeper, WAD, 0, FAR);
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(second));
      const r = event.args.result;
      expect(r.coveredWad).to.equal(pendingAssets * 10n ** 12n);
      expect(r.socialisedWad > 0n).to.equal(true);
      expect(await clearing.pendingPenaltyShares()).to.equal(0n);
    });

    it("while WITHDRAW is tripped the penalty is still taken; payPenalties waits for the resume", async () => {
      const sys = await unhealthyBook();
      const { clearing, breaker, guardian, bob, victim, keeper, insurance } = sys;
      await below(sys, 2300n * WAD);
      await breaker.connect(guardian).pause(Scopes.WITHDRAW, "test");
      await clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR);
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
      const result = event.args.result;
      expect(result.penaltyWad > 0n).to.equal(true);
      const pending = await clearing.pendingPenaltyShares();
      expect(await sys.usdcVault.previewRedeem(pending)).to.equal(result.penaltyWad / 10n ** 12n);
      const before = await insurance.totalAssets();
      await expect(clearing.connect(bob).payPenalties()).to.be.revertedWithCustomError(
        breaker,
        "ScopeTripped",
      );
      expect(await clearing.pendingPenaltyShares()).to.equal(pending);
      expect(await insurance.totalAssets()).to.equal(before);
    });

    it("an insolvent liquidation draws the pending penalties first, then the insurance vault", async () => {
      const sys = await liquidatedOnce();
      const { clearing, alice, bob, carol, insurance, usdcVault, pending } = sys;
      // A second writer at exactly its initial requirement, made insolvent by a +48% move (within the oracle's
      // band once its window has rolled), far beyond the margin grid's 30% shock.
      const second = await writerAtInitial(sys, sys.call);
      await time.increase(HOUR);
      await sys.setSpot(await sys.weth.getAddress(), 3400n * WAD);
      const pendingAssets = await usdcVault.previewRedeem(pending);
      const vaultBefore = await insurance.totalAssets();
      await time.setNextBlockTimestamp((await time.latest()) + 7);
      const quote = await clearing.liquidationQuote(second, { blockTag: "pending" });
      await clearing.connect(bob).liquidate(second, sys.keeper, WAD, 0, FAR);
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(second));
      const result = event.args.result;
      const covered = result.coveredWad / 10n ** 12n;
      expect(covered > pendingAssets).to.equal(true); // the pending penalties alone do not cover it
      expect(await clearing.pendingPenaltyShares()).to.equal(0n);
      expect(vaultBefore - (await insurance.totalAssets())).to.equal(covered - pendingAssets);
      expect(quote.result.coveredWad).to.equal(result.coveredWad);
    });
  });

  describe("liquidationQuote (keeper view)", () => {
    it("reports a healthy account as not liquidatable, with the figures of health()", async () => {
      const sys = await unhealthyBook();
      const { clearing, victim } = sys;
      const h = await clearing.health(victim);
      const q = await clearing.liquidationQuote(victim);
      expect([q.liquidatable, q.belowMaintenance, q.breakerAllows, q.settlementPending]).to.deep.equal([
        false,
        false,
        true,
        false,
      ]);
      expect([q.collateralValueWad, q.maintenanceWad, q.initialWad]).to.deep.equal([
        h.collateralValueWad,
        h.maintenanceWad,
        h.initialWad,
      ]);
      for (const f of FIELDS) expect(q.result[f], f).to.equal(0n);
    });

    it("equals what the following partial liquidation does (fraction, liability, seized value, penalty)", async () => {
      const sys = await unhealthyBook();
      const { clearing, bob, victim, keeper, insurance } = sys;
      await below(sys, 2300n * WAD);
      const insuranceBefore = await insurance.totalAssets();
      const { quote, done } = await quoteThenLiquidate(clearing, bob, victim, keeper);
      expect(quote.liquidatable).to.equal(true);
      expect(quote.result.fractionWad > 0n && quote.result.fractionWad < WAD).to.equal(true);
      expect(quote.result.penaltyWad > 0n).to.equal(true);
      expect(fields(quote.result)).to.deep.equal(fields(done));
      // The quoted penalty is what reaches the insurance vault (USDC has 6 decimals).
      await clearing.payPenalties();
      expect((await insurance.totalAssets()) - insuranceBefore).to.equal(
        quote.result.penaltyWad / 10n ** 12n,
      );
    });

    it("follows the auction: the quoted discount is the one the liquidation applies half an hour after the flag", async () => {
      const sys = await unhealthyBook();
      const { clearing, bob, victim, keeper } = sys;
      await below(sys, 2300n * WAD);
      await clearing.flagLiquidatable(victim);
      await keepFlagged(sys, victim, HOUR / 2);
      const { quote, done } = await quoteThenLiquidate(clearing, bob, victim, keeper);
      expect(quote.result.discountWad > START_DISCOUNT && quote.result.discountWad < MAX_DISCOUNT).to.equal(
        true,
      );
      expect(fields(quote.result)).to.deep.equal(fields(done));
    });

    it("equals an insolvent liquidation: insurance cover and socialised loss, with and without insurance", async () => {
      // With the insurance vault funded (10,000 USDC): the deficit is covered.
      const sys = await unhealthyBook();
      await below(sys, 2900n * WAD);
      const funded = await quoteThenLiquidate(sys.clearing, sys.bob, sys.victim, sys.keeper);
      expect(funded.quote.result.fractionWad).to.equal(WAD);
      expect(funded.quote.result.coveredWad > 0n).to.equal(true);
      expect(fields(funded.quote.result)).to.deep.equal(fields(funded.done));

      // With an empty insurance vault: the deficit is socialised on the series.
      const bare = await loadFixture(deploySystem);
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await bare.list(STRIKE, expiry, true);
      const victim = await bare.fundAccount(bare.alice, "usdc", 1_200n * USDC_UNIT);
      await bare.clearing.connect(bare.alice).write(victim, call, 2n * ONE, bare.carol.address);
      const keeper = await bare.fundAccount(bare.bob, "usdc", 100_000n * USDC_UNIT);
      await bare.setSpot(await bare.weth.getAddress(), 2900n * WAD);
      const empty = await quoteThenLiquidate(bare.clearing, bare.bob, victim, keeper);
      expect(empty.quote.result.coveredWad).to.equal(0n);
      expect(empty.quote.result.socialisedWad > 0n).to.equal(true);
      expect(fields(empty.quote.result)).to.deep.equal(fields(empty.done));
    });

    it("reports the breaker: not liquidatable while the underlying is tripped or in grace, figures still quoted", async () => {
      const sys = await unhealthyBook();
      const { clearing, breaker, guardian, governor, bob, victim, keeper, weth } = sys;
      await below(sys, 2300n * WAD);
      // Quote at the pause's block time, before the pause; then after it, in that block.
      await time.setNextBlockTimestamp((await time.latest()) + 7);
      const open = await clearing.liquidationQuote(victim, { blockTag: "pending" });
      const scope = Scopes.asset(await weth.getAddress());
      await breaker.connect(guardian).pause(scope, "test");
      const tripped = await clearing.liquidationQuote(victim, { blockTag: "latest" });
      expect([tripped.liquidatable, tripped.belowMaintenance, tripped.breakerAllows]).to.deep.equal([
        false,
        true,
        false,
      ]);
      expect(fields(tripped.result)).to.deep.equal(fields(open.result));
      await expect(
        clearing.connect(bob).liquidate(victim, keeper, WAD, 0, FAR),
      ).to.be.revertedWithCustomError(breaker, "ScopeTripped");
      await time.increase(HOUR);
      await breaker.connect(governor).resume(scope);
      await sys.refreshPrices();
      const grace = await clearing.liquidationQuote(victim);
      expect([grace.liquidatable, grace.breakerAllows]).to.deep.equal([false, false]);
      await time.increase(HOUR + 1);
      await sys.refreshPrices();
      const after = await clearing.liquidationQuote(victim);
      expect([after.liquidatable, after.breakerAllows]).to.deep.equal([true, true]);
    });

    it("flags pending lazy settlement, and equals the liquidation once the account is settled", async () => {
      const { sys, clearing, bob, victim, keeper } = await settledWethWriter();
      expect((await clearing.liquidationQuote(victim)).settlementPending).to.equal(true);
      await clearing.settleAccount(victim);
      expect((await clearing.liquidationQuote(victim)).settlementPending).to.equal(false);
      // Two steps within the oracle's band: 2,900 -> 1,500 -> 800 leaves 640 of WETH value against 700 of debt.
      await wethDownTo800(sys);
      const { quote, done } = await quoteThenLiquidate(clearing, bob, victim, keeper);
      expect(quote.liquidatable).to.equal(true);
      expect(fields(quote.result)).to.deep.equal(fields(done));
    });

    it("flags a settled long only once the free pool can pay its credit (its short has paid)", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, alice, bob, weth } = sys;
      const expiry = (await time.latest()) + 7 * DAY;
      const call = await sys.list(STRIKE, expiry, true);
      const writer = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await weth.getAddress(), 2_900n * WAD);
      await clearing.settle(call);
      // The short has not paid its 700 yet: the long's credit cannot be paid, so touching the holder changes nothing.
      expect((await clearing.liquidationQuote(holder)).settlementPending).to.equal(false);
      expect((await clearing.liquidationQuote(writer)).settlementPending).to.equal(true);
      await clearing.settleAccount(writer);
      expect((await clearing.liquidationQuote(holder)).settlementPending).to.equal(true);
      await clearing.settleAccount(holder);
      expect((await clearing.liquidationQuote(holder)).settlementPending).to.equal(false);
      expect(await clearing.positionOf(holder, call)).to.equal(0n);
    });

    it("reports an account with no priced asset as not liquidatable while LIQUIDATE is paused", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, breaker, guardian, governor, carol } = sys;
      const account = await sys.fundAccount(carol, "usdc", 1_000n * USDC_UNIT); // quote collateral only
      expect((await clearing.liquidationQuote(account)).breakerAllows).to.equal(true);
      await breaker.connect(guardian).pause(Scopes.LIQUIDATE, "test");
      const paused = await clearing.liquidationQuote(account);
      expect([paused.breakerAllows, paused.belowMaintenance, paused.liquidatable]).to.deep.equal([
        false,
        false,
        false,
      ]);
      await time.increaseTo(await breaker.resumableAt(Scopes.LIQUIDATE));
      await breaker.connect(governor).resume(Scopes.LIQUIDATE);
      // The grace period after the resume holds for an account valued in the quote alone too.
      expect((await clearing.liquidationQuote(account)).breakerAllows).to.equal(false);
      await time.increaseTo(await breaker.graceEndsAt(Scopes.LIQUIDATE));
      expect((await clearing.liquidationQuote(account)).breakerAllows).to.equal(true);
    });

    it("refuses an account that does not exist (AccountNotFound)", async () => {
      const sys = await unhealthyBook();
      const missing = (await sys.clearing.accountCount()) + 1n;
      await expect(sys.clearing.liquidationQuote(missing))
        .to.be.revertedWithCustomError(sys.clearing, "AccountNotFound")
        .withArgs(missing);
    });
  });
});
