/** OptionsClearing, Accounts: every account action on an id that does not exist. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { USDC_UNIT } from "../../shared/fixtures/system";
import { ONE, withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.accounts", () => {
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
});
