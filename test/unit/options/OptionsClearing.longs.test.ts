/** OptionsClearing, depositLongs, withdrawLongs and the long token: unlisted series, supply and open interest, the WITHDRAW guard, re-entrancy from withdrawLongs' mint. */
import { expect } from "chai";
import { Scopes } from "../../../scripts/lib/scopes";
import { TripReason } from "../../../scripts/lib/breaker/tripReason";
import { USDC_UNIT } from "../../shared/fixtures/system";
import {
  NOT_LISTED,
  ONE,
  assertOpenInterest,
  tripTime,
  withReceiver,
  withSeries,
} from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.longs", () => {
  describe("zero addresses, zero amounts, unlisted series", () => {
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
  });

  describe("re-entrancy from the long-token receiver hook", () => {
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
});
