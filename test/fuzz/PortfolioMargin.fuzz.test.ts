import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as ref from "../../scripts/lib/margin";
import type { Position, RiskParams } from "../../scripts/lib/margin";
import { DAY, NOW, WAD, absDiff, deployPricing, toSol } from "../shared/fixtures/pricing";
import { fuzzParams } from "../shared/fuzz";
import { mulWadUp } from "../../scripts/lib/math/wad";
import { INV, assertInvariant } from "../shared/invariants";

const L = ref.LIMITS;

function logUniform(lo: bigint, hi: bigint): fc.Arbitrary<bigint> {
  const [a, b] = [Math.log(Number(lo)), Math.log(Number(hi))];
  return fc.double({ min: 0, max: 1, noNaN: true }).map((u) => {
    const x = BigInt(Math.round(Math.exp(a + u * (b - a))));
    return x < lo ? lo : x > hi ? hi : x;
  });
}

const params: fc.Arbitrary<RiskParams> = fc.record({
  volWad: fc.bigInt({ min: L.MIN_VOL_WAD, max: L.MAX_VOL_WAD }),
  spotShocksWad: fc.array(fc.bigInt({ min: -L.MAX_SPOT_SHOCK_DOWN_WAD, max: L.MAX_SPOT_SHOCK_UP_WAD / 9n }), {
    minLength: 1,
    maxLength: 6,
  }),
  volShockUpWad: fc.bigInt({ min: 0n, max: L.MAX_VOL_SHOCK_UP_WAD }),
  volShockDownWad: fc.bigInt({ min: 0n, max: L.MAX_VOL_SHOCK_DOWN_WAD }),
  minPerShortSpotWad: fc.bigInt({ min: L.MIN_MIN_PER_SHORT_SPOT_WAD, max: L.MAX_MIN_PER_SHORT_SPOT_WAD }),
  initialBufferWad: fc.bigInt({ min: 0n, max: L.MAX_INITIAL_BUFFER_WAD }),
});

const spot = logUniform(10n ** 15n, 10n ** 27n);

function positions(spotWad: bigint): fc.Arbitrary<Position[]> {
  const lo = spotWad / 5n < ref.MIN_PRICE_WAD ? ref.MIN_PRICE_WAD : spotWad / 5n;
  return fc.array(
    fc.record({
      strikeWad: logUniform(lo, spotWad * 5n),
      expiry: fc.oneof(
        fc.bigInt({ min: NOW - DAY, max: NOW + 2n }),
        fc.bigInt({ min: NOW, max: NOW + 730n * DAY }),
      ),
      isCall: fc.boolean(),
      amount: fc.tuple(logUniform(1n, 10n ** 24n), fc.boolean()).map(([a, short]) => (short ? -a : a)),
    }),
    { minLength: 1, maxLength: 8 },
  );
}

