/** The matcher's transactions (`matches`, one `matchOrders` each) and their trades, with the reservations they hold. */
import type { Queryable } from "./database";

export type MatchStatus = "PENDING" | "MINED" | "CONFIRMED" | "FAILED";

export interface MatchRow {
  id: string;
  tx_hash: string;
  raw_tx: string;
  nonce: string;
  taker_hash: string;
  status: MatchStatus;
  block_number: string | null;
}

export interface NewTrade {
  seriesId: bigint;
  makerHash: string;
  takerHash: string;
  makerOwner: string;
  takerOwner: string;
  takerSide: number;
  amount: bigint;
  price: bigint;
}

/** An order of a match left the book, or has less left, since the matcher read it: the match is not recorded. */
export class StaleOrderError extends Error {
  constructor(readonly orderHash: string) {
    super(`order ${orderHash} changed since the matcher read it`);
  }
}

/** Reserve `amount` of an order still open (not cancelled, on-chain or off) with at least that much left. */
async function reserve(q: Queryable, hash: string, amount: bigint): Promise<void> {
  const rows = await q.query(
    `UPDATE orders SET reserved = reserved + $2
     WHERE hash = $1 AND status = 'OPEN' AND NOT chain_cancelled AND amount - reserved - external_filled >= $2
     RETURNING hash`,
    [hash, amount.toString()],
  );
  if (rows.length !== 1) throw new StaleOrderError(hash);
}

/**
 * Record a signed, not yet broadcast `matchOrders` and reserve its amounts on both sides. Returns the match id. Throws
 * StaleOrderError (the caller's transaction then stores nothing) when an order was cancelled or reserved meanwhile.
 */
export async function recordMatch(
  q: Queryable,
  tx: { hash: string; raw: string; nonce: number },
  takerHash: string,
  trades: NewTrade[],
): Promise<string> {
  const [m] = await q.query<{ id: string }>(
    "INSERT INTO matches (tx_hash, raw_tx, nonce, taker_hash) VALUES ($1, $2, $3, $4) RETURNING id::text AS id",
    [tx.hash.toLowerCase(), tx.raw, tx.nonce, takerHash],
  );
  let total = 0n;
  for (const t of trades) {
    total += t.amount;
    await q.query(
      `INSERT INTO trades (match_id, series_id, maker_hash, taker_hash, maker_owner, taker_owner, taker_side, amount, price)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        m.id,
        t.seriesId.toString(),
        t.makerHash,
        t.takerHash,
        t.makerOwner,
        t.takerOwner,
        t.takerSide,
        t.amount.toString(),
        t.price.toString(),
      ],
    );
    await reserve(q, t.makerHash, t.amount);
  }
  await reserve(q, takerHash, total);
  return m.id;
}

export function openMatches(q: Queryable): Promise<MatchRow[]> {
  return q.query<MatchRow>(
    `SELECT id::text AS id, tx_hash, raw_tx, nonce::text AS nonce, taker_hash, status, block_number::text AS block_number
     FROM matches WHERE status IN ('PENDING', 'MINED') ORDER BY id`,
  );
}

/** The highest nonce of a match still waiting for its block, if any. */
export async function highestOpenNonce(q: Queryable): Promise<number | undefined> {
  const [row] = await q.query<{ n: string | null }>(
    "SELECT max(nonce)::text AS n FROM matches WHERE status IN ('PENDING', 'MINED')",
  );
  return row.n === null ? undefined : Number(row.n);
}

export async function setMatchStatus(
  q: Queryable,
  id: string,
  status: MatchStatus,
  block?: { number: number; hash: string },
): Promise<void> {
  await q.query(
    "UPDATE matches SET status = $2, block_number = $3, block_hash = $4, updated_at = now() WHERE id = $1",
    [id, status, block?.number ?? null, block?.hash ?? null],
  );
}

/** A match that failed on-chain: its trades never happened, so their reservations are released. */
export async function failMatch(q: Queryable, id: string): Promise<void> {
  await setMatchStatus(q, id, "FAILED");
  const trades = await q.query<{ maker_hash: string; taker_hash: string; amount: string }>(
    "SELECT maker_hash, taker_hash, amount::text AS amount FROM trades WHERE match_id = $1",
    [id],
  );
  for (const t of trades) {
    await q.query("UPDATE orders SET reserved = reserved - $2 WHERE hash = $1", [t.maker_hash, t.amount]);
    await q.query("UPDATE orders SET reserved = reserved - $2 WHERE hash = $1", [t.taker_hash, t.amount]);
  }
}

export interface TradeView {
  id: string;
  match_id: string;
  tx_hash: string;
  status: MatchStatus;
  block_number: string | null;
  series_id: string;
  maker_hash: string;
  taker_hash: string;
  maker_owner: string;
  taker_owner: string;
  taker_side: number;
  amount: string;
  price: string;
}

export function listTrades(
  q: Queryable,
  filter: { seriesId?: bigint; matchId?: string; limit: number },
): Promise<TradeView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.seriesId !== undefined) {
    params.push(filter.seriesId.toString());
    where.push(`t.series_id = $${params.length}`);
  }
  if (filter.matchId !== undefined) {
    params.push(filter.matchId);
    where.push(`t.match_id = $${params.length}`);
  }
  params.push(filter.limit);
  return q.query<TradeView>(
    `SELECT t.id::text AS id, t.match_id::text AS match_id, m.tx_hash, m.status, m.block_number::text AS block_number,
       t.series_id::text AS series_id, t.maker_hash, t.taker_hash, t.maker_owner, t.taker_owner, t.taker_side,
       t.amount::text AS amount, t.price::text AS price
     FROM trades t JOIN matches m ON m.id = t.match_id
     ${where.length > 0 ? "WHERE " + where.join(" AND ") : ""}
     ORDER BY t.id DESC LIMIT $${params.length}`,
    params,
  );
}
