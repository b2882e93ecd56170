/** OptionsClearing, withdrawCollateral: zero shares and the zero address. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { USDC_UNIT } from "../../shared/fixtures/system";
import { withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.withdrawCollateral", () => {
  describe("zero addresses, zero amounts, unlisted series", () => {
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
  });
});
