import { expect } from "chai";
import { Scopes } from "../../../scripts/lib/scopes";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { MockChainlinkFeed, MockPriceSource, OracleAggregator } from "../../../typechain-types";
import { WAD } from "../../../scripts/lib/math/wad";
import * as ref from "../../../scripts/lib/oracle/median";
import { Roles } from "../../../scripts/lib/roles";
import { INV, assertInvariant } from "../../shared/invariants";
import {
  ASSET,
  HEARTBEAT,
  OTHER_ASSET,
  TIMELOCK_DELAY,
  configure,
  defaultParams,
  deployFeedAndAdapter,
  deployMockSources,
  deployOracleBase,
  sourceConfigs,
} from "../../shared/fixtures/oracle";

const P = 2_000n * WAD; // base price
const MODE = { Normal: 0, Revert: 1, BurnGas: 2, ShortReturn: 3, RevertBomb: 4 } as const;
const OUTCOME = {
  Recorded: 0n,
  Unchanged: 1n,
  QuorumLossReported: 2n,
  PriceBandBreachReported: 3n,
  SequencerDownReported: 4n,
} as const;
const TRIP = { PriceBand: 2n, QuorumLost: 3n, SequencerDown: 4n } as const;

async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** Set each source to its price, observed at the latest block's time. */
async function setPrices(sources: MockPriceSource[], prices: bigint[]): Promise<bigint> {
  const at = await now();
  for (let i = 0; i < prices.length; i++) await sources[i].set(prices[i], at);
  return at;
}

/** Check INV_ORACLE_PRICE_VALIDITY for a price getPrice returned, against the reference over the same sources. */
async function expectValidPrice(
  aggregator: OracleAggregator,
  sources: MockPriceSource[],
  quorum: number,
  maxSpreadWad: bigint,
): Promise<bigint> {
  const [price, updatedAt] = await aggregator.getPrice(ASSET);
  const t = await now();
  const obs = await Promise.all(
    sources.map(async (s) => ({
      unavailable: (await s.mode()) !== 0n,
      priceWad: await s.priceWad(),
      updatedAt: await s.updatedAt(),
      heartbeatSeconds: HEARTBEAT,
    })),
  );
  const expected = ref.aggregate(obs, t, quorum, maxSpreadWad);
  assertInvariant(
    INV.ORACLE_PRICE_VALIDITY,
    expected.status === "ok" && expected.priceWad === price && expected.updatedAt === updatedAt,
    () =>
      `getPrice returned ${price}@${updatedAt}, reference says ${JSON.stringify(expected, (_, v) => String(v))}`,
  );
  return price;
}

