/**
 * The stress simulation's parameters (config/stress.json) as a zod schema: step length, agents, scenarios and the
 * crash sweep. `loadStressConfig` names every problem it finds with its path, before anything is deployed.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { show, UnitError } from "../lib/units";
import { formatPath, issueText, parsed, RUN_ALWAYS, unit } from "../lib/validation";

/** Signers the simulation takes besides its agents (deployer, guardian, governance, the price mover). */
const FIXED_SIGNERS = 4;
/** Accounts of the Hardhat network. */
const HARDHAT_SIGNERS = 20;
const MAX_SEED = 0xffffffff;

export class StressConfigError extends Error {
  override name = "StressConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n  - ${problems.join("\n  - ")}`);
  }
}

/** A finite number `ok` accepts (a whole one if `integer`), else "<what>, got <value>". */
const number = (what: string, ok: (n: number) => boolean = () => true, integer = false) =>
  unit((value) => {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value)) ||
      !ok(value)
    )
      throw new UnitError(`${what}, got ${show(value)}`);
    return value;
  });
const integer = (what: string, ok: (n: number) => boolean = () => true) => number(what, ok, true);
const positive = () => number("a positive number", (n) => n > 0);
const nonEmptyList = <T extends z.ZodType>(entry: T, what: string) =>
  z.array(entry, { error: () => what }).refine((list) => list.length > 0, { error: () => what });
const text = (what: string) => z.string({ error: (issue) => `${what}, got ${show(issue.input)}` });

/** One leg of a writer's book: short `weight` units of a put or call struck at `strike` × the initial spot. */
const leg = z.object({
  type: z.enum(["put", "call"], { error: () => "put or call" }),
  strike: number("a multiple of spot in [0.1, 10]", (n) => n >= 0.1 && n <= 10),
  weight: positive(),
});

const writer = z.object({
  name: text("a name"),
  collateral: z.enum(["USDC", "WETH"], { error: (issue) => `USDC or WETH, got ${show(issue.input)}` }),
  /** Collateral deposited, in whole units of the collateral token. */
  deposit: positive(),
  /** Share of the collateral value the book's initial margin uses when it is written (0 < x < 1). */
  leverage: number("in (0, 1)", (n) => n > 0 && n < 1),
  legs: nonEmptyList(leg, "at least one leg"),
  /** Optional: deposit `amount` more (whole units) when collateral / maintenance falls below `below`, at most `max` times. */
  topUp: z
    .object({ below: number("a number"), amount: number("a number"), max: integer("an integer") })
    .optional(),
});

const keeper = z.object({
  name: text("a name"),
  /** Steps between an account first seen below maintenance and this keeper acting on it. */
  latencySteps: integer("a non-negative integer", (n) => n >= 0),
  /** USDC in the keeper's own clearing account (it must end above initial margin after taking positions over). */
  deposit: positive(),
});

const staker = z.object({
  name: text("a name"),
  /** USDC staked in the insurance vault at the start. */
  deposit: positive(),
});

const guardian = z.object({
  enabled: z.boolean({ error: (issue) => `true or false, got ${show(issue.input)}` }),
  /** Pause the asset's price scope when the oracle median moves more than this in one step (0.25 = 25%). */
  maxStepMove: number("a number"),
  /** Pause the asset's price scope after this many consecutive steps of refused prices. */
  refusalSteps: integer("an integer"),
});

const governance = z.object({
  /** Steps between seeing a tripped scope (with a served price) and scheduling its resume through the timelock. */
  reactionSteps: integer("an integer"),
  /** After this many consecutive refused prices, schedule the removal of the source farthest from the median. */
  removeOutlierAfterSteps: integer("an integer"),
});

const agents = z
  .object({
    writers: nonEmptyList(writer, "at least one writer"),
    buyers: integer("at least 1", (n) => n >= 1),
    keepers: nonEmptyList(keeper, "at least one keeper"),
    stakers: z.array(staker, { error: () => "a list (may be empty)" }),
    guardian,
    governance,
  })
  .superRefine((a, ctx) => {
    if (!parsed(ctx.issues, ["writers"], ["buyers"], ["keepers"], ["stakers"])) return;
    const signers = FIXED_SIGNERS + a.writers.length + a.buyers + a.keepers.length + a.stakers.length;
    if (signers > HARDHAT_SIGNERS)
      ctx.addIssue({
        code: "custom",
        message: `${signers} signers needed, the Hardhat network has ${HARDHAT_SIGNERS}`,
      });
  }, RUN_ALWAYS);

