import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as ref from "../../scripts/lib/margin";
import { absDiff, deployPricing } from "../shared/fixtures/pricing";
import { fuzzParams } from "../shared/fuzz";

/**
 * Differential tolerance of one price, stated in docs/risk-model.md: |Solidity - reference| <= 1e-14·(S + K) + 4 wei.
 * (Measured: about 1e-16·(S + K) + 1 wei, mostly the float64 reference's own rounding.)
 */
const REL_TOL_DENOMINATOR = 10n ** 14n;
const ABS_TOL_WEI = 4n;
const tolerance = (s: bigint, k: bigint): bigint => (s + k) / REL_TOL_DENOMINATOR + ABS_TOL_WEI;

/** Log-uniform bigint in [lo, hi]: covers every magnitude of the documented domain. */
function logUniform(lo: bigint, hi: bigint): fc.Arbitrary<bigint> {
  const [a, b] = [Math.log(Number(lo)), Math.log(Number(hi))];
  return fc.double({ min: 0, max: 1, noNaN: true }).map((u) => {
    const x = BigInt(Math.round(Math.exp(a + u * (b - a))));
    return x < lo ? lo : x > hi ? hi : x;
  });
}

const price = logUniform(ref.MIN_PRICE_WAD, ref.MAX_PRICE_WAD);
const vol = fc.oneof(
  fc.constant(0n),
  logUniform(1n, ref.MAX_VOL_WAD),
  fc.bigInt({ min: 0n, max: ref.MAX_VOL_WAD }),
);
const time = fc.oneof(
  fc.constant(0n),
  logUniform(1n, ref.MAX_TIME_TO_EXPIRY_SECONDS),
  fc.bigInt({ min: 0n, max: ref.MAX_TIME_TO_EXPIRY_SECONDS }),
);
/** A strike near the spot (relative distance log-uniform in [1e-12, 1]) or anywhere in the domain. */
const spotAndStrike = fc.oneof(
  fc.tuple(price, price),
  fc.tuple(price, logUniform(1n, 10n ** 18n), fc.boolean()).map(([s, rel, up]): [bigint, bigint] => {
    const d = (s * rel) / 10n ** 18n / 2n;
    const k = up ? s + d : s - d;
    return [s, k < ref.MIN_PRICE_WAD ? ref.MIN_PRICE_WAD : k > ref.MAX_PRICE_WAD ? ref.MAX_PRICE_WAD : k];
  }),
);

describe("fuzz/libraries/BlackScholes against the TypeScript reference", () => {
  it("calls and puts agree within 1e-14·(S + K) + 4 wei, respect intrinsic and parity, never revert in bounds", async () => {
    const { harness } = await loadFixture(deployPricing);
    await fc.assert(
      fc.asyncProperty(spotAndStrike, vol, time, async ([s, k], v, t) => {
        const c = await harness.callPrice(s, k, v, t);
        const p = await harness.putPrice(s, k, v, t);
        const tol = tolerance(s, k);
        expect(
          absDiff(c, ref.callPriceWad(s, k, v, t)) <= tol,
          `call ${c} vs ${ref.callPriceWad(s, k, v, t)}`,
        ).to.equal(true);
        expect(
          absDiff(p, ref.putPriceWad(s, k, v, t)) <= tol,
          `put ${p} vs ${ref.putPriceWad(s, k, v, t)}`,
        ).to.equal(true);
        expect(c >= ref.intrinsicWad(true, s, k) && c <= s).to.equal(true);
        expect(p >= ref.intrinsicWad(false, s, k) && p <= k).to.equal(true);
        // Parity C - P = S - K holds to a few wei unless a clamp engaged (then within the tolerance).
        expect(absDiff(c - p, s - k) <= tol).to.equal(true);
      }),
      fuzzParams(150),
    );
  });

  it("the normal CDF is within 1e-16 of the 60-digit series", async () => {
    const { harness } = await loadFixture(deployPricing);
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), async (x) => {
        const exact = ref.normCdfSeries(x) / 10n ** (ref.SERIES_DIGITS - 18n);
        expect(absDiff(await harness.cdf(x), exact) <= 100n).to.equal(true);
      }),
      fuzzParams(100),
    );
  });
});
