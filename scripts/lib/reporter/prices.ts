/**
 * The reporter's price input: a JSON document read from a file or fetched from an http(s) URL.
 *
 *   { "observedAt": 1767225600, "prices": { "WETH": "2001.25", "WBTC": 60123.5 } }
 *   { "WETH": "2001.25", "WBTC": 60123.5 }                      (short form: observed now)
 *
 * Prices are quote per one whole unit, as exact decimals (strings or numbers, at most 18 decimals); `observedAt`
 * is unix seconds (default: the latest block's time). Every problem is named with its key.
 */
import { readFileSync } from "node:fs";
import { parseDecimal } from "../units";
import { OperatorError } from "../keeper/record";

export interface PriceInput {
  /** WAD price of every symbol in the document. */
  pricesWad: Record<string, bigint>;
  /** Unix seconds, when the document gives it. */
  observedAt?: bigint;
  source: string;
}

const MAX_PRICE_WAD = 2n ** 128n - 1n; // SignedReportSource stores prices in 128 bits

/** Parse a price document (already read). */
export function parsePrices(text: string, source: string): PriceInput {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new OperatorError(`prices from ${source} are not JSON: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new OperatorError(`prices from ${source} must be a JSON object of symbol to price`);
  }
  const obj = doc as Record<string, unknown>;
  const long = "prices" in obj;
  const prices = long ? obj.prices : obj;
  if (prices === null || typeof prices !== "object" || Array.isArray(prices)) {
    throw new OperatorError(`prices from ${source}: "prices" must be an object of symbol to price`);
  }
  const problems: string[] = [];
  const pricesWad: Record<string, bigint> = {};
  for (const [symbol, value] of Object.entries(prices as Record<string, unknown>)) {
    if (long || symbol !== "observedAt") {
      try {
        const wad = parseDecimal(value, 18);
        if (wad <= 0n || wad > MAX_PRICE_WAD)
          problems.push(`${symbol}: price ${String(value)} is not positive and below 2^128 wei`);
        else pricesWad[symbol] = wad;
      } catch (error) {
        problems.push(`${symbol}: ${(error as Error).message}`);
      }
    }
  }
  let observedAt: bigint | undefined;
  const at = obj.observedAt;
  if (at !== undefined) {
    if (typeof at === "number" && Number.isSafeInteger(at) && at > 0) observedAt = BigInt(at);
    else problems.push(`observedAt: ${JSON.stringify(at)} is not unix seconds`);
  }
  if (problems.length > 0)
    throw new OperatorError(`invalid prices from ${source}:\n  - ${problems.join("\n  - ")}`);
  if (Object.keys(pricesWad).length === 0) throw new OperatorError(`prices from ${source} name no asset`);
  return { pricesWad, observedAt, source };
}

/** Read prices from a file path or an http(s) URL (10 s timeout). */
export async function loadPrices(location: string, timeoutMs = 10_000): Promise<PriceInput> {
  if (/^https?:\/\//i.test(location)) {
    let response: Response;
    try {
      response = await fetch(location, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: "application/json" },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new OperatorError(`cannot fetch prices from ${location}: ${cause ?? (error as Error).message}`);
    }
    if (!response.ok)
      throw new OperatorError(`cannot fetch prices from ${location}: HTTP ${response.status}`);
    return parsePrices(await response.text(), location);
  }
  if (/^[a-z]+:\/\//i.test(location)) {
    throw new OperatorError(`prices must come from a file or an http(s) URL, not ${location}`);
  }
  let text: string;
  try {
    text = readFileSync(location, "utf8");
  } catch (error) {
    throw new OperatorError(`cannot read prices from ${location}: ${(error as Error).message}`);
  }
  return parsePrices(text, location);
}