describe("fuzz/libraries/PortfolioMargin against the TypeScript reference", () => {
  it("requirements agree within the tolerance and never fall below the unbiased model", async () => {
    const { harness } = await loadFixture(deployPricing);
    const cases = spot.chain((s) => fc.tuple(fc.constant(s), positions(s), params));
    await fc.assert(
      fc.asyncProperty(cases, async ([s, pos, p]) => {
        const [maintenance, initial] = await harness.requirements(pos, s, toSol(p), NOW);
        const expected = ref.requirements(pos, s, p, NOW);
        const unbiased = ref.requirements(pos, s, p, NOW, { allowance: false });
        const tol = ref.requirementTolerance(pos, s, p);
        expect(
          absDiff(maintenance, expected.maintenanceWad) <= tol,
          `${maintenance} vs ${expected.maintenanceWad}`,
        ).to.equal(true);
        expect(absDiff(initial, expected.initialWad) <= tol * 2n).to.equal(true);
        // The protocol must not under-margin: the price error allowance (1e-9·(S + K)) dominates both the
        // contract's and the reference's error, so the contract is never below the unbiased model.
        assertInvariant(
          INV.MARGIN_CONSERVATIVE,
          maintenance >= unbiased.maintenanceWad,
          () => `maintenance ${maintenance} < model ${unbiased.maintenanceWad}`,
        );
        assertInvariant(
          INV.MARGIN_CONSERVATIVE,
          !pos.some((x) => x.amount < 0n) || maintenance > 0n,
          () => "a short with a zero requirement",
        );
        expect(initial >= maintenance).to.equal(true);
      }),
      fuzzParams(40),
    );
  });

  it("the unpriced bound equals the reference exactly and is never below the priced initial margin", async () => {
    const { harness } = await loadFixture(deployPricing);
    const cases = spot.chain((s) => fc.tuple(fc.constant(s), positions(s), params));
    await fc.assert(
      fc.asyncProperty(cases, async ([s, pos, p]) => {
        const bound = await harness.initialUpperBound(pos, s, toSol(p), NOW);
        expect(bound).to.equal(ref.initialUpperBound(pos, s, p, NOW));
        const [, initial] = await harness.requirements(pos, s, toSol(p), NOW);
        assertInvariant(INV.MARGIN_BOUND, bound >= initial, () => `bound ${bound} < initial ${initial}`);
      }),
      fuzzParams(200),
    );
  });

  it("requirements with correlated collateral agree with the reference, and the collateral's drop is charged exactly", async () => {
    const { harness } = await loadFixture(deployPricing);
    const collateral = fc.oneof(fc.constant(0n), logUniform(1n, 10n ** 24n));
    const cases = spot.chain((s) => fc.tuple(fc.constant(s), positions(s), params, collateral));
    await fc.assert(
      fc.asyncProperty(cases, async ([s, pos, p, c]) => {
        const [maintenance, initial] = await harness.requirementsWithCollateral(pos, c, s, toSol(p), NOW);
        const expected = ref.requirementsWithCollateral(pos, c, s, p, NOW);
        const tol = ref.requirementTolerance(pos, s, p);
        expect(
          absDiff(maintenance, expected.maintenanceWad) <= tol,
          `${maintenance} vs ${expected.maintenanceWad}`,
        ).to.equal(true);
        expect(absDiff(initial, expected.initialWad) <= tol * 2n).to.equal(true);
        // Model check, independent of the contract: the requirement is the worst over scenarios of the positions'
        // liability less the collateral's change, floored at zero, plus the minimum per short.
        const { valuesWad, shortAmount } = ref.scenarioValues(pos, s, p, NOW);
        const spots = ref.shockedSpots(s, p);
        let worst = 0n;
        valuesWad.forEach((v, k) => {
          const shocked = spots[k >> 1];
          const change = shocked < s ? -mulWadUp(c, s - shocked) : (c * (shocked - s)) / WAD;
          if (-(v + change) > worst) worst = -(v + change);
        });
        expect(expected.maintenanceWad).to.equal(
          worst + ref.minPerShortWad(s, p.minPerShortSpotWad, shortAmount),
        );
      }),
      fuzzParams(40),
    );
  });

  it("MarginCalculator.mark: value and liability agree with the reference; the value never above the model", async () => {
    const calculator = await ethers.deployContract("MarginCalculator");
    const vol = fc.bigInt({ min: L.MIN_VOL_WAD, max: L.MAX_VOL_WAD });
    const cases = spot.chain((s) => fc.tuple(fc.constant(s), positions(s), vol));
    await fc.assert(
      fc.asyncProperty(cases, async ([s, pos, volWad]) => {
        const [valueWad, liabilityWad] = await calculator.mark(pos, s, volWad, NOW);
        const expected = ref.mark(pos, s, volWad, NOW);
        const unbiased = ref.mark(pos, s, volWad, NOW, { allowance: false });
        const tol = ref.requirementTolerance(pos, s, ref.markParams(volWad));
        expect(absDiff(valueWad, expected.valueWad) <= tol, `${valueWad} vs ${expected.valueWad}`).to.equal(
          true,
        );
        expect(absDiff(liabilityWad, expected.liabilityWad) <= tol).to.equal(true);
        // Biased against the account: liquidation nets this value against debt, so it must not exceed the model.
        assertInvariant(
          INV.MARGIN_CONSERVATIVE,
          valueWad <= unbiased.valueWad,
          () => `mark value ${valueWad} > model ${unbiased.valueWad}`,
        );
        // markLiability is the same figure, and it is max(0, -value) plus the minimum per short.
        expect(await calculator.markLiability(pos, s, volWad, NOW)).to.equal(liabilityWad);
        const shortAmount = pos.reduce((a, x) => (x.amount < 0n ? a - x.amount : a), 0n);
        expect(liabilityWad).to.equal(
          (valueWad < 0n ? -valueWad : 0n) + ref.minPerShortWad(s, L.MIN_MIN_PER_SHORT_SPOT_WAD, shortAmount),
        );
      }),
      fuzzParams(40),
    );
  });
});
