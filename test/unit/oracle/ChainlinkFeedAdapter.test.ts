import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ChainlinkFeedAdapter, MockChainlinkFeed } from "../../../typechain-types";
import { WAD, scale } from "../../../scripts/lib/math/wad";
import { ASSET } from "../../shared/fixtures/oracle";

const MIN = WAD; // 1 quote per unit
const MAX = 1_000_000n * WAD;

describe("unit/oracle/ChainlinkFeedAdapter", () => {
  async function deployWith(decimals: number, min = MIN, max = MAX) {
    const feed: MockChainlinkFeed = await ethers.deployContract("MockChainlinkFeed", [decimals]);
    const adapter: ChainlinkFeedAdapter = await ethers.deployContract("ChainlinkFeedAdapter", [
      await feed.getAddress(),
      ASSET,
      min,
      max,
    ]);
    return { feed, adapter };
  }
  const eightDecimals = () => deployWith(8);

  it("exposes its feed, asset, decimals and bounds", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    expect(await adapter.FEED()).to.equal(await feed.getAddress());
    expect(await adapter.asset()).to.equal(ASSET);
    expect(await adapter.FEED_DECIMALS()).to.equal(8n);
    expect(await adapter.MIN_PRICE_WAD()).to.equal(MIN);
    expect(await adapter.MAX_PRICE_WAD()).to.equal(MAX);
  });

  for (const decimals of [0, 6, 8, 18, 24, 36]) {
    it(`scales a ${decimals}-decimal answer to WAD (${decimals > 18 ? "rounding down" : "exactly"})`, async () => {
      const { feed, adapter } = await deployWith(decimals);
      // 1234.5678... with every digit the feed can carry.
      const answer = 1234n * 10n ** BigInt(decimals) + (10n ** BigInt(decimals) - 1n) / 7n;
      const at = BigInt(await time.latest());
      await feed.setAnswer(answer, at);
      expect(await adapter.latest()).to.deep.equal([scale(answer, decimals, 18, false), at]);
    });
  }

  it("refuses feeds above 36 decimals at construction", async () => {
    const feed = await ethers.deployContract("MockChainlinkFeed", [37]);
    const factory = await ethers.getContractFactory("ChainlinkFeedAdapter");
    await expect(factory.deploy(await feed.getAddress(), ASSET, MIN, MAX))
      .to.be.revertedWithCustomError(factory, "FeedDecimalsUnsupported")
      .withArgs(37, 36);
  });

  it("refuses zero addresses and inconsistent bounds at construction", async () => {
    const feed = await ethers.deployContract("MockChainlinkFeed", [8]);
    const f = await feed.getAddress();
    const factory = await ethers.getContractFactory("ChainlinkFeedAdapter");
    await expect(factory.deploy(ethers.ZeroAddress, ASSET, MIN, MAX)).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    await expect(factory.deploy(f, ethers.ZeroAddress, MIN, MAX)).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    await expect(factory.deploy(f, ASSET, 0, MAX))
      .to.be.revertedWithCustomError(factory, "InvalidBounds")
      .withArgs(0, MAX);
    await expect(factory.deploy(f, ASSET, MAX, MAX))
      .to.be.revertedWithCustomError(factory, "InvalidBounds")
      .withArgs(MAX, MAX);
  });

  it("refuses a zero or negative answer", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    const at = await time.latest();
    await feed.setAnswer(0, at);
    await expect(adapter.latest()).to.be.revertedWithCustomError(adapter, "NonPositiveAnswer").withArgs(1, 0);
    await feed.setAnswer(-5n, at);
    await expect(adapter.latest())
      .to.be.revertedWithCustomError(adapter, "NonPositiveAnswer")
      .withArgs(2, -5n);
  });

  it("refuses an incomplete round (startedAt == 0 or updatedAt == 0)", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    const at = await time.latest();
    await feed.setRoundData(7, 2_000n * 10n ** 8n, 0, at, 7);
    await expect(adapter.latest())
      .to.be.revertedWithCustomError(adapter, "IncompleteRound")
      .withArgs(7, 0, at);
    await feed.setRoundData(7, 2_000n * 10n ** 8n, at, 0, 7);
    await expect(adapter.latest())
      .to.be.revertedWithCustomError(adapter, "IncompleteRound")
      .withArgs(7, at, 0);
  });

  it("refuses an answer carried over from an earlier round (answeredInRound < roundId)", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    const at = await time.latest();
    await feed.setRoundData(7, 2_000n * 10n ** 8n, at, at, 6);
    await expect(adapter.latest()).to.be.revertedWithCustomError(adapter, "StaleRound").withArgs(7, 6);
  });

  it("refuses an answer that overflows when scaled, cleanly", async () => {
    const { feed, adapter } = await deployWith(0, 1n, 2n ** 256n - 1n);
    const at = await time.latest();
    const tooBig = (2n ** 256n - 1n) / 10n ** 18n + 1n;
    await feed.setAnswer(tooBig, at);
    await expect(adapter.latest())
      .to.be.revertedWithCustomError(adapter, "AnswerOverflow")
      .withArgs(tooBig, 0);
    await feed.setAnswer(2n ** 255n - 1n, at);
    await expect(adapter.latest())
      .to.be.revertedWithCustomError(adapter, "AnswerOverflow")
      .withArgs(2n ** 255n - 1n, 0);
    await feed.setAnswer(tooBig - 1n, at);
    expect((await adapter.latest())[0]).to.equal((tooBig - 1n) * 10n ** 18n);
  });

  it("treats a feed at or beyond its plausible bounds as unavailable (LUNA-style floor)", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    const at = await time.latest();
    const toFeed = (wad: bigint) => wad / 10n ** 10n;
    for (const wad of [MIN, MIN - 10n ** 10n, MAX, MAX + 10n ** 10n]) {
      await feed.setAnswer(toFeed(wad), at);
      await expect(adapter.latest())
        .to.be.revertedWithCustomError(adapter, "PriceOutOfBounds")
        .withArgs(wad, MIN, MAX);
    }
    await feed.setAnswer(toFeed(MIN) + 1n, at);
    expect((await adapter.latest())[0]).to.equal(MIN + 10n ** 10n);
    await feed.setAnswer(toFeed(MAX) - 1n, at);
    expect((await adapter.latest())[0]).to.equal(MAX - 10n ** 10n);
  });

  it("passes on the feed's own revert", async () => {
    const { feed, adapter } = await loadFixture(eightDecimals);
    await feed.setMode(1);
    await expect(adapter.latest()).to.be.revertedWithCustomError(feed, "MockFeedReverted");
  });
});
