/** OptionsClearing, close: burning longs against a short, and the account's series list. */
import { expect } from "chai";
import { USDC_UNIT } from "../../shared/fixtures/system";
import { ONE, withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.close", () => {
  describe("zero addresses, zero amounts, unlisted series", () => {
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
  });
});
