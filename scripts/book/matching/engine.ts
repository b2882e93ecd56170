/**
 * The matching engine, in memory: resting orders per series and side in price-time priority (best price, then lowest
 * `seq`), crossed by a taker at the makers' prices, never against the taker's own owner (self-trade prevention), at
 * most `maxMakers` makers per cross, each taking up to what it has left. No chain, no database: the matcher loads it
 * from the store, asks it for crossings, and applies what it records.
 */
import { allocate } from "./allocate";

/** Side as the exchange numbers it: 0 buy, 1 sell. */
export type EngineSide = 0 | 1;

export interface EngineOrder {
  hash: string;
  seriesId: string;
  /** Lower-case address: orders of one owner never cross each other. */
  owner: string;
  side: EngineSide;
  /** The limit premium per contract: a maker's is the trade's price. */
  price: bigint;
  /** Arrival order: earlier wins at one price. */
  seq: bigint;
  /** What the order can still trade. */
  remaining: bigint;
}

export interface Crossing<T extends EngineOrder = EngineOrder> {
  makers: T[];
  /** What the taker takes from each maker, in the makers' order. */
  amounts: bigint[];
}

interface Level<T> {
  price: bigint;
  /** Ascending `seq`. */
  orders: T[];
}

/** One side of one series: its levels with the best price first. */
class BookSide<T extends EngineOrder> {
  readonly levels: Level<T>[] = [];

  constructor(private readonly bids: boolean) {}

  /** Whether price `a` is better than `b` on this side. */
  private better(a: bigint, b: bigint): boolean {
    return this.bids ? a > b : a < b;
  }

  /** Index of the first level not better than `price`. */
  private levelIndex(price: bigint): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(this.levels[mid].price, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(order: T): void {
    const i = this.levelIndex(order.price);
    let level = this.levels[i];
    if (level === undefined || level.price !== order.price) {
      level = { price: order.price, orders: [] };
      this.levels.splice(i, 0, level);
    }
    const orders = level.orders;
    let j = orders.length;
    while (j > 0 && orders[j - 1].seq > order.seq) j--;
    orders.splice(j, 0, order);
  }

  remove(order: T): void {
    const i = this.levelIndex(order.price);
    const level = this.levels[i];
    if (level === undefined || level.price !== order.price) return;
    const j = level.orders.indexOf(order);
    if (j < 0) return;
    level.orders.splice(j, 1);
    if (level.orders.length === 0) this.levels.splice(i, 1);
  }
}

export class MatchingEngine<T extends EngineOrder = EngineOrder> {
  private readonly sides = new Map<string, [BookSide<T>, BookSide<T>]>();
  private readonly byHash = new Map<string, T>();

  constructor(private readonly maxMakers: number) {
    if (!Number.isInteger(maxMakers) || maxMakers < 1) throw new Error("maxMakers: at least 1");
  }

  get size(): number {
    return this.byHash.size;
  }

  get(hash: string): T | undefined {
    return this.byHash.get(hash);
  }

  private side(seriesId: string, side: EngineSide): BookSide<T> {
    let pair = this.sides.get(seriesId);
    if (pair === undefined) {
      pair = [new BookSide<T>(true), new BookSide<T>(false)];
      this.sides.set(seriesId, pair);
    }
    return pair[side];
  }

  /** Rest `order` on the book (ignored when it has nothing left or is there already). */
  add(order: T): void {
    if (order.remaining <= 0n || this.byHash.has(order.hash)) return;
    this.byHash.set(order.hash, order);
    this.side(order.seriesId, order.side).add(order);
  }

  /** Take an order off the book (evicted, cancelled, filled); nothing when it is not there. */
  remove(hash: string): void {
    const order = this.byHash.get(hash);
    if (order === undefined) return;
    this.byHash.delete(hash);
    this.side(order.seriesId, order.side).remove(order);
  }

  /**
   * The makers `taker` crosses now and what it takes from each; empty when nothing crosses. Changes nothing: the caller
   * applies a crossing with `trade` once it is recorded.
   */
  cross(taker: EngineOrder): Crossing<T> {
    const opposite = this.sides.get(taker.seriesId)?.[taker.side === 0 ? 1 : 0];
    const makers: T[] = [];
    if (opposite === undefined || taker.remaining <= 0n) return { makers, amounts: [] };
    let covered = 0n;
    for (const level of opposite.levels) {
      if (taker.side === 0 ? level.price > taker.price : level.price < taker.price) break;
      for (const maker of level.orders) {
        if (maker.owner === taker.owner || maker.hash === taker.hash || maker.remaining <= 0n) continue;
        makers.push(maker);
        covered += maker.remaining;
        if (makers.length === this.maxMakers || covered >= taker.remaining) break;
      }
      if (makers.length === this.maxMakers || covered >= taker.remaining) break;
    }
    return {
      makers,
      amounts: allocate(
        taker.remaining,
        makers.map((m) => m.remaining),
      ),
    };
  }

  /** Apply a recorded crossing: the makers' and the taker's remaining amounts fall; a maker left with nothing leaves. */
  trade(taker: EngineOrder, crossing: Crossing<T>): void {
    for (const [i, maker] of crossing.makers.entries()) {
      maker.remaining -= crossing.amounts[i];
      taker.remaining -= crossing.amounts[i];
      if (maker.remaining <= 0n) this.remove(maker.hash);
    }
    const resting = this.byHash.get(taker.hash);
    if (resting !== undefined && resting.remaining <= 0n) this.remove(taker.hash);
  }
}
