/**
 * The order book service's replies as the client returns them (scripts/book/api/routes: the wire format). Amounts,
 * prices and ids are decimal strings, as the service sends them: uint256 values do not fit a JSON number.
 */

/** `GET /health`. */
export interface BookHealth {
  status: "ok";
  chainId: string;
  exchange: string;
  database: string;
  /** The matcher's address, or null when the instance does not match. */
  matcher: string | null;
  indexedBlock: number | null;
  headBlock: number | null;
}

/** One price level: the live amount (contracts, 18 decimals) resting at `price` (quote units per 1e18 contracts). */
export interface BookLevel {
  price: string;
  amount: string;
  orders: number;
}

/** `GET /books/:seriesId`: bids best (highest) first, asks best (lowest) first. */
export interface BookSnapshot {
  seriesId: string;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** What an order shows through the API (docs/orderbook.md, states of an order). */
export type BookOrderState = "OPEN" | "FILLED" | "EXPIRED" | "CANCELLED" | "CANCELLED_ONCHAIN" | "EVICTED";

/** One order of `GET /orders?owner=`: its state, what is left, and the signed order (orderToJson). */
export interface BookOrderView {
  hash: string;
  state: BookOrderState;
  reason: string | null;
  remaining: string;
  order: Record<string, string | number>;
}

/** `GET /orders?owner=`, newest first. */
export interface BookOrders {
  owner: string;
  orders: BookOrderView[];
}

/** The state of the matcher's transaction a trade belongs to; a fill counts only once CONFIRMED. */
export type BookTradeStatus = "PENDING" | "MINED" | "CONFIRMED" | "FAILED";

/** One trade of `GET /trades`, newest first. */
export interface BookTrade {
  id: string;
  matchId: string;
  txHash: string;
  status: BookTradeStatus;
  blockNumber: number | null;
  seriesId: string;
  makerHash: string;
  takerHash: string;
  maker: string;
  taker: string;
  takerSide: "buy" | "sell";
  amount: string;
  /** The maker's price: quote units per 1e18 contracts. */
  price: string;
}

/** `POST /orders` (201). */
export interface BookPostReply {
  hash: string;
  state: "OPEN";
}

/** `DELETE /orders`: `reserved` is what a pending match still holds of the order. */
export interface BookCancelReply {
  hash: string;
  state: "CANCELLED";
  reserved: string;
}

/** A refusal: the message names the field at fault; `reason` is the exchange's verdict when it refused. */
export interface BookErrorBody {
  error: string;
  field: string | null;
  reason?: string;
}

/**
 * The WebSocket stream (`/stream`): a greeting, then book level deltas, evictions (an order the re-validation or the
 * matcher's simulation found unable to fill: `reason` the rule or the exchange's error) and trade status changes.
 */
export type BookStreamMessage =
  | { type: "hello"; chainId: string; exchange: string }
  | { type: "level"; seriesId: string; side: "buy" | "sell"; price: string; amount: string; orders: number }
  | { type: "order"; hash: string; state: "EVICTED"; reason: string }
  | {
      type: "trade";
      matchId: string;
      txHash: string;
      status: BookTradeStatus;
      trades: { makerHash: string; takerHash: string; amount: string; price: string; seriesId: string }[];
    };
