/**
 * The matcher: takes the oldest orders it has not crossed yet in a batch, loads the live makers they may cross in one
 * query into the in-memory engine (./engine.ts), and crosses each taker in turn at each maker's price (best price,
 * then oldest; never the taker's own owner); a taker that crosses nothing joins the engine as a maker for the next.
 * Each crossing is simulated as `matchOrders` and sent signed with the matcher's own nonce. The signed transaction and its trades (PENDING) are committed, with the amounts
 * reserved on both sides, before the broadcast, so a crash between the two loses nothing: the tracker rebroadcasts it.
 * A simulation that reverts evicts the order at fault: the one the exchange's error names, else the one that fails
 * alone, else the taker.
 */
import { isCallException, keccak256, type Interface } from "ethers";
import type { Wallet } from "ethers";
import type { Chain } from "../chain/exchange";
import type { Clock } from "../chain/clock";
import type { Database } from "../db/database";
import {
  crossableMakers,
  evictOrder,
  markProcessed,
  orderOf,
  remainingOf,
  stateOf,
  unprocessedOrders,
  type OrderRow,
} from "../db/orders";
import { highestOpenNonce, recordMatch, StaleOrderError, type NewTrade } from "../db/matches";
import type { StreamHub } from "../stream/hub";
import { publishLevels } from "../stream/levels";
import { MatchingEngine, type EngineOrder } from "./engine";
import { decodeRevert } from "./revert";

/** Orders the matcher takes from the store at a time. */
const TAKER_BATCH = 256;

/** An order in the engine, with its row (whose `reserved` the matcher keeps in step). */
interface Resting extends EngineOrder {
  row: OrderRow;
}

const resting = (row: OrderRow): Resting => ({
  hash: row.hash,
  seriesId: row.series_id,
  owner: row.owner,
  side: Number(row.side) === 0 ? 0 : 1,
  price: BigInt(row.price),
  seq: BigInt(row.seq),
  remaining: remainingOf(row),
  row,
});

export interface MatcherLog {
  (event: string, fields: Record<string, unknown>): void;
}

export class Matcher {
  private nextNonce: number | undefined;

  constructor(
    private readonly db: Database,
    private readonly chain: Chain & { executor: Wallet },
    private readonly clock: Clock,
    private readonly hub: StreamHub,
    private readonly errorInterfaces: Interface[],
    private readonly maxMakers: number,
    private readonly log: MatcherLog,
  ) {}

  /** Forget the local nonce: the next send reads it again. */
  resyncNonce(): void {
    this.nextNonce = undefined;
  }

  private async nonce(): Promise<number> {
    if (this.nextNonce === undefined) {
      const node = await this.chain.provider.getTransactionCount(this.chain.executor.address, "pending");
      const stored = await highestOpenNonce(this.db);
      this.nextNonce = stored === undefined || stored + 1 < node ? node : stored + 1;
    }
    return this.nextNonce;
  }