/** Price paths, as multipliers of the initial spot; every kind adds GBM noise of annual volatility `noise`. */
const path = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("gbm"),
      vol: number("a number"),
      drift: number("a number"),
      jumpProbability: number("a number"),
      jumpMean: number("a number"),
      jumpStdev: number("a number"),
    }),
    z.object({
      kind: z.literal("flash-crash"),
      at: number("a number"),
      drop: number("a number"),
      recoverSteps: number("a number"),
      recoverTo: number("a number"),
      noise: number("a number"),
    }),
    z.object({ kind: z.literal("bleed"), totalDrop: number("a number"), noise: number("a number") }),
    z.object({
      kind: z.literal("crash"),
      at: number("a number"),
      drops: z.array(number("a number"), { error: () => "a list of numbers" }),
      noise: number("a number"),
    }),
  ],
  {
    error: (issue) =>
      typeof issue.input === "object" && issue.input !== null
        ? "gbm, flash-crash, bleed or crash"
        : "required",
  },
);

/** A fault of one mock feed from step `from` (inclusive) to `to` (exclusive; the end of the run if absent). */
const faultWindow = {
  feed: integer("a feed index", (n) => n >= 0),
  from: integer("a step", (n) => n >= 0),
  to: integer("a step", (n) => n >= 0).optional(),
};
const fault = z.discriminatedUnion(
  "kind",
  [
    z.object({ ...faultWindow, kind: z.literal("stale") }),
    z.object({ ...faultWindow, kind: z.literal("rogue"), factor: positive() }),
  ],
  { error: () => "stale or rogue" },
);

const scenario = z.object({
  name: z
    .string({ error: () => "lower-case letters, digits and dashes" })
    .regex(/^[a-z0-9-]+$/, { error: () => "lower-case letters, digits and dashes" }),
  description: text("a description"),
  steps: integer("an integer in [2, 500]", (n) => n >= 2 && n <= 500),
  seed: integer("an integer in [0, 2^32)", (n) => n >= 0 && n <= MAX_SEED),
  path,
  faults: z.array(fault).optional(),
  guardian: guardian.partial().optional(),
  /** Replaces the agents' keepers in this scenario (e.g. only slow ones). */
  keepers: nonEmptyList(keeper, "a non-empty list when given").optional(),
  /** Replaces the agents' writers in this scenario (e.g. one writer archetype alone). */
  writers: nonEmptyList(writer, "a non-empty list when given").optional(),
});

const slug = (what: string) => z.string({ error: () => what }).regex(/^[a-z0-9-]+$/, { error: () => what });

/**
 * One writer archetype the sweep runs alone (the agents' keepers, buyers and stakers beside it): `down` runs the
 * sweep's sizes as crashes, `up` as rallies of the same size (the gap a short call is exposed to).
 */
const archetype = z.object({
  name: slug("lower-case letters, digits and dashes"),
  description: text("a description"),
  direction: z.enum(["down", "up"], { error: (issue) => `down or up, got ${show(issue.input)}` }),
  writer,
});

const sweep = z
  .object({
    /** Crash sizes (0.4 = the price falls 40% in one step) to run, each as its own scenario. */
    drops: z.array(
      number("crash sizes in (0, 0.95)", (n) => n > 0 && n < 0.95),
      {
        error: () => "crash sizes in (0, 0.95)",
      },
    ),
    steps: integer("an integer"),
    at: integer("an integer"),
    seed: integer("an integer"),
    noise: number("a number"),
    guardian: guardian.partial().optional(),
    /** Writer archetypes, each swept alone over the same sizes (absent: only the sweep of the default agents). */
    archetypes: z.array(archetype, { error: () => "a list of archetypes" }).optional(),
  })
  .superRefine((s, ctx) => {
    if (parsed(ctx.issues, ["steps"], ["at"]) && s.at >= s.steps)
      ctx.addIssue({ code: "custom", path: ["at"], message: `${s.at} is not before steps ${s.steps}` });
    const list = s.archetypes;
    if (!Array.isArray(list)) return;
    list.forEach((a, i) => {
      if (!parsed(ctx.issues, ["archetypes", i, "name"])) return;
      if (list.findIndex((x, j) => parsed(ctx.issues, ["archetypes", j, "name"]) && x.name === a.name) < i)
        ctx.addIssue({ code: "custom", path: ["archetypes", i, "name"], message: `'${a.name}' used twice` });
    });
  }, RUN_ALWAYS);

