/**
 * The margin check's unpriced bound (docs/risk-model.md, "The unpriced bound"): an account whose collateral, all in
 * the quote asset, covers PortfolioMargin.initialUpperBound passes a risk-increasing action without pricing the
 * scenario grid; any other account is priced, and a refusal names the priced requirement. Whether the calculator
 * was asked is read from the transaction's call frames.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";
import {
  initialUpperBound,
  requirementTolerance,
  requirements,
  riskParamsFrom,
} from "../../../scripts/lib/margin";
import { profileTx } from "../../../scripts/bench/profile";
import { INV, assertInvariant } from "../../shared/invariants";
import { DAY, SPOT_WETH, USDC_UNIT, deploySystem } from "../../shared/fixtures/system";
import { deployExchangeSystem, TAKER_FEE } from "../../shared/fixtures/exchange";
import { Side } from "../../../src/exchange/order";

describe("unit/options/MarginLogic: the unpriced bound", () => {
  async function book() {
    const sys = await loadFixture(deploySystem);
    const expiry = (await time.latest()) + 30 * DAY;
    const put = await sys.list(1800n * WAD, expiry, false);
    return { ...sys, expiry, put };
  }

  type Book = Awaited<ReturnType<typeof book>>;

  /** Whether transaction `hash` called the margin calculator. */
  async function pricedIn(calculator: string, hash: string): Promise<boolean> {
    const frames = await profileTx(hash, new Map([[calculator.toLowerCase(), "calculator"]]), 8);
    return frames.some((line) => line.includes("calculator"));
  }

  /** The reference's priced initial margin and unpriced bound of `amount` of `seriesId` (one WETH position) at `now`. */
  async function reference(sys: Book, seriesId: bigint, amount: bigint, now?: bigint) {
    const s = await sys.clearing.series(seriesId);
    const risk = riskParamsFrom(await sys.clearing.riskParams(await sys.weth.getAddress()));
    now ??= BigInt(await time.latest());
    const positions = [{ strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount }];
    return {
      initialWad: requirements(positions, SPOT_WETH, risk, now).initialWad,
      boundWad: initialUpperBound(positions, SPOT_WETH, risk, now),
      toleranceWad: 2n * requirementTolerance(positions, SPOT_WETH, risk),
    };
  }

  it("a writer whose USDC covers the bound passes without pricing, and stands above the priced initial margin", async () => {
    const sys = await book();
    const { clearing, calculator, alice, bob, put } = sys;
    const id = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
    const tx = await clearing.connect(alice).write(id, put, 2n * WAD, bob.address);
    expect(await pricedIn(await calculator.getAddress(), tx.hash)).to.equal(false);
    const h = await clearing.health(id);
    const { boundWad } = await reference(sys, put, -2n * WAD);
    expect(h.collateralValueWad >= boundWad).to.equal(true);
    assertInvariant(
      INV.INITIAL_MARGIN_AFTER_ACTION,
      h.collateralValueWad >= h.initialWad,
      () => `${h.initialWad}`,
    );
    assertInvariant(INV.MARGIN_BOUND, boundWad >= h.initialWad, () => `${boundWad} < ${h.initialWad}`);
  });

  it("a writer below the bound but above the priced initial margin is priced and passes", async () => {
    const sys = await book();
    const { clearing, calculator, alice, bob, put } = sys;
    const id = await sys.fundAccount(alice, "usdc", 2_000n * USDC_UNIT);
    const tx = await clearing.connect(alice).write(id, put, WAD, bob.address);
    expect(await pricedIn(await calculator.getAddress(), tx.hash)).to.equal(true);
    const h = await clearing.health(id);
    const { boundWad } = await reference(sys, put, -WAD);
    expect(h.collateralValueWad < boundWad, `${h.collateralValueWad} vs bound ${boundWad}`).to.equal(true);
    expect(h.collateralValueWad >= h.initialWad).to.equal(true);
    expect(await clearing.positionOf(id, put)).to.equal(-WAD);
  });

  it("a writer below the priced initial margin is refused with the priced requirement, not the bound", async () => {
    const sys = await book();
    const { clearing, alice, bob, put } = sys;
    const id = await sys.fundAccount(alice, "usdc", 500n * USDC_UNIT);
    const at = BigInt(await time.latest()) + 1n;
    const { initialWad, boundWad, toleranceWad } = await reference(sys, put, -WAD, at);
    expect(initialWad > 500n * WAD && initialWad < boundWad).to.equal(true);
    const near = (x: bigint) => (x > initialWad ? x - initialWad : initialWad - x) <= toleranceWad;
    await time.setNextBlockTimestamp(at);
    await expect(clearing.connect(alice).write(id, put, WAD, bob.address))
      .to.be.revertedWithCustomError(clearing, "BelowInitialMargin")
      .withArgs(id, 500n * WAD, near);
    expect(await clearing.positionOf(id, put)).to.equal(0n);
  });

  it("WETH collateral is always priced: the bound counts no correlation", async () => {
    const sys = await book();
    const { clearing, calculator, alice, bob, put } = sys;
    const id = await sys.fundAccount(alice, "weth", 100n * WAD);
    const tx = await clearing.connect(alice).write(id, put, WAD, bob.address);
    expect(await pricedIn(await calculator.getAddress(), tx.hash)).to.equal(true);
  });

  it("a fill prices the writer's grid only when its collateral does not cover the bound", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const { exchange, calculator, alice, bob, bobAccount } = sys;
    const calc = await calculator.getAddress();
    const fill = async (account: bigint) => {
      const o = await sys.order(alice, account, { side: Side.Sell, amount: WAD });
      return exchange.connect(bob).fill(o.order, o.signature, WAD, bobAccount, TAKER_FEE);
    };
    const covered = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
    const lean = await sys.fundAccount(alice, "usdc", 2_000n * USDC_UNIT);
    expect(await pricedIn(calc, (await fill(covered)).hash)).to.equal(false);
    expect(await pricedIn(calc, (await fill(lean)).hash)).to.equal(true);
    for (const id of [covered, lean]) {
      const h = await sys.clearing.health(id);
      assertInvariant(INV.INITIAL_MARGIN_AFTER_ACTION, h.collateralValueWad >= h.initialWad, () => `${id}`);
    }
  });
});
