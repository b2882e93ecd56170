/**
 * Seeded workloads for the order book's matching engine, a naive reference matcher (every resting order scanned and
 * sorted for every taker: what the matcher's SQL query does), and the replay both are driven by: each taker crosses
 * until nothing crosses it any more, one crossing (one `matchOrders`) at a time, then rests what it has left.
 */
import { allocate } from "../../scripts/book/matching/allocate";
import type { Crossing, EngineOrder, EngineSide } from "../../scripts/book/matching/engine";

export interface MatchingBook {
  add(order: EngineOrder): void;
  cross(taker: EngineOrder): Crossing;
  trade(taker: EngineOrder, crossing: Crossing): void;
}

/** The reference: one array, filtered and sorted on every cross. */
export class NaiveBook implements MatchingBook {
  private orders: EngineOrder[] = [];

  constructor(private readonly maxMakers: number) {}

  add(order: EngineOrder): void {
    if (order.remaining > 0n) this.orders.push(order);
  }

  cross(taker: EngineOrder): Crossing {
    const buy = taker.side === 0;
    const candidates = this.orders
      .filter(
        (o) =>
          o.seriesId === taker.seriesId &&
          o.side !== taker.side &&
          o.owner !== taker.owner &&
          o.hash !== taker.hash &&
          o.remaining > 0n &&
          (buy ? o.price <= taker.price : o.price >= taker.price),
      )
      .sort((a, b) => {
        if (a.price !== b.price) return (buy ? a.price < b.price : a.price > b.price) ? -1 : 1;
        return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
      })
      .slice(0, this.maxMakers);
    const amounts =
      taker.remaining > 0n
        ? allocate(
            taker.remaining,
            candidates.map((c) => c.remaining),
          )
        : [];
    return { makers: candidates.slice(0, amounts.length), amounts };
  }

  trade(taker: EngineOrder, crossing: Crossing): void {
    for (const [i, maker] of crossing.makers.entries()) {
      maker.remaining -= crossing.amounts[i];
      taker.remaining -= crossing.amounts[i];
    }
    this.orders = this.orders.filter((o) => o.remaining > 0n);
  }
}

/** One crossing as the matcher would record it: taker, makers, amounts. */
export interface Fill {
  taker: string;
  makers: string[];
  amounts: bigint[];
}

/** Drive `book` through `takers` as the matcher does; returns every crossing in order. */
export function replay(book: MatchingBook, takers: EngineOrder[]): Fill[] {
  const fills: Fill[] = [];
  for (const taker of takers) {
    for (;;) {
      const crossing = book.cross(taker);
      if (crossing.makers.length === 0) break;
      fills.push({
        taker: taker.hash,
        makers: crossing.makers.map((m) => m.hash),
        amounts: crossing.amounts,
      });
      book.trade(taker, crossing);
    }
    book.add(taker);
  }
  return fills;
}

/** A small seeded generator (mulberry32): the same seed, the same workload. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Workload {
  resting: EngineOrder[];
  takers: EngineOrder[];
}

export interface WorkloadShape {
  seed: number;
  resting: number;
  takers: number;
  series: number;
  owners: number;
}

/**
 * Resting bids below and asks above a mid price per series (ticks 1..`spread` away), then takers that cross: each
 * buys or sells at up to a few ticks through the mid, from a random owner, for 1 to 20 lots.
 */
export function workload(shape: WorkloadShape): Workload {
  const rnd = random(shape.seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const MID = 1_000n;
  const SPREAD = 50;
  let seq = 0n;
  const order = (side: EngineSide, price: bigint, prefix: string): EngineOrder => {
    seq++;
    return {
      hash: `${prefix}${seq}`,
      seriesId: String(pick(shape.series)),
      owner: `owner${pick(shape.owners)}`,
      side,
      price,
      seq,
      remaining: BigInt(1 + pick(20)),
    };
  };
  const resting: EngineOrder[] = [];
  for (let i = 0; i < shape.resting; i++) {
    const side: EngineSide = pick(2) === 0 ? 0 : 1;
    const away = BigInt(1 + pick(SPREAD));
    resting.push(order(side, side === 0 ? MID - away : MID + away, "r"));
  }
  const takers: EngineOrder[] = [];
  for (let i = 0; i < shape.takers; i++) {
    const side: EngineSide = pick(2) === 0 ? 0 : 1;
    const through = BigInt(1 + pick(5));
    takers.push(order(side, side === 0 ? MID + through : MID - through, "t"));
  }
  return { resting, takers };
}

/** A deep copy (the books change the orders' `remaining`). */
export function copyOrders(orders: EngineOrder[]): EngineOrder[] {
  return orders.map((o) => ({ ...o }));
}
