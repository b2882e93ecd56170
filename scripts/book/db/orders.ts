/** The orders table: insert an accepted order, read the live book, an owner's orders, and soft-cancel. */
import { ethers } from "ethers";
import { Side, type Order } from "../../../src/exchange/order";
import type { Queryable } from "./database";

export interface OrderRow {
  hash: string;
  seq: string;
  owner: string;
  signer: string;
  account_id: string;
  series_id: string;
  side: number;
  amount: string;
  price: string;
  max_fee: string;
  expiry: string;
  nonce: string;
  taker: string;
  executor: string;
  flags: number;
  signature: string;
  status: string;
  reason: string | null;
  reserved: string;
  external_filled: string;
  chain_cancelled: boolean;
  processed: boolean;
}

/** SQL of a live order (on the book): open, not cancelled on-chain, unexpired at `$now`, something left. */
export const LIVE = (now: string) =>
  `status = 'OPEN' AND NOT chain_cancelled AND expiry > ${now} AND amount - reserved - external_filled > 0`;

export function orderOf(row: OrderRow): Order {
  return {
    accountId: BigInt(row.account_id),
    owner: ethers.getAddress(row.owner),
    signer: ethers.getAddress(row.signer),
    seriesId: BigInt(row.series_id),
    side: Number(row.side) === 0 ? Side.Buy : Side.Sell,
    amount: BigInt(row.amount),
    limitPremiumPerContract: BigInt(row.price),
    maxFeePerContract: BigInt(row.max_fee),
    expiry: BigInt(row.expiry),
    nonce: BigInt(row.nonce),
    taker: ethers.getAddress(row.taker),
    executor: ethers.getAddress(row.executor),
    flags: Number(row.flags),
  };
}

export const remainingOf = (row: OrderRow): bigint => {
  const left = BigInt(row.amount) - BigInt(row.reserved) - BigInt(row.external_filled);
  return left > 0n ? left : 0n;
};

/** The state an order shows through the API. */
export function stateOf(row: OrderRow, now: bigint): string {
  if (row.status !== "OPEN") return row.status;
  if (row.chain_cancelled) return "CANCELLED_ONCHAIN";
  if (remainingOf(row) === 0n) return "FILLED";
  if (BigInt(row.expiry) <= now) return "EXPIRED";
  return "OPEN";
}

export async function countOpenOrders(q: Queryable, owner: string, now: bigint): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders WHERE owner = $1 AND ${LIVE("$2")}`,
    [owner.toLowerCase(), now.toString()],
  );
  return Number(row.n);
}

/** Insert an accepted order; false when its hash is already stored. */
export async function insertOrder(
  q: Queryable,
  hash: string,
  order: Order,
  signature: string,
): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO orders (hash, owner, signer, account_id, series_id, side, amount, price, max_fee, expiry, nonce, taker,
       executor, flags, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (hash) DO NOTHING RETURNING hash`,
    [
      hash.toLowerCase(),
      order.owner.toLowerCase(),
      order.signer.toLowerCase(),
      order.accountId.toString(),
      order.seriesId.toString(),
      order.side,
      order.amount.toString(),
      order.limitPremiumPerContract.toString(),
      order.maxFeePerContract.toString(),
      order.expiry.toString(),
      order.nonce.toString(),
      order.taker.toLowerCase(),
      order.executor.toLowerCase(),
      order.flags,
      signature.toLowerCase(),
    ],
  );
  return rows.length === 1;
}

const COLUMNS = `hash, seq::text AS seq, owner, signer, account_id::text AS account_id, series_id::text AS series_id, side,
  amount::text AS amount, price::text AS price, max_fee::text AS max_fee, expiry::text AS expiry, nonce::text AS nonce,
  taker, executor, flags, signature, status, reason, reserved::text AS reserved,
  external_filled::text AS external_filled, chain_cancelled, processed`;

export async function getOrder(q: Queryable, hash: string): Promise<OrderRow | undefined> {
  const [row] = await q.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE hash = $1`, [
    hash.toLowerCase(),
  ]);
  return row;
}

export function ordersOfOwner(q: Queryable, owner: string, limit: number): Promise<OrderRow[]> {
  return q.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE owner = $1 ORDER BY seq DESC LIMIT $2`, [
    owner.toLowerCase(),
    limit,
  ]);
}

