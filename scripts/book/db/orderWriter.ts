/**
 * Group commit of accepted orders: requests that arrive in the same turn of the event loop, or while batches are being
 * committed (one at a time on an embedded database, two on a shared server), go together in the next one, and each
 * batch is one transaction of a few statements whatever its size (per-owner advisory locks on a shared server; one read
 * of the open-order counts where the cap needs them, the stored duplicates and the indexed cancels and fills; one
 * multi-row INSERT). Each request's promise settles when its batch has committed (or failed), so a 201 still means
 * "committed".
 */
import type { Order } from "../../../src/exchange/order";
import type { Database, Queryable } from "./database";
import { INSERT_COLUMNS, insertValues, LIVE } from "./orders";

export interface PendingOrder {
  hash: string;
  order: Order;
  signature: string;
}

/** Why a stored order was refused by the writer. */
export type WriteOutcome =
  | { stored: true }
  | { stored: false; why: "duplicate" }
  | { stored: false; why: "cap"; open: number }
  | { stored: false; why: "cancelled" }
  | { stored: false; why: "filled"; filled: bigint };

interface Queued extends PendingOrder {
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Batches a shared server commits at once (each on its own connection of the pool). */
const SHARED_BATCHES_IN_FLIGHT = 2;

/** Owners whose bound is kept at most; past this the bounds are forgotten (each owner is then counted afresh). */
const MAX_BOUNDED_OWNERS = 100_000;

export class OrderWriter {
  private queue: Queued[] = [];
  private scheduled = false;
  private inFlight = 0;
  /**
   * On an embedded database this writer is the only one adding orders, and every other change (fills, cancels,
   * expiry) only closes them: an owner's open orders at their last count plus those accepted since is an upper bound
   * of their open orders now. An owner whose bound plus this batch's orders stays within the cap is not counted again;
   * a refusal for the cap always follows a fresh count. (A shared server has other writers: every batch counts.)
   */
  private readonly openBound = new Map<string, number>();
  /** Transactions committed, for the benchmark. */
  batches = 0;

  constructor(
    private readonly db: Database,
    private readonly maxOpenPerOwner: number,
    private readonly now: () => bigint,
    private readonly maxBatchOrders: number,
  ) {}

