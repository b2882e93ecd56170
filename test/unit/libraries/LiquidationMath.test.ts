import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";
import {
  discountAfter,
  neededFraction,
  penalty,
  type AuctionParams,
} from "../../../scripts/lib/math/liquidation";
import { deploySystem } from "../../shared/fixtures/system";
import { fuzzParams } from "../../shared/fuzz";

describe("unit/libraries/LiquidationMath", () => {
  async function deploy() {
    const harness = await ethers.deployContract("LiquidationMathHarness");
    const { clearing } = await deploySystem();
    const schedule = await clearing.dutchAuctionSchedule();
    const params: AuctionParams = {
      startDiscountWad: schedule.startDiscountWad,
      maxDiscountWad: schedule.maxDiscountWad,
      durationSeconds: schedule.durationSeconds,
      penaltyShareWad: schedule.penaltyShareWad,
    };
    return { harness, params };
  }

  describe("the clearing's auction parameters", () => {
    it("are those docs/liquidation.md states: 2% rising to 10% over one hour, half the bonus to insurance", async () => {
      const { params } = await loadFixture(deploy);
      expect(params).to.deep.equal({
        startDiscountWad: WAD / 50n,
        maxDiscountWad: WAD / 10n,
        durationSeconds: 3600n,
        penaltyShareWad: WAD / 2n,
      });
    });
  });

  describe("discountAfter", () => {
    it("starts at the start discount, reaches the cap at the duration and stays there", async () => {
      const { harness, params } = await loadFixture(deploy);
      expect(await harness.discountAfter(0)).to.equal(params.startDiscountWad);
      expect(await harness.discountAfter(params.durationSeconds)).to.equal(params.maxDiscountWad);
      expect(await harness.discountAfter(params.durationSeconds * 100n)).to.equal(params.maxDiscountWad);
    });

    it("is linear in between: half way is the midpoint of the bounds", async () => {
      const { harness, params } = await loadFixture(deploy);
      const mid = (params.startDiscountWad + params.maxDiscountWad) / 2n;
      expect(await harness.discountAfter(params.durationSeconds / 2n)).to.equal(mid);
    });

    it("is non-decreasing in time", async () => {
      const { harness } = await loadFixture(deploy);
      let last = 0n;
      for (const t of [0, 1, 59, 60, 1799, 1800, 3599, 3600, 3601]) {
        const d = await harness.discountAfter(t);
        expect(d >= last, `discount at ${t}s`).to.equal(true);
        last = d;
      }
    });
  });

  describe("neededFraction", () => {
    it("takes the fraction that brings the account back exactly to initial, rounded up", async () => {
      const { harness } = await loadFixture(deploy);
      // C = 90, I = 110, owed = 100: 90 - f·100 >= (1 - f)·110  <=>  f >= 20 / 10 = 2 > 1: the whole account.
      expect(await harness.neededFraction(90n * WAD, 110n * WAD, 100n * WAD, 0n, WAD)).to.deep.equal([
        WAD,
        false,
      ]);
      // C = 90, I = 110, owed = 50: f >= 20 / 60 = 1/3, rounded up.
      const [f, restores] = await harness.neededFraction(90n * WAD, 110n * WAD, 50n * WAD, 0n, WAD);
      expect(f).to.equal(333_333_333_333_333_334n);
      expect(restores).to.equal(true);
      // The fraction restores initial: C - f·owed >= (1 - f)·I.
      expect(90n * WAD * WAD - f * 50n * WAD >= (WAD - f) * 110n * WAD).to.equal(true);
    });

    it("caps the fraction at the liquidator's maximum, which then does not restore initial", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.neededFraction(90n * WAD, 110n * WAD, 50n * WAD, 0n, WAD / 10n)).to.deep.equal([
        WAD / 10n,
        false,
      ]);
    });

    it("allows for correlated collateral: seizing it by value leaves (1 - owed / C) of its fall per unit taken", async () => {
      const { harness } = await loadFixture(deploy);
      // C = 90, I = 110, owed = 50, D = 18: left = 18 - 18·50/90 = 8; f >= 20 / (110 - 50 - 8) = 20 / 52.
      const [f, restores] = await harness.neededFraction(90n * WAD, 110n * WAD, 50n * WAD, 18n * WAD, WAD);
      expect(f).to.equal(384_615_384_615_384_616n);
      expect(restores).to.equal(true);
      // The bound it guarantees: C - f·owed >= (1 - f)·I + (f - r)·D with r = f·owed / C.
      const r = (f * 50n) / 90n;
      expect(90n * WAD * WAD - f * 50n * WAD >= (WAD - f) * 110n * WAD + (f - r) * 18n * WAD).to.equal(true);
      // A fall so large that no partial fraction restores initial: the whole account.
      expect(await harness.neededFraction(90n * WAD, 110n * WAD, 50n * WAD, 200n * WAD, WAD)).to.deep.equal([
        WAD,
        false,
      ]);
    });

    it("takes everything when owed is at or above the initial requirement", async () => {
      const { harness } = await loadFixture(deploy);
      expect(await harness.neededFraction(90n * WAD, 110n * WAD, 110n * WAD, 0n, WAD)).to.deep.equal([
        WAD,
        false,
      ]);
    });
  });

  describe("penalty", () => {
    it("is the penalty share of the bonus on the fraction taken, rounded down", async () => {
      const { harness } = await loadFixture(deploy);
      // 1,000 liability, half taken, 10% discount, half to insurance: 25.
      expect(await harness.penalty(1000n * WAD, WAD / 2n, WAD / 10n)).to.equal(25n * WAD);
      expect(await harness.penalty(1n, 1n, WAD)).to.equal(0n);
    });
  });

  describe("differential: Solidity against the TypeScript reference", () => {
    it("discountAfter, neededFraction and penalty agree on random inputs", async () => {
      const { harness, params } = await loadFixture(deploy);
      const amount = fc.bigInt({ min: 0n, max: 10n ** 30n });
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 0n, max: 10_000n }),
          amount,
          amount,
          amount,
          fc.oneof(fc.constant(0n), amount),
          fc.bigInt({ min: 1n, max: WAD }),
          async (elapsed, a, b, owedDraw, fall, maxFraction) => {
            expect(await harness.discountAfter(elapsed)).to.equal(discountAfter(params, elapsed));
            // collateral < initial and owed <= collateral, as every caller guarantees.
            const [collateral, initial] = a < b ? [a, b] : a > b ? [b, a] : [a, a + 1n];
            const owed = collateral === 0n ? 0n : owedDraw % (collateral + 1n);
            const expected = neededFraction(collateral, initial, owed, fall, maxFraction);
            expect(await harness.neededFraction(collateral, initial, owed, fall, maxFraction)).to.deep.equal([
              expected.fractionWad,
              expected.restoresInitial,
            ]);
            const discount = discountAfter(params, elapsed);
            expect(await harness.penalty(owed, maxFraction, discount)).to.equal(
              penalty(params, owed, maxFraction, discount),
            );
          },
        ),
        fuzzParams(200),
      );
    });
  });
});
