/**
 * The indexer's tables: chain events stored once by (transaction hash, log index), the block cursor, the hashes of
 * the blocks read (to find a reorg), and what the events imply for the stored orders.
 */
import type { Queryable } from "./database";

export interface ChainEvent {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  kind: "fill" | "cancel" | "min_nonce";
  orderHash: string | null;
  owner: string | null;
  amount: bigint | null;
}

export async function readCursor(q: Queryable): Promise<number | undefined> {
  const [row] = await q.query<{ block_number: string }>(
    "SELECT block_number::text AS block_number FROM indexer_cursor WHERE id = 1",
  );
  return row === undefined ? undefined : Number(row.block_number);
}

export async function writeCursor(q: Queryable, block: number, hash: string): Promise<void> {
  await q.query(
    "INSERT INTO indexer_cursor (id, block_number) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET block_number = $1",
    [block],
  );
  await q.query(
    "INSERT INTO indexed_blocks (block_number, block_hash) VALUES ($1, $2) " +
      "ON CONFLICT (block_number) DO UPDATE SET block_hash = $2",
    [block, hash],
  );
  await q.query("DELETE FROM indexed_blocks WHERE block_number < $1", [block - 256]);
}

/** The recorded block hashes, newest first. */
export function recordedBlocks(q: Queryable): Promise<{ block_number: string; block_hash: string }[]> {
  return q.query(
    "SELECT block_number::text AS block_number, block_hash FROM indexed_blocks ORDER BY block_number DESC",
  );
}

/** Forget everything read from block `from` on (a reorg replaced them) and set the cursor before it. */
export async function rewindTo(q: Queryable, from: number): Promise<void> {
  await q.query("DELETE FROM chain_events WHERE block_number >= $1", [from]);
  await q.query("DELETE FROM indexed_blocks WHERE block_number >= $1", [from]);
  await q.query("UPDATE indexer_cursor SET block_number = $1 WHERE id = 1", [from - 1]);
}

/** Store events; those already stored (same transaction and log index) are skipped. Returns how many were new. */
export async function insertEvents(q: Queryable, events: ChainEvent[]): Promise<number> {
  let added = 0;
  for (const e of events) {
    const rows = await q.query(
      `INSERT INTO chain_events (tx_hash, log_index, block_number, block_hash, kind, order_hash, owner, amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tx_hash, log_index) DO NOTHING RETURNING tx_hash`,
      [
        e.txHash.toLowerCase(),
        e.logIndex,
        e.blockNumber,
        e.blockHash,
        e.kind,
        e.orderHash?.toLowerCase() ?? null,
        e.owner?.toLowerCase() ?? null,
        e.amount?.toString() ?? null,
      ],
    );
    added += rows.length;
  }
  return added;
}

/**
 * Recompute what the stored events say about the orders: fills by others than the matcher's own transactions, and
 * cancels (by the order's owner or signer, or a minimum nonce above its nonce). Returns the hashes that changed.
 */
export async function applyEvents(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ hash: string }>(
    `WITH computed AS (
       SELECT o.hash,
         COALESCE((SELECT sum(e.amount) FROM chain_events e
                   WHERE e.kind = 'fill' AND e.order_hash = o.hash
                     AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.tx_hash = e.tx_hash)), 0) AS external_filled,
         (EXISTS (SELECT 1 FROM chain_events e WHERE e.kind = 'cancel' AND e.order_hash = o.hash
                    AND e.owner IN (o.owner, o.signer))
          OR EXISTS (SELECT 1 FROM chain_events e WHERE e.kind = 'min_nonce' AND e.owner = o.owner
                    AND e.amount > o.nonce)) AS chain_cancelled
       FROM orders o)
     UPDATE orders o SET external_filled = c.external_filled, chain_cancelled = c.chain_cancelled
     FROM computed c
     WHERE o.hash = c.hash AND (o.external_filled <> c.external_filled OR o.chain_cancelled <> c.chain_cancelled)
     RETURNING o.hash`,
  );
  return rows.map((r) => r.hash);
}
