/**
 * What a scenario measures, read from the contracts' events and views, and the consistency checks between them:
 * bad debt from the views before each liquidation against insurance drawn + socialised in the Liquidated events;
 * insurance drawn in the events against the InsuranceVault's own BadDebtCovered events and its balance; the
 * keepers' count of liquidations against the Liquidated events on chain; written-off contracts against open
 * interest.
 */
import type { LiquidationRecord } from "./agents";
import type { Suite } from "./suite";
import type { GasRole } from "./chain";
import { WAD, mulWadDown } from "../lib/math/wad";

export type BreakerState = "open" | "tripped" | "grace";

export interface AccountSnapshot {
  name: string;
  role: "writer" | "keeper";
  /** Collateral value (quote units), or null while the oracle refuses a price. */
  collateral: number | null;
  maintenance: number | null;
  /** collateral / maintenance (null: no requirement, or no price). */
  ratio: number | null;
}

export interface StepRecord {
  step: number;
  /** Seconds since the scenario started. */
  t: number;
  /** The market price the feeds follow. */
  market: number;
  /** What each feed reports (its last answer; stale feeds keep theirs). */
  feeds: number[];
  /** The oracle's served median, null when refused. */
  oracle: number | null;
  oracleOutcome: string;
  breaker: BreakerState;
  accounts: AccountSnapshot[];
  unhealthy: number;
  liquidations: number;
  liquidatedVolume: number;
  badDebt: number;
  insuranceDrawn: number;
  socialised: number;
  insuranceAssets: number;
  notes: string[];
}

