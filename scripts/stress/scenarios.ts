/**
 * The stress simulation's parameters (config/stress.json): step length, agents, scenarios and the crash sweep.
 * `loadStressConfig` validates the whole file and names every problem it finds, before anything is deployed.
 */
import { readFileSync } from "node:fs";

export type Collateral = "USDC" | "WETH";

/** One leg of a writer's book: short `weight` units of a put or call struck at `strike` × the initial spot. */
export interface LegSpec {
  type: "put" | "call";
  strike: number;
  weight: number;
}

export interface WriterSpec {
  name: string;
  collateral: Collateral;
  /** Collateral deposited, in whole units of the collateral token. */
  deposit: number;
  /** Share of the collateral value the book's initial margin uses when it is written (0 < x < 1). */
  leverage: number;
  legs: LegSpec[];
  /** Optional: deposit `amount` more (whole units) when collateral / maintenance falls below `below`, at most `max` times. */
  topUp?: { below: number; amount: number; max: number };
}

export interface KeeperSpec {
  name: string;
  /** Steps between an account first seen below maintenance and this keeper acting on it. */
  latencySteps: number;
  /** USDC in the keeper's own clearing account (it must end above initial margin after taking positions over). */
  deposit: number;
}

export interface StakerSpec {
  name: string;
  /** USDC staked in the insurance vault at the start. */
  deposit: number;
}

export interface GuardianSpec {
  enabled: boolean;
  /** Pause the asset's price scope when the oracle median moves more than this in one step (0.25 = 25%). */
  maxStepMove: number;
  /** Pause the asset's price scope after this many consecutive steps of refused prices. */
  refusalSteps: number;
}

export interface GovernanceSpec {
  /** Steps between seeing a tripped scope (with a served price) and scheduling its resume through the timelock. */
  reactionSteps: number;
  /** After this many consecutive refused prices, schedule the removal of the source farthest from the median. */
  removeOutlierAfterSteps: number;
}

export interface AgentsSpec {
  writers: WriterSpec[];
  buyers: number;
  keepers: KeeperSpec[];
  stakers: StakerSpec[];
  guardian: GuardianSpec;
  governance: GovernanceSpec;
}

/** Price paths, as multipliers of the initial spot; every kind adds GBM noise of annual volatility `noise`. */
export type PathSpec =
  | { kind: "gbm"; vol: number; drift: number; jumpProbability: number; jumpMean: number; jumpStdev: number }
  | { kind: "flash-crash"; at: number; drop: number; recoverSteps: number; recoverTo: number; noise: number }
  | { kind: "bleed"; totalDrop: number; noise: number }
  | { kind: "crash"; at: number; drops: number[]; noise: number };

/** A fault of one mock feed from step `from` (inclusive) to `to` (exclusive; the end of the run if absent). */
export type FeedFault =
  | { feed: number; from: number; to?: number; kind: "stale" }
  | { feed: number; from: number; to?: number; kind: "rogue"; factor: number };

export interface ScenarioSpec {
  name: string;
  description: string;
  steps: number;
  seed: number;
  path: PathSpec;
  faults?: FeedFault[];
  guardian?: Partial<GuardianSpec>;
  /** Replaces the agents' keepers in this scenario (e.g. only slow ones). */
  keepers?: KeeperSpec[];
}

export interface SweepSpec {
  /** Crash sizes (0.4 = the price falls 40% in one step) to run, each as its own scenario. */
  drops: number[];
  steps: number;
  at: number;
  seed: number;
  noise: number;
  guardian?: Partial<GuardianSpec>;
}

export interface StressConfig {
  description?: string;
  /** The deployment config the suite is deployed from. */
  deployConfig: string;
  /** The underlying the scenarios move (a priced asset of the deploy config with mock feeds). */
  asset: string;
  /**
   * When the scenarios start (ISO 8601, UTC). Every scenario starts at this block time, so absolute timestamps
   * (calldata, hence gas) are the same on every run; a chain already past it starts at the next whole day.
   */
  startTime: string;
  stepSeconds: number;
  expiryDays: number;
  agents: AgentsSpec;
  scenarios: ScenarioSpec[];
  sweep: SweepSpec;
}

export class StressConfigError extends Error {
  override name = "StressConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n  - ${problems.join("\n  - ")}`);
  }
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);

