import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { MockPriceSource } from "../../typechain-types";
import { WAD } from "../../scripts/lib/math/wad";
import * as ref from "../../scripts/lib/oracle/median";
import { fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { ASSET, deployMockSources, deployOracleBase, sourceConfigs } from "../shared/fixtures/oracle";

/** MockPriceSource modes: Normal, Revert, BurnGas, ShortReturn. */
const MODES = [0, 1, 2, 3] as const;

interface SourceCase {
  mode: number;
  /** Price as base * (1 + deviation), deviation in parts per million. */
  deviationPpm: number;
  /** Seconds before "now" it was observed (negative: in the future). */
  ageSeconds: number;
  heartbeatSeconds: number;
  /** Occasionally an invalid price (0 or above 2^128 - 1) instead. */
  invalid: 0 | 1 | 2;
}

const sourceCase: fc.Arbitrary<SourceCase> = fc.record({
  // Mostly honest; sometimes unavailable (gas burners rarely: they are slow to simulate).
  mode: fc.oneof(
    { weight: 12, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.constantFrom(...MODES.slice(2)) },
  ),
  deviationPpm: fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: -30_000, max: 30_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: -900_000, max: 5_000_000 }) },
  ),
  ageSeconds: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 3_600 }) },
    { weight: 2, arbitrary: fc.integer({ min: 3_000, max: 8_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: -600, max: -1 }) },
  ),
  heartbeatSeconds: fc.constantFrom(60, 3_600, 3_601, 86_400),
  invalid: fc.oneof(
    { weight: 20, arbitrary: fc.constant(0 as const) },
    { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const) },
  ),
});

describe("fuzz/oracle/OracleMedian: the aggregator against the TypeScript reference", () => {
  async function deploy() {
    const base = await deployOracleBase();
    const sources = await deployMockSources(8, WAD);
    return { ...base, sources };
  }

  it(`poke and getPrice agree with the reference over random source sets (${INV.ORACLE_PRICE_VALIDITY})`, async () => {
    const seen = { ok: 0, quorum: 0, spread: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(sourceCase, { minLength: 1, maxLength: 8 }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.nat(),
        fc.integer({ min: 1, max: 500_000 }),
        async (cases, basePrice, quorumSeed, maxSpreadPpm) => {
          const { aggregator, governor, keeper, sources } = await loadFixture(deploy);
          const used: MockPriceSource[] = sources.slice(0, cases.length);
          const quorum = (quorumSeed % cases.length) + 1;
          const maxSpreadWad = (BigInt(maxSpreadPpm) * WAD) / 1_000_000n;
          const configs = (await sourceConfigs(used)).map((c, i) => ({
            ...c,
            heartbeatSeconds: cases[i].heartbeatSeconds,
          }));
          await aggregator
            .connect(governor)
            .setAssetConfig(ASSET, { quorum, maxSpreadWad, bandWad: WAD, bandWindowSeconds: 3600 }, configs);

          const T = BigInt(await time.latest()) + 10_000n;
          const observations: ref.Observation[] = [];
          for (let i = 0; i < cases.length; i++) {
            const c = cases[i];
            let price = (basePrice * BigInt(1_000_000 + c.deviationPpm)) / 1_000_000n;
            if (c.invalid === 1) price = 0n;
            if (c.invalid === 2) price = ref.MAX_PRICE_WAD + 1n;
            const updatedAt = T - BigInt(c.ageSeconds);
            await used[i].set(price, updatedAt);
            await used[i].setMode(c.mode);
            observations.push({
              unavailable: c.mode !== 0,
              priceWad: price,
              updatedAt,
              heartbeatSeconds: BigInt(c.heartbeatSeconds),
            });
          }
          const expected = ref.aggregate(observations, T, quorum, maxSpreadWad);
          seen[expected.status]++;

          await time.setNextBlockTimestamp(T);
          const poke = aggregator.connect(keeper).poke(ASSET);
          if (expected.status === "spread") {
            await expect(poke)
              .to.be.revertedWithCustomError(aggregator, "SpreadTooWide")
              .withArgs(ASSET, expected.spreadWad, maxSpreadWad);
            return;
          }
          const receipt = await (await poke).wait();
          const block = await ethers.provider.getBlock(receipt!.blockNumber);
          expect(BigInt(block!.timestamp)).to.equal(T);
          const [roundId, price, updatedAt] = await aggregator.latestRound(ASSET);
          if (expected.status === "quorum") {
            await expect(poke)
              .to.emit(aggregator, "QuorumLossReported")
              .withArgs(ASSET, expected.fresh, quorum);
            assertInvariant(INV.ORACLE_PRICE_VALIDITY, roundId === 0n, () => `round recorded without quorum`);
            return;
          }
          assertInvariant(
            INV.ORACLE_PRICE_VALIDITY,
            roundId === 1n && price === expected.priceWad && updatedAt === expected.updatedAt,
            () =>
              `recorded ${roundId}: ${price}@${updatedAt}, reference ${expected.priceWad}@${expected.updatedAt}`,
          );
          // getPrice in the state and at the time of the poke's block returns the same.
          const [viewPrice, viewUpdatedAt] = await aggregator.getPrice(ASSET, {
            blockTag: receipt!.blockNumber,
          });
          expect([viewPrice, viewUpdatedAt]).to.deep.equal([expected.priceWad, expected.updatedAt]);
        },
      ),
      fuzzParams(60),
    );
    console.log(
      `    outcomes: ${seen.ok} priced, ${seen.quorum} quorum losses, ${seen.spread} spread refusals`,
    );
  });

  it("the median lies between the fresh minimum and maximum, and is order-independent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: ref.MAX_PRICE_WAD }), { minLength: 1, maxLength: 8 }),
        (xs) => {
          const m = ref.median(xs);
          const lo = xs.reduce((a, b) => (a < b ? a : b));
          const hi = xs.reduce((a, b) => (a > b ? a : b));
          expect(m >= lo && m <= hi).to.equal(true);
          expect(ref.median([...xs].reverse())).to.equal(m);
        },
      ),
      fuzzParams(200),
    );
  });
});
