/**
 * The devnet's moving market: every tick, each mocked asset's price takes one seeded lognormal step from its first
 * mock feed's answer (so a move made by hand, `npx hardhat move-price`, carries on), every mock feed of the asset
 * reports it at the latest block's time, and the oracle is poked, so the keeper, the sentinel and the reporter see
 * fresh rounds and real moves. An oracle that refuses the asset (a signed report far from the feeds: SpreadTooWide)
 * is reported on the tick's line, and the market goes on. The same seed replays the same path.
 */
import { formatUnits, type Signer } from "ethers";
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { feedAnswer } from "../deploy/mocks";
import { decodeRevert } from "../operator/reverts";
import { Rng } from "../math/rng";

const WAD = 10n ** 18n;
const BPS = 10_000;

export interface TickPrice {
  symbol: string;
  priceWad: bigint;
  /** The oracle's price after the poke (WAD), or why it refused the asset. */
  oracleWad: bigint | { refused: string };
}

export interface Tick {
  index: number;
  /** The block time the feeds reported at. */
  observedAt: bigint;
  prices: TickPrice[];
}

/** One lognormal step of `priceWad` with a standard deviation of `volBps` basis points, drift-free. */
export function step(priceWad: bigint, volBps: number, normal: number): bigint {
  const sigma = volBps / BPS;
  const factor = Math.exp(sigma * normal - (sigma * sigma) / 2);
  return (priceWad * BigInt(Math.round(factor * 1e9))) / 10n ** 9n;
}

export class Ticker {
  private readonly rng: Rng;
  private index = 0;

  constructor(
    private readonly p: Protocol,
    private readonly signer: Signer,
    seed: number,
    private readonly volBps: number,
  ) {
    this.rng = new Rng(seed);
  }

  /** Moves made so far. */
  get count(): number {
    return this.index;
  }

  /** The mocked assets, in the record's order. */
  get symbols(): string[] {
    return Object.keys(this.p.record.mocks.feeds);
  }

  /** Move every mocked asset one step, report it on all its feeds, poke the oracle. */
  async tick(): Promise<Tick> {
    this.index += 1;
    const block = await this.signer.provider?.getBlock("latest");
    if (block === null || block === undefined) throw new OperatorError("the node returned no latest block");
    const at = BigInt(block.timestamp);
    const prices: TickPrice[] = [];
    for (const symbol of this.symbols) {
      const asset = this.p.record.tokens[symbol];
      const feeds = Object.values(this.p.record.mocks.feeds[symbol]).map((address) =>
        MockChainlinkFeed__factory.connect(address, this.signer),
      );
      const [round] = await feeds[0].latestRoundData();
      const last = await feedPriceWad(feeds[0]);
      let next = step(last, this.volBps, this.rng.normal());
      // Moved by hand meanwhile (move-price): that move stands for this tick.
      const moved = (await feeds[0].latestRoundData())[0] !== round;
      if (moved) next = await feedPriceWad(feeds[0]);
      for (const feed of moved ? [] : feeds) {
        const decimals = Number(await feed.decimals());
        await (await feed.setAnswer(feedAnswer(next, decimals), at)).wait();
      }
      let oracleWad: TickPrice["oracleWad"];
      try {
        await (await this.p.oracle.connect(this.signer).poke(asset)).wait();
        oracleWad = (await this.p.oracle.getPrice(asset))[0];
      } catch (error) {
        oracleWad = { refused: decodeRevert(error).text };
      }
      prices.push({ symbol, priceWad: next, oracleWad });
    }
    return { index: this.index, observedAt: at, prices };
  }
}

/** A mock feed's latest answer as a WAD price. */
export async function feedPriceWad(
  feed: ReturnType<typeof MockChainlinkFeed__factory.connect>,
): Promise<bigint> {
  const decimals = BigInt(await feed.decimals());
  const [, answer] = await feed.latestRoundData();
  return decimals <= 18n ? answer * 10n ** (18n - decimals) : answer / 10n ** (decimals - 18n);
}

/** "tick 3: WETH 2,013.52, WBTC 59,870.00 USDC"; an asset the oracle refused shows the feeds' price and why. */
export function formatTick(t: Tick, quote: string): string {
  const parts = t.prices.map((p) =>
    typeof p.oracleWad === "bigint"
      ? `${p.symbol} ${formatPrice(p.oracleWad)}`
      : `${p.symbol} feeds ${formatPrice(p.priceWad)} (oracle refuses: ${p.oracleWad.refused})`,
  );
  return `tick ${t.index}: ${parts.join(", ")} ${quote}`;
}

/** The reporter's price document of a tick (scripts/lib/reporter/prices.ts): the feeds' prices at the tick's time. */
export function priceDocument(t: Tick): string {
  const prices = Object.fromEntries(t.prices.map((p) => [p.symbol, formatUnits(p.priceWad, 18)]));
  return `${JSON.stringify({ observedAt: Number(t.observedAt), prices })}\n`;
}

function formatPrice(wad: bigint): string {
  const cents = (wad * 100n + WAD / 2n) / WAD;
  const whole = (cents / 100n).toLocaleString("en-US");
  return `${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
}