export interface LiquidationJson {
  step: number;
  account: string;
  keeper: string;
  fraction: number;
  liability: number;
  seized: number;
  discount: number;
  penalty: number;
  covered: number;
  socialised: number;
  deficit: number;
  gas: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Summary {
  liquidations: {
    count: number;
    insolvent: number;
    volume: number;
    seized: number;
    discountPaid: number;
    penalty: number;
    failed: Record<string, number>;
  };
  badDebt: number;
  insuranceDrawn: number;
  socialised: number;
  socialisedContracts: number;
  insurance: { start: number; end: number; sharePriceStart: number; sharePriceEnd: number };
  breaker: {
    trips: number;
    guardianPauses: number;
    resumes: number;
    secondsTripped: number;
    secondsInGrace: number;
    stepsTripped: number;
    stepsInGrace: number;
  };
  unhealthy: { max: number; accountSteps: number; firstStep: number | null };
  oracle: { refusedSteps: number; bandBreaches: number; quorumLosses: number; sourcesRemoved: number };
  gas: Record<GasRole, number> & { keeperTxs: number };
  payoutHaircut: { series: string; shorts: number; writtenOff: number; haircut: number }[];
  /** Exact sums in WAD, as strings, for the checks. */
  exact: { badDebtWad: string; coveredWad: string; socialisedWad: string };
}

/** A writer's book when written, from the views: what the margin let its collateral carry. */
export interface WriterBook {
  writer: string;
  collateral: string;
  collateralValue: number;
  initial: number;
  maintenance: number;
  /** Contracts written per leg (shorts, positive). */
  legs: { series: string; contracts: number }[];
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  seed: number;
  steps: number;
  stepSeconds: number;
  initialSpot: number;
  guardian: boolean;
  books: WriterBook[];
  trace: StepRecord[];
  liquidations: LiquidationJson[];
  summary: Summary;
  checks: Check[];
}

/** A WAD amount as a number of quote units, to the micro-unit. */
export const num = (wad: bigint): number => Number(wad / 10n ** 12n) / 1e6;

export function liquidationJson(r: LiquidationRecord): LiquidationJson {
  const x = r.result;
  return {
    step: r.step,
    account: r.account,
    keeper: r.keeper,
    fraction: Number(x.fractionWad) / 1e18,
    liability: num(x.liabilityWad),
    seized: num(x.seizedValueWad),
    discount: Number(x.discountWad) / 1e18,
    penalty: num(x.penaltyWad),
    covered: num(x.coveredWad),
    socialised: num(x.socialisedWad),
    deficit: num(r.deficitWad),
    gas: Number(r.gas),
  };
}

/** Events of the scenario's block range, read back from the chain (not from the agents' own bookkeeping). */
export interface ChainEvents {
  liquidated: number;
  coveredByVaultWad: bigint;
  penaltiesByVaultWad: bigint;
  /** Pending penalties used as bad-debt cover (PenaltiesUsedAsCover), before the insurance vault was drawn. */
  coveredByPendingWad: bigint;
  /** Penalty shares still pending at the end, in quote assets (WAD). */
  pendingEndWad: bigint;
  lossSocialisedContracts: bigint;
  trips: { scope: string; at: number; reason: number }[];
  resumes: { scope: string; at: number; graceEndsAt: number }[];
}

export async function readEvents(suite: Suite, fromBlock: number, toBlock: number): Promise<ChainEvents> {
  const { clearing, insurance, breaker } = suite;
  const quoteScale = 10n ** (18n - (await suite.quote.decimals()));
  const liquidated = await clearing.queryFilter(clearing.filters.Liquidated(), fromBlock, toBlock);
  const covered = await insurance.queryFilter(insurance.filters.BadDebtCovered(), fromBlock, toBlock);
  const penalties = await insurance.queryFilter(insurance.filters.PenaltyPaid(), fromBlock, toBlock);
  const usedAsCover = await clearing.queryFilter(clearing.filters.PenaltiesUsedAsCover(), fromBlock, toBlock);
  const quoteVault = suite.vaults[suite.quoteSymbol];
  const pendingShares = await clearing.pendingPenaltyShares({ blockTag: toBlock });
  const pendingEnd = await quoteVault.previewRedeem(pendingShares, { blockTag: toBlock });
  const social = await clearing.queryFilter(clearing.filters.LossSocialised(), fromBlock, toBlock);
  const tripped = await breaker.queryFilter(breaker.filters.Tripped(), fromBlock, toBlock);
  const resumed = await breaker.queryFilter(breaker.filters.Resumed(), fromBlock, toBlock);
  const timeOf = async (blockNumber: number) =>
    (await suite.deployer.provider.getBlock(blockNumber))!.timestamp;
  const trips = [];
  for (const e of tripped)
    trips.push({ scope: e.args.scope, at: await timeOf(e.blockNumber), reason: Number(e.args.reason) });
  const resumes = [];
  for (const e of resumed)
    resumes.push({
      scope: e.args.scope,
      at: await timeOf(e.blockNumber),
      graceEndsAt: Number(e.args.graceEndsAt),
    });
  return {
    liquidated: liquidated.length,
    coveredByVaultWad: covered.reduce((s, e) => s + e.args.covered * quoteScale, 0n),
    penaltiesByVaultWad: penalties.reduce((s, e) => s + e.args.assets * quoteScale, 0n),
    coveredByPendingWad: usedAsCover.reduce((s, e) => s + e.args.assets * quoteScale, 0n),
    pendingEndWad: pendingEnd * quoteScale,
    lossSocialisedContracts: social.reduce((s, e) => s + e.args.contracts, 0n),
    trips,
    resumes,
  };
}

/** Seconds tripped and in grace, per the Tripped/Resumed events, clipped to [start, end]. */
export function breakerTimes(
  ev: ChainEvents,
  start: number,
  end: number,
): { tripped: number; grace: number } {
  let tripped = 0;
  let grace = 0;
  for (const t of ev.trips) {
    const r = ev.resumes.find((x) => x.scope === t.scope && x.at >= t.at);
    tripped += Math.min(r?.at ?? end, end) - Math.max(t.at, start);
    if (r !== undefined) grace += Math.max(0, Math.min(r.graceEndsAt, end) - r.at);
  }
  return { tripped, grace };
}

export interface CheckInputs {
  records: LiquidationRecord[];
  events: ChainEvents;
  insuranceStartWad: bigint;
  insuranceEndWad: bigint;
  stakedWad: bigint;
  /** One unit of the quote asset in WAD (the rounding step of a share-to-asset conversion). */
  quoteUnitWad: bigint;
  openInterest: { label: string; shorts: bigint; longs: bigint; writtenOff: bigint }[];
}

export function checks(x: CheckInputs): Check[] {
  const out: Check[] = [];
  const deficit = x.records.reduce((s, r) => s + r.deficitWad, 0n);
  const covered = x.records.reduce((s, r) => s + r.result.coveredWad, 0n);
  const socialised = x.records.reduce((s, r) => s + r.result.socialisedWad, 0n);
  const diff = covered + socialised - deficit;
  // The contract floors the cover to the quote token's decimals and socialises the rest, unless the rest is less
  // than one unit (dust the liquidator absorbs): per liquidation the sum is exact or short of the bad debt by dust.
  const inexact = x.records.filter((r) => {
    const gap = r.deficitWad - r.result.coveredWad - r.result.socialisedWad;
    return gap !== 0n && !(r.result.socialisedWad === 0n && gap > 0n && gap < x.quoteUnitWad);
  });
  out.push({
    name: "insurance drawn + socialised == bad debt (less dust under one quote unit)",
    ok: inexact.length === 0,
    detail: `${covered} + ${socialised} - ${deficit} = ${diff} wei over ${x.records.length} liquidations, ${inexact.length} beyond the dust rule (bad debt from health and the calculator's mark before each liquidation)`,
  });
  out.push({
    name: "insurance drawn == InsuranceVault BadDebtCovered + pending penalties used as cover",
    ok: covered === x.events.coveredByVaultWad + x.events.coveredByPendingWad,
    detail: `Liquidated.coveredWad ${covered}, BadDebtCovered ${x.events.coveredByVaultWad}, PenaltiesUsedAsCover ${x.events.coveredByPendingWad}`,
  });
  const penalties = x.records.reduce((s, r) => s + r.result.penaltyWad, 0n);
  const expectedEnd =
    x.insuranceStartWad + x.stakedWad + x.events.penaltiesByVaultWad - x.events.coveredByVaultWad;
  // Penalties taken are paid to the vault, used as cover or still pending; each share-to-asset conversion rounds
  // down by less than one unit of the quote asset.
  const accountedPenalties =
    x.events.penaltiesByVaultWad + x.events.coveredByPendingWad + x.events.pendingEndWad;
  const penaltyGap =
    penalties > accountedPenalties ? penalties - accountedPenalties : accountedPenalties - penalties;
  const penaltySlack = BigInt(2 * x.records.length + 1) * x.quoteUnitWad;
  out.push({
    name: "insurance assets: start + staked + penalties paid - drawn == end; penalties taken all accounted for",
    ok: expectedEnd === x.insuranceEndWad && penaltyGap <= penaltySlack,
    detail: `expected ${expectedEnd}, totalAssets ${x.insuranceEndWad}; penalties taken ${penalties}, paid ${x.events.penaltiesByVaultWad} + used as cover ${x.events.coveredByPendingWad} + pending ${x.events.pendingEndWad}`,
  });
  out.push({
    name: "liquidation count == Liquidated events",
    ok: x.records.length === x.events.liquidated,
    detail: `keepers ${x.records.length}, events ${x.events.liquidated}`,
  });
  const writtenOff = x.openInterest.reduce((s, o) => s + o.writtenOff, 0n);
  out.push({
    name: "LossSocialised contracts == writtenOff",
    ok: writtenOff === x.events.lossSocialisedContracts,
    detail: `events ${x.events.lossSocialisedContracts}, writtenOff ${writtenOff}`,
  });
  const bad = x.openInterest.filter((o) => o.shorts + o.writtenOff !== o.longs);
  out.push({
    name: "open interest: shorts + written off == longs",
    ok: bad.length === 0,
    detail: bad.length === 0 ? `${x.openInterest.length} series` : bad.map((o) => o.label).join(", "),
  });
  return out;
}

export { WAD, mulWadDown };
