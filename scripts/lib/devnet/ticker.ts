/**
 * The devnet's moving market: every tick, each mocked asset's price takes one seeded lognormal step, every mock feed of
 * the asset reports it at the latest block's time, and the oracle is poked, so the keeper, the sentinel and the
 * reporter see fresh rounds and real moves. The same seed replays the same path.
 */
import type { Signer } from "ethers";
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { feedAnswer } from "../deploy/mocks";
import { Rng } from "../math/rng";

const WAD = 10n ** 18n;
const BPS = 10_000;

export interface TickPrice {
  symbol: string;
  priceWad: bigint;
  /** The oracle's price after the poke (WAD). */
  oracleWad: bigint;
}

export interface Tick {
  index: number;
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
  private readonly prices = new Map<string, bigint>();
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
      const last = this.prices.get(symbol) ?? (await this.p.oracle.getPrice(asset))[0];
      const next = step(last, this.volBps, this.rng.normal());
      this.prices.set(symbol, next);
      for (const address of Object.values(this.p.record.mocks.feeds[symbol])) {
        const feed = MockChainlinkFeed__factory.connect(address, this.signer);
        const decimals = Number(await feed.decimals());
        await (await feed.setAnswer(feedAnswer(next, decimals), at)).wait();
      }
      await (await this.p.oracle.connect(this.signer).poke(asset)).wait();
      prices.push({ symbol, priceWad: next, oracleWad: (await this.p.oracle.getPrice(asset))[0] });
    }
    return { index: this.index, prices };
  }
}

/** "tick 3: WETH 2,013.52, WBTC 59,870.00 (USDC)". */
export function formatTick(t: Tick, quote: string): string {
  const parts = t.prices.map((p) => `${p.symbol} ${formatPrice(p.oracleWad)}`);
  return `tick ${t.index}: ${parts.join(", ")} ${quote}`;
}

function formatPrice(wad: bigint): string {
  const cents = (wad * 100n + WAD / 2n) / WAD;
  const whole = (cents / 100n).toLocaleString("en-US");
  return `${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
}
