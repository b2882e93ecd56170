import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { ReentrantLongReceiver } from "../../../typechain-types";
import { Scopes } from "../../../scripts/lib/scopes";
import { TripReason } from "../../../scripts/lib/breaker/tripReason";
import { WAD, mulWadDown, mulWadUp, scale } from "../../../scripts/lib/math/wad";
import { preview, toAssets, toShares } from "../../../scripts/lib/math/erc4626";
import { INV, assertInvariant } from "../../shared/invariants";
import { DAY, SPOT_WETH, USDC_UNIT, WETH_HAIRCUT_WAD } from "../../shared/fixtures/system";
import { SPOT_WBTC, deployTwoUnderlyings, vaultState } from "../../shared/fixtures/clearing-edge";

const STRIKE = 2200n * WAD;
const PUT_STRIKE = 1800n * WAD;
const ONE = WAD; // one contract
const USDC_DECIMALS = 6;
const NOT_LISTED = 12345n;

type Sys = Awaited<ReturnType<typeof deployTwoUnderlyings>>;

describe("unit/options/OptionsClearing.edge", () => {
  async function withSeries() {
    const sys = await loadFixture(deployTwoUnderlyings);
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const put = await sys.list(PUT_STRIKE, expiry, false);
    return { ...sys, expiry, call, put };
  }

  /** Advance past `expiry`, report `priceWad` for WETH after it, and settle `ids` from the oracle. */
  async function settleAt(sys: Sys, expiry: number, priceWad: bigint, ids: bigint[]): Promise<void> {
    await time.increaseTo(expiry + 60);
    await sys.setSpot(await sys.weth.getAddress(), priceWad);
    for (const id of ids) await sys.clearing.settle(id);
  }

  /** Quote-vault shares the clearing holds vs the shares its accounts own (INV_SOLVENCY, account side). */
  async function quoteShares(sys: Sys): Promise<{ held: bigint; owned: bigint }> {
    const v = await sys.usdcVault.getAddress();
    return {
      held: await sys.usdcVault.balanceOf(await sys.clearing.getAddress()),
      owned: await sys.clearing.totalCollateral(v),
    };
  }

  async function assertOpenInterest(sys: Sys, id: bigint): Promise<void> {
    const [shorts, inAccounts, tokens] = await sys.clearing.openInterest(id);
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === inAccounts + tokens && tokens === (await sys.clearing.totalSupply(id)),
      () => `series ${id}: shorts ${shorts}, in accounts ${inAccounts}, tokens ${tokens}`,
    );
  }

  /** Health of `ids` evaluated against the same block (a requirement depends on the block's timestamp). */
  async function healthsAt(sys: Sys, ids: bigint[]) {
    const blockTag = await ethers.provider.getBlockNumber();
    return Promise.all(ids.map((id) => sys.clearing.health(id, { blockTag })));
  }

  const fieldsOf = (h: {
    collateralValueWad: bigint;
    maintenanceWad: bigint;
    initialWad: bigint;
    debtWad: bigint;
  }) => [h.collateralValueWad, h.maintenanceWad, h.initialWad, h.debtWad];

  async function tripTime(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
    const receipt = await (await tx).wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    return BigInt(block!.timestamp);
  }

  describe("prices: the oracle round a poke confirmed within 60 s, else the live median", () => {
    it("a write within 60 s of the poke uses the confirmed round; after it, the live median (and its refusal)", async () => {
      const sys = await withSeries();
      const { clearing, oracle, feeds, alice, bob, call } = sys;
      const account = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await sys.refreshPrices(); // a poke confirms the round now
      const confirmedAt = BigInt(await time.latest());
      // Two of the three feeds go stale: the live median has lost its quorum (2 of 3), no poke reported it.
      const [, answer] = await feeds[0].latestRoundData();
      for (const feed of feeds.slice(0, 2)) await feed.setAnswer(answer, confirmedAt - 2n * 3600n);
      const weth = await sys.weth.getAddress();
      await expect(oracle.getPrice(weth)).to.be.revertedWithCustomError(oracle, "QuorumNotMet");
      await clearing.connect(alice).write(account, call, ONE, bob.address);
      expect(await clearing.positionOf(account, call)).to.equal(-ONE);
      expect((await clearing.health(account)).maintenanceWad > 0n).to.equal(true);
      await time.increaseTo(confirmedAt + 61n);
      await expect(clearing.connect(alice).write(account, call, ONE, bob.address))
        .to.be.revertedWithCustomError(oracle, "QuorumNotMet")
        .withArgs(weth, 1, 2);
      expect(await clearing.positionOf(account, call)).to.equal(-ONE);
    });

    it("settlement always reads the live median, never a confirmed round observed before expiry", async () => {
      const sys = await withSeries();
      const { clearing, feeds, call, expiry } = sys;
      await time.increaseTo(expiry - 10);
      await sys.refreshPrices(); // a round confirmed 10 s before expiry, observed before it
      // After expiry the feeds report 2,500, observed after expiry; nobody pokes.
      const at = BigInt(expiry + 1);
      await time.increaseTo(at);
      for (const feed of feeds) await feed.setAnswer(2_500n * 10n ** 8n, at);
      await clearing.settle(call); // well within 60 s of the poke: a recent-round read would refuse it
      const s = await clearing.series(call);
      expect(s.settlementPriceWad).to.equal(2_500n * WAD);
      expect(s.payoutPerContractWad).to.equal(2_500n * WAD - STRIKE);
    });
  });

  describe("accounts that do not exist", () => {
    it("every account action refuses an unknown id with AccountNotFound(id), changing nothing", async () => {
      const { clearing, alice, bob, usdcVault, call, fundAccount } = await withSeries();
      await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      const count = await clearing.accountCount();
      const v = await usdcVault.getAddress();
      for (const id of [0n, count + 1n]) {
        const calls = [
          () => clearing.connect(alice).depositCollateral(id, v, 1n),
          () => clearing.connect(alice).withdrawCollateral(id, v, 1n, alice.address),
          () => clearing.connect(alice).write(id, call, ONE, bob.address),
          () => clearing.connect(alice).close(id, call, ONE),
          () => clearing.connect(alice).depositLongs(id, call, ONE),
          () => clearing.connect(alice).withdrawLongs(id, call, ONE, alice.address),
          () => clearing.connect(alice).settleAccount(id),
        ];
        for (const c of calls) {
          await expect(c()).to.be.revertedWithCustomError(clearing, "AccountNotFound").withArgs(id);
        }
        expect(await clearing.ownerOf(id)).to.equal(ethers.ZeroAddress);
        expect(await clearing.collateralOf(id, v)).to.equal(0n);
      }
      expect(await clearing.accountCount()).to.equal(count);
      expect(await clearing.totalCollateral(v)).to.equal(
        await usdcVault.balanceOf(await clearing.getAddress()),
      );
    });
  });

  describe("zero addresses, zero amounts, unlisted series", () => {
    it("refuses to mint longs to the zero address from write or withdrawLongs (ZeroAddress)", async () => {
      const { clearing, alice, bob, call, fundAccount } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await expect(
        clearing.connect(alice).write(id, call, ONE, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect(await clearing.positionOf(id, call)).to.equal(0n);
      expect(await clearing.totalSupply(call)).to.equal(0n);
      // A long held in an account cannot be withdrawn to the zero address either.
      await clearing.connect(alice).write(id, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      await expect(
        clearing.connect(bob).withdrawLongs(holder, call, ONE, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      expect(await clearing.totalSupply(call)).to.equal(0n);
    });

    it("refuses a collateral withdrawal of zero shares or to the zero address", async () => {
      const { clearing, alice, usdcVault, fundAccount } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      const v = await usdcVault.getAddress();
      const bal = await clearing.collateralOf(id, v);
      await expect(
        clearing.connect(alice).withdrawCollateral(id, v, 0n, alice.address),
      ).to.be.revertedWithCustomError(clearing, "ZeroAmount");
      await expect(
        clearing.connect(alice).withdrawCollateral(id, v, 1n, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      expect(await clearing.collateralOf(id, v)).to.equal(bal);
      expect(await clearing.totalCollateral(v)).to.equal(bal);
    });

    it("close, depositLongs and withdrawLongs refuse an unlisted series (SeriesNotListed)", async () => {
      const { clearing, alice, fundAccount } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      for (const c of [
        () => clearing.connect(alice).close(id, NOT_LISTED, ONE),
        () => clearing.connect(alice).depositLongs(id, NOT_LISTED, ONE),
        () => clearing.connect(alice).withdrawLongs(id, NOT_LISTED, ONE, alice.address),
      ]) {
        await expect(c()).to.be.revertedWithCustomError(clearing, "SeriesNotListed").withArgs(NOT_LISTED);
      }
      expect(await clearing.seriesOf(id)).to.deep.equal([]);
    });

    it("settle, the fallback settlement and exercise refuse an unlisted series (SeriesNotListed)", async () => {
      const { clearing, governor, alice } = await withSeries();
      await expect(clearing.settle(NOT_LISTED))
        .to.be.revertedWithCustomError(clearing, "SeriesNotListed")
        .withArgs(NOT_LISTED);
      await expect(clearing.connect(governor).settleWithFallbackPrice(NOT_LISTED, 2000n * WAD, 0n))
        .to.be.revertedWithCustomError(clearing, "SeriesNotListed")
        .withArgs(NOT_LISTED);
      await expect(clearing.connect(alice).exercise(NOT_LISTED, ONE, alice.address))
        .to.be.revertedWithCustomError(clearing, "SeriesNotListed")
        .withArgs(NOT_LISTED);
      expect((await clearing.series(NOT_LISTED)).settled).to.equal(false);
    });

    it("close needs a short: an account holding only longs gets CloseExceedsShort(..., 0)", async () => {
      const { clearing, alice, bob, call, fundAccount } = await withSeries();
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, 2n * ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      await expect(clearing.connect(bob).close(holder, call, ONE))
        .to.be.revertedWithCustomError(clearing, "CloseExceedsShort")
        .withArgs(holder, call, ONE, 0n);
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
    });

    it("withdrawLongs needs longs: a short account gets InsufficientLongs(..., 0)", async () => {
      const { clearing, alice, bob, call, fundAccount } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, bob.address);
      await expect(clearing.connect(alice).withdrawLongs(id, call, ONE, alice.address))
        .to.be.revertedWithCustomError(clearing, "InsufficientLongs")
        .withArgs(id, call, ONE, 0n);
      expect(await clearing.positionOf(id, call)).to.equal(-ONE);
      expect(await clearing.balanceOf(alice.address, call)).to.equal(0n);
    });
  });

  describe("series list and long supply", () => {
    it("closing a series that is not first in the account's list removes exactly that one", async () => {
      const { clearing, alice, call, put, fundAccount } = await withSeries();
      const id = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, alice.address);
      await clearing.connect(alice).write(id, put, ONE, alice.address);
      expect(await clearing.seriesOf(id)).to.deep.equal([call, put]);
      await clearing.connect(alice).close(id, put, ONE);
      expect(await clearing.seriesOf(id)).to.deep.equal([call]);
      expect(await clearing.positionOf(id, put)).to.equal(0n);
      expect(await clearing.positionOf(id, call)).to.equal(-ONE);
    });

    it("totalSupply(id) follows mints and burns and ignores transfers (INV_OPEN_INTEREST at every step)", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      let supply = 0n;
      const step = async (delta: bigint): Promise<void> => {
        supply += delta;
        expect(await clearing.totalSupply(call)).to.equal(supply);
        await assertOpenInterest(sys, call);
      };
      await clearing.connect(alice).write(writer, call, 3n * ONE, bob.address);
      await step(3n * ONE);
      await clearing.connect(bob).safeTransferFrom(bob.address, carol.address, call, ONE, "0x");
      await step(0n);
      await clearing
        .connect(carol)
        .safeBatchTransferFrom(carol.address, bob.address, [call], [ONE / 2n], "0x");
      await step(0n);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(2n * ONE + ONE / 2n);
      await clearing.connect(carol).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(carol).depositLongs(holder, call, ONE / 2n);
      await step(-ONE / 2n);
      await clearing.connect(bob).close(writer, call, ONE);
      await step(-ONE);
      await clearing.connect(carol).withdrawLongs(holder, call, ONE / 4n, carol.address);
      await step(ONE / 4n);
      const [shorts, inAccounts] = await clearing.openInterest(call);
      expect([shorts, inAccounts]).to.deep.equal([2n * ONE, ONE / 4n]);
    });
  });

  describe("breaker guards on withdrawLongs and exercise", () => {
    it("withdrawLongs waits while WITHDRAW is tripped", async () => {
      const { clearing, breaker, guardian, alice, bob, call, fundAccount } = await withSeries();
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      const at = await tripTime(breaker.connect(guardian).pause(Scopes.WITHDRAW, "test"));
      await expect(clearing.connect(bob).withdrawLongs(holder, call, ONE, bob.address))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.WITHDRAW, TripReason.GuardianPause, at);
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(0n);
    });

    it("exercise waits while SETTLE is tripped", async () => {
      const sys = await withSeries();
      const { clearing, breaker, guardian, alice, bob, call, expiry, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await settleAt(sys, expiry, 2500n * WAD, [call]);
      await clearing.settleAccount(writer);
      const at = await tripTime(breaker.connect(guardian).pause(Scopes.SETTLE, "test"));
      await expect(clearing.connect(bob).exercise(call, ONE, bob.address))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.SETTLE, TripReason.GuardianPause, at);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
    });
  });

  describe("settlement outcomes", () => {
    it("settles puts at K - S in the money and 0 out of the money; calls at 0 below the strike", async () => {
      const sys = await withSeries();
      const { clearing, list, expiry, call, put } = sys;
      const deepPut = await list(1400n * WAD, expiry, false);
      const price = 1500n * WAD;
      await time.increaseTo(expiry + 60);
      await sys.setSpot(await sys.weth.getAddress(), price);
      await expect(clearing.settle(put))
        .to.emit(clearing, "SeriesSettled")
        .withArgs(put, price, PUT_STRIKE - price, false);
      await expect(clearing.settle(deepPut))
        .to.emit(clearing, "SeriesSettled")
        .withArgs(deepPut, price, 0n, false);
      await expect(clearing.settle(call)).to.emit(clearing, "SeriesSettled").withArgs(call, price, 0n, false);
      expect((await clearing.series(put)).payoutPerContractWad).to.equal(300n * WAD);
    });

    it("an out-of-the-money exercise burns the longs and pays nothing, even with an empty pool", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdc, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, 2n * ONE, bob.address);
      await settleAt(sys, expiry, 2100n * WAD, [call]);
      // Nobody settled the short account: the free pool is empty, and nothing is owed.
      expect(await clearing.connect(bob).exercise.staticCall(call, ONE, bob.address)).to.equal(0n);
      const before = await usdc.balanceOf(bob.address);
      await expect(clearing.connect(bob).exercise(call, ONE, bob.address))
        .to.emit(clearing, "Exercised")
        .withArgs(call, bob.address, bob.address, ONE, 0n);
      expect(await usdc.balanceOf(bob.address)).to.equal(before);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
      expect(await clearing.totalSupply(call)).to.equal(ONE);
    });

    it("refuses an exercise of zero or to the zero address, and longs deposited into a settled series", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await settleAt(sys, expiry, 2500n * WAD, [call]);
      await clearing.settleAccount(writer);
      await expect(clearing.connect(bob).exercise(call, 0n, bob.address)).to.be.revertedWithCustomError(
        clearing,
        "ZeroAmount",
      );
      await expect(
        clearing.connect(bob).exercise(call, ONE, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(clearing, "ZeroAddress");
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await expect(clearing.connect(bob).depositLongs(holder, call, ONE))
        .to.be.revertedWithCustomError(clearing, "SeriesAlreadySettled")
        .withArgs(call);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
      expect(await clearing.positionOf(holder, call)).to.equal(0n);
    });

    it("an out-of-the-money short settles with no debit and no debt event", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      const v = await usdcVault.getAddress();
      const shares = await clearing.collateralOf(writer, v);
      await settleAt(sys, expiry, 2000n * WAD, [call]);
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "PositionSettled")
        .withArgs(writer, call, -ONE, 0n)
        .and.not.to.emit(clearing, "DebtUpdated");
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.seriesOf(writer)).to.deep.equal([]);
      expect(await clearing.collateralOf(writer, v)).to.equal(shares);
    });
  });

  describe("lazy settlement: pending values, long credits, debt repayment", () => {
    it("health() is the account after its pending settlement: the short's debit repaid, the long credited once paid", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, expiry, list, fundAccount } = sys;
      const later = await list(STRIKE, expiry + 7 * DAY, true);
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(alice).write(writer, later, ONE, alice.address);
      // A control account with the same open series and collateral, but nothing to settle.
      const control = await fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(carol).write(control, later, ONE, carol.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);

      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);
      const payout = price - STRIKE;
      const debit = mulWadUp(ONE, payout);
      // Nobody has touched the accounts: stored debt and positions are as before settlement.
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.seriesOf(writer)).to.deep.equal([call, later]);

      // The writer: its debit is paid from its quote collateral, so no debt is left and the requirement is the
      // control's. The holder: the short has not paid yet, so its long's credit cannot be paid and is not valued.
      const [h, c, held] = await healthsAt(sys, [writer, control, holder]);
      expect(h.debtWad).to.equal(0n);
      expect([h.maintenanceWad, h.initialWad]).to.deep.equal([c.maintenanceWad, c.initialWad]);
      expect(c.collateralValueWad - h.collateralValueWad).to.equal(debit);
      expect([held.collateralValueWad, held.maintenanceWad, held.initialWad, held.debtWad]).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
      ]);

      // Applying the writer's settlement changes nothing health() showed; it fills the pool, so the holder's long
      // is now valued at its payout, and applying the holder's settlement changes nothing either.
      await clearing.settleAccount(writer);
      const [after, c2, heldNow] = await healthsAt(sys, [writer, control, holder]);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      // (A later block: the open series' requirement has decayed, so it is compared with the control's again.)
      expect([after.collateralValueWad, after.debtWad]).to.deep.equal([h.collateralValueWad, h.debtWad]);
      expect([after.maintenanceWad, after.initialWad]).to.deep.equal([c2.maintenanceWad, c2.initialWad]);
      expect(heldNow.collateralValueWad).to.equal(mulWadDown(ONE, payout));
      await clearing.settleAccount(holder);
      const [heldAfter] = await healthsAt(sys, [holder]);
      expect(fieldsOf(heldAfter)).to.deep.equal(fieldsOf(heldNow));
    });

    it("credits a long held in an account as quote shares once its short has paid (INV_SOLVENCY)", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, usdc, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);
      await clearing.settleAccount(writer);
      expect(await clearing.debtOf(writer)).to.equal(0n);

      const creditWad = mulWadDown(ONE, price - STRIKE);
      const creditAssets = scale(creditWad, 18, USDC_DECIMALS, false);
      const shares = toShares(await vaultState(usdcVault), creditAssets, "down");
      await expect(clearing.settleAccount(holder))
        .to.emit(clearing, "PositionSettled")
        .withArgs(holder, call, ONE, creditWad);
      const v = await usdcVault.getAddress();
      expect(await clearing.collateralOf(holder, v)).to.equal(shares);
      expect(await clearing.seriesOf(holder)).to.deep.equal([]);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
      await clearing.connect(bob).withdrawCollateral(holder, v, shares, bob.address);
      await usdcVault.connect(bob).redeem(shares, bob.address, bob.address);
      expect(await usdc.balanceOf(bob.address)).to.equal(creditAssets);
    });

    it("repays settlement debt partially from too few quote shares, then fully from a later quote deposit", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, fundAccount, fundVaultShares } = sys;
      const writer = await fundAccount(alice, "weth", 2n * WAD);
      const v = await usdcVault.getAddress();
      const smallShares = await fundVaultShares(alice, "usdc", 100n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(writer, v, smallShares);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);

      const debit = mulWadUp(ONE, price - STRIKE);
      const paidWad = scale(
        toAssets(await vaultState(usdcVault), smallShares, "down"),
        USDC_DECIMALS,
        18,
        false,
      );
      expect(paidWad < debit).to.equal(true);
      // The debit is paid at once from the quote collateral as far as it goes: only the rest is booked as debt.
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "DebtUpdated")
        .withArgs(writer, debit - paidWad);
      expect(await clearing.debtOf(writer)).to.equal(debit - paidWad);
      expect(await clearing.collateralOf(writer, v)).to.equal(0n);
      // The paid shares left the account's balance for the series' pool.
      expect(await clearing.totalCollateral(v)).to.equal(0n);

      const remaining = debit - paidWad;
      const topUp = await fundVaultShares(alice, "usdc", 500n * USDC_UNIT);
      const needed = preview.withdraw(await vaultState(usdcVault), scale(remaining, 18, USDC_DECIMALS, true));
      await expect(clearing.connect(alice).depositCollateral(writer, v, topUp))
        .to.emit(clearing, "DebtUpdated")
        .withArgs(writer, 0n);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.collateralOf(writer, v)).to.equal(topUp - needed);
      expect((await clearing.health(writer)).debtWad).to.equal(0n);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
    });

    it("credits a long held in an account only once its short has paid: the pool never borrows a bystander's shares", async () => {
      // Regression (found by the invariant campaign and this suite): lazy settlement used to credit an in-account
      // long with quote-vault shares before its short paid, so an unrelated depositor's shares backed the credit.
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, expiry, usdcVault, fundAccount, fundVaultShares } = sys;
      const bystander = await fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
      const v = await usdcVault.getAddress();
      const bystanderShares = await clearing.collateralOf(bystander, v);
      const writer = await fundAccount(alice, "weth", 2n * WAD); // no quote collateral to pay a debit
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      await settleAt(sys, expiry, 2600n * WAD, [call]);
      await clearing.settleAccount(writer);
      await clearing.settleAccount(holder);
      expect(await clearing.debtOf(writer)).to.equal(400n * WAD); // the short has not paid
      // The long stays pending: no shares credited, the position still in the account, and health() does not value
      // it (as the margin check does not) until its short has paid.
      expect(await clearing.collateralOf(holder, v)).to.equal(0n);
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      expect((await clearing.health(holder)).collateralValueWad).to.equal(0n);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
      // The bystander can always take its own collateral out.
      await clearing.connect(carol).withdrawCollateral(bystander, v, bystanderShares, carol.address);
      // Once the short repays (a quote top-up of its account), the holder's next settlement is credited.
      const shares = await fundVaultShares(alice, "usdc", 400n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(writer, v, shares);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      await clearing.settleAccount(holder);
      expect(await clearing.positionOf(holder, call)).to.equal(0n);
      expect(await usdcVault.convertToAssets(await clearing.collateralOf(holder, v))).to.equal(
        400n * USDC_UNIT,
      );
      const after = await quoteShares(sys);
      assertInvariant(
        INV.SOLVENCY,
        after.held >= after.owned,
        () => `held ${after.held} < owned ${after.owned}`,
      );
    });
  });

  describe("several underlyings", () => {
    it("sums the requirement per underlying, with no netting across underlyings", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, put, expiry, listWbtc, setWbtcSpot, fundAccount } = sys;
      const btcPut = await listWbtc(55_000n * WAD, expiry, false);
      const btcCall = await listWbtc(65_000n * WAD, expiry, true);
      const amount = ONE / 10n;
      // Interleaved order: WETH, WBTC, WETH.
      const mixed = await fundAccount(alice, "usdc", 1_000_000n * USDC_UNIT);
      for (const s of [call, btcPut, put]) await clearing.connect(alice).write(mixed, s, amount, bob.address);
      const ethOnly = await fundAccount(bob, "usdc", 1_000_000n * USDC_UNIT);
      for (const s of [call, put]) await clearing.connect(bob).write(ethOnly, s, amount, bob.address);
      const btcOnly = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(carol).write(btcOnly, btcPut, amount, carol.address);

      const check = async (): Promise<[bigint, bigint]> => {
        const [m, e, b] = await healthsAt(sys, [mixed, ethOnly, btcOnly]);
        expect(m.maintenanceWad).to.equal(e.maintenanceWad + b.maintenanceWad);
        expect(m.initialWad).to.equal(e.initialWad + b.initialWad);
        expect(e.maintenanceWad > 0n && b.maintenanceWad > 0n).to.equal(true);
        return [e.maintenanceWad, b.maintenanceWad];
      };
      const [, btcBefore] = await check();
      // A 10% WBTC drop raises the WBTC put's part; the sum still holds at the new price.
      await setWbtcSpot((SPOT_WBTC * 9n) / 10n);
      const [, btcAfter] = await check();
      expect(btcAfter > btcBefore + btcBefore / 10n).to.equal(true);

      // A WETH long does not offset a WBTC short.
      const hedged = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(bob).safeTransferFrom(bob.address, carol.address, call, amount, "0x");
      await clearing.connect(carol).depositLongs(hedged, call, amount);
      await clearing.connect(carol).write(hedged, btcCall, amount, carol.address);
      const naked = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(carol).write(naked, btcCall, amount, carol.address);
      const [h, n] = await healthsAt(sys, [hedged, naked]);
      expect(h.maintenanceWad).to.equal(n.maintenanceWad);
      expect(h.initialWad).to.equal(n.initialWad);
    });

    it("values quote collateral at par and WETH collateral at the oracle price less its haircut", async () => {
      const sys = await withSeries();
      const { clearing, alice, usdcVault, wethVault, weth, fundAccount, fundVaultShares } = sys;
      const id = await fundAccount(alice, "usdc", 1234n * USDC_UNIT + 567n);
      const wethShares = await fundVaultShares(alice, "weth", (3n * WAD) / 2n + 7n);
      await clearing.connect(alice).depositCollateral(id, await wethVault.getAddress(), wethShares);
      const usdcShares = await clearing.collateralOf(id, await usdcVault.getAddress());
      const expected = async (spot: bigint): Promise<bigint> => {
        const usdcWad = scale(
          toAssets(await vaultState(usdcVault), usdcShares, "down"),
          USDC_DECIMALS,
          18,
          false,
        );
        const wethWad = toAssets(await vaultState(wethVault), wethShares, "down");
        return usdcWad + mulWadDown(mulWadDown(wethWad, spot), WAD - WETH_HAIRCUT_WAD);
      };
      expect((await clearing.health(id)).collateralValueWad).to.equal(await expected(SPOT_WETH));
      const moved = 2345n * WAD;
      await sys.setSpot(await weth.getAddress(), moved);
      expect((await clearing.health(id)).collateralValueWad).to.equal(await expected(moved));
    });
  });

  describe("re-entrancy from the long-token receiver hook", () => {
    async function withReceiver() {
      const sys = await withSeries();
      const receiver: ReentrantLongReceiver = await ethers.deployContract("ReentrantLongReceiver", [
        await sys.clearing.getAddress(),
      ]);
      const writer = await sys.fundAccount(sys.alice, "usdc", 10_000n * USDC_UNIT);
      return { ...sys, receiver, writer };
    }

    it("a receiver that does not re-enter gets its longs; one that re-enters an unguarded view-like entry too", async () => {
      const { clearing, alice, receiver, writer, call } = await withReceiver();
      await clearing.connect(alice).write(writer, call, ONE, await receiver.getAddress());
      expect(await clearing.balanceOf(await receiver.getAddress(), call)).to.equal(ONE);
      const count = await clearing.accountCount();
      await receiver.setReentryCall(clearing.interface.encodeFunctionData("openAccount"));
      await clearing.connect(alice).write(writer, call, ONE, await receiver.getAddress());
      expect(await receiver.reentries()).to.equal(1n);
      expect(await clearing.ownerOf(count + 1n)).to.equal(await receiver.getAddress());
    });

    it("every guarded entry re-entered from write's mint callback reverts ReentrancyGuardReentrantCall", async () => {
      const { clearing, alice, receiver, writer, call, usdcVault } = await withReceiver();
      const r = await receiver.getAddress();
      const v = await usdcVault.getAddress();
      const i = clearing.interface;
      const reentries: [string, string][] = [
        ["depositCollateral", i.encodeFunctionData("depositCollateral", [writer, v, 1n])],
        ["withdrawCollateral", i.encodeFunctionData("withdrawCollateral", [writer, v, 1n, r])],
        ["write", i.encodeFunctionData("write", [writer, call, ONE, r])],
        ["close", i.encodeFunctionData("close", [writer, call, ONE])],
        ["depositLongs", i.encodeFunctionData("depositLongs", [writer, call, ONE])],
        ["withdrawLongs", i.encodeFunctionData("withdrawLongs", [writer, call, ONE, r])],
        ["settleAccount", i.encodeFunctionData("settleAccount", [writer])],
        ["settle", i.encodeFunctionData("settle", [call])],
        ["exercise", i.encodeFunctionData("exercise", [call, ONE, r])],
      ];
      const collateral = await clearing.collateralOf(writer, v);
      for (const [name, data] of reentries) {
        await receiver.setReentryCall(data);
        await expect(clearing.connect(alice).write(writer, call, ONE, r), name).to.be.revertedWithCustomError(
          clearing,
          "ReentrancyGuardReentrantCall",
        );
      }
      expect(await clearing.positionOf(writer, call)).to.equal(0n);
      expect(await clearing.balanceOf(r, call)).to.equal(0n);
      expect(await clearing.collateralOf(writer, v)).to.equal(collateral);
      expect(await receiver.reentries()).to.equal(0n);
    });

    it("withdrawLongs' mint callback cannot re-enter either", async () => {
      const { clearing, alice, receiver, writer, call, put } = await withReceiver();
      const r = await receiver.getAddress();
      // The writer holds longs of the put in its own account (written by another account of alice).
      await clearing.connect(alice).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(alice).write(writer, put, ONE, alice.address);
      await clearing.connect(alice).depositLongs(holder, put, ONE);
      await receiver.setReentryCall(clearing.interface.encodeFunctionData("write", [writer, call, ONE, r]));
      await expect(clearing.connect(alice).withdrawLongs(holder, put, ONE, r)).to.be.revertedWithCustomError(
        clearing,
        "ReentrancyGuardReentrantCall",
      );
      expect(await clearing.positionOf(holder, put)).to.equal(ONE);
      expect(await clearing.positionOf(writer, call)).to.equal(0n);
    });
  });

  describe("rounding in the protocol's favour (kills the mutation check's rounding mutants)", () => {
    it("debits a settled short's payout rounded up", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      const amount = ONE + 1n; // one contract and one wei: amount x payout is not a whole number of wei
      await clearing.connect(alice).write(writer, call, amount, bob.address);
      // 2,600.00000001 (the feeds' last decimal): payout 400.00000001 per contract.
      const price = 2600n * WAD + 10n ** 10n;
      await settleAt(sys, expiry, price, [call]);
      const payout = price - STRIKE;
      expect(mulWadUp(amount, payout)).to.not.equal(mulWadDown(amount, payout));
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "PositionSettled")
        .withArgs(writer, call, -amount, -mulWadUp(amount, payout));
    });

    it("values collateral after its haircut rounded down", async () => {
      const sys = await withSeries();
      const { clearing, alice, fundAccount, weth, wethVault } = sys;
      // 2,000.00000001 per WETH and 1.0000000003 WETH: value x (1 - 20%) is not a whole number of wei.
      const price = 2000n * WAD + 10n ** 10n;
      await sys.setSpot(await weth.getAddress(), price);
      const assets = WAD + 3n * 10n ** 8n;
      const account = await fundAccount(alice, "weth", assets);
      const shares = await clearing.collateralOf(account, await wethVault.getAddress());
      const valueWad = mulWadDown(await wethVault.convertToAssets(shares), price);
      const expected = mulWadDown(valueWad, WAD - WETH_HAIRCUT_WAD);
      expect(expected).to.not.equal(mulWadUp(valueWad, WAD - WETH_HAIRCUT_WAD));
      expect((await clearing.health(account)).collateralValueWad).to.equal(expected);
    });
  });
});