  /** Store `o` in the next batch; settles once that batch has committed. */
  write(o: PendingOrder): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...o, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Start batches after this turn of the event loop, so the requests checked in it go together. An embedded database
   * commits one batch at a time; a shared server takes `SHARED_BATCHES_IN_FLIGHT` at once on separate connections (the
   * owners' advisory locks order two batches of one owner, and each batch's count reads what the other committed).
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const limit = this.db.shared ? SHARED_BATCHES_IN_FLIGHT : 1;
      while (this.queue.length > 0 && this.inFlight < limit) {
        const batch = this.queue.splice(0, this.maxBatchOrders);
        this.inFlight++;
        void this.store(batch).finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.schedule();
        });
      }
    });
  }

  private async store(batch: Queued[]): Promise<void> {
    try {
      const outcomes = await this.db.transaction((tx) => this.commit(tx, batch));
      this.batches++;
      batch.forEach((q, i) => q.resolve(outcomes[i]));
    } catch (error) {
      for (const q of batch) q.reject(error);
    }
  }

  /** The owners of `batch` whose open orders must be counted: unknown, or their bound near the cap. */
  private ownersToCount(batch: Queued[]): string[] {
    const adding = new Map<string, number>();
    for (const q of batch) {
      const owner = q.order.owner.toLowerCase();
      adding.set(owner, (adding.get(owner) ?? 0) + 1);
    }
    return [...adding]
      .filter(([owner, n]) => {
        const bound = this.openBound.get(owner);
        return bound === undefined || bound + n > this.maxOpenPerOwner;
      })
      .map(([owner]) => owner)
      .sort();
  }

  private async commit(tx: Queryable, batch: Queued[]): Promise<WriteOutcome[]> {
    const owners = [...new Set(batch.map((q) => q.order.owner.toLowerCase()))].sort();
    const hashes = batch.map((q) => q.hash.toLowerCase());
    const counted = this.db.shared ? owners : this.ownersToCount(batch);
    // One writer per owner at a time (in a fixed order: no deadlock), so the cap holds across batches and instances. An
    // embedded database has one process, whose batches run one at a time.
    if (this.db.shared)
      await tx.query("SELECT pg_advisory_xact_lock(hashtext(o)) FROM unnest($1::text[]) AS o", [owners]);
    // One read for the batch: the open orders of the owners to count, the hashes stored already, and what the indexed
    // chain says about these hashes (a cancel by the owner or signer, fills by anyone).
    // A counted owner with no open order has no row: zero.
    const open = new Map<string, number>(counted.map((owner) => [owner, 0]));
    const stored = new Set<string>();
    const chain = new Map<string, { cancelledBy: Set<string>; filled: bigint }>();
    for (const r of await tx.query<{ kind: string; key: string; value: string | null; owner: string | null }>(
      `SELECT 'open' AS kind, owner AS key, count(*)::text AS value, NULL::text AS owner FROM orders
         WHERE owner = ANY($1::text[]) AND ${LIVE("$3")} GROUP BY owner
       UNION ALL
       SELECT 'stored', hash, NULL, NULL FROM orders WHERE hash = ANY($2::text[])
       UNION ALL
       SELECT kind, order_hash, amount::text, owner FROM chain_events
         WHERE order_hash = ANY($2::text[]) AND kind IN ('cancel', 'fill')`,
      [counted, hashes, this.now().toString()],
    )) {
      if (r.kind === "open") open.set(r.key, Number(r.value));
      else if (r.kind === "stored") stored.add(r.key);
      else {
        const c = chain.get(r.key) ?? { cancelledBy: new Set<string>(), filled: 0n };
        if (r.kind === "cancel" && r.owner !== null) c.cancelledBy.add(r.owner);
        if (r.kind === "fill" && r.value !== null) c.filled += BigInt(r.value);
        chain.set(r.key, c);
      }
    }

    const outcomes: WriteOutcome[] = [];
    const accepted: Queued[] = [];
    for (const [i, q] of batch.entries()) {
      const owner = q.order.owner.toLowerCase();
      const hash = hashes[i];
      const c = chain.get(hash);
      const n = open.get(owner) ?? this.openBound.get(owner) ?? 0;
      if (stored.has(hash)) outcomes.push({ stored: false, why: "duplicate" });
      else if (
        c !== undefined &&
        (c.cancelledBy.has(owner) || c.cancelledBy.has(q.order.signer.toLowerCase()))
      )
        outcomes.push({ stored: false, why: "cancelled" });
      else if (c !== undefined && c.filled > 0n)
        outcomes.push({ stored: false, why: "filled", filled: c.filled });
      else if (n >= this.maxOpenPerOwner) outcomes.push({ stored: false, why: "cap", open: n });
      else {
        outcomes.push({ stored: true });
        accepted.push(q);
        stored.add(hash);
        open.set(owner, n + 1);
      }
    }
    if (accepted.length > 0) await insertOrders(tx, accepted);
    if (!this.db.shared) {
      if (this.openBound.size > MAX_BOUNDED_OWNERS) this.openBound.clear();
      for (const owner of owners)
        this.openBound.set(owner, open.get(owner) ?? this.openBound.get(owner) ?? 0);
    }
    return outcomes;
  }
}

/** One INSERT of many orders (their `seq` in the given order). */
async function insertOrders(tx: Queryable, rows: PendingOrder[]): Promise<void> {
  const values: string[] = [];
  const params: unknown[] = [];
  for (const { hash, order, signature } of rows) {
    const row = insertValues(hash, order, signature);
    values.push(`(${row.map((_, k) => `$${params.length + k + 1}`).join(", ")})`);
    params.push(...row);
  }
  await tx.query(`INSERT INTO orders (${INSERT_COLUMNS}) VALUES ${values.join(", ")}`, params);
}