/** Validate a parsed config; throws StressConfigError naming every problem. */
export function validateStressConfig(raw: unknown, source = "stress config"): StressConfig {
  const p: string[] = [];
  const c = raw as StressConfig;
  if (typeof raw !== "object" || raw === null) throw new StressConfigError(source, ["not a JSON object"]);
  if (typeof c.deployConfig !== "string") p.push("deployConfig: a path to a deploy config is required");
  if (typeof c.asset !== "string") p.push("asset: the symbol of the underlying is required");
  if (typeof c.startTime !== "string" || !Number.isFinite(Date.parse(c.startTime)))
    p.push(`startTime: an ISO 8601 date, got ${String(c.startTime)}`);
  if (!isInt(c.stepSeconds) || c.stepSeconds < 60 || c.stepSeconds > 86_400)
    p.push(`stepSeconds: an integer in [60, 86400], got ${String(c.stepSeconds)}`);
  if (!isNum(c.expiryDays) || c.expiryDays < 1 || c.expiryDays > 365)
    p.push(`expiryDays: a number in [1, 365], got ${String(c.expiryDays)}`);
  const a = c.agents;
  if (typeof a !== "object" || a === null) {
    p.push("agents: required");
  } else {
    if (!Array.isArray(a.writers) || a.writers.length === 0) p.push("agents.writers: at least one writer");
    else
      a.writers.forEach((w, i) => {
        const at = `agents.writers[${i}]`;
        if (w.collateral !== "USDC" && w.collateral !== "WETH")
          p.push(`${at}.collateral: USDC or WETH, got ${String(w.collateral)}`);
        if (!isNum(w.deposit) || w.deposit <= 0) p.push(`${at}.deposit: a positive number`);
        if (!isNum(w.leverage) || w.leverage <= 0 || w.leverage >= 1)
          p.push(`${at}.leverage: in (0, 1), got ${String(w.leverage)}`);
        if (!Array.isArray(w.legs) || w.legs.length === 0) p.push(`${at}.legs: at least one leg`);
        else
          w.legs.forEach((l, j) => {
            if (l.type !== "put" && l.type !== "call") p.push(`${at}.legs[${j}].type: put or call`);
            if (!isNum(l.strike) || l.strike < 0.1 || l.strike > 10)
              p.push(`${at}.legs[${j}].strike: a multiple of spot in [0.1, 10]`);
            if (!isNum(l.weight) || l.weight <= 0) p.push(`${at}.legs[${j}].weight: positive`);
          });
        if (w.topUp !== undefined && (!isNum(w.topUp.below) || !isNum(w.topUp.amount) || !isInt(w.topUp.max)))
          p.push(`${at}.topUp: {below, amount, max} numbers`);
      });
    if (!isInt(a.buyers) || a.buyers < 1) p.push("agents.buyers: at least 1");
    if (!Array.isArray(a.keepers) || a.keepers.length === 0) p.push("agents.keepers: at least one keeper");
    else
      a.keepers.forEach((k, i) => {
        if (!isInt(k.latencySteps) || k.latencySteps < 0)
          p.push(`agents.keepers[${i}].latencySteps: a non-negative integer`);
        if (!isNum(k.deposit) || k.deposit <= 0) p.push(`agents.keepers[${i}].deposit: positive`);
      });
    if (!Array.isArray(a.stakers)) p.push("agents.stakers: a list (may be empty)");
    else
      a.stakers.forEach((s, i) => {
        if (!isNum(s.deposit) || s.deposit <= 0) p.push(`agents.stakers[${i}].deposit: positive`);
      });
    const signersNeeded = 4 + a.writers?.length + a.buyers + a.keepers?.length + a.stakers?.length;
    if (signersNeeded > 20) p.push(`agents: ${signersNeeded} signers needed, the Hardhat network has 20`);
    if (typeof a.guardian !== "object" || !isNum(a.guardian?.maxStepMove) || !isInt(a.guardian?.refusalSteps))
      p.push("agents.guardian: {enabled, maxStepMove, refusalSteps}");
    if (!isInt(a.governance?.reactionSteps) || !isInt(a.governance?.removeOutlierAfterSteps))
      p.push("agents.governance: {reactionSteps, removeOutlierAfterSteps} integers");
  }
  if (!Array.isArray(c.scenarios) || c.scenarios.length === 0) p.push("scenarios: at least one");
  else {
    const names = new Set<string>();
    c.scenarios.forEach((s, i) => {
      const at = `scenarios[${i}]`;
      if (typeof s.name !== "string" || !/^[a-z0-9-]+$/.test(s.name))
        p.push(`${at}.name: lower-case letters, digits and dashes`);
      else if (names.has(s.name)) p.push(`${at}.name: '${s.name}' used twice`);
      names.add(s.name);
      if (!isInt(s.steps) || s.steps < 2 || s.steps > 500) p.push(`${at}.steps: an integer in [2, 500]`);
      if (!isInt(s.seed) || s.seed < 0 || s.seed > 0xffffffff) p.push(`${at}.seed: an integer in [0, 2^32)`);
      p.push(...checkPath(s.path, `${at}.path`));
      if (s.keepers !== undefined && (!Array.isArray(s.keepers) || s.keepers.length === 0))
        p.push(`${at}.keepers: a non-empty list when given`);
      for (const [j, f] of (s.faults ?? []).entries()) {
        if (!isInt(f.feed) || f.feed < 0) p.push(`${at}.faults[${j}].feed: a feed index`);
        if (f.kind !== "stale" && f.kind !== "rogue") p.push(`${at}.faults[${j}].kind: stale or rogue`);
        if (f.kind === "rogue" && (!isNum(f.factor) || f.factor <= 0))
          p.push(`${at}.faults[${j}].factor: positive`);
      }
    });
  }
  const sw = c.sweep;
  if (typeof sw !== "object" || sw === null) p.push("sweep: required");
  else {
    if (!Array.isArray(sw.drops) || sw.drops.some((d) => !isNum(d) || d <= 0 || d >= 0.95))
      p.push("sweep.drops: crash sizes in (0, 0.95)");
    if (!isInt(sw.steps) || !isInt(sw.at) || sw.at >= sw.steps) p.push("sweep: integer steps > at");
    if (!isInt(sw.seed)) p.push("sweep.seed: an integer");
  }
  if (p.length > 0) throw new StressConfigError(source, p);
  return c;
}

