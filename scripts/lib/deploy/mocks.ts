/**
 * The mock tokens and feeds a local config asks for (`"token": "mock"`, `"feed": "mock"`): deployed once, reused from
 * the record on a re-run, and re-stamped so the oracle finds them fresh.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { pricedAssets, type DeployConfig } from "../config";
import type { DeploymentRecord } from "../../../src/deployment";
import { MockChainlinkFeed__factory, MockERC20__factory } from "../../../typechain-types";

/** A mock feed's answer for a WAD price. */
export function feedAnswer(priceWad: bigint, feedDecimals: number): bigint {
  return feedDecimals <= 18
    ? priceWad / 10n ** BigInt(18 - feedDecimals)
    : priceWad * 10n ** BigInt(feedDecimals - 18);
}

/** Deploy the config's mocks that `record.mocks` lacks (or that have no code any more), recording each address. */
export async function deployMissingMocks(
  hre: HardhatRuntimeEnvironment,
  config: DeployConfig,
  record: DeploymentRecord,
  deployer: Signer,
  log: (line: string) => void,
): Promise<void> {
  const hasCode = async (address: string | undefined): Promise<boolean> =>
    address !== undefined && (await hre.ethers.provider.getCode(address)) !== "0x";
  for (const asset of Object.values(config.assets)) {
    if (asset.token !== "mock") continue;
    if (!(await hasCode(record.mocks.tokens[asset.symbol]))) {
      const token = await new MockERC20__factory(deployer).deploy(
        asset.name,
        asset.symbol,
        asset.decimals ?? 18,
      );
      await token.waitForDeployment();
      record.mocks.tokens[asset.symbol] = await token.getAddress();
      log(`mock token ${asset.symbol}: ${record.mocks.tokens[asset.symbol]}`);
    }
  }
  for (const asset of pricedAssets(config)) {
    for (const [i, source] of asset.sources.entries()) {
      if (source.feed !== "mock") continue;
      const feeds = (record.mocks.feeds[asset.symbol] ??= {});
      if (!(await hasCode(feeds[i]))) {
        const feed = await new MockChainlinkFeed__factory(deployer).deploy(source.feedDecimals);
        await feed.waitForDeployment();
        feeds[i] = await feed.getAddress();
        log(`mock feed ${asset.symbol}[${i}]: ${feeds[i]}`);
      }
    }
  }
}

/** Re-stamp mock feeds that were never set or are past half their heartbeat (same answer, the latest block time). */
export async function refreshMockFeeds(
  hre: HardhatRuntimeEnvironment,
  config: DeployConfig,
  record: DeploymentRecord,
): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  const block = await hre.ethers.provider.getBlock("latest");
  const now = BigInt(block?.timestamp ?? 0);
  for (const asset of pricedAssets(config)) {
    for (const [i, source] of asset.sources.entries()) {
      if (source.feed !== "mock") continue;
      const feed = MockChainlinkFeed__factory.connect(record.mocks.feeds[asset.symbol][i], deployer);
      const [roundId, answer, , updatedAt] = await feed.latestRoundData();
      if (roundId !== 0n && now - updatedAt <= BigInt(source.heartbeatSeconds / 2)) continue;
      const next = roundId === 0n ? feedAnswer(source.initialPriceWad, source.feedDecimals) : answer;
      await (await feed.setAnswer(next, now)).wait();
    }
  }
}
