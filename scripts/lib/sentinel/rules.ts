/**
 * The sentinel's rules file (config/sentinel.json; schema in docs/sentinel.md), validated with every problem named
 * by its JSON path before anything touches the network.
 */
import { readFileSync } from "node:fs";
import { parseDecimal, parseDuration } from "../units";

export type RuleKind = "price" | "spread" | "outflow" | "liquidations" | "positions";
export type RuleAction = "pause" | "alert";
/** A breaker scope by name: an action scope, or an asset's price scope as "asset:<SYMBOL>". */
export type ScopeName = string;

interface RuleBase {
  id: string;
  kind: RuleKind;
  action: RuleAction;
  /** The scope a pause trips (price and spread rules default to their asset's scope). */
  scope?: ScopeName;
}

/** Every source of `asset` within [min, max]; with `maxAge`, every source also available and at most that old. */
export interface PriceRule extends RuleBase {
  kind: "price";
  asset: string;
  minWad?: bigint;
  maxWad?: bigint;
  maxAgeSeconds?: number;
}

/** `(max - min) / median` of the available sources of `asset` at most `maxSpreadWad`. */
export interface SpreadRule extends RuleBase {
  kind: "spread";
  asset: string;
  maxSpreadWad: bigint;
}

/** Withdrawals of `token` from its vaults within the window at most `maxUsedWad` of what the breaker's limit lets out. */
export interface OutflowRule extends RuleBase {
  kind: "outflow";
  token: string;
  maxUsedWad: bigint;
  /** Default: the breaker's outflow window of the token. */
  windowSeconds?: number;
}

/** Liquidations within the window: seized collateral value at most `maxValueWad`, count at most `maxCount`. */
export interface LiquidationsRule extends RuleBase {
  kind: "liquidations";
  windowSeconds: number;
  maxValueWad?: bigint;
  maxCount?: number;
}

/** No single write or close within the window of more than `maxContractsWad` contracts. */
export interface PositionsRule extends RuleBase {
  kind: "positions";
  windowSeconds: number;
  maxContractsWad: bigint;
}

export type Rule = PriceRule | SpreadRule | OutflowRule | LiquidationsRule | PositionsRule;

