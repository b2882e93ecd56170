/**
 * A typed client of the order book service (`npm run book`): post orders signed through the order library, cancel
 * them with a signed soft-cancel, read the book, an owner's orders and the trades, and follow the WebSocket stream.
 * A refusal throws `BookApiError` carrying the service's JSON error (`{ error, field }`).
 *
 *   const book = await BookClient.connect("http://127.0.0.1:8547");
 *   const { hash } = await book.post(wallet, { accountId, seriesId, side: Side.Sell, amount, limitPremiumPerContract,
 *     maxFeePerContract: 0n, expiry });
 */
import { ethers, type Signer } from "ethers";
import { buildOrder, exchangeDomain, hashOrder, orderToJson, signOrder, type Order } from "../exchange/order";
import { bookDomain, signCancel } from "./cancel";
import { BookApiError } from "./errors";
import { subscribeBook, type BookSubscription, type WebSocketConstructor } from "./stream";
import type {
  BookCancelReply,
  BookErrorBody,
  BookHealth,
  BookOrders,
  BookPostReply,
  BookSnapshot,
  BookStreamMessage,
  BookTrade,
} from "./types";

/** The fields of an order the poster chooses; the rest default as `buildOrder` does (owner = the signer). */
export type BookOrderFields = Pick<
  Order,
  "accountId" | "seriesId" | "side" | "amount" | "limitPremiumPerContract" | "maxFeePerContract" | "expiry"
> &
  Partial<Pick<Order, "owner" | "nonce" | "flags">>;

/** A posted order: the book's reply, and the order and signature that were sent. */
export interface PostedOrder extends BookPostReply {
  order: Order;
  signature: string;
}

/** Seconds a cancel message stays valid when no deadline is given. */
export const DEFAULT_CANCEL_LIFE_SECONDS = 300;

export interface BookClientOptions {
  /** The WebSocket class for `subscribe` (default: the runtime's global one; on Node 20 pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
}

export class BookClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;

  private constructor(
    url: string,
    /** The chain and exchange the book serves, as its `/health` names them. */
    readonly chainId: bigint,
    readonly exchange: string,
    private readonly options: BookClientOptions,
  ) {
    this.url = url;
  }

  /** Connect to the book at `url`: reads `/health` to learn the chain and the exchange it serves. */
  static async connect(url: string, options: BookClientOptions = {}): Promise<BookClient> {
    const base = url.replace(/\/+$/, "");
    const health = await request<BookHealth>(base, "GET", "/health");
    return new BookClient(base, BigInt(health.chainId), ethers.getAddress(health.exchange), options);
  }

  /** The EIP-712 domain of the orders this book takes. */
  get orderDomain() {
    return exchangeDomain(this.exchange, this.chainId);
  }

  /** The EIP-712 domain of this book's cancel messages. */
  get cancelDomain() {
    return bookDomain(this.exchange, this.chainId);
  }

  health(): Promise<BookHealth> {
    return request<BookHealth>(this.url, "GET", "/health");
  }

  /** Build an order of `signer` (owner defaults to the signer), sign it through the order library and post it. */
  async post(signer: Signer, fields: BookOrderFields): Promise<PostedOrder> {
    const address = await signer.getAddress();
    const order = buildOrder({ owner: address, ...fields, signer: address });
    const signature = await signOrder(signer, this.orderDomain, order);
    return this.postSigned(order, signature);
  }

  /** Post an order signed elsewhere (e.g. by a contract wallet's owners, checked by the exchange with ERC-1271). */
  async postSigned(order: Order, signature: string): Promise<PostedOrder> {
    const reply = await request<BookPostReply>(this.url, "POST", "/orders", {
      exchange: this.exchange,
      chainId: this.chainId.toString(),
      order: orderToJson(order),
      signature,
      hash: hashOrder(this.orderDomain, order),
    });
    return { ...reply, order, signature };
  }

  /**
   * Soft-cancel the order `orderHash` with a `Cancel` message signed by its owner or signer, valid until `deadline`
   * (unix seconds; default five minutes from now). The order leaves the book; a hard cancel is the exchange's.
   */
  async cancel(signer: Signer, orderHash: string, deadline?: bigint): Promise<BookCancelReply> {
    const until = deadline ?? BigInt(Math.floor(Date.now() / 1000) + DEFAULT_CANCEL_LIFE_SECONDS);
    const signature = await signCancel(signer, this.cancelDomain, { orderHash, deadline: until });
    return request<BookCancelReply>(this.url, "DELETE", "/orders", {
      cancel: { orderHash, deadline: until.toString() },
      signature,
    });
  }

  /** The price levels of a series. */
  book(seriesId: bigint): Promise<BookSnapshot> {
    return request<BookSnapshot>(this.url, "GET", `/books/${seriesId}`);
  }

  /** An owner's orders, newest first (at most `limit`, 100 by default). */
  async orders(owner: string, limit?: number): Promise<BookOrders> {
    const query = new URLSearchParams({ owner });
    if (limit !== undefined) query.set("limit", String(limit));
    return request<BookOrders>(this.url, "GET", `/orders?${query}`);
  }

  /** Trades, newest first, of one series or all. */
  async trades(filter: { seriesId?: bigint; limit?: number } = {}): Promise<BookTrade[]> {
    const query = new URLSearchParams();
    if (filter.seriesId !== undefined) query.set("seriesId", filter.seriesId.toString());
    if (filter.limit !== undefined) query.set("limit", String(filter.limit));
    const suffix = query.toString() === "" ? "" : `?${query}`;
    return (await request<{ trades: BookTrade[] }>(this.url, "GET", `/trades${suffix}`)).trades;
  }

  /** Follow the stream: `onMessage` gets every message; `ready` resolves with the greeting. */
  subscribe(onMessage: (message: BookStreamMessage) => void): BookSubscription {
    return subscribeBook(this.url, onMessage, this.options.WebSocket);
  }
}

async function request<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BookApiError(response.status, {
      error: `the book answered ${method} ${path} with ${response.status} and no JSON: ${text.slice(0, 200)}`,
      field: null,
    });
  }
  if (!response.ok) throw new BookApiError(response.status, json as BookErrorBody);
  return json as T;
}
