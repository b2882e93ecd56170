/**
 * Moving a mocked asset's price by hand on a local deployment (`npx hardhat move-price`): every mock feed of the asset
 * reports the new price at the latest block's time and the oracle is poked, so the keeper sees the move at once. On
 * the devnet the seeded path carries on from the new price (the ticker steps from the first feed's answer).
 */
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import type { Signer } from "ethers";
import { feedAnswer } from "../deploy/mocks";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { decodeRevert } from "../operator/reverts";
import { feedPriceWad } from "./ticker";

const POKE_OUTCOMES = [
  "Recorded",
  "Unchanged",
  "QuorumLossReported",
  "PriceBandBreachReported",
  "SequencerDownReported",
];

export interface PriceMove {
  symbol: string;
  fromWad: bigint;
  toWad: bigint;
  feeds: number;
  /** The aggregator's poke outcome ("Recorded", "PriceBandBreachReported": the breaker tripped, ...). */
  outcome: string;
}

export async function movePrice(
  p: Protocol,
  signer: Signer,
  symbol: string,
  toWad: bigint,
): Promise<PriceMove> {
  const byIndex = p.record.mocks?.feeds?.[symbol];
  if (byIndex === undefined || Object.keys(byIndex).length === 0) {
    const mocked = Object.keys(p.record.mocks?.feeds ?? {});
    throw new OperatorError(
      mocked.length === 0
        ? "move-price works only on a local deployment with mock feeds; this record has none"
        : `no mock feeds for '${symbol}' (mocked: ${mocked.join(", ")})`,
    );
  }
  if (toWad <= 0n) throw new OperatorError("--to must be a positive price");
  const feeds = Object.values(byIndex).map((address) => MockChainlinkFeed__factory.connect(address, signer));
  const fromWad = await feedPriceWad(feeds[0]);
  const block = await signer.provider?.getBlock("latest");
  if (block === null || block === undefined) throw new OperatorError("the node returned no latest block");
  for (const feed of feeds) {
    await (await feed.setAnswer(feedAnswer(toWad, Number(await feed.decimals())), block.timestamp)).wait();
  }
  const token = p.record.tokens[symbol];
  let outcome: string;
  try {
    const code = await p.oracle.connect(signer).poke.staticCall(token);
    await (await p.oracle.connect(signer).poke(token)).wait();
    outcome = POKE_OUTCOMES[Number(code)] ?? String(code);
  } catch (error) {
    outcome = `refused: ${decodeRevert(error).text}`;
  }
  return { symbol, fromWad, toWad, feeds: feeds.length, outcome };
}
