/** OptionsClearing, write: the price it margins with, the long's recipient, re-entrancy from the mint callback. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { USDC_UNIT } from "../../shared/fixtures/system";
import { ONE, withReceiver, withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.write", () => {
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
  });

  describe("re-entrancy from the long-token receiver hook", () => {
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
  });
});
