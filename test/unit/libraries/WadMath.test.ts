import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";

describe("unit/libraries/WadMath", () => {
  async function deploy() {
    const harness = await ethers.deployContract("WadMathHarness");
    return { harness };
  }

  describe("rounding direction", () => {
    it("mulWadDown floors and mulWadUp ceils an inexact product", async () => {
      const { harness } = await loadFixture(deploy);
      // 1 wei * 0.5 = 0.5 wei
      expect(await harness.mulWadDown(1n, WAD / 2n)).to.equal(0n);
      expect(await harness.mulWadUp(1n, WAD / 2n)).to.equal(1n);
    });

    it("divWadDown floors and divWadUp ceils an inexact quotient", async () => {
      const { harness } = await loadFixture(deploy);
      // 1 / 3 in WAD = 0.333.. recurring
      expect(await harness.divWadDown(1n, 3n)).to.equal(333333333333333333n);
      expect(await harness.divWadUp(1n, 3n)).to.equal(333333333333333334n);
    });

    it("exact results are the same in both directions", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.mulWadDown(3n * WAD, 2n * WAD)).to.equal(6n * WAD);
      expect(await harness.mulWadUp(3n * WAD, 2n * WAD)).to.equal(6n * WAD);
    });

    it("a product above 2^256 in the intermediate does not overflow", async () => {
      const { harness } = await loadFixture(deploy);
      const big = 2n ** 200n;
      expect(await harness.mulWadDown(big, 2n * WAD)).to.equal(2n * big);
    });
  });

  describe("decimals conversion", () => {
    it("scales a 6-decimal amount up to WAD exactly", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.toWadDown(1_500_000n, 6)).to.equal(15n * 10n ** 17n);
      expect(await harness.toWadUp(1_500_000n, 6)).to.equal(15n * 10n ** 17n);
    });

    it("scales a 24-decimal amount down to WAD with the chosen rounding", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.toWadDown(10n ** 6n + 1n, 24)).to.equal(1n);
      expect(await harness.toWadUp(10n ** 6n + 1n, 24)).to.equal(2n);
    });

    it("converts WAD to 6 decimals, payouts down and requirements up", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.fromWadDown(10n ** 12n + 1n, 6)).to.equal(1n);
      expect(await harness.fromWadUp(10n ** 12n + 1n, 6)).to.equal(2n);
    });

    it("rejects decimals above 36 with DecimalsTooLarge", async () => {
      const { harness } = await loadFixture(deploy);
      await expect(harness.toWadDown(1n, 37))
        .to.be.revertedWithCustomError(harness, "DecimalsTooLarge")
        .withArgs(37);
      await expect(harness.fromWadDown(1n, 37))
        .to.be.revertedWithCustomError(harness, "DecimalsTooLarge")
        .withArgs(37);
    });

    it("panics on a zero divisor", async () => {
      const { harness } = await loadFixture(deploy);
      await expect(harness.divWadDown(1n, 0n)).to.be.revertedWithPanic(0x12);
    });
  });
});