describe("unit/oracle/OracleAggregator", () => {
  async function threeSources() {
    const base = await deployOracleBase();
    const sources = await deployMockSources(3, P);
    await configure(base.aggregator, base.governor, sources, defaultParams(2));
    return { ...base, sources };
  }

  async function fiveSources() {
    const base = await deployOracleBase();
    const sources = await deployMockSources(5, P);
    await configure(base.aggregator, base.governor, sources, {
      ...defaultParams(3),
      maxSpreadWad: WAD / 10n,
    });
    return { ...base, sources };
  }

  describe("constructor", () => {
    it("refuses a zero breaker", async () => {
      const { gov } = await loadFixture(deployOracleBase);
      const factory = await ethers.getContractFactory("OracleAggregator");
      await expect(
        factory.deploy(await gov.manager.getAddress(), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "ZeroBreaker");
    });
  });

  describe("configuration", () => {
    it("stores sources and parameters and emits AssetConfigured", async () => {
      const { aggregator, governor } = await loadFixture(deployOracleBase);
      const sources = await deployMockSources(3, P);
      const configs = await sourceConfigs(sources);
      const params = defaultParams(2);
      await expect(aggregator.connect(governor).setAssetConfig(ASSET, params, configs)).to.emit(
        aggregator,
        "AssetConfigured",
      );
      const [p, s] = await aggregator.assetConfig(ASSET);
      expect(p.quorum).to.equal(2n);
      expect(p.maxSpreadWad).to.equal(params.maxSpreadWad);
      expect(p.bandWad).to.equal(params.bandWad);
      expect(p.bandWindowSeconds).to.equal(3600n);
      expect(s.map((x) => x.source)).to.deep.equal(configs.map((c) => c.source));
      expect(s.map((x) => x.heartbeatSeconds)).to.deep.equal([HEARTBEAT, HEARTBEAT, HEARTBEAT]);
    });

    it("replacing a configuration with fewer sources drops the rest", async () => {
      const { aggregator, governor, sources } = await loadFixture(fiveSources);
      await configure(aggregator, governor, sources.slice(0, 2), defaultParams(1));
      const [, s] = await aggregator.assetConfig(ASSET);
      expect(s.length).to.equal(2);
      await sources[0].set(P + 10n, await now());
      await sources[1].set(P + 20n, await now());
      // Only the two configured sources enter the median: (P+10 + P+20) / 2.
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P + 15n);
    });

    it("is restricted to governance", async () => {
      const { aggregator, stranger } = await loadFixture(deployOracleBase);
      const sources = await deployMockSources(1, P);
      await expect(
        aggregator.connect(stranger).setAssetConfig(ASSET, defaultParams(1), await sourceConfigs(sources)),
      )
        .to.be.revertedWithCustomError(aggregator, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(aggregator.connect(stranger).setSequencerUptimeFeed(ethers.ZeroAddress, 0))
        .to.be.revertedWithCustomError(aggregator, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("goes through the timelock: scheduled, refused before the delay, applied after it", async () => {
      const { aggregator, gov, proposer, stranger } = await loadFixture(deployOracleBase);
      const sources = await deployMockSources(2, P);
      const data = aggregator.interface.encodeFunctionData("setAssetConfig", [
        ASSET,
        defaultParams(2),
        await sourceConfigs(sources),
      ]);
      const target = await aggregator.getAddress();
      const salt = ethers.id("oracle-config");
      await gov.timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, TIMELOCK_DELAY);
      await expect(
        gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(gov.timelock, "TimelockUnexpectedOperationState");
      await time.increase(TIMELOCK_DELAY);
      await expect(gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt)).to.emit(
        aggregator,
        "AssetConfigured",
      );
      expect((await aggregator.assetConfig(ASSET))[0].quorum).to.equal(2n);
    });

    describe("refuses bad input with the exact error and leaves the configuration unchanged", () => {
      it("zero asset, source count, quorum", async () => {
        const { aggregator, governor, sources } = await loadFixture(threeSources);
        const a = aggregator.connect(governor);
        const cfg = await sourceConfigs(sources);
        await expect(
          a.setAssetConfig(ethers.ZeroAddress, defaultParams(1), cfg),
        ).to.be.revertedWithCustomError(aggregator, "ZeroAsset");
        await expect(a.setAssetConfig(ASSET, defaultParams(1), []))
          .to.be.revertedWithCustomError(aggregator, "InvalidSourceCount")
          .withArgs(ASSET, 0, 8);
        const nine = await deployMockSources(9, P);
        await expect(a.setAssetConfig(ASSET, defaultParams(1), await sourceConfigs(nine)))
          .to.be.revertedWithCustomError(aggregator, "InvalidSourceCount")
          .withArgs(ASSET, 9, 8);
        await expect(a.setAssetConfig(ASSET, defaultParams(0), cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidQuorum")
          .withArgs(ASSET, 0, 3);
        await expect(a.setAssetConfig(ASSET, defaultParams(4), cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidQuorum")
          .withArgs(ASSET, 4, 3);
        expect((await aggregator.assetConfig(ASSET))[0].quorum).to.equal(2n);
      });

      it("spread, band and window out of bounds", async () => {
        const { aggregator, governor, sources } = await loadFixture(threeSources);
        const a = aggregator.connect(governor);
        const cfg = await sourceConfigs(sources);
        const p = defaultParams(2);
        const maxSpread = WAD / 2n;
        await expect(a.setAssetConfig(ASSET, { ...p, maxSpreadWad: 0 }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidMaxSpread")
          .withArgs(ASSET, 0, maxSpread);
        await expect(a.setAssetConfig(ASSET, { ...p, maxSpreadWad: maxSpread + 1n }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidMaxSpread")
          .withArgs(ASSET, maxSpread + 1n, maxSpread);
        await expect(a.setAssetConfig(ASSET, { ...p, bandWad: 0 }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidBand")
          .withArgs(ASSET, 0, WAD);
        await expect(a.setAssetConfig(ASSET, { ...p, bandWad: WAD + 1n }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidBand")
          .withArgs(ASSET, WAD + 1n, WAD);
        const week = 7n * 24n * 3600n;
        await expect(a.setAssetConfig(ASSET, { ...p, bandWindowSeconds: 0 }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidBandWindow")
          .withArgs(ASSET, 0, week);
        await expect(a.setAssetConfig(ASSET, { ...p, bandWindowSeconds: week + 1n }, cfg))
          .to.be.revertedWithCustomError(aggregator, "InvalidBandWindow")
          .withArgs(ASSET, week + 1n, week);
        expect((await aggregator.assetConfig(ASSET))[0].maxSpreadWad).to.equal(p.maxSpreadWad);
      });

      it("bad heartbeat, non-contract, duplicate and mismatched sources", async () => {
        const { aggregator, governor, sources, stranger } = await loadFixture(threeSources);
        const a = aggregator.connect(governor);
        const p = defaultParams(1);
        const s0 = await sources[0].getAddress();
        const threeDays = 3n * 24n * 3600n;
        await expect(a.setAssetConfig(ASSET, p, [{ source: s0, heartbeatSeconds: 0 }]))
          .to.be.revertedWithCustomError(aggregator, "InvalidHeartbeat")
          .withArgs(ASSET, s0, 0, threeDays);
        await expect(a.setAssetConfig(ASSET, p, [{ source: s0, heartbeatSeconds: threeDays + 1n }]))
          .to.be.revertedWithCustomError(aggregator, "InvalidHeartbeat")
          .withArgs(ASSET, s0, threeDays + 1n, threeDays);
        await expect(a.setAssetConfig(ASSET, p, [{ source: stranger.address, heartbeatSeconds: HEARTBEAT }]))
          .to.be.revertedWithCustomError(aggregator, "SourceNotContract")
          .withArgs(ASSET, stranger.address);
        await expect(
          a.setAssetConfig(ASSET, p, [
            { source: s0, heartbeatSeconds: HEARTBEAT },
            { source: s0, heartbeatSeconds: HEARTBEAT },
          ]),
        )
          .to.be.revertedWithCustomError(aggregator, "DuplicateSource")
          .withArgs(ASSET, s0);
        const [other] = await deployMockSources(1, P, OTHER_ASSET);
        const o = await other.getAddress();
        await expect(a.setAssetConfig(ASSET, p, [{ source: o, heartbeatSeconds: HEARTBEAT }]))
          .to.be.revertedWithCustomError(aggregator, "SourceAssetMismatch")
          .withArgs(ASSET, o, OTHER_ASSET);
        expect((await aggregator.assetConfig(ASSET))[1].length).to.equal(3);
      });

      it("sequencer grace period out of bounds", async () => {
        const { aggregator, governor } = await loadFixture(deployOracleBase);
        const feed = await ethers.deployContract("MockChainlinkFeed", [0]);
        const day = 24n * 3600n;
        await expect(aggregator.connect(governor).setSequencerUptimeFeed(await feed.getAddress(), 0))
          .to.be.revertedWithCustomError(aggregator, "InvalidSequencerGracePeriod")
          .withArgs(0, day);
        await expect(aggregator.connect(governor).setSequencerUptimeFeed(await feed.getAddress(), day + 1n))
          .to.be.revertedWithCustomError(aggregator, "InvalidSequencerGracePeriod")
          .withArgs(day + 1n, day);
        await expect(aggregator.connect(governor).setSequencerUptimeFeed(await feed.getAddress(), 3600))
          .to.emit(aggregator, "SequencerUptimeFeedSet")
          .withArgs(await feed.getAddress(), 3600);
        expect(await aggregator.sequencerUptimeFeed()).to.deep.equal([await feed.getAddress(), 3600n]);
      });
    });
  });

  describe("aggregation", () => {
    it("refuses an unconfigured asset", async () => {
      const { aggregator } = await loadFixture(threeSources);
      await expect(aggregator.getPrice(OTHER_ASSET))
        .to.be.revertedWithCustomError(aggregator, "AssetNotConfigured")
        .withArgs(OTHER_ASSET);
      await expect(aggregator.poke(OTHER_ASSET))
        .to.be.revertedWithCustomError(aggregator, "AssetNotConfigured")
        .withArgs(OTHER_ASSET);
    });

    it("odd count: the middle price; updatedAt is the oldest observation", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      const t = await now();
      await sources[0].set(P + 7n, t - 100n);
      await sources[1].set(P - 3n, t - 5n);
      await sources[2].set(P + 2n, t - 50n);
      expect(await aggregator.getPrice(ASSET)).to.deep.equal([P + 2n, t - 100n]);
      await expectValidPrice(aggregator, sources, 2, defaultParams(2).maxSpreadWad as bigint);
    });

    it("even count: the mean of the two middle prices, rounded down", async () => {
      const { aggregator, governor } = await loadFixture(deployOracleBase);
      const sources = await deployMockSources(4, P);
      await configure(aggregator, governor, sources, defaultParams(4));
      await setPrices(sources, [P + 4n, P, P + 1n, P + 10n]);
      // sorted: P, P+1, P+4, P+10 -> (P+1 + P+4) / 2 = P + 2 (2.5 rounded down)
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P + 2n);
    });

    it("drops a stale source (older than its heartbeat) but keeps one exactly at the heartbeat", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      const t0 = await setPrices(sources, [P, P, P]);
      await sources[2].set(P, t0 - 1n);
      // Exactly at the heartbeat: two sources are fresh, the third (one second older) is stale.
      await time.setNextBlockTimestamp(t0 + HEARTBEAT);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "RoundRecorded")
        .withArgs(ASSET, 1, P, t0);
      await time.setNextBlockTimestamp(t0 + HEARTBEAT + 1n);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "QuorumLossReported")
        .withArgs(ASSET, 0, 2);
      expect((await breaker.scopeState(Scopes.asset(ASSET))).reason).to.equal(TRIP.QuorumLost);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 0, 2);
    });

    it("drops a source from the future, with a zero price, or above 2^128 - 1", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      const t = await now();
      await sources[0].set(P, t + 3600n);
      await expect(aggregator.getPrice(ASSET)).to.not.be.reverted; // 2 of 3 still fresh
      await sources[1].set(0n, await now());
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await sources[1].set(2n ** 128n, await now());
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await sources[1].set(2n ** 128n - 1n, await now());
      await expect(aggregator.getPrice(ASSET)).to.be.revertedWithCustomError(aggregator, "SpreadTooWide");
    });

    for (const [name, mode] of [
      ["reverts", MODE.Revert],
      ["burns all its gas", MODE.BurnGas],
      ["returns too little data", MODE.ShortReturn],
      ["reverts with a 100 kB payload", MODE.RevertBomb],
    ] as const) {
      it(`treats a source that ${name} as unavailable without bricking the aggregate`, async () => {
        const { aggregator, sources, keeper } = await loadFixture(threeSources);
        await setPrices(sources, [P, P + 100n, P + 300n]);
        await sources[0].setMode(mode);
        // Median of the two others: (P+100 + P+300) / 2.
        expect((await aggregator.getPrice(ASSET))[0]).to.equal(P + 200n);
        await expect(aggregator.connect(keeper).poke(ASSET))
          .to.emit(aggregator, "RoundRecorded")
          .withArgs(ASSET, 1, P + 200n, await sources[1].updatedAt());
        await sources[1].setMode(mode);
        await expect(aggregator.getPrice(ASSET))
          .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
          .withArgs(ASSET, 1, 2);
      });
    }

    it("a gas-guzzling source costs the caller at most SOURCE_GAS_LIMIT", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      const honest = await aggregator.getPrice.estimateGas(ASSET);
      await sources[0].setMode(MODE.BurnGas);
      const guzzled = await aggregator.getPrice.estimateGas(ASSET);
      const cap = await aggregator.SOURCE_GAS_LIMIT();
      expect(guzzled - honest).to.be.lessThanOrEqual(cap);
      expect(guzzled - honest).to.be.greaterThan(cap / 2n);
    });

    it("refuses to run with too little gas for a source instead of reporting a false quorum loss", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      await sources[0].setMode(MODE.BurnGas);
      // Enough for the first (guzzling) source call, not for the second one's full cap.
      await expect(aggregator.connect(keeper).poke(ASSET, { gasLimit: 200_000 }))
        .to.be.revertedWithCustomError(aggregator, "InsufficientGasForSource")
        .withArgs(ASSET, 1, (v: bigint) => v < 103_000n);
      expect(await breaker.trippedScopeCount()).to.equal(0n);
    });

    it("refuses below quorum with QuorumNotMet(asset, fresh, quorum)", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      await sources[0].setMode(MODE.Revert);
      await sources[1].setMode(MODE.Revert);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
    });

    it("refuses when fresh sources disagree beyond the spread, with the spread rounded up", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      const prices = [P, P + P / 50n + 1n, P + 1n]; // (max - min) / median just above 2%
      await setPrices(sources, prices);
      const med = ref.median(prices);
      const spread = ref.spreadWad(prices, med);
      expect(spread).to.be.greaterThan((2n * WAD) / 100n);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SpreadTooWide")
        .withArgs(ASSET, spread, (2n * WAD) / 100n);
      await expect(aggregator.poke(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SpreadTooWide")
        .withArgs(ASSET, spread, (2n * WAD) / 100n);
      // Exactly at the bound is accepted: spread 2% of a median of P.
      await setPrices(sources, [P - P / 100n, P, P + P / 100n]);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P);
    });

    it("one outlier among five: the median stays with the honest four; a wild one halts, never prices", async () => {
      const { aggregator, sources } = await loadFixture(fiveSources);
      const honest = [P - 20n, P - 10n, P, P + 10n];
      await setPrices(sources, [...honest, P + P / 20n]); // +5%, inside the 10% spread
      const price = await expectValidPrice(aggregator, sources, 3, WAD / 10n);
      expect(price).to.equal(P);
      expect(price >= honest[0] && price <= honest[3]).to.equal(true);
      await setPrices(sources, [...honest, 10n * P]);
      await expect(aggregator.getPrice(ASSET)).to.be.revertedWithCustomError(aggregator, "SpreadTooWide");
    });

    it("two colluding sources among five cannot move the median outside the honest range", async () => {
      const { aggregator, sources } = await loadFixture(fiveSources);
      const honest = [P - 30n, P, P + 30n];
      for (const collude of [P + P / 20n, P - P / 20n]) {
        await setPrices(sources, [honest[0], collude, honest[1], collude, honest[2]]);
        const price = await expectValidPrice(aggregator, sources, 3, WAD / 10n);
        expect(price >= honest[0] && price <= honest[2]).to.equal(true);
      }
      // Colluding far away only halts the price.
      await setPrices(sources, [honest[0], 2n * P, honest[1], 2n * P, honest[2]]);
      await expect(aggregator.getPrice(ASSET)).to.be.revertedWithCustomError(aggregator, "SpreadTooWide");
    });
  });

  describe("Chainlink adapters as sources", () => {
    async function chainlinkAsset() {
      const base = await deployOracleBase();
      const a = await deployFeedAndAdapter(8, 2_000n * 10n ** 8n);
      const b = await deployFeedAndAdapter(6, 2_001n * 10n ** 6n);
      const c = await deployFeedAndAdapter(24, 1_999n * 10n ** 24n);
      await configure(base.aggregator, base.governor, [a.adapter, b.adapter, c.adapter], defaultParams(2));
      return { ...base, feeds: [a.feed, b.feed, c.feed] as MockChainlinkFeed[] };
    }

    it("aggregates feeds of 8, 6 and 24 decimals in WAD", async () => {
      const { aggregator } = await loadFixture(chainlinkAsset);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(2_000n * WAD);
    });

    it("a stale feed, a zero or negative answer, an incomplete round, answeredInRound < roundId: unavailable", async () => {
      const { aggregator, feeds } = await loadFixture(chainlinkAsset);
      const t = await now();
      await feeds[0].setAnswer(2_000n * 10n ** 8n, t - HEARTBEAT - 1n); // stale
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(2_000n * WAD); // (2001 + 1999) / 2
      await feeds[1].setAnswer(0n, t);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await feeds[1].setAnswer(-1n, t);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await feeds[1].setRoundData(5, 2_001n * 10n ** 6n, 0, t, 5);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await feeds[1].setRoundData(5, 2_001n * 10n ** 6n, t, t, 4);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
      await feeds[1].setRoundData(5, 2_001n * 10n ** 6n, t, t, 5);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(2_000n * WAD);
    });

    it("a reverting or gas-burning feed is unavailable", async () => {
      const { aggregator, feeds } = await loadFixture(chainlinkAsset);
      await feeds[0].setMode(1);
      await feeds[1].setMode(2);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
    });
  });

  describe("poke: rounds, band, breaker reports", () => {
    it("records the first round and sets the band reference", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      const t = await setPrices(sources, [P, P + 2n, P + 4n]);
      const tx = aggregator.connect(keeper).poke(ASSET);
      await expect(tx)
        .to.emit(aggregator, "RoundRecorded")
        .withArgs(ASSET, 1, P + 2n, t);
      await expect(tx).to.emit(aggregator, "BandReferenceSet");
      expect(await aggregator.latestRound(ASSET)).to.deep.equal([1n, P + 2n, t]);
      expect(await aggregator.roundData(ASSET, 1)).to.deep.equal([P + 2n, t]);
      const band = await aggregator.bandState(ASSET);
      expect(band.referenceWad).to.equal(P + 2n);
      expect(band.lastPriceWad).to.equal(P + 2n);
    });

    it("does not record an unchanged aggregate twice", async () => {
      const { aggregator, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      expect(await aggregator.connect(keeper).poke.staticCall(ASSET)).to.equal(OUTCOME.Unchanged);
      await expect(aggregator.connect(keeper).poke(ASSET)).to.not.emit(aggregator, "RoundRecorded");
      expect((await aggregator.latestRound(ASSET))[0]).to.equal(1n);
    });

    it("records a move within the band", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const up = P + P / 10n; // exactly +10%: at the band, not beyond
      const t = await setPrices(sources, [up, up, up]);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(up);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "RoundRecorded")
        .withArgs(ASSET, 2, up, t);
    });

    it("a jump beyond the band: getPrice refuses until poke reports it; the report persists", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const jumped = P + P / 10n + 1n;
      expect(ref.beyondBand(P, jumped, WAD / 10n)).to.equal(true);
      await setPrices(sources, [jumped, jumped, jumped]);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "PriceJumpUnreported")
        .withArgs(ASSET, P, jumped);
      expect(await aggregator.connect(keeper).poke.staticCall(ASSET)).to.equal(
        OUTCOME.PriceBandBreachReported,
      );
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "PriceBandBreachReported")
        .withArgs(ASSET, P, jumped)
        .and.to.emit(breaker, "Tripped")
        .withArgs(
          Scopes.asset(ASSET),
          TRIP.PriceBand,
          await aggregator.getAddress(),
          ethers.toBeHex(jumped, 32),
        );
      expect(await breaker.isTripped(Scopes.asset(ASSET))).to.equal(true);
      // No round recorded for the jump; the reference now is the jumped price.
      expect((await aggregator.latestRound(ASSET))[0]).to.equal(1n);
      expect((await aggregator.bandState(ASSET)).referenceWad).to.equal(jumped);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(jumped);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "RoundRecorded")
        .withArgs(ASSET, 2, jumped, await sources[0].updatedAt());
    });

    it("a drop beyond the band is a jump too", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const dropped = P - P / 10n - 1n;
      await setPrices(sources, [dropped, dropped, dropped]);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "PriceJumpUnreported")
        .withArgs(ASSET, P, dropped);
      await aggregator.connect(keeper).poke(ASSET);
      expect((await breaker.scopeState(Scopes.asset(ASSET))).reason).to.equal(TRIP.PriceBand);
    });

    it("cumulative drift within a window is a jump; after the window the reference rolls to the last price", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const step1 = P + P / 16n; // +6.25%
      await setPrices(sources, [step1, step1, step1]);
      await aggregator.connect(keeper).poke(ASSET);
      const step2 = step1 + step1 / 16n; // +12.9% from P, +6.25% from step1
      await setPrices(sources, [step2, step2, step2]);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "PriceJumpUnreported")
        .withArgs(ASSET, P, step2);
      // Once the window has elapsed the reference is step1, and step2 is within the band of it.
      await time.increase(3600);
      await setPrices(sources, [step2, step2, step2]);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(step2);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "BandReferenceSet")
        .and.to.emit(aggregator, "RoundRecorded");
      expect((await aggregator.bandState(ASSET)).referenceWad).to.equal(step1);
      expect(await breaker.trippedScopeCount()).to.equal(0n);
    });

    it("a round's updatedAt never goes back: a source returning with an older observation is refused", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      const t0 = await sources[2].updatedAt();
      await time.increase(100);
      await sources[2].setMode(MODE.Revert);
      const t1 = await setPrices(sources.slice(0, 2), [P, P]);
      await aggregator.connect(keeper).poke(ASSET);
      expect(await aggregator.latestRound(ASSET)).to.deep.equal([1n, P, t1]);
      // The third source comes back with its older, still fresh observation: the aggregate is observed at t0 < t1.
      await sources[2].setMode(MODE.Normal);
      expect(await aggregator.getPrice(ASSET)).to.deep.equal([P, t0]);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.be.revertedWithCustomError(aggregator, "RoundOlderThanLatest")
        .withArgs(ASSET, t0, t1);
      expect(await aggregator.latestRound(ASSET)).to.deep.equal([1n, P, t1]);
      // Once the returning source reports again, the next round is recorded, no older than the last.
      const t2 = await setPrices(sources, [P + 2n, P + 2n, P + 2n]);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "RoundRecorded")
        .withArgs(ASSET, 2, P + 2n, t2);
    });

    it("a loss of quorum is reported to the breaker without reverting", async () => {
      const { aggregator, sources, keeper, breaker } = await loadFixture(threeSources);
      await sources[0].setMode(MODE.Revert);
      await sources[1].setMode(MODE.BurnGas);
      expect(await aggregator.connect(keeper).poke.staticCall(ASSET)).to.equal(OUTCOME.QuorumLossReported);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "QuorumLossReported")
        .withArgs(ASSET, 1, 2)
        .and.to.emit(breaker, "Tripped")
        .withArgs(Scopes.asset(ASSET), TRIP.QuorumLost, await aggregator.getAddress(), ethers.toBeHex(1, 32));
      expect((await aggregator.latestRound(ASSET))[0]).to.equal(0n);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
    });
  });

  describe("getRecentPrice: the poke-confirmed round within the consumer's age, else live", () => {
    const MAX_AGE = 60n;

    it("serves the confirmed round within the age bound even after the sources moved, live after it", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      const t0 = await setPrices(sources, [P, P, P]);
      await aggregator.connect(keeper).poke(ASSET);
      const confirmedAt = await now();
      const moved = P + P / 20n; // +5%: within the band, so the live path would serve it
      await setPrices(sources, [moved, moved, moved]);
      expect(await aggregator.getRecentPrice(ASSET, MAX_AGE)).to.deep.equal([P, t0]);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(moved);
      // One second past the bound the round is too old: the live aggregate, with its own updatedAt.
      await time.increaseTo(confirmedAt + MAX_AGE + 1n);
      const t1 = await setPrices(sources, [moved, moved, moved]);
      expect(await aggregator.getRecentPrice(ASSET, MAX_AGE)).to.deep.equal([moved, t1]);
      // Age 0 always aggregates live.
      expect((await aggregator.getRecentPrice(ASSET, 0))[0]).to.equal(moved);
    });

    it("exactly at the age bound the round is still served", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const confirmedAt = await now();
      await sources[0].setMode(MODE.Revert);
      await sources[1].setMode(MODE.Revert); // live would refuse: quorum lost, not yet reported
      // Calls in the context of the next block, at exactly confirmedAt + MAX_AGE.
      await time.setNextBlockTimestamp(confirmedAt + MAX_AGE);
      const pending = { blockTag: "pending" } as const;
      expect((await aggregator.getRecentPrice(ASSET, MAX_AGE, pending))[0]).to.equal(P);
      await expect(aggregator.getRecentPrice(ASSET, MAX_AGE - 1n, pending))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
    });

    it("an unchanged poke re-confirms the round without recording a new one", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      const t0 = await setPrices(sources, [P, P, P]);
      await aggregator.connect(keeper).poke(ASSET);
      await time.increase(MAX_AGE * 2n);
      expect(await aggregator.connect(keeper).poke.staticCall(ASSET)).to.equal(OUTCOME.Unchanged);
      await aggregator.connect(keeper).poke(ASSET);
      expect((await aggregator.latestRound(ASSET))[0]).to.equal(1n);
      await sources[0].setMode(MODE.Revert);
      await sources[1].setMode(MODE.Revert);
      expect(await aggregator.getRecentPrice(ASSET, MAX_AGE)).to.deep.equal([P, t0]);
    });

    it("never serves a round that no poke confirmed: before the first round, the live aggregate", async () => {
      const { aggregator, sources } = await loadFixture(threeSources);
      const t = await setPrices(sources, [P, P + 2n, P + 4n]);
      expect(await aggregator.getRecentPrice(ASSET, MAX_AGE)).to.deep.equal([P + 2n, t]);
    });

    it("a reported jump ends the fast path at once: the jumped price, live", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const jumped = P * 2n;
      await setPrices(sources, [jumped, jumped, jumped]);
      expect((await aggregator.getRecentPrice(ASSET, MAX_AGE))[0]).to.equal(P); // not yet reported
      await aggregator.connect(keeper).poke(ASSET);
      expect((await aggregator.getRecentPrice(ASSET, MAX_AGE))[0]).to.equal(jumped);
    });

    it("a reported loss of quorum ends the fast path: QuorumNotMet", async () => {
      const { aggregator, sources, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      await sources[0].setMode(MODE.Revert);
      await sources[1].setMode(MODE.Revert);
      await aggregator.connect(keeper).poke(ASSET);
      await expect(aggregator.getRecentPrice(ASSET, MAX_AGE))
        .to.be.revertedWithCustomError(aggregator, "QuorumNotMet")
        .withArgs(ASSET, 1, 2);
    });

    it("a new configuration ends the fast path: the new sources, live", async () => {
      const { aggregator, governor, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const other = P + 1n;
      const replacements = await deployMockSources(2, other);
      await configure(aggregator, governor, replacements, defaultParams(2));
      expect((await aggregator.getRecentPrice(ASSET, MAX_AGE))[0]).to.equal(other);
    });

    it("refuses while the sequencer is down, even with a confirmed round", async () => {
      const { aggregator, keeper, governor } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const feed = await ethers.deployContract("MockChainlinkFeed", [0]);
      await feed.setAnswer(1, await now());
      await aggregator.connect(governor).setSequencerUptimeFeed(await feed.getAddress(), 3600);
      await expect(aggregator.getRecentPrice(ASSET, MAX_AGE))
        .to.be.revertedWithCustomError(aggregator, "SequencerDown")
        .withArgs(ASSET);
    });

    it("costs a fraction of a live aggregation", async () => {
      const { aggregator, keeper } = await loadFixture(threeSources);
      await aggregator.connect(keeper).poke(ASSET);
      const fast = await aggregator.getRecentPrice.estimateGas(ASSET, MAX_AGE);
      const live = await aggregator.getPrice.estimateGas(ASSET);
      expect(fast * 3n).to.be.lessThan(live);
    });
  });

  describe("L2 sequencer uptime", () => {
    async function withSequencer() {
      const base = await threeSources();
      const feed = await ethers.deployContract("MockChainlinkFeed", [0]);
      const t = BigInt(await time.latest());
      await feed.setAnswer(0, t - 7200n); // up for two hours
      await base.aggregator.connect(base.governor).setSequencerUptimeFeed(await feed.getAddress(), 3600);
      return { ...base, feed };
    }

    it("serves prices while the sequencer is up past its grace period", async () => {
      const { aggregator } = await loadFixture(withSequencer);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P);
    });

    it("refuses while down (or on an invalid round) and poke reports it", async () => {
      const { aggregator, feed, keeper, breaker } = await loadFixture(withSequencer);
      await feed.setAnswer(1, await now());
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SequencerDown")
        .withArgs(ASSET);
      expect(await aggregator.connect(keeper).poke.staticCall(ASSET)).to.equal(OUTCOME.SequencerDownReported);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.emit(aggregator, "SequencerDownReported")
        .withArgs(ASSET)
        .and.to.emit(breaker, "Tripped")
        .withArgs(Scopes.GLOBAL, TRIP.SequencerDown, await aggregator.getAddress(), ethers.ZeroHash);
      await feed.setRoundData(9, 0, 0, await now(), 9);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SequencerDown")
        .withArgs(ASSET);
    });

    it("refuses for the grace period after the sequencer is back up", async () => {
      const { aggregator, feed, keeper, sources } = await loadFixture(withSequencer);
      const back = await now();
      await feed.setAnswer(0, back);
      await expect(aggregator.getPrice(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SequencerGracePeriod")
        .withArgs(ASSET, back + 3600n);
      await expect(aggregator.connect(keeper).poke(ASSET))
        .to.be.revertedWithCustomError(aggregator, "SequencerGracePeriod")
        .withArgs(ASSET, back + 3600n);
      await time.increaseTo(back + 3601n);
      await setPrices(sources, [P, P, P]);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P);
    });

    it("governance can remove the feed", async () => {
      const { aggregator, feed, governor } = await loadFixture(withSequencer);
      await feed.setAnswer(1, await now());
      await aggregator.connect(governor).setSequencerUptimeFeed(ethers.ZeroAddress, 0);
      expect((await aggregator.getPrice(ASSET))[0]).to.equal(P);
    });
  });

  it("is wired to GOVERNOR_ROLE for its configuration functions", async () => {
    const { aggregator, gov } = await loadFixture(deployOracleBase);
    const target = await aggregator.getAddress();
    for (const name of ["setAssetConfig", "setSequencerUptimeFeed"] as const) {
      const selector = aggregator.interface.getFunction(name).selector;
      expect(await gov.manager.getTargetFunctionRole(target, selector)).to.equal(Roles.GOVERNOR_ROLE);
    }
  });
});
