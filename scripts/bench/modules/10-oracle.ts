import { ethers } from "hardhat";
import type { BenchRow } from "../types";
import { deployGovernance, restrictFunctions } from "../../../test/shared/deployers/governance";
import { Roles } from "../../lib/roles";
import { deployBreaker } from "../../../test/shared/deployers/breaker";

const WAD = 10n ** 18n;
const ASSET = ethers.getAddress("0x00000000000000000000000000000000000a55e7");

/**
 * The oracle's reads beside a Chainlink-style aggregator read through its proxy, in the same run. Every figure is
 * a transaction's gasUsed (21,000 intrinsic included on both sides), so the comparison is like for like: each
 * read touches two cold contracts.
 */
/** The staleness bound the clearing passes to getRecentPrice (MarginLogic.MAX_PRICE_ROUND_AGE_SECONDS). */
const RECENT_ROUND_AGE_SECONDS = 60;

export async function bench(): Promise<BenchRow[]> {
  const [deployer, governor, keeper] = await ethers.getSigners();
  const gov = await deployGovernance(deployer, {
    timelockDelaySeconds: 3600n,
    proposers: [deployer.address],
    executors: [],
    guardians: [],
  });
  const breaker = await deployBreaker(gov.manager, deployer, {
    cooldownSeconds: 3600n,
    gracePeriodSeconds: 3600n,
  });
  const aggregator = await ethers.deployContract("OracleAggregator", [
    await gov.manager.getAddress(),
    await breaker.getAddress(),
  ]);
  await restrictFunctions(gov.manager, deployer, aggregator, ["setAssetConfig"], Roles.GOVERNOR_ROLE);
  await gov.manager.grantRole(Roles.GOVERNOR_ROLE, governor.address, 0);
  await gov.manager.grantRole(Roles.ORACLE_ROLE, await aggregator.getAddress(), 0);

  // Three Chainlink-style sources (8-decimal feeds through the adapter), as on mainnet.
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const adapters = [];
  const feeds = [];
  for (const answer of [2_000n, 2_001n, 1_999n]) {
    const feed = await ethers.deployContract("ReferenceChainlinkAggregator", [8, "ETH / USD"]);
    feeds.push(feed);
    await feed.transmit(answer * 10n ** 8n, now);
    const proxy = await ethers.deployContract("ReferenceAggregatorProxy", [await feed.getAddress()]);
    adapters.push(
      await ethers.deployContract("ChainlinkFeedAdapter", [
        await proxy.getAddress(),
        ASSET,
        WAD,
        10n ** 6n * WAD,
      ]),
    );
  }
  await aggregator
    .connect(governor)
    .setAssetConfig(
      ASSET,
      { quorum: 2, maxSpreadWad: WAD / 50n, bandWad: WAD / 10n, bandWindowSeconds: 3600 },
      await Promise.all(
        adapters.map(async (a) => ({ source: await a.getAddress(), heartbeatSeconds: 3600 })),
      ),
    );
  const facade = await ethers.deployContract("AggregatorV3Facade", [
    await aggregator.getAddress(),
    ASSET,
    "ETH / USD (optiq median)",
  ]);

  // The reference: a Chainlink-style aggregator read through its proxy.
  const refAggregator = await ethers.deployContract("ReferenceChainlinkAggregator", [8, "ETH / USD"]);
  await refAggregator.transmit(2_000n * 10n ** 8n, now);
  const refProxy = await ethers.deployContract("ReferenceAggregatorProxy", [
    await refAggregator.getAddress(),
  ]);
  // Reads are sent as transactions and measured by gasUsed: estimateGas would report the gas *limit* a call
  // needs, and getPrice needs SOURCE_GAS_LIMIT available per source call even though honest sources use little.
  const used = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    (await (await tx).wait())!.gasUsed;
  const proxyRead = await used(refProxy.latestRoundData.send());

  const firstPoke = await used(aggregator.connect(keeper).poke(ASSET));
  for (const [i, feed] of feeds.entries()) await feed.transmit((2_010n + BigInt(i)) * 10n ** 8n, now + 60);
  const steadyPoke = await used(aggregator.connect(keeper).poke(ASSET));
  const facadeRead = await used(facade.latestRoundData.send());
  const getPrice = await used(aggregator.getPrice.send(ASSET));
  const recentPrice = await used(aggregator.getRecentPrice.send(ASSET, RECENT_ROUND_AGE_SECONDS));
  const unchangedPoke = await used(aggregator.connect(keeper).poke(ASSET));

  return [
    {
      module: "oracle",
      operation: "AggregatorV3Facade.latestRoundData (read, gasUsed)",
      gas: facadeRead,
      reference: "Chainlink-style aggregator via proxy latestRoundData (read, gasUsed)",
      referenceGas: proxyRead,
      budget: proxyRead,
      note: "target: facade read <= proxy read",
    },
    {
      module: "oracle",
      operation: "OracleAggregator.getPrice, 3 Chainlink sources (read, gasUsed)",
      gas: getPrice,
      reference: "Chainlink-style aggregator via proxy latestRoundData (read, gasUsed)",
      referenceGas: proxyRead,
      note: "live median of 3 feeds, each adapter -> proxy -> aggregator",
    },
    {
      module: "oracle",
      operation: "OracleAggregator.getRecentPrice, round confirmed within 60 s (read, gasUsed)",
      gas: recentPrice,
      reference: "Chainlink-style aggregator via proxy latestRoundData (read, gasUsed)",
      referenceGas: proxyRead,
      note: "the clearing's margin reads: one slot plus the sequencer check",
    },
    {
      module: "oracle",
      operation: "OracleAggregator.poke, 3 sources, first round (tx)",
      gas: firstPoke,
      note: "records round 1 and sets the band reference (fresh slots)",
    },
    {
      module: "oracle",
      operation: "OracleAggregator.poke, 3 sources, next round (tx)",
      gas: steadyPoke,
      note: "new prices in every feed: writes a new round slot",
    },
    {
      module: "oracle",
      operation: "OracleAggregator.poke, 3 sources, unchanged (tx)",
      gas: unchangedPoke,
      note: "re-confirms the latest round for getRecentPrice",
    },
  ];
}
