import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { INV, assertInvariant } from "../../shared/invariants";
import * as ref from "../../../scripts/lib/margin";
import type { Position, RiskParams } from "../../../scripts/lib/margin";
import {
  DAY,
  NOW,
  WAD,
  absDiff,
  defaultParams,
  deployPricing,
  position,
  toSol,
  wad,
} from "../../shared/fixtures/pricing";

const SPOT = wad("2000");
/** Four series across calls, puts, longs, shorts and expiries. */
const FOUR = [
  position("1800", 7n, false, -WAD),
  position("2200", 30n, true, -WAD / 2n),
  position("2400", 30n, true, WAD / 2n),
  position("1600", 90n, false, 3n * WAD),
];

describe("unit/libraries/PortfolioMargin", () => {
  async function check(positions: Position[], p: RiskParams = defaultParams(), spot = SPOT) {
    const { harness } = await loadFixture(deployPricing);
    const [maintenance, initial] = await harness.requirements(positions, spot, toSol(p), NOW);
    const expected = ref.requirements(positions, spot, p, NOW);
    const tol = ref.requirementTolerance(positions, spot, p);
    expect(
      absDiff(maintenance, expected.maintenanceWad) <= tol,
      `${maintenance} vs ${expected.maintenanceWad}`,
    ).to.equal(true);
    // Never below the unbiased model: the allowance covers the fixed-point error.
    const unbiased = ref.requirements(positions, spot, p, NOW, { allowance: false });
    assertInvariant(INV.MARGIN_CONSERVATIVE, maintenance >= unbiased.maintenanceWad, () => `${maintenance}`);
    // Initial = ⌈maintenance · (1 + buffer)⌉, from the contract's own maintenance.
    const product = maintenance * (WAD + p.initialBufferWad);
    expect(initial).to.equal(product === 0n ? 0n : (product - 1n) / WAD + 1n);
    return { harness, maintenance, initial };
  }

  describe("requirements", () => {
    it("a naked short call: worst scenario is spot +30% with vol up, plus 1% of spot per contract", async () => {
      const positions = [position("2200", 30n, true, -WAD)];
      const { harness, maintenance } = await check(positions);
      const [values, shortAmount, worstIndex, worstLiability] = await harness.scenarioValues(
        positions,
        SPOT,
        toSol(defaultParams()),
        NOW,
      );
      expect(values.length).to.equal(10);
      expect(shortAmount).to.equal(WAD);
      expect(worstIndex).to.equal(8n); // spot shock index 4 (+30%), vol up (j = 0)
      const refWorst = ref.worstScenario(ref.scenarioValues(positions, SPOT, defaultParams(), NOW).valuesWad);
      expect(refWorst.index).to.equal(8);
      // maintenance = worst + ⌈0.01 · 2000⌉ · 1 contract.
      expect(maintenance).to.equal(worstLiability + wad("20"));
      // The short call loses at least its intrinsic value at +30%: 2600 - 2200.
      expect(worstLiability > wad("400")).to.equal(true);
    });

    it("a naked short put: worst scenario is spot -30%", async () => {
      const positions = [position("1800", 30n, false, -2n * WAD)];
      const { harness } = await check(positions);
      const [, , worstIndex] = await harness.scenarioValues(positions, SPOT, toSol(defaultParams()), NOW);
      expect(worstIndex).to.equal(0n);
    });

    it("long-only accounts need nothing", async () => {
      const { maintenance, initial } = await check([
        position("2000", 30n, true, WAD),
        position("1500", 7n, false, 5n * WAD),
      ]);
      expect(maintenance).to.equal(0n);
      expect(initial).to.equal(0n);
    });

    it("a call spread nets: short K1 + long K2 > K1 needs less than the naked short K1, at most (K2 - K1) + minimum", async () => {
      const naked = await check([position("2000", 30n, true, -WAD)]);
      const spread = await check([position("2000", 30n, true, -WAD), position("2400", 30n, true, WAD)]);
      expect(spread.maintenance < naked.maintenance).to.equal(true);
      // Maximum loss of the spread is K2 - K1 = 400 per contract.
      expect(spread.maintenance <= wad("400") + wad("20") + wad("0.001")).to.equal(true);
    });

    it("a put spread nets: short K2 + long K1 < K2 needs less than the naked short K2", async () => {
      const naked = await check([position("2000", 30n, false, -WAD)]);
      const spread = await check([position("2000", 30n, false, -WAD), position("1700", 30n, false, WAD)]);
      expect(spread.maintenance < naked.maintenance).to.equal(true);
      expect(spread.maintenance <= wad("300") + wad("20") + wad("0.001")).to.equal(true);
    });

    it("a short covered by the same long keeps only the allowance and the minimum per short", async () => {
      const { maintenance } = await check([
        position("2000", 30n, true, -WAD),
        position("2000", 30n, true, WAD),
      ]);
      // Allowance: 2·(S_i + K)·1e-9 at most ~ 2·(2600 + 2000)·1e-9 + 2 wei.
      expect(maintenance >= wad("20") && maintenance <= wad("20") + wad("0.00001")).to.equal(true);
    });

    it("four and eight series across calls, puts and expiries match the reference", async () => {
      await check(FOUR);
      await check([
        ...FOUR,
        position("2000", 1n, true, -WAD / 10n),
        position("2100", 180n, false, 2n * WAD),
        position("1000", 365n, true, -WAD),
        position("5000", 730n, true, WAD),
      ]);
    });

    it("values positions at or past expiry at intrinsic value of each shocked spot (no time value, no allowance)", async () => {
      const p = defaultParams();
      // Expires exactly now: intrinsic. Expected from intrinsic arithmetic only, no pricing.
      const expired: Position = { strikeWad: wad("1900"), expiry: NOW, isCall: true, amount: -WAD };
      const { maintenance } = await check([expired], p);
      const worstIntrinsic = wad("2600") - wad("1900"); // spot +30%
      expect(maintenance).to.equal(worstIntrinsic + wad("20"));
      // Past expiry: same.
      await check([{ ...expired, expiry: NOW - DAY }], p);
      // One second before expiry there is time value: strictly more.
      const { maintenance: live } = await check([{ ...expired, expiry: NOW + 1n }], p);
      expect(live > maintenance).to.equal(true);
    });

    it("tiny amounts and low strikes never round a short's requirement to zero", async () => {
      const lowStrike = ref.MIN_PRICE_WAD;
      for (const pos of [
        { strikeWad: lowStrike, expiry: NOW + DAY, isCall: false, amount: -1n }, // worthless put, 1 wei of a contract
        { strikeWad: wad("100000"), expiry: NOW + DAY, isCall: true, amount: -1n }, // far OTM call
        { strikeWad: lowStrike, expiry: NOW, isCall: false, amount: -1n }, // expired, worthless
      ]) {
        const { maintenance, initial } = await check(
          [pos],
          defaultParams({ minPerShortSpotWad: ref.LIMITS.MIN_MIN_PER_SHORT_SPOT_WAD }),
          ref.MIN_PRICE_WAD,
        );
        expect(maintenance >= 1n && initial >= maintenance).to.equal(true);
      }
    });

    it("skips zero amounts and accepts the bounds' extremes", async () => {
      const { maintenance } = await check([position("2000", 30n, true, 0n)]);
      expect(maintenance).to.equal(0n);
      const extreme = defaultParams({
        volWad: ref.LIMITS.MAX_VOL_WAD,
        volShockUpWad: ref.LIMITS.MAX_VOL_SHOCK_UP_WAD,
        volShockDownWad: ref.LIMITS.MAX_VOL_SHOCK_DOWN_WAD,
        spotShocksWad: [-ref.LIMITS.MAX_SPOT_SHOCK_DOWN_WAD, ref.LIMITS.MAX_SPOT_SHOCK_UP_WAD],
        minPerShortSpotWad: ref.LIMITS.MAX_MIN_PER_SHORT_SPOT_WAD,
        initialBufferWad: ref.LIMITS.MAX_INITIAL_BUFFER_WAD,
      });
      const big = ref.LIMITS.MAX_POSITION_AMOUNT;
      await check(
        [
          {
            strikeWad: ref.MAX_PRICE_WAD,
            expiry: NOW + ref.MAX_TIME_TO_EXPIRY_SECONDS,
            isCall: true,
            amount: -big,
          },
          { strikeWad: ref.MIN_PRICE_WAD, expiry: NOW + 1n, isCall: false, amount: big },
        ],
        extreme,
        ref.MAX_PRICE_WAD,
      );
      await check(
        [position("2000", 30n, true, -WAD)],
        defaultParams({ volWad: ref.LIMITS.MIN_VOL_WAD, spotShocksWad: Array(16).fill(0n) }),
      );
    });
  });

  describe("correlated collateral (wrong-way risk)", () => {
    // One WETH of collateral after a 20% haircut, beside positions on WETH at spot 2,000.
    const COLLATERAL = wad("0.8");

    async function withCollateral(positions: Position[], collateralWad: bigint) {
      const { harness } = await loadFixture(deployPricing);
      const p = defaultParams();
      const [maintenance, initial] = await harness.requirementsWithCollateral(
        positions,
        collateralWad,
        SPOT,
        toSol(p),
        NOW,
      );
      const expected = ref.requirementsWithCollateral(positions, collateralWad, SPOT, p, NOW);
      expect(
        absDiff(maintenance, expected.maintenanceWad) <= ref.requirementTolerance(positions, SPOT, p),
      ).to.equal(true);
      const [plain] = await harness.requirements(positions, SPOT, toSol(p), NOW);
      return { maintenance, initial, plain };
    }

    it("a put backed by the underlying is charged the collateral's fall in the put's worst scenario", async () => {
      const { maintenance, plain } = await withCollateral([position("2000", 30n, false, -WAD)], COLLATERAL);
      // Both are worst at -30%: the collateral loses 0.8 · (2,000 - 1,400) = 480 there, on top of the put's loss.
      expect(maintenance).to.equal(plain + wad("480"));
    });

    it("a covered call needs less than the same call backed by quote collateral", async () => {
      const { maintenance, plain } = await withCollateral([position("2200", 30n, true, -WAD)], COLLATERAL);
      expect(maintenance < plain, `${maintenance} vs ${plain}`).to.equal(true);
      // Still at least the collateral's own fall at -30% plus the minimum per short (1% of spot).
      expect(maintenance >= wad("480") + wad("20")).to.equal(true);
    });

    it("a protective put: long puts that pay more than the collateral loses leave no requirement", async () => {
      const { maintenance } = await withCollateral([position("2000", 30n, false, WAD)], COLLATERAL);
      expect(maintenance).to.equal(0n);
    });

    it("collateral alone, no positions: its fall is the requirement (MarginLogic never asks without positions)", async () => {
      const { maintenance, plain } = await withCollateral([], COLLATERAL);
      expect(plain).to.equal(0n);
      expect(maintenance).to.equal(wad("480"));
    });
  });

  describe("initialUpperBound (the margin check's unpriced bound)", () => {
    async function bound(positions: Position[], p: RiskParams = defaultParams()) {
      const { harness } = await loadFixture(deployPricing);
      const b = await harness.initialUpperBound(positions, SPOT, toSol(p), NOW);
      expect(b).to.equal(ref.initialUpperBound(positions, SPOT, p, NOW));
      const [, initial] = await harness.requirements(positions, SPOT, toSol(p), NOW);
      assertInvariant(INV.MARGIN_BOUND, b >= initial, () => `bound ${b} < initial ${initial}`);
      return b;
    }

    it("a short put counts at its strike, a short call at the grid's highest spot, plus allowance, minimum and buffer", async () => {
      // Put: (1,800 + (2,600 + 1,800)·1e-9 + 1 wei + 20 minimum)·1.2, rounded up; call: 2,600 in place of 1,800.
      expect(await bound([position("1800", 30n, false, -WAD)])).to.equal(2184000005280000000002n);
      expect(await bound([position("2200", 30n, true, -WAD)])).to.equal(3144000005760000000002n);
    });

    it("longs count zero: a long-only account is bounded by zero and a spread by its short leg", async () => {
      expect(await bound([position("1600", 30n, false, 3n * WAD)])).to.equal(0n);
      const short = position("2200", 30n, true, -WAD);
      expect(await bound([short, position("2400", 30n, true, WAD)])).to.equal(await bound([short]));
    });

    it("is never below the priced initial margin on four and eight series, expired ones included", async () => {
      await bound(FOUR);
      await bound([
        ...FOUR,
        { strikeWad: wad("2100"), expiry: NOW - DAY, isCall: false, amount: -WAD },
        position("2000", 1n, true, -WAD / 10n),
        position("1000", 365n, true, -WAD),
        position("5000", 730n, true, WAD),
      ]);
    });
  });

  describe("bad input", () => {
    const bad: [string, Partial<RiskParams>, string, bigint[]][] = [
      [
        "vol below the minimum",
        { volWad: ref.LIMITS.MIN_VOL_WAD - 1n },
        "InvalidVolatility",
        [ref.LIMITS.MIN_VOL_WAD - 1n],
      ],
      [
        "vol above the maximum",
        { volWad: ref.LIMITS.MAX_VOL_WAD + 1n },
        "InvalidVolatility",
        [ref.LIMITS.MAX_VOL_WAD + 1n],
      ],
      ["no spot shock", { spotShocksWad: [] }, "InvalidSpotShockCount", [0n]],
      ["17 spot shocks", { spotShocksWad: Array(17).fill(0n) }, "InvalidSpotShockCount", [17n]],
      [
        "a shock below -90%",
        { spotShocksWad: [0n, -wad("0.9") - 1n] },
        "InvalidSpotShock",
        [1n, -wad("0.9") - 1n],
      ],
      ["a shock above +900%", { spotShocksWad: [wad("9") + 1n] }, "InvalidSpotShock", [0n, wad("9") + 1n]],
      ["vol shock up above +200%", { volShockUpWad: wad("2") + 1n }, "InvalidVolShockUp", [wad("2") + 1n]],
      [
        "vol shock down above -90%",
        { volShockDownWad: wad("0.9") + 1n },
        "InvalidVolShockDown",
        [wad("0.9") + 1n],
      ],
      ["a zero minimum per short", { minPerShortSpotWad: 0n }, "InvalidMinPerShort", [0n]],
      [
        "a minimum per short above 50%",
        { minPerShortSpotWad: wad("0.5") + 1n },
        "InvalidMinPerShort",
        [wad("0.5") + 1n],
      ],
      ["an initial buffer above 100%", { initialBufferWad: WAD + 1n }, "InvalidInitialBuffer", [WAD + 1n]],
    ];
    for (const [title, override, error, args] of bad) {
      it(`validate, requirements and initialUpperBound reject ${title} with ${error}`, async () => {
        const { harness } = await loadFixture(deployPricing);
        const p = defaultParams(override);
        await expect(harness.validate(toSol(p)))
          .to.be.revertedWithCustomError(harness, error)
          .withArgs(...args);
        await expect(harness.requirements([position("2000", 30n, true, -WAD)], SPOT, toSol(p), NOW))
          .to.be.revertedWithCustomError(harness, error)
          .withArgs(...args);
        await expect(harness.initialUpperBound([position("2000", 30n, true, -WAD)], SPOT, toSol(p), NOW))
          .to.be.revertedWithCustomError(harness, error)
          .withArgs(...args);
        expect(() => ref.validate(p)).to.throw(`${error}(${args.join(", ")})`);
      });
    }

    for (const entry of ["requirements", "initialUpperBound"] as const) {
      it(`${entry} rejects a spot, strike, amount or expiry outside the bounds with the offending position`, async () => {
        const { harness } = await loadFixture(deployPricing);
        const p = toSol(defaultParams());
        const evaluate = (
          positions: Position[],
          spot: bigint,
          params: ReturnType<typeof toSol>,
          now: bigint,
        ) =>
          entry === "requirements"
            ? harness.requirements(positions, spot, params, now)
            : harness.initialUpperBound(positions, spot, params, now);
        await expect(evaluate([], ref.MIN_PRICE_WAD - 1n, p, NOW))
          .to.be.revertedWithCustomError(harness, "SpotOutOfBounds")
          .withArgs(ref.MIN_PRICE_WAD - 1n);
        await expect(evaluate([], ref.MAX_PRICE_WAD + 1n, p, NOW))
          .to.be.revertedWithCustomError(harness, "SpotOutOfBounds")
          .withArgs(ref.MAX_PRICE_WAD + 1n);
        const ok = position("2000", 30n, true, -WAD);
        await expect(evaluate([ok, { ...ok, strikeWad: ref.MIN_PRICE_WAD - 1n }], SPOT, p, NOW))
          .to.be.revertedWithCustomError(harness, "PositionStrikeOutOfBounds")
          .withArgs(1n, ref.MIN_PRICE_WAD - 1n);
        await expect(evaluate([{ ...ok, strikeWad: ref.MAX_PRICE_WAD + 1n }], SPOT, p, NOW))
          .to.be.revertedWithCustomError(harness, "PositionStrikeOutOfBounds")
          .withArgs(0n, ref.MAX_PRICE_WAD + 1n);
        const tooBig = ref.LIMITS.MAX_POSITION_AMOUNT + 1n;
        await expect(evaluate([{ ...ok, amount: tooBig }], SPOT, p, NOW))
          .to.be.revertedWithCustomError(harness, "PositionAmountOutOfBounds")
          .withArgs(0n, tooBig);
        const minInt = -(2n ** 255n);
        await expect(evaluate([ok, ok, { ...ok, amount: minInt }], SPOT, p, NOW))
          .to.be.revertedWithCustomError(harness, "PositionAmountOutOfBounds")
          .withArgs(2n, minInt);
        const far = NOW + ref.MAX_TIME_TO_EXPIRY_SECONDS + 1n;
        await expect(evaluate([{ ...ok, expiry: far }], SPOT, p, NOW))
          .to.be.revertedWithCustomError(harness, "PositionExpiryTooFar")
          .withArgs(0n, far, NOW);
        expect(() => ref[entry]([{ ...ok, expiry: far }], SPOT, defaultParams(), NOW)).to.throw(
          "PositionExpiryTooFar",
        );
        expect(() => ref[entry]([{ ...ok, amount: tooBig }], SPOT, defaultParams(), NOW)).to.throw(
          "PositionAmountOutOfBounds",
        );
        expect(() => ref[entry]([{ ...ok, strikeWad: 0n }], SPOT, defaultParams(), NOW)).to.throw(
          "PositionStrikeOutOfBounds",
        );
        expect(() => ref[entry]([], 0n, defaultParams(), NOW)).to.throw("SpotOutOfBounds");
      });
    }
  });
});
