/** The listed series as a table for a terminal: name, type, strike, expiry, settlement, open interest. */
import { formatAmount } from "../format/series";
import type { ListedSeries } from "./catalog";

const iso = (t: bigint): string => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");

export function formatSeriesTable(rows: readonly ListedSeries[], quoteSymbol: string, now: bigint): string {
  if (rows.length === 0) {
    return "no series listed yet (a lister lists one with `npx hardhat list-series`)";
  }
  const out = [`${rows.length} series (strikes and settlement prices in ${quoteSymbol}):`];
  for (const s of rows) {
    const state = s.settled
      ? `settled at ${formatAmount(s.settlementPriceWad, 18)}, pays ${formatAmount(s.payoutPerContractWad, 18)} ${quoteSymbol} per contract`
      : s.expiry <= now
        ? "expired, not settled"
        : "open";
    out.push(
      `  ${s.name.padEnd(24)} ${s.isCall ? "call" : "put "} strike ${formatAmount(s.strikeWad, 18)} expiry ${iso(s.expiry)} ` +
        `${state}; open interest ${formatAmount(s.openInterest, 18)} contracts (id ${s.id})`,
    );
  }
  return out.join("\n");
}
