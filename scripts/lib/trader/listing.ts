/**
 * Listing a series by the lister (LISTER_ROLE): underlying by symbol, strike in quote units, expiry as a date (08:00
 * UTC), an ISO-8601 time, or a duration from the latest block ("30d"); checked against the underlying's listing
 * bounds first.
 */
import type { Signer } from "ethers";
import type { Protocol } from "../keeper/record";
import { OperatorError } from "../keeper/record";
import { parseDuration } from "../units";
import { Roles } from "../roles";
import { signerWith } from "../ops/governance";
import { parseAmount } from "./inputs";
import { seriesById, type ListedSeries } from "./catalog";

const iso = (t: bigint): string => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");

/** `--expiry`: "2026-12-13" (08:00 UTC that day), "2026-12-13T16:00:00Z", or "30d" after `now`. */
export function parseExpiry(text: string, now: bigint): bigint {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T08:00:00Z`);
    if (!Number.isNaN(ms)) return BigInt(ms / 1000);
  }
  if (/T.*(Z|[+-]\d\d:\d\d)$/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return BigInt(Math.floor(ms / 1000));
  }
  try {
    return now + BigInt(parseDuration(t));
  } catch {
    throw new OperatorError(
      `--expiry must be a date (2026-12-13, 08:00 UTC), an ISO time with a zone, or a duration from now (30d), got '${text}'`,
    );
  }
}

/** The signer holding LISTER_ROLE (the first of the network's accounts, or `from`). */
export async function listerSigner(p: Protocol, signers: readonly Signer[], from?: string): Promise<Signer> {
  return signerWith(
    signers,
    async (a) => (await p.manager.hasRole(Roles.LISTER_ROLE, a))[0],
    "a lister (LISTER_ROLE)",
    from,
  );
}

export async function listSeries(
  p: Protocol,
  lister: Signer,
  args: { underlying: string; strike: string; expiry: string; type: string },
): Promise<ListedSeries & { tx: string }> {
  const symbol = Object.keys(p.record.tokens).find(
    (s) => s.toLowerCase() === args.underlying.trim().toLowerCase(),
  );
  if (symbol === undefined) {
    throw new OperatorError(
      `unknown underlying '${args.underlying}' (assets: ${Object.keys(p.record.tokens).join(", ")})`,
    );
  }
  const underlying = p.record.tokens[symbol];
  const type = args.type.trim().toLowerCase();
  if (type !== "call" && type !== "put")
    throw new OperatorError(`--type must be call or put, got '${args.type}'`);
  const isCall = type === "call";
  const strikeWad = parseAmount(args.strike, 18, "quote units", "--strike");
  const block = await lister.provider?.getBlock("latest");
  if (block === null || block === undefined) throw new OperatorError("the node returned no latest block");
  const now = BigInt(block.timestamp);
  const expiry = parseExpiry(args.expiry, now);
  const bounds = await p.clearing.underlyingConfig(underlying);
  if (!bounds.enabled) throw new OperatorError(`${symbol} is not enabled for listing`);
  if (strikeWad < bounds.minStrikeWad || strikeWad > bounds.maxStrikeWad) {
    throw new OperatorError(
      `--strike ${args.strike} is outside the listing bounds of ${symbol} [${bounds.minStrikeWad / 10n ** 18n}, ${bounds.maxStrikeWad / 10n ** 18n}]`,
    );
  }
  const earliest = now + bounds.minTimeToExpirySeconds;
  const latest = now + bounds.maxTimeToExpirySeconds;
  if (expiry < earliest || expiry > latest) {
    throw new OperatorError(
      `--expiry ${iso(expiry)} is outside the listing window of ${symbol}: from ${iso(earliest)} to ${iso(latest)}`,
    );
  }
  const id = await p.clearing.seriesIdOf(underlying, strikeWad, expiry, isCall);
  const existing = await seriesById(p, id);
  if (existing !== undefined) throw new OperatorError(`${existing.name} is already listed (id ${id})`);
  const receipt = await (
    await p.clearing.connect(lister).listSeries(underlying, strikeWad, expiry, isCall)
  ).wait();
  const listed = await seriesById(p, id);
  if (listed === undefined) throw new OperatorError(`series ${id} is not listed after the transaction`);
  return { ...listed, tx: receipt?.hash ?? "" };
}
