/**
 * The listed series of a deployment, found from the clearing contract's SeriesListed events, with their human names,
 * settlement state and open interest; and the resolution of a trader's `--series` (a human name or a raw id).
 */
import type { Provider } from "ethers";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { Discovery } from "../keeper/discovery";
import { seriesName } from "../format/series";

export interface ListedSeries {
  id: bigint;
  /** `WETH-1800-P-2026-12-13`. */
  name: string;
  underlying: string;
  underlyingSymbol: string;
  strikeWad: bigint;
  expiry: bigint;
  isCall: boolean;
  settled: boolean;
  settlementPriceWad: bigint;
  payoutPerContractWad: bigint;
  /** Short contracts outstanding (= longs in accounts + long tokens before settlement), 18 decimals. */
  openInterest: bigint;
  longsInAccounts: bigint;
  longTokens: bigint;
}

/** The state of series `id` now, or undefined if it is not listed. */
export async function seriesById(p: Protocol, id: bigint): Promise<ListedSeries | undefined> {
  const s = await p.clearing.series(id);
  if (s.underlying === "0x0000000000000000000000000000000000000000") return undefined;
  const [shorts, longsInAccounts, longTokens] = await p.clearing.openInterest(id);
  const underlyingSymbol = p.symbolOf(s.underlying);
  return {
    id,
    name: seriesName({
      underlying: underlyingSymbol,
      strikeWad: s.strikeWad,
      expiry: s.expiry,
      isCall: s.isCall,
    }),
    underlying: s.underlying,
    underlyingSymbol,
    strikeWad: s.strikeWad,
    expiry: s.expiry,
    isCall: s.isCall,
    settled: s.settled,
    settlementPriceWad: s.settlementPriceWad,
    payoutPerContractWad: s.payoutPerContractWad,
    openInterest: shorts,
    longsInAccounts,
    longTokens,
  };
}

/** Every series listed since the deployment, by expiry then name. */
export async function listedSeries(
  p: Protocol,
  provider: Provider,
  blockRange = 2_000,
): Promise<ListedSeries[]> {
  const discovery = new Discovery(p.clearing, p.record.startBlock, blockRange);
  await discovery.sync(await provider.getBlockNumber());
  const rows: ListedSeries[] = [];
  for (const id of discovery.series.keys()) {
    const row = await seriesById(p, id);
    if (row !== undefined) rows.push(row);
  }
  return rows.sort((a, b) =>
    a.expiry !== b.expiry ? (a.expiry < b.expiry ? -1 : 1) : a.name.localeCompare(b.name),
  );
}

/** Resolve `--series`: a human name (case-insensitive) among the listed series, or a raw id of a listed series. */
export async function resolveSeries(p: Protocol, provider: Provider, input: string): Promise<ListedSeries> {
  const text = input.trim();
  if (/^\d+$/.test(text)) {
    const row = await seriesById(p, BigInt(text));
    if (row === undefined) throw new OperatorError(`series id ${text} is not listed`);
    return row;
  }
  const all = await listedSeries(p, provider);
  const matches = all.filter((s) => s.name.toLowerCase() === text.toLowerCase());
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new OperatorError(
      `series name '${input}' is ambiguous (several expiries that day): use one of the ids ${matches.map((s) => s.id).join(", ")}`,
    );
  }
  const known = all.length === 0 ? "no series is listed yet" : `listed: ${all.map((s) => s.name).join(", ")}`;
  throw new OperatorError(`unknown series '${input}' (${known})`);
}
