/**
 * The matcher: takes the oldest order it has not crossed yet as the taker, crosses it against the live makers of its
 * series at each maker's price (best price, then oldest; never the taker's own owner), simulates `matchOrders`, and
 * sends it signed with its own nonce. The signed transaction and its trades (PENDING) are committed, with the amounts
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
  crossingMakers,
  evictOrder,
  markProcessed,
  nextUnprocessed,
  orderOf,
  remainingOf,
  stateOf,
  type OrderRow,
} from "../db/orders";
import { highestOpenNonce, recordMatch, type NewTrade } from "../db/matches";
import type { StreamHub } from "../stream/hub";
import { publishLevels } from "../stream/levels";
import { allocate } from "./allocate";
import { decodeRevert } from "./revert";

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

  /** Cross every order not crossed yet; returns the number of transactions sent. */
  async runOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const taker = await nextUnprocessed(this.db);
      if (taker === undefined) return sent;
      if (await this.cross(taker)) sent++;
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

  /** One step for `taker`: send one match, or evict, or mark it crossed. True when a transaction was sent. */
  private async cross(taker: OrderRow): Promise<boolean> {
    const now = this.clock.now();
    if (stateOf(taker, now) !== "OPEN") {
      await markProcessed(this.db, taker.hash);
      return false;
    }
    const candidates = await crossingMakers(this.db, taker, now, this.maxMakers);
    const amounts = allocate(remainingOf(taker), candidates.map(remainingOf));
    const makers = candidates.slice(0, amounts.length);
    if (makers.length === 0) {
      await markProcessed(this.db, taker.hash);
      return false;
    }
    const failure = await this.simulate(taker, makers, amounts);
    if (failure !== undefined) {
      await this.evictFailing(taker, makers, amounts, failure);
      return false;
    }
    await this.send(taker, makers, amounts);
    return true;
  }

  private async evict(row: OrderRow, reason: string): Promise<void> {
    await evictOrder(this.db, row.hash, reason);
    this.log("evicted", { hash: row.hash, reason });
    this.hub.publish({ type: "order", hash: row.hash, state: "EVICTED", reason });
    await publishLevels(this.db, this.hub, [row], this.clock.now());
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
  ): Promise<void> {
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
