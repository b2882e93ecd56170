/** Time travel and price moves on a local deployment: the chain's clock and its mock Chainlink feeds. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import { feedAnswer } from "../deploy/mocks";
import { LifecycleCheckError } from "./checks";

/** The chain's clock and the mock Chainlink feeds of a local deployment. */
export class MockMarket {
  constructor(
    private readonly hre: HardhatRuntimeEnvironment,
    /** Mock feed addresses by asset symbol. */
    private readonly feeds: Record<string, string[]>,
  ) {}

  async now(): Promise<number> {
    const block = await this.hre.ethers.provider.getBlock("latest");
    if (block === null) throw new LifecycleCheckError("no latest block");
    return block.timestamp;
  }

  /** Move the clock by `seconds` (one block), then re-stamp every feed so the oracle keeps its quorum. */
  async advance(seconds: number): Promise<void> {
    await this.hre.network.provider.send("evm_increaseTime", [seconds]);
    await this.hre.network.provider.send("evm_mine", []);
    await this.restamp();
  }

  /** Set every feed of `symbol` to `priceWad` at the latest block time. */
  async setPrice(symbol: string, priceWad: bigint): Promise<void> {
    const [signer] = await this.hre.ethers.getSigners();
    const at = await this.now();
    for (const address of this.feeds[symbol] ?? []) {
      const feed = MockChainlinkFeed__factory.connect(address, signer);
      const decimals = Number(await feed.decimals());
      await (await feed.setAnswer(feedAnswer(priceWad, decimals), at)).wait();
    }
  }

  /** Re-report every feed's current answer at the latest block time. */
  async restamp(): Promise<void> {
    const [signer] = await this.hre.ethers.getSigners();
    const at = await this.now();
    for (const addresses of Object.values(this.feeds)) {
      for (const address of addresses) {
        const feed = MockChainlinkFeed__factory.connect(address, signer);
        const [, answer] = await feed.latestRoundData();
        await (await feed.setAnswer(answer, at)).wait();
      }
    }
  }
}
