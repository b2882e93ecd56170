import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as ref from "../../../scripts/lib/margin";
import { WAD, YEAR, absDiff, deployPricing, wad } from "../../shared/fixtures/pricing";

/** Differential tolerance of one price (also in docs/risk-model.md): 1e-14·(S + K) + 4 wei. */
const tolerance = (s: bigint, k: bigint): bigint => (s + k) / 10n ** 14n + 4n;

describe("unit/libraries/BlackScholes", () => {
  describe("NormalCdf", () => {
    it("is within MAX_ERROR_WAD (1e-16) of a 60-digit series over [-9.5, 9.5]", async () => {
      const { harness } = await loadFixture(deployPricing);
      let worst = 0n;
      for (let i = -950; i <= 950; i += 7) {
        const x = BigInt(i) * 10n ** 16n + 987_654_321n;
        const exact = ref.normCdfSeries(x) / 10n ** (ref.SERIES_DIGITS - 18n);
        const err = absDiff(await harness.cdf(x), exact);
        if (err > worst) worst = err;
      }
      expect(worst <= 100n, `worst error ${worst} wei`).to.equal(true);
    });

    it("the float64 reference agrees with the 60-digit series to 2e-15 relative, tails included", () => {
      for (const x of [-37, -20, -9, -6, -5.7, -3, -1, -0.5, 0, 0.3, 0.7, 1, 2.5, 5.6, 8]) {
        const xWad = BigInt(Math.round(x * 1e6)) * 10n ** 12n;
        const exact = Math.abs(x) <= 12 ? Number(ref.normCdfSeries(xWad)) / 1e60 : undefined;
        if (exact !== undefined) expect(Math.abs(ref.normCdf(x) - exact) <= 2e-15 * exact).to.equal(true);
      }
      // Independent textbook values of Φ.
      expect(ref.normCdf(1)).to.be.closeTo(0.841344746068543, 1e-15);
      expect(ref.normCdf(-3)).to.be.closeTo(0.0013498980316301, 1e-16);
      expect(ref.normCdf(-37) > 0 && ref.normCdf(-37) < 1e-298).to.equal(true);
    });

    it("is exactly symmetric, Φ(x) + Φ(-x) = 1, and saturates beyond ±9 without reverting", async () => {
      const { harness } = await loadFixture(deployPricing);
      for (const x of [1n, wad("0.6744"), wad("0.6745"), wad("3.3"), wad("5.66"), wad("8.99")]) {
        expect((await harness.cdf(x)) + (await harness.cdf(-x))).to.equal(WAD);
      }
      expect(await harness.cdf(0n)).to.equal(WAD / 2n);
      expect(await harness.cdf(wad("9"))).to.equal(WAD);
      expect(await harness.cdf(-wad("9"))).to.equal(0n);
      expect(await harness.cdf(2n ** 255n - 1n)).to.equal(WAD);
      expect(await harness.cdf(-(2n ** 255n))).to.equal(0n);
    });

    it("is non-decreasing across its range boundaries", async () => {
      const { harness } = await loadFixture(deployPricing);
      let prev = 0n;
      for (let i = -9_100; i <= 9_100; i += 173) {
        const v = await harness.cdf(BigInt(i) * 10n ** 15n);
        expect(v >= prev).to.equal(true);
        prev = v;
      }
    });
  });

  describe("prices", () => {
    it("prices the textbook at-the-money call (S = K = 100, σ = 20%, T = 1y, r = 0) at 7.9656", async () => {
      const { harness } = await loadFixture(deployPricing);
      const c = await harness.callPrice(wad("100"), wad("100"), wad("0.2"), YEAR);
      // Closed form at the money: 100·(2Φ(0.1) - 1), Φ from the independent series.
      const phi = Number(ref.normCdfSeries(wad("0.1"))) / 1e60;
      const expected = 100 * (2 * phi - 1);
      expect(Number(c) / 1e18).to.be.closeTo(expected, 1e-12);
      expect(Number(c) / 1e18).to.be.closeTo(7.9656, 5e-5);
      expect(
        absDiff(c, ref.callPriceWad(wad("100"), wad("100"), wad("0.2"), YEAR)) <=
          tolerance(wad("100"), wad("100")),
      ).to.equal(true);
    });

    it("matches the reference on in-, at- and out-of-the-money calls and puts", async () => {
      const { harness } = await loadFixture(deployPricing);
      const cases: [string, string, string, bigint][] = [
        ["100", "90", "0.25", YEAR / 2n],
        ["100", "120", "0.6", YEAR / 12n],
        ["2000", "2500", "0.8", 7n * 86_400n],
        ["0.000001", "0.0000012", "1.5", 3n * YEAR],
        ["1000000000000", "999999999999", "0.01", 1n],
      ];
      for (const [s, k, v, t] of cases) {
        const [S, K, V] = [wad(s), wad(k), wad(v)];
        expect(
          absDiff(await harness.callPrice(S, K, V, t), ref.callPriceWad(S, K, V, t)) <= tolerance(S, K),
        ).to.equal(true);
        expect(
          absDiff(await harness.putPrice(S, K, V, t), ref.putPriceWad(S, K, V, t)) <= tolerance(S, K),
        ).to.equal(true);
      }
    });

    it("satisfies put-call parity C - P = S - K to the wei", async () => {
      const { harness } = await loadFixture(deployPricing);
      for (const [s, k] of [
        ["100", "80"],
        ["100", "100"],
        ["100", "130"],
        ["3000", "1"],
      ]) {
        const [S, K] = [wad(s), wad(k)];
        const c = await harness.callPrice(S, K, wad("0.9"), YEAR / 4n);
        const p = await harness.putPrice(S, K, wad("0.9"), YEAR / 4n);
        expect(absDiff(c - p, S - K) <= 2n).to.equal(true);
      }
    });

    it("is monotone: calls rise with spot and fall with strike, puts the reverse, both rise with vol and time", async () => {
      const { harness } = await loadFixture(deployPricing);
      const S = wad("100");
      const t = YEAR / 4n;
      let [pc, pp] = [0n, 2n ** 255n];
      for (const s of ["50", "80", "95", "100", "105", "120", "200"]) {
        const c = await harness.callPrice(wad(s), S, wad("0.5"), t);
        const p = await harness.putPrice(wad(s), S, wad("0.5"), t);
        expect(c >= pc && p <= pp).to.equal(true);
        [pc, pp] = [c, p];
      }
      [pc, pp] = [2n ** 255n, 0n];
      for (const k of ["50", "80", "100", "120", "200"]) {
        const c = await harness.callPrice(S, wad(k), wad("0.5"), t);
        const p = await harness.putPrice(S, wad(k), wad("0.5"), t);
        expect(c <= pc && p >= pp).to.equal(true);
        [pc, pp] = [c, p];
      }
      let prev = 0n;
      for (const v of ["0", "0.05", "0.2", "0.8", "3", "10"]) {
        const c = await harness.callPrice(S, wad("110"), wad(v), t);
        expect(c >= prev).to.equal(true);
        prev = c;
      }
      prev = 0n;
      for (const secs of [0n, 1n, 3600n, 86_400n, YEAR, 10n * YEAR]) {
        const p = await harness.putPrice(S, wad("90"), wad("0.5"), secs);
        expect(p >= prev).to.equal(true);
        prev = p;
      }
    });

    it("is floored at intrinsic value and equals it at expiry (time 0) and at zero vol", async () => {
      const { harness } = await loadFixture(deployPricing);
      const [S, K] = [wad("100"), wad("60")];
      expect(await harness.callPrice(S, K, wad("0.0001"), YEAR)).to.be.gte(S - K);
      expect(await harness.putPrice(K, S, wad("0.0001"), YEAR)).to.be.gte(S - K);
      expect(await harness.callPrice(S, K, wad("0.8"), 0n)).to.equal(S - K);
      expect(await harness.putPrice(S, K, wad("0.8"), 0n)).to.equal(0n);
      expect(await harness.putPrice(K, S, wad("0.8"), 0n)).to.equal(S - K);
      expect(await harness.callPrice(S, K, 0n, YEAR)).to.equal(S - K);
      // One second before expiry there is time value, bounded by S·v/√(2π).
      const atm = await harness.callPrice(S, S, wad("0.8"), 1n);
      const v = 0.8 * Math.sqrt(1 / Number(YEAR));
      expect(Number(atm) / 1e18).to.be.closeTo(100 * v * ref.INV_SQRT_2PI, 1e-9);
    });

    it("does not revert at the corners of the documented domain and stays within [intrinsic, max(S, K)]", async () => {
      const { harness } = await loadFixture(deployPricing);
      const prices = [ref.MIN_PRICE_WAD, ref.MAX_PRICE_WAD];
      for (const S of prices)
        for (const K of prices)
          for (const V of [0n, 1n, ref.MAX_VOL_WAD])
            for (const t of [0n, 1n, ref.MAX_TIME_TO_EXPIRY_SECONDS]) {
              const c = await harness.callPrice(S, K, V, t);
              const p = await harness.putPrice(S, K, V, t);
              expect(c >= ref.intrinsicWad(true, S, K) && c <= S).to.equal(true);
              expect(p >= ref.intrinsicWad(false, S, K) && p <= K).to.equal(true);
              expect(absDiff(c, ref.callPriceWad(S, K, V, t)) <= tolerance(S, K)).to.equal(true);
            }
    });
  });

  describe("input bounds", () => {
    it("rejects spot, strike, vol and time outside the documented bounds with the exact error", async () => {
      const { harness } = await loadFixture(deployPricing);
      const [S, V, t] = [wad("100"), wad("0.5"), YEAR];
      await expect(harness.callPrice(ref.MIN_PRICE_WAD - 1n, S, V, t))
        .to.be.revertedWithCustomError(harness, "SpotOutOfBounds")
        .withArgs(ref.MIN_PRICE_WAD - 1n);
      await expect(harness.putPrice(ref.MAX_PRICE_WAD + 1n, S, V, t))
        .to.be.revertedWithCustomError(harness, "SpotOutOfBounds")
        .withArgs(ref.MAX_PRICE_WAD + 1n);
      await expect(harness.callPrice(S, 0n, V, t))
        .to.be.revertedWithCustomError(harness, "StrikeOutOfBounds")
        .withArgs(0n);
      await expect(harness.callPrice(S, ref.MAX_PRICE_WAD + 1n, V, t))
        .to.be.revertedWithCustomError(harness, "StrikeOutOfBounds")
        .withArgs(ref.MAX_PRICE_WAD + 1n);
      await expect(harness.callPrice(S, S, ref.MAX_VOL_WAD + 1n, t))
        .to.be.revertedWithCustomError(harness, "VolatilityOutOfBounds")
        .withArgs(ref.MAX_VOL_WAD + 1n);
      await expect(harness.putPrice(S, S, V, ref.MAX_TIME_TO_EXPIRY_SECONDS + 1n))
        .to.be.revertedWithCustomError(harness, "TimeToExpiryOutOfBounds")
        .withArgs(ref.MAX_TIME_TO_EXPIRY_SECONDS + 1n);
    });

    it("the TypeScript reference rejects the same inputs with the same error names", () => {
      expect(() => ref.callPriceWad(0n, WAD, WAD, 1n)).to.throw("SpotOutOfBounds(0)");
      expect(() => ref.callPriceWad(WAD, 0n, WAD, 1n)).to.throw("StrikeOutOfBounds(0)");
      expect(() => ref.putPriceWad(WAD, WAD, ref.MAX_VOL_WAD + 1n, 1n)).to.throw("VolatilityOutOfBounds");
      expect(() => ref.putPriceWad(WAD, WAD, WAD, -1n)).to.throw("TimeToExpiryOutOfBounds(-1)");
    });

    it("priceFromLogs gives intrinsic value for zero total volatility", async () => {
      const { harness } = await loadFixture(deployPricing);
      expect(await harness.priceFromLogs(true, wad("120"), wad("100"), 0n)).to.equal(wad("20"));
      expect(await harness.priceFromLogs(false, wad("120"), wad("100"), 0n)).to.equal(0n);
    });
  });
});
