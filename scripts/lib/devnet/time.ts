/**
 * Moving a local chain's clock for the steps that wait (the timelock's delay, the breaker's cooldown, an expiry):
 * the clock jumps by one mined block, then every mock feed re-reports its current answer at the new time and the
 * oracle is poked, so prices stay fresh instead of going stale past their heartbeat.
 */
import type { Provider, Signer } from "ethers";
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";

export interface AdvanceResult {
  from: number;
  to: number;
  /** Feeds re-reported, by asset symbol. */
  feeds: Record<string, number>;
}

/** JSON-RPC of a development node (Hardhat or anvil); the in-process network's provider has the same methods. */
export interface DevProvider extends Provider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

async function latest(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new OperatorError("the node returned no latest block");
  return block.timestamp;
}

export async function advanceTime(
  p: Protocol,
  provider: DevProvider,
  signer: Signer,
  seconds: number,
): Promise<AdvanceResult> {
  const feeds = p.record.mocks?.feeds ?? {};
  if (Object.keys(feeds).length === 0) {
    throw new OperatorError(
      "advance-time works only on a local deployment with mock feeds; this record has none",
    );
  }
  if (!Number.isSafeInteger(seconds) || seconds <= 0)
    throw new OperatorError(`--by must be a positive duration, got ${seconds} s`);
  const from = await latest(provider);
  await provider.send("evm_increaseTime", [seconds]);
  await provider.send("evm_mine", []);
  const to = await latest(provider);
  const counts: Record<string, number> = {};
  for (const [symbol, byIndex] of Object.entries(feeds)) {
    for (const address of Object.values(byIndex)) {
      const feed = MockChainlinkFeed__factory.connect(address, signer);
      const [, answer] = await feed.latestRoundData();
      await (await feed.setAnswer(answer, to)).wait();
    }
    await (await p.oracle.connect(signer).poke(p.record.tokens[symbol])).wait();
    counts[symbol] = Object.keys(byIndex).length;
  }
  return { from, to, feeds: counts };
}

export function formatAdvance(r: AdvanceResult): string {
  const iso = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");
  const feeds = Object.entries(r.feeds)
    .map(([symbol, n]) => `${symbol} ×${n}`)
    .join(", ");
  return `chain time ${iso(r.from)} -> ${iso(r.to)} (+${r.to - r.from} s); feeds re-reported: ${feeds}; oracle poked`;
}