  /**
   * Cross every order not crossed yet when it starts; returns the number of transactions sent. Orders stored meanwhile
   * wake the engine loop again (or wait for its next pass).
   */
  async runOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const takers = await unprocessedOrders(this.db, TAKER_BATCH);
      if (takers.length === 0) return sent;
      const now = this.clock.now();
      const engine = new MatchingEngine<Resting>(this.maxMakers);
      for (const row of await crossableMakers(this.db, takers, now)) engine.add(resting(row));
      const crossed: string[] = [];
      try {
        for (const row of takers) sent += await this.crossAll(engine, resting(row), now, crossed);
      } catch (error) {
        // An order changed under the engine (a cancel meanwhile): the next batch reads the store again.
        if (!(error instanceof StaleOrderError)) throw error;
        this.log("stale", { hash: error.orderHash });
      } finally {
        await markProcessed(this.db, crossed.splice(0));
      }
      // A short batch was all there was: no read to find nothing.
      if (takers.length < TAKER_BATCH) return sent;
    }
  }

  /**
   * Cross `taker` until nothing crosses it any more (one `matchOrders` per crossing, evicting what fails), then note it
   * as crossed in `crossed` and rest what it has left in the engine. Returns the transactions sent.
   */
  private async crossAll(engine: MatchingEngine<Resting>, taker: Resting, now: bigint, crossed: string[]) {
    let sent = 0;
    for (;;) {
      if (stateOf(taker.row, now) !== "OPEN") {
        crossed.push(taker.hash);
        return sent;
      }
      const { makers, amounts } = engine.cross(taker);
      if (makers.length === 0) {
        crossed.push(taker.hash);
        engine.add(taker);
        return sent;
      }
      // What the engine treats as crossed is stored as such before any match can hold it.
      await markProcessed(this.db, crossed.splice(0));
      const rows = makers.map((m) => m.row);
      const failure = await this.simulate(taker.row, rows, amounts);
      if (failure !== undefined) {
        const evicted = await this.evictFailing(taker.row, rows, amounts, failure);
        for (const e of evicted) engine.remove(e.hash);
        if (evicted.includes(taker.row)) return sent;
        continue;
      }
      await this.send(taker.row, rows, amounts);
      sent++;
      engine.trade(taker, { makers, amounts });
      for (const [i, m] of makers.entries())
        m.row.reserved = (BigInt(m.row.reserved) + amounts[i]).toString();
      const total = amounts.reduce((a, b) => a + b, 0n);
      taker.row.reserved = (BigInt(taker.row.reserved) + total).toString();
    }
  }

  private async args(taker: OrderRow, makers: OrderRow[], amounts: bigint[]) {
    return [
      orderOf(taker),
      taker.signature,
      makers.map(orderOf),
      makers.map((m) => m.signature),
      amounts,
    ] as const;
  }

  private async simulate(taker: OrderRow, makers: OrderRow[], amounts: bigint[]): Promise<unknown> {
    try {
      await this.chain.exchange.matchOrders.staticCall(...(await this.args(taker, makers, amounts)));
      return undefined;
    } catch (error) {
      // Only a revert says something about the orders; a node or network failure is retried by the engine loop.
      if (!isCallException(error)) throw error;
      return error;
    }
  }

  private async evict(row: OrderRow, reason: string): Promise<OrderRow[]> {
    await evictOrder(this.db, row.hash, reason);
    this.log("evicted", { hash: row.hash, reason });
    this.hub.publish({ type: "order", hash: row.hash, state: "EVICTED", reason });
    await publishLevels(this.db, this.hub, [row], this.clock.now());
    return [row];
  }

  /** The order a revert names, by its hash or by its account (the taker's account first). */
  private named(taker: OrderRow, makers: OrderRow[], failure: unknown): { row?: OrderRow; name: string } {
    const r = decodeRevert(this.errorInterfaces, failure);
    const all = [taker, ...makers];
    const row =
      all.find((o) => o.hash === r.orderHash) ??
      (r.accountId === undefined ? undefined : all.find((o) => BigInt(o.account_id) === r.accountId));
    return { row, name: r.name };
  }

  private async evictFailing(
    taker: OrderRow,
    makers: OrderRow[],
    amounts: bigint[],
    failure: unknown,
  ): Promise<OrderRow[]> {
    const first = this.named(taker, makers, failure);
    if (first.row !== undefined) return this.evict(first.row, first.name);
    // Nothing named: try each maker alone against the taker.
    const failing: { maker: OrderRow; name: string }[] = [];
    for (const [i, maker] of makers.entries()) {
      const single = await this.simulate(taker, [maker], [amounts[i]]);
      if (single === undefined) continue;
      const r = this.named(taker, [maker], single);
      if (r.row !== undefined) return this.evict(r.row, r.name);
      failing.push({ maker, name: r.name });
    }
    // Every maker fails alone (or none does, only together): the taker is at fault.
    if (failing.length === 0 || failing.length === makers.length) return this.evict(taker, first.name);
    for (const f of failing) await this.evict(f.maker, f.name);
    return failing.map((f) => f.maker);
  }

  private async send(taker: OrderRow, makers: OrderRow[], amounts: bigint[]): Promise<void> {
    const { exchange, executor, provider, chainId } = this.chain;
    const args = await this.args(taker, makers, amounts);
    const request = await exchange.matchOrders.populateTransaction(...args);
    const gas = await exchange.matchOrders.estimateGas(...args);
    const fees = await provider.getFeeData();
    const nonce = await this.nonce();
    const raw = await executor.signTransaction({
      ...request,
      type: 2,
      chainId,
      nonce,
      gasLimit: (gas * 125n) / 100n,
      maxFeePerGas: fees.maxFeePerGas ?? undefined,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? undefined,
    });
    const hash = keccak256(raw);
    const trades: NewTrade[] = makers.map((m, i) => ({
      seriesId: BigInt(taker.series_id),
      makerHash: m.hash,
      takerHash: taker.hash,
      makerOwner: m.owner,
      takerOwner: taker.owner,
      takerSide: Number(taker.side),
      amount: amounts[i],
      price: BigInt(m.price),
    }));
    const matchId = await this.db.transaction((tx) =>
      recordMatch(tx, { hash, raw, nonce }, taker.hash, trades),
    );
    this.nextNonce = nonce + 1;
    this.hub.publish({
      type: "trade",
      matchId,
      txHash: hash,
      status: "PENDING",
      trades: trades.map((t) => ({
        makerHash: t.makerHash,
        takerHash: t.takerHash,
        amount: t.amount.toString(),
        price: t.price.toString(),
        seriesId: t.seriesId.toString(),
      })),
    });
    await publishLevels(this.db, this.hub, [taker, ...makers], this.clock.now());
    this.log("sent", { matchId, txHash: hash, nonce, makers: makers.length });
    try {
      await provider.broadcastTransaction(raw);
    } catch (error) {
      // The tracker decides (rebroadcast, or FAILED when the nonce is gone); the next send re-reads the nonce.
      this.resyncNonce();
      this.log("broadcast-error", { txHash: hash, message: (error as Error).message.split("\n")[0] });
    }
  }
}