/** The oldest order the matcher has not crossed yet. */
export async function nextUnprocessed(q: Queryable): Promise<OrderRow | undefined> {
  const [row] = await q.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE NOT processed ORDER BY seq LIMIT 1`,
  );
  return row;
}

export async function markProcessed(q: Queryable, hash: string): Promise<void> {
  await q.query("UPDATE orders SET processed = true WHERE hash = $1", [hash]);
}

/**
 * The live makers `taker` may cross, best price first then oldest: the opposite side of its series, at or within its
 * limit, another owner (self-trade prevention), crossed as a taker already.
 */
export function crossingMakers(
  q: Queryable,
  taker: OrderRow,
  now: bigint,
  limit: number,
): Promise<OrderRow[]> {
  const takerBuys = Number(taker.side) === Side.Buy;
  return q.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders
     WHERE series_id = $1 AND side = $2 AND processed AND owner <> $3 AND hash <> $4 AND ${LIVE("$5")}
       AND price ${takerBuys ? "<=" : ">="} $6
     ORDER BY price ${takerBuys ? "ASC" : "DESC"}, seq ASC LIMIT $7`,
    [
      taker.series_id,
      takerBuys ? Side.Sell : Side.Buy,
      taker.owner,
      taker.hash,
      now.toString(),
      taker.price,
      limit,
    ],
  );
}

export async function evictOrder(q: Queryable, hash: string, reason: string): Promise<void> {
  await q.query("UPDATE orders SET status = 'EVICTED', reason = $2, processed = true WHERE hash = $1", [
    hash,
    reason,
  ]);
}

/** Evict an order still open (the re-validation); false when it had left the book already. */
export async function evictOpenOrder(q: Queryable, hash: string, reason: string): Promise<boolean> {
  const rows = await q.query(
    "UPDATE orders SET status = 'EVICTED', reason = $2, processed = true WHERE hash = $1 AND status = 'OPEN' RETURNING hash",
    [hash, reason],
  );
  return rows.length === 1;
}

/** The live orders of some accounts or owners (lower-case), or of everyone when `all`. */
export function liveOrdersOf(
  q: Queryable,
  scope: { all: boolean; accounts: string[]; owners: string[] },
  now: bigint,
): Promise<OrderRow[]> {
  if (scope.all)
    return q.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE ${LIVE("$1")} ORDER BY seq`, [
      now.toString(),
    ]);
  return q.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders
     WHERE ${LIVE("$1")} AND (account_id = ANY($2::numeric[]) OR owner = ANY($3::text[])) ORDER BY seq`,
    [now.toString(), scope.accounts, scope.owners],
  );
}

/** Soft-cancel: the order leaves the book (what a pending match holds stays reserved). False when it was not open. */
export async function softCancel(q: Queryable, hash: string): Promise<boolean> {
  const rows = await q.query(
    "UPDATE orders SET status = 'CANCELLED', reason = 'cancelled by signed message', processed = true " +
      "WHERE hash = $1 AND status = 'OPEN' RETURNING hash",
    [hash.toLowerCase()],
  );
  return rows.length === 1;
}

export interface Level {
  side: number;
  price: string;
  amount: string;
  orders: number;
}

/** Price levels of a series' live orders (or one level with `price`). */
export function levels(
  q: Queryable,
  seriesId: bigint,
  now: bigint,
  at?: { side: number; price: bigint },
): Promise<Level[]> {
  const params: unknown[] = [seriesId.toString(), now.toString()];
  let filter = "";
  if (at !== undefined) {
    params.push(at.side, at.price.toString());
    filter = " AND side = $3 AND price = $4";
  }
  return q.query<Level>(
    `SELECT side, price::text AS price, sum(amount - reserved - external_filled)::text AS amount,
       count(*)::int AS orders
     FROM orders WHERE series_id = $1 AND ${LIVE("$2")}${filter}
     GROUP BY side, price ORDER BY side, price`,
    params,
  );
}