export const stressConfigSchema = z.object(
  {
    description: z.string().optional(),
    /** The deployment config the suite is deployed from. */
    deployConfig: text("a path to a deploy config is required"),
    /** The underlying the scenarios move (a priced asset of the deploy config with mock feeds). */
    asset: text("the symbol of the underlying is required"),
    /**
     * When the scenarios start (ISO 8601, UTC). Every scenario starts at this block time, so absolute timestamps
     * (calldata, hence gas) are the same on every run; a chain already past it starts at the next whole day.
     */
    startTime: z
      .string({ error: (issue) => `an ISO 8601 date, got ${show(issue.input)}` })
      .refine((s) => Number.isFinite(Date.parse(s)), {
        error: (issue) => `an ISO 8601 date, got ${show(issue.input)}`,
      }),
    stepSeconds: integer("an integer in [60, 86400]", (n) => n >= 60 && n <= 86_400),
    expiryDays: number("a number in [1, 365]", (n) => n >= 1 && n <= 365),
    agents,
    scenarios: nonEmptyList(scenario, "at least one").superRefine((list, ctx) => {
      if (!Array.isArray(list)) return;
      list.forEach((s, i) => {
        if (!parsed(ctx.issues, [i, "name"])) return;
        if (list.findIndex((x, j) => parsed(ctx.issues, [j, "name"]) && x.name === s.name) < i)
          ctx.addIssue({ code: "custom", path: [i, "name"], message: `'${s.name}' used twice` });
      });
    }, RUN_ALWAYS),
    sweep,
  },
  { error: () => "not a JSON object" },
);

export type StressConfig = z.output<typeof stressConfigSchema>;
export type AgentsSpec = StressConfig["agents"];
export type WriterSpec = AgentsSpec["writers"][number];
export type Collateral = WriterSpec["collateral"];
export type LegSpec = WriterSpec["legs"][number];
export type KeeperSpec = AgentsSpec["keepers"][number];
export type StakerSpec = AgentsSpec["stakers"][number];
export type GuardianSpec = AgentsSpec["guardian"];
export type GovernanceSpec = AgentsSpec["governance"];
export type ScenarioSpec = StressConfig["scenarios"][number];
export type PathSpec = ScenarioSpec["path"];
export type FeedFault = NonNullable<ScenarioSpec["faults"]>[number];
export type SweepSpec = StressConfig["sweep"];
export type ArchetypeSpec = NonNullable<SweepSpec["archetypes"]>[number];

/** Validate a parsed config; throws StressConfigError naming every problem. */
export function validateStressConfig(raw: unknown, source = "stress config"): StressConfig {
  const result = stressConfigSchema.safeParse(raw, { error: issueText });
  if (result.success) return result.data;
  throw new StressConfigError(
    source,
    result.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${formatPath(issue.path, "")}: ${issue.message}`,
    ),
  );
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

/** A sweep point's label: 0.325 -> "32_5". */
const sizeLabel = (size: number): string => String(Math.round(size * 1000) / 10).replace(".", "_");

/** The sweep's scenarios: one crash of each size at step `at`, held for the rest of the run. */
export function sweepScenarios(config: StressConfig): ScenarioSpec[] {
  const s = config.sweep;
  return s.drops.map((drop) => ({
    name: `sweep-${sizeLabel(drop)}`,
    description: `A ${Math.round(drop * 1000) / 10}% crash in one step, then flat.`,
    steps: s.steps,
    seed: s.seed,
    path: { kind: "crash", at: s.at, drops: [drop], noise: s.noise },
    guardian: s.guardian,
  }));
}

/**
 * One archetype's sweep: the sweep's sizes as one-step crashes (or rallies, `up`: a negative drop) at step `at`,
 * with the archetype's writer as the only writer.
 */
export function archetypeScenarios(config: StressConfig, archetype: ArchetypeSpec): ScenarioSpec[] {
  const s = config.sweep;
  const sign = archetype.direction === "up" ? -1 : 1;
  return s.drops.map((size) => ({
    name: `sweep-${archetype.name}-${sizeLabel(size)}`,
    description: `${archetype.description}: a ${Math.round(size * 1000) / 10}% ${
      archetype.direction === "up" ? "rally" : "crash"
    } in one step, then flat.`,
    steps: s.steps,
    seed: s.seed,
    path: { kind: "crash", at: s.at, drops: [sign * size], noise: s.noise },
    guardian: s.guardian,
    writers: [archetype.writer],
  }));
}
