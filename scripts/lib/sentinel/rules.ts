/**
 * The sentinel's rules file (config/sentinel.json; schema in docs/sentinel.md) as a zod schema: every problem named by
 * its JSON path (a rule's also by its id) before anything touches the network.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import {
  formatWad,
  parseDecimal,
  parseDuration,
  parseShareWad,
  show,
  UnitError,
  WAD_DECIMALS,
} from "../units";
import { closedObject, formatPath, isRecord, parsed, RUN_ALWAYS, unit } from "../validation";

/** A breaker scope by name: an action scope, or an asset's price scope as "asset:<SYMBOL>". */
export type ScopeName = string;

/** What the validator may check the rules against (the deployment's symbols), if known. */
export interface SentinelKnown {
  assets?: string[];
  tokens?: string[];
}

export class SentinelConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid sentinel config ${source}:\n  - ${problems.join("\n  - ")}`);
    this.name = "SentinelConfigError";
  }
}

const ACTION_SCOPES = ["GLOBAL", "DEPOSIT", "WITHDRAW", "WRITE", "LIQUIDATE", "SETTLE"];
const KINDS = ["price", "spread", "outflow", "liquidations", "positions"] as const;
const RULE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const WAD = 10n ** 18n;
const DEFAULT_INTERVAL_SECONDS = 30;
const DEFAULT_LOOKBACK_BLOCKS = 5_000;
const MAX_LOOKBACK_BLOCKS = 1_000_000;

/** "WITHDRAW", "GLOBAL", ... or "asset:WETH". */
export function parseScopeName(value: unknown, known: SentinelKnown = {}): ScopeName {
  if (typeof value !== "string") throw new UnitError(`${show(value)} is not a scope name`);
  if (ACTION_SCOPES.includes(value)) return value;
  const match = /^asset:(.+)$/.exec(value);
  if (match !== null) {
    if (known.assets !== undefined && !known.assets.includes(match[1])) {
      throw new UnitError(`unknown asset '${match[1]}' (the deployment has ${known.assets.join(", ")})`);
    }
    return value;
  }
  throw new UnitError(`unknown scope ${show(value)} (one of ${ACTION_SCOPES.join(", ")}, or asset:<SYMBOL>)`);
}

/** A value the parser reads, above zero. */
const positive = <T extends bigint | number>(parse: (value: unknown) => T) =>
  unit((value) => {
    const read = parse(value);
    if (read <= 0) throw new UnitError(`${show(value)} must be above zero`);
    return read;
  });

const decimalWad = (value: unknown): bigint => parseDecimal(value, WAD_DECIMALS);

/** A share above zero and at most 100%, as WAD. */
const shareOfWhole = () =>
  positive((value) => {
    const shareWad = parseShareWad(value);
    if (shareWad > WAD) throw new UnitError(`${show(value)} is over 100%`);
    return shareWad;
  });

/** A symbol among the deployment's assets or tokens, when those are known. */
const symbolOf = (key: "asset" | "token", list: string[] | undefined) =>
  unit((value) => {
    if (typeof value !== "string" || value === "") throw new UnitError("a symbol is required");
    if (list !== undefined && !list.includes(value))
      throw new UnitError(`unknown ${key} '${value}' (the deployment has ${list.join(", ")})`);
    return value;
  });

const wholeNumber = () =>
  unit((value) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw new UnitError(`${show(value)} is not a whole number`);
    return value;
  });

/** The fields every rule has. */
const commonFields = (known: SentinelKnown) => ({
  /** Checked across the rules (`ruleList`), so a rule of an unknown kind has its id checked too. */
  id: z.string().catch(""),
  action: z.enum(["pause", "alert"], { error: (issue) => `${show(issue.input)} is not 'pause' or 'alert'` }),
  /** The scope a pause trips (price and spread rules default to their asset's scope). */
  scope: unit((value) => parseScopeName(value, known)).optional(),
  description: z.unknown().optional(),
});

/** A rule of `kind`: the common fields and its own, nothing else. */
const ruleOf = <K extends (typeof KINDS)[number], S extends z.ZodRawShape>(
  kind: K,
  known: SentinelKnown,
  shape: S,
) =>
  closedObject(
    { kind: z.literal(kind), ...commonFields(known), ...shape },
    () => "a rule must be an object",
    () => `unknown field for a ${kind} rule`,
  );

/** Every source of `asset` within [min, max]; with `maxAge`, every source also available and at most that old. */
const priceRule = (known: SentinelKnown) =>
  ruleOf("price", known, {
    asset: symbolOf("asset", known.assets),
    min: positive(decimalWad).optional(),
    max: positive(decimalWad).optional(),
    maxAge: positive(parseDuration).optional(),
  })
    .superRefine((r, ctx) => {
      if (!parsed(ctx.issues, ["min"], ["max"], ["maxAge"])) return;
      if (r.min === undefined && r.max === undefined && r.maxAge === undefined)
        ctx.addIssue({ code: "custom", message: "a price rule needs min, max or maxAge" });
      else if (r.min !== undefined && r.max !== undefined && r.min >= r.max)
        ctx.addIssue({
          code: "custom",
          message: `min ${formatWad(r.min)} must be below max ${formatWad(r.max)}`,
        });
    }, RUN_ALWAYS)
    .transform(({ min, max, maxAge, description: _, ...r }) => ({
      ...r,
      minWad: min,
      maxWad: max,
      maxAgeSeconds: maxAge,
    }));

/** `(max - min) / median` of the available sources of `asset` at most `maxSpreadWad`. */
const spreadRule = (known: SentinelKnown) =>
  ruleOf("spread", known, { asset: symbolOf("asset", known.assets), maxSpread: shareOfWhole() }).transform(
    ({ maxSpread, description: _, ...r }) => ({ ...r, maxSpreadWad: maxSpread }),
  );

/** Withdrawals of `token` from its vaults within the window at most `maxUsedWad` of what the breaker's limit lets out. */
const outflowRule = (known: SentinelKnown) =>
  ruleOf("outflow", known, {
    token: symbolOf("token", known.tokens),
    maxUsed: shareOfWhole(),
    /** Default: the breaker's outflow window of the token. */
    window: positive(parseDuration).optional(),
  }).transform(({ maxUsed, window, description: _, ...r }) => ({
    ...r,
    maxUsedWad: maxUsed,
    windowSeconds: window,
  }));

/** Liquidations within the window: seized collateral value at most `maxValueWad`, count at most `maxCount`. */
const liquidationsRule = (known: SentinelKnown) =>
  ruleOf("liquidations", known, {
    window: positive(parseDuration),
    maxValue: unit(decimalWad).optional(),
    maxCount: wholeNumber().optional(),
  })
    .superRefine((r, ctx) => {
      if (
        parsed(ctx.issues, ["maxValue"], ["maxCount"]) &&
        r.maxValue === undefined &&
        r.maxCount === undefined
      )
        ctx.addIssue({ code: "custom", message: "a liquidations rule needs maxValue or maxCount" });
    }, RUN_ALWAYS)
    .transform(({ window, maxValue, description: _, ...r }) => ({
      ...r,
      windowSeconds: window,
      maxValueWad: maxValue,
    }));

/** No single write or close within the window of more than `maxContractsWad` contracts. */
const positionsRule = (known: SentinelKnown) =>
  ruleOf("positions", known, {
    window: positive(parseDuration),
    maxContracts: positive(decimalWad),
  }).transform(({ window, maxContracts, description: _, ...r }) => ({
    ...r,
    windowSeconds: window,
    maxContractsWad: maxContracts,
  }));

const ruleSchema = (known: SentinelKnown) =>
  z
    .discriminatedUnion(
      "kind",
      [
        priceRule(known),
        spreadRule(known),
        outflowRule(known),
        liquidationsRule(known),
        positionsRule(known),
      ],
      {
        error: (issue) => {
          const input: unknown = issue.input;
          if (!isRecord(input)) return "a rule must be an object";
          return `unknown rule kind ${show(input.kind)} (one of ${KINDS.join(", ")})`;
        },
      },
    )
    .superRefine((r, ctx) => {
      if (!isRecord(r) || !parsed(ctx.issues, ["action"], ["scope"])) return;
      if (r.scope === undefined && r.action === "pause" && r.kind !== "price" && r.kind !== "spread") {
        ctx.addIssue({
          code: "custom",
          path: ["scope"],
          message: `a pause rule of kind ${r.kind} must name the scope it pauses`,
        });
      }
    }, RUN_ALWAYS);

/** The id a rule is named by in messages, when it has a valid one. */
const idOf = (rule: unknown): string | undefined =>
  isRecord(rule) && typeof rule.id === "string" && RULE_ID.test(rule.id) ? rule.id : undefined;

const NON_EMPTY_LIST = "a non-empty list of rules is required";

const ruleList = (known: SentinelKnown) =>
  z.array(ruleSchema(known), { error: () => NON_EMPTY_LIST }).superRefine((rules, ctx) => {
    if (!Array.isArray(rules)) return;
    if (rules.length === 0) ctx.addIssue({ code: "custom", message: NON_EMPTY_LIST });
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (!isRecord(rule)) return;
      const id = idOf(rule);
      if (id === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, "id"],
          message: `${show(rule.id)} is not an id (1-64 letters, digits, '_', '.', '-')`,
        });
      } else if (seen.has(id)) {
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `'${id}' is used by another rule` });
      } else seen.add(id);
    });
  }, RUN_ALWAYS);

export const sentinelConfigSchema = (known: SentinelKnown = {}) =>
  closedObject(
    {
      description: z.unknown().optional(),
      /** Seconds between passes in loop mode. */
      interval: unit((value) => {
        const seconds = parseDuration(value);
        if (seconds < 1) throw new UnitError("must be at least 1 second");
        return seconds;
      }).default(DEFAULT_INTERVAL_SECONDS),
      /** How many blocks back the event rules read on each pass (bounded RPC queries). */
      lookbackBlocks: unit((value) => {
        if (
          typeof value !== "number" ||
          !Number.isSafeInteger(value) ||
          value < 1 ||
          value > MAX_LOOKBACK_BLOCKS
        )
          throw new UnitError(`${show(value)} is not a whole number of blocks from 1 to 1,000,000`);
        return value;
      }).default(DEFAULT_LOOKBACK_BLOCKS),
      rules: ruleList(known),
    },
    () => "the file must hold a JSON object",
    () => "unknown field",
  ).transform((c) => ({ intervalSeconds: c.interval, lookbackBlocks: c.lookbackBlocks, rules: c.rules }));

export type SentinelConfig = z.output<ReturnType<typeof sentinelConfigSchema>>;
export type Rule = SentinelConfig["rules"][number];
export type RuleKind = Rule["kind"];
export type RuleAction = Rule["action"];
export type PriceRule = Extract<Rule, { kind: "price" }>;
export type SpreadRule = Extract<Rule, { kind: "spread" }>;
export type OutflowRule = Extract<Rule, { kind: "outflow" }>;
export type LiquidationsRule = Extract<Rule, { kind: "liquidations" }>;
export type PositionsRule = Extract<Rule, { kind: "positions" }>;

/** "rules[3] (weth-bounds).min: ..."; a rule's problems name its id, when it has a valid one, except the id's own. */
function formatProblem(issue: z.core.$ZodIssue, raw: unknown): string {
  const [top, index, ...rest] = issue.path;
  if (issue.path.length === 0) return issue.message;
  if (top !== "rules" || typeof index !== "number") return `${formatPath(issue.path, "")}: ${issue.message}`;
  const rules = isRecord(raw) && Array.isArray(raw.rules) ? raw.rules : [];
  const id = rest[0] === "id" ? undefined : idOf(rules[index]);
  const field = rest.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("");
  return `rules[${index}]${id === undefined ? "" : ` (${id})`}${field}: ${issue.message}`;
}

export function validateSentinelConfig(
  raw: unknown,
  source = "sentinel config",
  known: SentinelKnown = {},
): SentinelConfig {
  const result = sentinelConfigSchema(known).safeParse(raw);
  if (!result.success)
    throw new SentinelConfigError(
      source,
      result.error.issues.map((issue) => formatProblem(issue, raw)),
    );
  return result.data;
}

export function loadSentinelConfig(path: string, known: SentinelKnown = {}): SentinelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SentinelConfigError(path, [`cannot read it as JSON: ${(error as Error).message}`]);
  }
  return validateSentinelConfig(raw, path, known);
}
