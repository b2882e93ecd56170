/**
 * The sentinel's rule engine: reads the chain (each price source of each asset, the breaker's outflow views,
 * Liquidated / Written / Closed events and the vaults' flows), evaluates the rules of config/sentinel.json, and on a
 * triggered `pause` rule calls the guardian's `CircuitBreaker.pause(scope, reason)` (or, in dry-run, only says it
 * would). Every decision is one JSON object (`Decision`), which the script prints as one line.
 */
import type { Provider, Signer } from "ethers";
import { getAddress } from "ethers";
import {
  CircuitBreaker__factory,
  CollateralVault__factory,
  IPriceSource__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../deploy/suite";
import { Scopes } from "../scopes";
import type { Rule, SentinelConfig } from "./rules";
import { withFormatted } from "../format/fields";
import { seriesName } from "../format/series";
import { quoteFormat } from "../operator/readable";

const WAD = 10n ** 18n;

export type DecisionAction = "none" | "alert" | "pause" | "would-pause" | "already-paused" | "pause-failed";

/** One decision: a rule evaluated once, and what was done about it. */
export interface Decision {
  time: string;
  block: number;
  rule: string;
  kind: Rule["kind"];
  status: "ok" | "triggered" | "error";
  action: DecisionAction;
  dryRun: boolean;
  scope?: string;
  reason?: string;
  observed?: Record<string, unknown>;
  tx?: string;
  error?: string;
}

export interface SentinelContext {
  provider: Provider;
  record: DeploymentRecord;
  /** The guardian that pauses; required unless every pause is a dry run. */
  guardian?: Signer;
}

export interface PassOptions {
  dryRun: boolean;
}

/** What one rule found: whether it is triggered, why, and the figures it looked at. */
interface Finding {
  triggered: boolean;
  reason: string;
  observed: Record<string, unknown>;
}

/** A JSON line of a decision (bigints as decimal strings). */
export function decisionLine(decision: Decision): string {
  return JSON.stringify(decision, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** "2.5%" of a WAD share, two decimals, rounded down. */
function pct(wad: bigint): string {
  const hundredths = (wad * 10_000n) / WAD;
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}%`;
}

/** A WAD amount as a short decimal text. */
function amount(wad: bigint): string {
  const whole = wad / WAD;
  const frac = ((wad % WAD) * 10_000n) / WAD;
  return frac === 0n ? whole.toString() : `${whole}.${frac.toString().padStart(4, "0").replace(/0+$/, "")}`;
}

/** Median as the aggregator takes it: the middle value, or the lower-middle plus half the gap, rounded down. */
export function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid];
  const lo = sorted[mid - 1];
  return lo + (sorted[mid] - lo) / 2n;
}

/** `ceil((max - min) / median)` as WAD, like the aggregator's spread check. */
export function spreadWad(values: bigint[]): bigint {
  if (values.length < 2) return 0n;
  const m = median(values);
  const max = values.reduce((a, b) => (b > a ? b : a));
  const min = values.reduce((a, b) => (b < a ? b : a));
  if (m === 0n) return 0n;
  const num = (max - min) * WAD;
  return num === 0n ? 0n : (num - 1n) / m + 1n;
}

/**
 * Share of the outflow limit used by `withdrawn` over a window: withdrawn / (limit share * liquidity at the window's
 * start), the start estimated as `liquidity now + withdrawn - deposited` (or `liquidity now + withdrawn` when the
 * window's deposits are more than that).
 */
export function outflowUsedWad(
  liquidity: bigint,
  withdrawn: bigint,
  deposited: bigint,
  maxOutflowBps: bigint,
): bigint {
  let start = liquidity + withdrawn - deposited;
  if (start <= 0n) start = liquidity + withdrawn;
  const allowance = (start * maxOutflowBps) / 10_000n;
  if (allowance === 0n) return withdrawn === 0n ? 0n : 2n ** 128n;
  return (withdrawn * WAD) / allowance;
}

/** The chain reader of one pass: bindings, the latest block and a block-time cache for event windows. */
class Reader {
  readonly clearing;
  readonly breaker;
  readonly oracle;
  private readonly times = new Map<number, number>();

  constructor(
    readonly ctx: SentinelContext,
    readonly block: number,
    readonly now: number,
    readonly fromBlock: number,
  ) {
    const c = ctx.record.contracts;
    this.clearing = OptionsClearing__factory.connect(c.OptionsClearing, ctx.provider);
    this.breaker = CircuitBreaker__factory.connect(c.CircuitBreaker, ctx.provider);
    this.oracle = OracleAggregator__factory.connect(c.OracleAggregator, ctx.provider);
  }

  /** The human name of a series (`WETH-1800-P-2026-12-13`), beside its id in the decisions. */
  async seriesName(id: bigint): Promise<string> {
    const s = await this.clearing.series(id);
    const symbol =
      Object.entries(this.ctx.record.tokens).find(
        ([, t]) => t.toLowerCase() === s.underlying.toLowerCase(),
      )?.[0] ?? s.underlying;
    return seriesName({ underlying: symbol, strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall });
  }

  token(symbol: string): string {
    const address = this.ctx.record.tokens[symbol];
    if (address === undefined) throw new Error(`the deployment record has no token '${symbol}'`);
    return address;
  }

  async timeOf(blockNumber: number): Promise<number> {
    const cached = this.times.get(blockNumber);
    if (cached !== undefined) return cached;
    const block = await this.ctx.provider.getBlock(blockNumber);
    const t = block?.timestamp ?? 0;
    this.times.set(blockNumber, t);
    return t;
  }

  /** Events within the last `windowSeconds` (and within the lookback blocks). */
  async within<E extends { blockNumber: number }>(events: E[], windowSeconds: number): Promise<E[]> {
    const out: E[] = [];
    for (const e of events) if ((await this.timeOf(e.blockNumber)) >= this.now - windowSeconds) out.push(e);
    return out;
  }

  /** Each configured source of `symbol`: its price and age, or why it is unavailable. */
  async sources(symbol: string) {
    const [, configs] = await this.oracle.assetConfig(this.token(symbol));
    if (configs.length === 0) throw new Error(`the oracle has no sources for ${symbol}`);
    const out: {
      source: string;
      priceWad?: bigint;
      updatedAt?: number;
      ageSeconds?: number;
      error?: string;
    }[] = [];
    for (const config of configs) {
      const source = getAddress(config.source);
      try {
        const [priceWad, updatedAt] = await IPriceSource__factory.connect(source, this.ctx.provider).latest();
        out.push({
          source,
          priceWad,
          updatedAt: Number(updatedAt),
          ageSeconds: this.now - Number(updatedAt),
        });
      } catch (error) {
        out.push({ source, error: shortError(error) });
      }
    }
    return out;
  }
}

function shortError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e.shortMessage ?? e.message ?? String(error)).split("\n")[0];
}

async function evaluate(rule: Rule, r: Reader): Promise<Finding> {
  switch (rule.kind) {
    case "price": {
      const sources = await r.sources(rule.asset);
      const problems: string[] = [];
      for (const [i, s] of sources.entries()) {
        if (s.priceWad === undefined) {
          if (rule.maxAgeSeconds !== undefined) problems.push(`source ${i} unavailable (${s.error})`);
          continue;
        }
        if (rule.minWad !== undefined && s.priceWad < rule.minWad) {
          problems.push(`source ${i} at ${amount(s.priceWad)} below ${amount(rule.minWad)}`);
        }
        if (rule.maxWad !== undefined && s.priceWad > rule.maxWad) {
          problems.push(`source ${i} at ${amount(s.priceWad)} above ${amount(rule.maxWad)}`);
        }
        if (rule.maxAgeSeconds !== undefined && (s.ageSeconds ?? 0) > rule.maxAgeSeconds) {
          problems.push(`source ${i} ${s.ageSeconds} s old (max ${rule.maxAgeSeconds})`);
        }
      }
      return {
        triggered: problems.length > 0,
        reason:
          problems.length > 0
            ? `${rule.asset} ${problems.join("; ")}`
            : `${rule.asset}: every source in bounds`,
        observed: { asset: rule.asset, sources },
      };
    }
    case "spread": {
      const sources = await r.sources(rule.asset);
      const prices = sources.flatMap((s) => (s.priceWad === undefined ? [] : [s.priceWad]));
      const spread = spreadWad(prices);
      const triggered = prices.length >= 2 && spread > rule.maxSpreadWad;
      return {
        triggered,
        reason: `${rule.asset} sources spread ${pct(spread)} (max ${pct(rule.maxSpreadWad)}) over ${prices.length} available`,
        observed: { asset: rule.asset, spreadWad: spread, available: prices.length, sources },
      };
    }
    case "outflow": {
      const token = r.token(rule.token);
      const [bps, breakerWindow] = await r.breaker.outflowLimit(token);
      if (bps === 0n) throw new Error(`the breaker has no outflow limit for ${rule.token}`);
      const window = rule.windowSeconds ?? Number(breakerWindow);
      const capacity = await r.breaker.outflowCapacity(token);
      const liquidity = await r.breaker.trackedLiquidity(token);
      let withdrawn = 0n;
      let deposited = 0n;
      const vaults = Object.entries(r.ctx.record.contracts)
        .filter(([name]) => name === `CollateralVault.${rule.token}`)
        .map(([, address]) => address);
      for (const address of vaults) {
        const vault = CollateralVault__factory.connect(address, r.ctx.provider);
        const out = await r.within(
          await vault.queryFilter(vault.filters.Withdraw(), r.fromBlock, r.block),
          window,
        );
        const into = await r.within(
          await vault.queryFilter(vault.filters.Deposit(), r.fromBlock, r.block),
          window,
        );
        for (const e of out) withdrawn += e.args.assets;
        for (const e of into) deposited += e.args.assets;
      }
      const used = outflowUsedWad(liquidity, withdrawn, deposited, bps);
      return {
        triggered: used > rule.maxUsedWad,
        reason: `${rule.token} outflow used ${pct(used)} of its limit (${pct(bps * 10n ** 14n)} per ${window} s; max ${pct(rule.maxUsedWad)})`,
        observed: {
          token: rule.token,
          maxOutflowBps: bps,
          windowSeconds: window,
          withdrawn,
          deposited,
          trackedLiquidity: liquidity,
          capacity,
          usedWad: used,
        },
      };
    }
    case "liquidations": {
      const events = await r.within(
        await r.clearing.queryFilter(r.clearing.filters.Liquidated(), r.fromBlock, r.block),
        rule.windowSeconds,
      );
      const value = events.reduce((sum, e) => sum + e.args.result.seizedValueWad, 0n);
      const overValue = rule.maxValueWad !== undefined && value > rule.maxValueWad;
      const overCount = rule.maxCount !== undefined && events.length > rule.maxCount;
      return {
        triggered: overValue || overCount,
        reason: `${events.length} liquidations seizing ${amount(value)} in ${rule.windowSeconds} s (max ${rule.maxCount ?? "-"} / ${rule.maxValueWad === undefined ? "-" : amount(rule.maxValueWad)})`,
        observed: {
          count: events.length,
          seizedValueWad: value,
          accounts: [...new Set(events.map((e) => e.args.accountId.toString()))],
        },
      };
    }
    case "positions": {
      const c = r.clearing;
      const written = await r.within(
        await c.queryFilter(c.filters.Written(), r.fromBlock, r.block),
        rule.windowSeconds,
      );
      const closed = await r.within(
        await c.queryFilter(c.filters.Closed(), r.fromBlock, r.block),
        rule.windowSeconds,
      );
      const large = [
        ...written.map((e) => ({
          event: "Written",
          accountId: e.args.accountId,
          seriesId: e.args.seriesId,
          amount: e.args.amount,
          tx: e.transactionHash,
        })),
        ...closed.map((e) => ({
          event: "Closed",
          accountId: e.args.accountId,
          seriesId: e.args.seriesId,
          amount: e.args.amount,
          tx: e.transactionHash,
        })),
      ]
        .filter((e) => e.amount > rule.maxContractsWad)
        .sort((a, b) => (a.amount < b.amount ? 1 : -1));
      return {
        triggered: large.length > 0,
        reason:
          large.length === 0
            ? `no write or close above ${amount(rule.maxContractsWad)} contracts in ${rule.windowSeconds} s`
            : `${large.length} position changes above ${amount(rule.maxContractsWad)} contracts, largest ${large[0].event} of ${amount(large[0].amount)} by account ${large[0].accountId}`,
        observed: {
          writes: written.length,
          closes: closed.length,
          large: await Promise.all(
            large.slice(0, 5).map(async (e) => ({ ...e, series: await r.seriesName(e.seriesId) })),
          ),
        },
      };
    }
  }
}

/** The breaker scope id a rule pauses. */
export function scopeIdOf(rule: Rule, record: DeploymentRecord): { name: string; id: string } {
  const name = rule.scope ?? (rule.kind === "price" || rule.kind === "spread" ? `asset:${rule.asset}` : "");
  if (name.startsWith("asset:")) {
    const token = record.tokens[name.slice("asset:".length)];
    if (token === undefined) throw new Error(`scope ${name}: the deployment record has no such token`);
    return { name, id: Scopes.asset(token) };
  }
  const id = (Scopes as unknown as Record<string, unknown>)[name];
  if (typeof id !== "string") throw new Error(`unknown scope '${name}'`);
  return { name, id };
}

/** Evaluate every rule once and act on the triggered ones; one decision per rule, in order. */
export async function runSentinelPass(
  ctx: SentinelContext,
  config: SentinelConfig,
  options: PassOptions,
): Promise<Decision[]> {
  const latest = await ctx.provider.getBlock("latest");
  if (latest === null) throw new Error("the RPC returned no latest block");
  const fromBlock = Math.max(ctx.record.startBlock, latest.number - config.lookbackBlocks + 1, 0);
  const r = new Reader(ctx, latest.number, latest.timestamp, fromBlock);
  const format = await quoteFormat(ctx.record, ctx.provider);
  const decisions: Decision[] = [];
  for (const rule of config.rules) {
    const base = {
      time: new Date(latest.timestamp * 1000).toISOString(),
      block: latest.number,
      rule: rule.id,
      kind: rule.kind,
      dryRun: options.dryRun,
    };
    let finding: Finding;
    try {
      finding = await evaluate(rule, r);
      finding = { ...finding, observed: withFormatted(finding.observed, format) };
    } catch (error) {
      decisions.push({ ...base, status: "error", action: "none", error: shortError(error) });
      continue;
    }
    if (!finding.triggered) {
      decisions.push({
        ...base,
        status: "ok",
        action: "none",
        reason: finding.reason,
        observed: finding.observed,
      });
      continue;
    }
    if (rule.action === "alert") {
      decisions.push({
        ...base,
        status: "triggered",
        action: "alert",
        reason: finding.reason,
        observed: finding.observed,
      });
      continue;
    }
    const reason = `sentinel ${rule.id}: ${finding.reason}`.slice(0, 280);
    const decision: Decision = {
      ...base,
      status: "triggered",
      action: "pause",
      reason,
      observed: finding.observed,
    };
    try {
      const scope = scopeIdOf(rule, ctx.record);
      decision.scope = scope.name;
      if (await r.breaker.isTripped(scope.id)) {
        decision.action = "already-paused";
      } else if (options.dryRun) {
        decision.action = "would-pause";
      } else {
        if (ctx.guardian === undefined) throw new Error("no guardian signer to pause with");
        const tx = await r.breaker.connect(ctx.guardian).pause(scope.id, reason);
        decision.tx = tx.hash;
        await tx.wait();
      }
    } catch (error) {
      decision.status = "error";
      decision.action = "pause-failed";
      decision.error = shortError(error);
    }
    decisions.push(decision);
  }
  return decisions;
}

export interface LoopOptions extends PassOptions {
  once: boolean;
  /** Receives each decision as it is made. */
  onDecision: (decision: Decision) => void;
  signal?: AbortSignal;
}

/** Run passes until `signal` aborts (or once); returns the number of decisions with status "error". */
export async function runSentinel(
  ctx: SentinelContext,
  config: SentinelConfig,
  options: LoopOptions,
): Promise<number> {
  let errors = 0;
  for (;;) {
    const decisions = await runSentinelPass(ctx, config, options);
    for (const d of decisions) {
      options.onDecision(d);
      if (d.status === "error") errors += 1;
    }
    if (options.once || options.signal?.aborted) return errors;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.intervalSeconds * 1000);
      options.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (options.signal?.aborted) return errors;
  }
}