function checkPath(path: PathSpec | undefined, at: string): string[] {
  if (typeof path !== "object" || path === null) return [`${at}: required`];
  switch (path.kind) {
    case "gbm":
      return [path.vol, path.drift, path.jumpProbability, path.jumpMean, path.jumpStdev].every(isNum)
        ? []
        : [`${at}: gbm needs vol, drift, jumpProbability, jumpMean, jumpStdev`];
    case "flash-crash":
      return [path.at, path.drop, path.recoverSteps, path.recoverTo, path.noise].every(isNum)
        ? []
        : [`${at}: flash-crash needs at, drop, recoverSteps, recoverTo, noise`];
    case "bleed":
      return [path.totalDrop, path.noise].every(isNum) ? [] : [`${at}: bleed needs totalDrop, noise`];
    case "crash":
      return isNum(path.at) && Array.isArray(path.drops) && path.drops.every(isNum) && isNum(path.noise)
        ? []
        : [`${at}: crash needs at, drops[], noise`];
    default:
      return [`${at}.kind: gbm, flash-crash, bleed or crash`];
  }
}

export function loadStressConfig(path: string): StressConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new StressConfigError(path, [`cannot read or parse: ${(error as Error).message}`]);
  }
  return validateStressConfig(raw, path);
}

/** The guardian a scenario runs with: the agents' default with the scenario's overrides. */
export function guardianFor(config: StressConfig, overrides?: Partial<GuardianSpec>): GuardianSpec {
  return { ...config.agents.guardian, ...(overrides ?? {}) };
}

/** The sweep's scenarios: one crash of each size at step `at`, held for the rest of the run. */
export function sweepScenarios(config: StressConfig): ScenarioSpec[] {
  const s = config.sweep;
  return s.drops.map((drop) => ({
    name: `sweep-${String(Math.round(drop * 1000) / 10).replace(".", "_")}`,
    description: `A ${Math.round(drop * 1000) / 10}% crash in one step, then flat.`,
    steps: s.steps,
    seed: s.seed,
    path: { kind: "crash", at: s.at, drops: [drop], noise: s.noise },
    guardian: s.guardian,
  }));
}
