/**
 * Re-validation of resting orders: the orders of the accounts and owners the chain watcher marked (collateral moved,
 * a trade, an operator or minimum nonce changed), and every order on an oracle round and at least every
 * `intervalSeconds` (prices and time move margin without an event), are checked again with the same rules as
 * `POST /orders` for what is left of them. An order that fails is evicted with the rule as its reason, a stream
 * message `{ type: "order", state: "EVICTED" }` and the new level. An account the clearing cannot price now keeps its
 * orders (the match-time simulation still guards them).
 */
import type { Chain } from "../chain/exchange";
import type { Clock } from "../chain/clock";
import type { Database } from "../db/database";
import { evictOpenOrder, liveOrdersOf, orderOf, remainingOf } from "../db/orders";
import type { StreamHub } from "../stream/hub";
import { publishLevels } from "../stream/levels";
import type { MatcherLog } from "../matching/matcher";
import type { ChainState } from "./chainState";
import { chainRefusal } from "./verdict";
import type { ChainWatcher } from "./watcher";

export class Revalidator {
  private lastSweepMs = 0;

  constructor(
    private readonly db: Database,
    private readonly chain: Chain,
    private readonly state: ChainState,
    private readonly watcher: ChainWatcher,
    private readonly clock: Clock,
    private readonly hub: StreamHub,
    private readonly intervalSeconds: number,
    private readonly log: MatcherLog,
  ) {}

  /** Check the marked orders; returns how many were evicted. */
  async runOnce(): Promise<number> {
    if (Date.now() - this.lastSweepMs >= this.intervalSeconds * 1000) {
      this.lastSweepMs = Date.now();
      this.watcher.markAll();
    }
    const dirty = this.watcher.takeDirty();
    if (!dirty.all && dirty.accounts.size === 0 && dirty.owners.size === 0) return 0;
    try {
      return await this.check(dirty.all, [...dirty.accounts], [...dirty.owners]);
    } catch (error) {
      this.watcher.requeue(dirty);
      throw error;
    }
  }

  private async check(all: boolean, accounts: string[], owners: string[]): Promise<number> {
    const now = this.clock.now();
    const rows = await liveOrdersOf(this.db, { all, accounts, owners }, now);
    let evicted = 0;
    for (const row of rows) {
      const refusal = await chainRefusal(this.state, this.chain, orderOf(row), remainingOf(row), now);
      if (refusal === undefined || refusal.reason === "Unpriced") continue;
      if (!(await evictOpenOrder(this.db, row.hash, refusal.reason))) continue;
      evicted++;
      this.log("evicted", {
        hash: row.hash,
        reason: refusal.reason,
        detail: refusal.detail ?? null,
        by: "revalidation",
      });
      this.hub.publish({ type: "order", hash: row.hash, state: "EVICTED", reason: refusal.reason });
      await publishLevels(this.db, this.hub, [row], now);
    }
    return evicted;
  }
}
