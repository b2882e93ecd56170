/** OptionsClearing, exercise: the SETTLE guard, out-of-the-money payouts, zero amounts and addresses, settled series. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Scopes } from "../../../scripts/lib/scopes";
import { TripReason } from "../../../scripts/lib/breaker/tripReason";
import { WAD } from "../../../scripts/lib/math/wad";
import { USDC_UNIT } from "../../shared/fixtures/system";
import { ONE, settleAt, tripTime, withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.exercise", () => {
  describe("breaker guards on withdrawLongs and exercise", () => {
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
  });
});
