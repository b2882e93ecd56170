/**
 * The protocol's status for operators (`npx hardhat status`): the aggregated price of every priced asset (or why the
 * oracle refuses one), every breaker scope (tripped or not, why, since when, when it may resume, grace), the
 * outflow capacity of every token against its limit, and the insurance vault's balance.
 */
import type { Provider } from "ethers";
import { formatUnits, Interface } from "ethers";
import { ERC20__factory, CircuitBreaker__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { decodeRevert } from "../operator/reverts";
import { knownScopes, tripReasonName } from "./scopeNames";

export interface PriceStatus {
  symbol: string;
  token: string;
  priceWad?: bigint;
  updatedAt?: bigint;
  /** Why the oracle refuses a price (QuorumNotMet, SpreadTooWide, PriceJumpUnreported, ...). */
  error?: string;
}

export interface ScopeStatus {
  scope: string;
  label: string;
  tripped: boolean;
  reason: string;
  trippedAt: bigint;
  resumedAt: bigint;
  resumableAt: bigint;
  graceEndsAt: bigint;
  /** The guardian's text for a manual pause (from the pause transaction), when it can be found. */
  note?: string;
}

export interface OutflowStatus {
  symbol: string;
  token: string;
  decimals: number;
  maxOutflowBps: bigint;
  windowSeconds: bigint;
  trackedLiquidity: bigint;
  capacity: bigint;
}

export interface ProtocolStatus {
  block: number;
  timestamp: number;
  prices: PriceStatus[];
  scopes: ScopeStatus[];
  outflows: OutflowStatus[];
  insurance: { totalAssets: bigint; availableCover: bigint; decimals: number; symbol: string };
}

/** The text of the guardian's last pause of `scope`, read back from its transaction's calldata. */
async function pauseNote(
  p: Protocol,
  provider: Provider,
  scope: string,
  fromBlock: number,
  toBlock: number,
): Promise<string | undefined> {
  const RANGE = 5_000;
  const breakerIface = new Interface(CircuitBreaker__factory.abi);
  for (let end = toBlock; end >= fromBlock; end -= RANGE) {
    const start = Math.max(fromBlock, end - RANGE + 1);
    const events = await p.breaker.queryFilter(p.breaker.filters.Tripped(scope), start, end);
    const last = events.at(-1);
    if (last === undefined) continue;
    const tx = await provider.getTransaction(last.transactionHash);
    if (tx === null) return undefined;
    try {
      const call = breakerIface.parseTransaction({ data: tx.data });
      if (call?.name === "pause") return String(call.args[1]);
    } catch {
      // Paused through another contract (a multisig): the text is not in this calldata.
    }
    return undefined;
  }
  return undefined;
}

export async function protocolStatus(p: Protocol, provider: Provider): Promise<ProtocolStatus> {
  const latest = await provider.getBlock("latest");
  if (latest === null) throw new Error("the node returned no latest block");
  const at = { blockTag: latest.number };
  const prices: PriceStatus[] = [];
  for (const symbol of Object.keys(p.record.feeds)) {
    const token = p.record.tokens[symbol];
    try {
      const [priceWad, updatedAt] = await p.oracle.getPrice(token, at);
      prices.push({ symbol, token, priceWad, updatedAt });
    } catch (error) {
      prices.push({ symbol, token, error: decodeRevert(error).text });
    }
  }
  const scopes: ScopeStatus[] = [];
  for (const { id, label } of knownScopes(p.record)) {
    const [state, resumableAt, graceEndsAt] = await Promise.all([
      p.breaker.scopeState(id, at),
      p.breaker.resumableAt(id, at),
      p.breaker.graceEndsAt(id, at),
    ]);
    const tripped = state.reason !== 0n;
    const entry: ScopeStatus = {
      scope: id,
      label,
      tripped,
      reason: tripReasonName(state.reason),
      trippedAt: state.trippedAt,
      resumedAt: state.resumedAt,
      resumableAt,
      graceEndsAt,
    };
    if (tripped && tripReasonName(state.reason) === "GuardianPause") {
      entry.note = await pauseNote(p, provider, id, p.record.startBlock, latest.number);
    }
    scopes.push(entry);
  }
  const outflows: OutflowStatus[] = [];
  for (const [symbol, token] of Object.entries(p.record.tokens)) {
    const [limit, trackedLiquidity, decimals] = await Promise.all([
      p.breaker.outflowLimit(token, at),
      p.breaker.trackedLiquidity(token, at),
      ERC20__factory.connect(token, provider).decimals(),
    ]);
    // A token without an outflow limit is not held by any protected vault: nothing to show.
    if (limit.maxOutflowBps === 0n) continue;
    const capacity = await p.breaker.outflowCapacity(token, at);
    outflows.push({
      symbol,
      token,
      decimals: Number(decimals),
      maxOutflowBps: BigInt(limit.maxOutflowBps),
      windowSeconds: BigInt(limit.windowSeconds),
      trackedLiquidity,
      capacity,
    });
  }
  const [totalAssets, availableCover, decimals, symbol] = await Promise.all([
    p.insurance.totalAssets(at),
    p.insurance.availableCover(at),
    ERC20__factory.connect(await p.insurance.asset(), provider).decimals(),
    ERC20__factory.connect(await p.insurance.asset(), provider).symbol(),
  ]);
  return {
    block: latest.number,
    timestamp: latest.timestamp,
    prices,
    scopes,
    outflows,
    insurance: { totalAssets, availableCover, decimals: Number(decimals), symbol },
  };
}

const when = (t: bigint): string => (t === 0n ? "-" : new Date(Number(t) * 1000).toISOString());

/** The status as text for a terminal. */
export function formatStatus(s: ProtocolStatus): string {
  const out: string[] = [];
  out.push(`block ${s.block} (${when(BigInt(s.timestamp))})`, "", "prices (oracle aggregator):");
  for (const p of s.prices) {
    out.push(
      p.error === undefined
        ? `  ${p.symbol.padEnd(8)} ${formatUnits(p.priceWad ?? 0n, 18)} (updated ${when(p.updatedAt ?? 0n)})`
        : `  ${p.symbol.padEnd(8)} refused: ${p.error}`,
    );
  }
  out.push("", "breaker scopes:");
  for (const c of s.scopes) {
    const state = c.tripped
      ? `TRIPPED (${c.reason}${c.note === undefined ? "" : `: "${c.note}"`}) since ${when(c.trippedAt)}, resumable from ${when(c.resumableAt)}`
      : c.graceEndsAt > BigInt(s.timestamp)
        ? `ok, in grace until ${when(c.graceEndsAt)} (no liquidations)`
        : "ok";
    out.push(`  ${c.label.padEnd(14)} ${state}`);
  }
  out.push("", "outflow capacity (what may leave the vaults now):");
  for (const o of s.outflows) {
    out.push(
      `  ${o.symbol.padEnd(8)} ${formatUnits(o.capacity, o.decimals)} of ${formatUnits(o.trackedLiquidity, o.decimals)} tracked (limit ${Number(o.maxOutflowBps) / 100}% per ${o.windowSeconds}s)`,
    );
  }
  out.push(
    "",
    `insurance: ${formatUnits(s.insurance.totalAssets, s.insurance.decimals)} ${s.insurance.symbol} (available cover ${formatUnits(s.insurance.availableCover, s.insurance.decimals)})`,
  );
  return out.join("\n");
}
