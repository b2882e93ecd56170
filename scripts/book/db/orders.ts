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

/** The columns an accepted order is inserted with, in the order of `insertValues`. */
export const INSERT_COLUMNS = `hash, owner, signer, account_id, series_id, side, amount, price, max_fee, expiry, nonce,
  taker, executor, flags, signature`;

/** An accepted order's values for `INSERT_COLUMNS`: addresses, hash and signature lower-case, integers as text. */
export function insertValues(hash: string, order: Order, signature: string): unknown[] {
  return [
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
  ];
}

/** Insert an accepted order; false when its hash is already stored. */
export async function insertOrder(
  q: Queryable,
  hash: string,
  order: Order,
  signature: string,
): Promise<boolean> {
  const values = insertValues(hash, order, signature);
  const rows = await q.query(
    `INSERT INTO orders (${INSERT_COLUMNS}) VALUES (${values.map((_, k) => `$${k + 1}`).join(", ")})
     ON CONFLICT (hash) DO NOTHING RETURNING hash`,
    values,
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

/** The oldest orders the matcher has not crossed yet, oldest first. */
export function unprocessedOrders(q: Queryable, limit: number): Promise<OrderRow[]> {
  return q.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE NOT processed ORDER BY seq LIMIT $1`, [
    limit,
  ]);
}

export async function markProcessed(q: Queryable, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await q.query("UPDATE orders SET processed = true WHERE hash = ANY($1::text[])", [hashes]);
}

/**
 * The live makers any of `takers` may cross, in one query: per series, the opposite side of the takers' at or within
 * their most aggressive limit, crossed as a taker already. Self-trade prevention and priority are the engine's.
 */
export function crossableMakers(q: Queryable, takers: OrderRow[], now: bigint): Promise<OrderRow[]> {
  // Per (series, side of the makers): the highest buy limit, or the lowest sell limit, among the takers.
  const bounds = new Map<string, { seriesId: string; side: number; bound: bigint }>();
  for (const t of takers) {
    const makerSide = Number(t.side) === Side.Buy ? Side.Sell : Side.Buy;
    const key = `${t.series_id}/${makerSide}`;
    const price = BigInt(t.price);
    const b = bounds.get(key);
    const widens = b === undefined || (makerSide === Side.Sell ? price > b.bound : price < b.bound);
    if (widens) bounds.set(key, { seriesId: t.series_id, side: makerSide, bound: price });
  }
  if (bounds.size === 0) return Promise.resolve([]);
  const all = [...bounds.values()];
  return q.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders
     JOIN unnest($1::numeric[], $2::smallint[], $3::numeric[]) AS b (b_series, b_side, b_bound)
       ON series_id = b_series AND side = b_side
     WHERE processed AND ${LIVE("$4")}
       AND ((side = ${Side.Sell} AND price <= b_bound) OR (side = ${Side.Buy} AND price >= b_bound))`,
    [all.map((b) => b.seriesId), all.map((b) => b.side), all.map((b) => b.bound.toString()), now.toString()],
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
