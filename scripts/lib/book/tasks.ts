/**
 * What the order book tasks do (tasks/book.ts) through the package's client (src/book/): post a signed order, cancel
 * one with a signed message, show a series' book and trades or an owner's orders. Inputs are checked before anything
 * is signed or sent; each bad one is an OperatorError naming its flag, and a refusal by the book names the service's
 * field.
 */
import { formatUnits, type Provider, type Signer } from "ethers";
import { OperatorError } from "../operator/errors";
import { parseAddress } from "../trader/inputs";
import { parseDuration } from "../units";
import { signOrderFor, type SignInputs } from "../exchange/actions";
import { IOptionsClearing__factory, OptionsExchange__factory } from "../../../typechain-types";
import {
  BookApiError,
  BookClient,
  orderFromJson,
  type BookCancelReply,
  type BookOrders,
  type BookSnapshot,
  type BookTrade,
  type PostedOrder,
} from "../../../src";

/** `--url`: the book's base URL (http or https). */
export function parseBookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new OperatorError(`--url must be the book's http(s) URL, got '${text}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OperatorError(`--url must be the book's http(s) URL, got '${text}'`);
  return url.toString().replace(/\/+$/, "");
}

/** `--series`: a series id (a whole number). */
export function parseSeriesId(text: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new OperatorError(`--series must be a series id, got '${text}'`);
  return BigInt(text.trim());
}

/** `--hash`: an order hash. */
export function parseOrderHash(text: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text.trim()))
    throw new OperatorError(`--hash must be a 32-byte hex order hash, got '${text}'`);
  return text.trim().toLowerCase();
}

/** Connect to the book; an unreachable book or one on another chain is named by its flag. */
export async function connectBook(url: string, provider: Provider): Promise<BookClient> {
  let client: BookClient;
  try {
    client = await BookClient.connect(url);
  } catch (error) {
    throw new OperatorError(`--url: no order book answers at ${url} (${(error as Error).message})`);
  }
  const { chainId } = await provider.getNetwork();
  if (chainId !== client.chainId)
    throw new OperatorError(
      `--url: the book at ${url} serves chain ${client.chainId}, this network is chain ${chainId}`,
    );
  return client;
}

/** A refusal by the book as one line naming its field, anything else unchanged. */
export async function viaBook<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof BookApiError)
      throw new OperatorError(
        `the book refused (${error.status}, field ${error.field ?? "none"}): ${error.body.error}`,
      );
    throw error;
  }
}

/** Sign an order of `signer`'s account as `sign-order` does and post it to the book. */
export async function postToBook(
  client: BookClient,
  signer: Signer,
  inputs: SignInputs,
  now: bigint,
): Promise<PostedOrder> {
  const exchange = OptionsExchange__factory.connect(client.exchange, signer);
  const file = await signOrderFor(exchange, signer, inputs, now);
  return viaBook(() => client.postSigned(orderFromJson(file.order), file.signature));
}

/** Cancel `hash` on the book with a message signed by `signer`, valid for `life` ("5m"). */
export async function cancelOnBook(
  client: BookClient,
  signer: Signer,
  hash: string,
  life: string,
  now: bigint,
): Promise<BookCancelReply> {
  let seconds: number;
  try {
    seconds = parseDuration(life.trim());
  } catch {
    throw new OperatorError(`--valid-for must be a duration (90s, 5m, 1h), got '${life}'`);
  }
  if (seconds <= 0) throw new OperatorError(`--valid-for must be positive, got '${life}'`);
  return viaBook(() => client.cancel(signer, hash, now + BigInt(seconds)));
}

export type BookView =
  { kind: "series"; book: BookSnapshot; trades: BookTrade[] } | { kind: "owner"; orders: BookOrders };

export type ShowTarget = { seriesId: bigint; limit: number } | { owner: string; limit: number };

/** `book:show`'s flags: exactly one of `--series` and `--owner`, and a limit the service takes. */
export function parseShowFlags(flags: { series?: string; owner?: string; limit: number }): ShowTarget {
  if ((flags.series === undefined) === (flags.owner === undefined))
    throw new OperatorError("give exactly one of --series and --owner");
  if (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 500)
    throw new OperatorError(`--limit must be a whole number from 1 to 500, got '${flags.limit}'`);
  if (flags.series !== undefined) return { seriesId: parseSeriesId(flags.series), limit: flags.limit };
  return { owner: parseAddress(flags.owner!, "--owner"), limit: flags.limit };
}

/** A series' levels and recent trades, or an owner's orders. */
export function showBook(client: BookClient, target: ShowTarget): Promise<BookView> {
  return viaBook(async () => {
    if ("owner" in target)
      return { kind: "owner", orders: await client.orders(target.owner, target.limit) } as const;
    return {
      kind: "series",
      book: await client.book(target.seriesId),
      trades: await client.trades({ seriesId: target.seriesId, limit: target.limit }),
    } as const;
  });
}

/** The quote token's decimals of the exchange the book serves. */
export async function quoteDecimalsOf(client: BookClient, provider: Provider): Promise<number> {
  const exchange = OptionsExchange__factory.connect(client.exchange, provider);
  const clearing = IOptionsClearing__factory.connect(await exchange.CLEARING(), provider);
  return Number(await clearing.QUOTE_DECIMALS());
}

/** `view` as lines: prices in quote units per contract, amounts in contracts. */
export function formatBookView(view: BookView, quoteDecimals: number): string[] {
  const contracts = (wad: string) => formatUnits(wad, 18);
  const premium = (units: string) => formatUnits(units, quoteDecimals);
  if (view.kind === "owner") {
    if (view.orders.orders.length === 0) return [`${view.orders.owner}: no orders`];
    return view.orders.orders.map(
      (o) =>
        `${o.hash} ${Number(o.order.side) === 0 ? "buy " : "sell"} series ${o.order.seriesId} ` +
        `${contracts(String(o.order.amount))} @ ${premium(String(o.order.limitPremiumPerContract))}: ${o.state}, ` +
        `${contracts(o.remaining)} left${o.reason === null ? "" : ` (${o.reason})`}`,
    );
  }
  const { book, trades } = view;
  const lines = [`series ${book.seriesId}`];
  const level = (side: string) => (l: { price: string; amount: string; orders: number }) =>
    `  ${side} ${contracts(l.amount)} @ ${premium(l.price)} (${l.orders} order${l.orders === 1 ? "" : "s"})`;
  lines.push(...[...book.asks].reverse().map(level("ask")));
  if (book.asks.length === 0) lines.push("  no asks");
  lines.push(...book.bids.map(level("bid")));
  if (book.bids.length === 0) lines.push("  no bids");
  lines.push(trades.length === 0 ? "no trades" : "trades (newest first):");
  for (const t of trades)
    lines.push(
      `  ${t.takerSide === "buy" ? "bought" : "sold"} ${contracts(t.amount)} @ ${premium(t.price)} ` +
        `(${t.status}, tx ${t.txHash})`,
    );
  return lines;
}
