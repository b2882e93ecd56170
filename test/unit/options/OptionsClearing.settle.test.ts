/** OptionsClearing, settle and settleWithFallbackPrice: the price read at settlement, unlisted series, payouts of puts and calls. */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";
import { NOT_LISTED, ONE, PUT_STRIKE, STRIKE, withSeries } from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.settle", () => {
  describe("prices: the oracle round a poke confirmed within 60 s, else the live median", () => {
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

  describe("zero addresses, zero amounts, unlisted series", () => {
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
  });
});