export interface SentinelConfig {
  /** Seconds between passes in loop mode. */
  intervalSeconds: number;
  /** How many blocks back the event rules read on each pass (bounded RPC queries). */
  lookbackBlocks: number;
  rules: Rule[];
}

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
const KINDS: RuleKind[] = ["price", "spread", "outflow", "liquidations", "positions"];
const FIELDS: Record<RuleKind, string[]> = {
  price: ["asset", "min", "max", "maxAge"],
  spread: ["asset", "maxSpread"],
  outflow: ["token", "maxUsed", "window"],
  liquidations: ["window", "maxValue", "maxCount"],
  positions: ["window", "maxContracts"],
};
const COMMON = ["id", "kind", "action", "scope", "description"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

/** A share as a fraction (0.02) or a percentage ("2%"), WAD. */
function parseShare(value: unknown): bigint {
  if (typeof value === "string" && value.trim().endsWith("%"))
    return parseDecimal(value.trim().slice(0, -1), 16);
  return parseDecimal(value, 18);
}

export function validateSentinelConfig(
  raw: unknown,
  source = "sentinel config",
  known: SentinelKnown = {},
): SentinelConfig {
  const problems: string[] = [];
  const field = <T>(path: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      return undefined;
    }
  };
  if (!isObj(raw)) throw new SentinelConfigError(source, ["the file must hold a JSON object"]);
  for (const key of Object.keys(raw)) {
    if (!["description", "interval", "lookbackBlocks", "rules"].includes(key))
      problems.push(`${key}: unknown field`);
  }
  const intervalSeconds =
    raw.interval === undefined
      ? 30
      : field("interval", () => {
          const s = parseDuration(raw.interval);
          if (s < 1) throw new Error("must be at least 1 second");
          return s;
        });
  const lookbackBlocks =
    raw.lookbackBlocks === undefined
      ? 5_000
      : field("lookbackBlocks", () => {
          const n = raw.lookbackBlocks;
          if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > 1_000_000) {
            throw new Error(`${show(n)} is not a whole number of blocks from 1 to 1,000,000`);
          }
          return n;
        });
  const rules: Rule[] = [];
  if (!Array.isArray(raw.rules) || raw.rules.length === 0) {
    problems.push("rules: a non-empty list of rules is required");
  } else {
    const ids = new Set<string>();
    raw.rules.forEach((r: unknown, i: number) => {
      const at = `rules[${i}]`;
      if (!isObj(r)) {
        problems.push(`${at}: a rule must be an object`);
        return;
      }
      const id = typeof r.id === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(r.id) ? r.id : undefined;
      if (id === undefined)
        problems.push(`${at}.id: ${show(r.id)} is not an id (1-64 letters, digits, '_', '.', '-')`);
      else if (ids.has(id)) problems.push(`${at}.id: '${id}' is used by another rule`);
      else ids.add(id);
      const path = id === undefined ? at : `${at} (${id})`;
      const kind = KINDS.includes(r.kind as RuleKind) ? (r.kind as RuleKind) : undefined;
      if (kind === undefined) {
        problems.push(`${path}.kind: unknown rule kind ${show(r.kind)} (one of ${KINDS.join(", ")})`);
        return;
      }
      for (const key of Object.keys(r)) {
        if (!COMMON.includes(key) && !FIELDS[kind].includes(key))
          problems.push(`${path}.${key}: unknown field for a ${kind} rule`);
      }
      const action = r.action === "pause" || r.action === "alert" ? r.action : undefined;
      if (action === undefined) problems.push(`${path}.action: ${show(r.action)} is not 'pause' or 'alert'`);
      let scope: string | undefined;
      if (r.scope !== undefined) {
        scope = field(`${path}.scope`, () => parseScopeName(r.scope, known));
      } else if (action === "pause" && kind !== "price" && kind !== "spread") {
        problems.push(`${path}.scope: a pause rule of kind ${kind} must name the scope it pauses`);
      }
      const symbol = (key: "asset" | "token"): string | undefined => {
        const v = r[key];
        const list = key === "asset" ? known.assets : known.tokens;
        if (typeof v !== "string" || v === "") {
          problems.push(`${path}.${key}: a symbol is required`);
          return undefined;
        }
        if (list !== undefined && !list.includes(v)) {
          problems.push(`${path}.${key}: unknown ${key} '${v}' (the deployment has ${list.join(", ")})`);
          return undefined;
        }
        return v;
      };
      const positive = <T extends bigint | number>(
        key: string,
        parse: (v: unknown) => T,
        required: boolean,
      ): T | undefined => {
        if (r[key] === undefined) {
          if (required) problems.push(`${path}.${key}: required`);
          return undefined;
        }
        return field(`${path}.${key}`, () => {
          const value = parse(r[key]);
          if (value <= 0) throw new Error(`${show(r[key])} must be above zero`);
          return value;
        });
      };
      const base: { id: string; action: RuleAction; scope?: string } = {
        id: id ?? at,
        action: action ?? "alert",
        ...(scope === undefined ? {} : { scope }),
      };
      const count = problems.length;
      let rule: Rule | undefined;
      switch (kind) {
        case "price": {
          const asset = symbol("asset");
          const minWad = positive("min", (v) => parseDecimal(v, 18), false);
          const maxWad = positive("max", (v) => parseDecimal(v, 18), false);
          const maxAgeSeconds = positive("maxAge", parseDuration, false);
          if (r.min === undefined && r.max === undefined && r.maxAge === undefined) {
            problems.push(`${path}: a price rule needs min, max or maxAge`);
          }
          if (minWad !== undefined && maxWad !== undefined && minWad >= maxWad) {
            problems.push(`${path}: min ${show(r.min)} must be below max ${show(r.max)}`);
          }
          rule = { ...base, kind, asset: asset ?? "", minWad, maxWad, maxAgeSeconds };
          break;
        }
        case "spread": {
          const asset = symbol("asset");
          const maxSpreadWad = positive("maxSpread", parseShare, true);
          if (maxSpreadWad !== undefined && maxSpreadWad > 10n ** 18n)
            problems.push(`${path}.maxSpread: ${show(r.maxSpread)} is over 100%`);
          rule = { ...base, kind, asset: asset ?? "", maxSpreadWad: maxSpreadWad ?? 0n };
          break;
        }
        case "outflow": {
          const token = symbol("token");
          const maxUsedWad = positive("maxUsed", parseShare, true);
          if (maxUsedWad !== undefined && maxUsedWad > 10n ** 18n)
            problems.push(`${path}.maxUsed: ${show(r.maxUsed)} is over 100%`);
          const windowSeconds = positive("window", parseDuration, false);
          rule = { ...base, kind, token: token ?? "", maxUsedWad: maxUsedWad ?? 0n, windowSeconds };
          break;
        }
        case "liquidations": {
          const windowSeconds = positive("window", parseDuration, true);
          const maxValueWad =
            r.maxValue === undefined
              ? undefined
              : field(`${path}.maxValue`, () => parseDecimal(r.maxValue, 18));
          const maxCount =
            r.maxCount === undefined
              ? undefined
              : field(`${path}.maxCount`, () => {
                  if (typeof r.maxCount !== "number" || !Number.isSafeInteger(r.maxCount) || r.maxCount < 0) {
                    throw new Error(`${show(r.maxCount)} is not a whole number`);
                  }
                  return r.maxCount;
                });
          if (r.maxValue === undefined && r.maxCount === undefined)
            problems.push(`${path}: a liquidations rule needs maxValue or maxCount`);
          rule = { ...base, kind, windowSeconds: windowSeconds ?? 0, maxValueWad, maxCount };
          break;
        }
        case "positions": {
          const windowSeconds = positive("window", parseDuration, true);
          const maxContractsWad = positive("maxContracts", (v) => parseDecimal(v, 18), true);
          rule = { ...base, kind, windowSeconds: windowSeconds ?? 0, maxContractsWad: maxContractsWad ?? 0n };
          break;
        }
      }
      if (problems.length === count && rule !== undefined) rules.push(rule);
    });
  }
  if (problems.length > 0) throw new SentinelConfigError(source, problems);
  return { intervalSeconds: intervalSeconds ?? 30, lookbackBlocks: lookbackBlocks ?? 5_000, rules };
}

/** "WITHDRAW", "GLOBAL", ... or "asset:WETH". */
export function parseScopeName(value: unknown, known: SentinelKnown = {}): ScopeName {
  if (typeof value !== "string") throw new Error(`${show(value)} is not a scope name`);
  if (ACTION_SCOPES.includes(value)) return value;
  const match = /^asset:(.+)$/.exec(value);
  if (match !== null) {
    if (known.assets !== undefined && !known.assets.includes(match[1])) {
      throw new Error(`unknown asset '${match[1]}' (the deployment has ${known.assets.join(", ")})`);
    }
    return value;
  }
  throw new Error(`unknown scope ${show(value)} (one of ${ACTION_SCOPES.join(", ")}, or asset:<SYMBOL>)`);
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
