/**
 * Deployment config: loading, validation and normalisation of `config/<network>.json`.
 *
 * Pure TypeScript (no Hardhat runtime), so it runs, and fails, before anything touches a network. The validator
 * collects every problem with its JSON path ("assets.WETH.sources[1]: unknown source kind 'foo'") and throws one
 * `ConfigError` listing all of them. The bounds mirror the contracts' constants (named beside each one);
 * test/e2e/DeployConfig.test.ts holds them in agreement with the deployed contracts.
 *
 * Units in the file are human ones: prices and strikes in quote per whole unit ("2000", 0.01), shares as fractions
 * (0.2) or percentages ("20%"), durations as seconds (3600) or with a unit ("1h", "2d"), caps in whole tokens.
 * The normalised `DeployConfig` holds what the contracts take: WAD prices and fractions, bps, seconds, token units.
 */
import { readFileSync } from "node:fs";
import { getAddress, isAddress, MaxUint256, ZeroAddress } from "ethers";

// ------------------------------------------------------------------------------------------ contract bounds
const WAD_DECIMALS = 18;
const WAD = 10n ** 18n;
const DAY = 86_400;
/** OracleAggregator.MAX_SOURCES */
export const MAX_SOURCES = 8;
/** OracleAggregator.MAX_SPREAD_WAD */
export const MAX_SPREAD_WAD = WAD / 2n;
/** OracleAggregator.MAX_BAND_WAD */
export const MAX_BAND_WAD = WAD;
/** OracleAggregator.MAX_BAND_WINDOW_SECONDS */
export const MAX_BAND_WINDOW_SECONDS = 7 * DAY;
/** OracleAggregator.MAX_HEARTBEAT_SECONDS */
export const MAX_HEARTBEAT_SECONDS = 3 * DAY;
/** ChainlinkFeedAdapter.MAX_FEED_DECIMALS (WadMath.MAX_TOKEN_DECIMALS) */
export const MAX_FEED_DECIMALS = 36;
/** TrackedAssetsVault.MAX_ASSET_DECIMALS */
export const MAX_ASSET_DECIMALS = 36;
/** CircuitBreaker.MIN_COOLDOWN_SECONDS / MAX_COOLDOWN_SECONDS */
export const BREAKER_COOLDOWN_BOUNDS = [3600, 14 * DAY] as const;
/** CircuitBreaker.MIN_GRACE_PERIOD_SECONDS / MAX_GRACE_PERIOD_SECONDS */
export const BREAKER_GRACE_BOUNDS = [600, 7 * DAY] as const;
/** CircuitBreaker.MIN_OUTFLOW_WINDOW_SECONDS / MAX_OUTFLOW_WINDOW_SECONDS */
export const OUTFLOW_WINDOW_BOUNDS = [300, 7 * DAY] as const;
/** CircuitBreaker.MAX_OUTFLOW_BPS */
export const MAX_OUTFLOW_BPS = 10_000;
/** InsuranceVault.MAX_COOLDOWN_SECONDS */
export const INSURANCE_MAX_COOLDOWN_SECONDS = 30 * DAY;
/** InsuranceVault.MIN_WINDOW_SECONDS / MAX_WINDOW_SECONDS */
export const INSURANCE_WINDOW_BOUNDS = [3600, 30 * DAY] as const;
/** OptionsClearing.MAX_HAIRCUT_WAD */
export const MAX_HAIRCUT_WAD = (95n * WAD) / 100n;
/** OptionsClearing.MAX_COLLATERAL_VAULTS */
export const MAX_COLLATERAL_VAULTS = 8;
/** BlackScholes.MIN_PRICE_WAD / MAX_PRICE_WAD (strike bounds of a listing) */
export const STRIKE_BOUNDS_WAD = [10n ** 12n, 10n ** 30n] as const;
/** BlackScholes.MAX_TIME_TO_EXPIRY_SECONDS (10 years of 365 days) */
export const MAX_TIME_TO_EXPIRY_SECONDS = 10 * 365 * DAY;
/** PortfolioMargin bounds of the risk parameters. */
export const RISK_BOUNDS = {
  volWad: [WAD / 100n, 3n * WAD],
  maxSpotShocks: 16,
  spotShockWad: [-(9n * WAD) / 10n, 9n * WAD],
  volShockUpWad: 2n * WAD,
  volShockDownWad: (9n * WAD) / 10n,
  minPerShortSpotWad: [WAD / 10_000n, WAD / 2n],
  initialBufferWad: WAD,
} as const;
/** Deposit cap meaning "no cap" (scripts/lib/deploy/vaults.ts NO_CAP). */
export const UNLIMITED = MaxUint256;

// ------------------------------------------------------------------------------------------ normalised types
/** A Chainlink-compatible feed behind a ChainlinkFeedAdapter; `feed: "mock"` deploys a MockChainlinkFeed. */
export interface ChainlinkSource {
  kind: "chainlink";
  feed: string | "mock";
  /** Decimals of a mock feed (ignored for a real feed, which reports its own). */
  feedDecimals: number;
  /** A mock feed's first answer, WAD. */
  initialPriceWad: bigint;
  heartbeatSeconds: number;
  minPriceWad: bigint;
  maxPriceWad: bigint;
}

export interface AssetOracleParams {
  quorum: number;
  maxSpreadWad: bigint;
  bandWad: bigint;
  bandWindowSeconds: number;
}

export interface AssetSpec {
  symbol: string;
  name: string;
  token: string | "mock";
  /** Required for a mock; for a real token, checked against the chain when given. */
  decimals: number | undefined;
  sources: ChainlinkSource[];
  oracle: AssetOracleParams | undefined;
}

export interface OutflowLimitSpec {
  asset: string;
  maxOutflowBps: number;
  windowSeconds: number;
}

export interface CollateralSpec {
  asset: string;
  name: string;
  symbol: string;
  haircutWad: bigint;
  /** In the token's units; `UNLIMITED` for none. */
  depositCap: bigint;
  permissioned: boolean;
}

export interface RiskSpec {
  volWad: bigint;
  spotShocksWad: bigint[];
  volShockUpWad: bigint;
  volShockDownWad: bigint;
  minPerShortSpotWad: bigint;
  initialBufferWad: bigint;
}

export interface UnderlyingSpec {
  asset: string;
  minStrikeWad: bigint;
  maxStrikeWad: bigint;
  minTimeToExpirySeconds: number;
  maxTimeToExpirySeconds: number;
  risk: RiskSpec;
}

export interface SeriesSpec {
  underlying: string;
  strikeWad: bigint;
  /** Unix seconds. */
  expiry: number;
  isCall: boolean;
}

export interface DeployConfig {
  description: string;
  quote: string;
  assets: Record<string, AssetSpec>;
  governance: {
    timelockDelaySeconds: number;
    proposers: string[];
    /** Empty: anyone may execute a ready operation. */
    executors: string[];
    guardians: string[];
    listers: string[];
  };
  breaker: { cooldownSeconds: number; gracePeriodSeconds: number; outflowLimits: OutflowLimitSpec[] };
  collateral: CollateralSpec[];
  insurance: { name: string; symbol: string; cooldownSeconds: number; windowSeconds: number };
  underlyings: UnderlyingSpec[];
  series: SeriesSpec[];
  clearing: { uri: string };
  exchange: ExchangeSpec;
}

/** OptionsExchange: its fees (quote units per contract) and who sweeps them, and the matchers. */
export interface ExchangeSpec {
  makerFeePerContract: bigint;
  takerFeePerContract: bigint;
  /** Null: the timelock. */
  feeRecipient: string | null;
  /** Addresses granted EXECUTOR_ROLE (the order book's matcher). */
  executors: string[];
}

export interface ValidateOptions {
  /** Unix seconds against which series expiries are checked (the chain's latest block when known). */
  now: number;
  /** Whether `"mock"` tokens and feeds are allowed (development chains only). */
  allowMocks?: boolean;
  /** The deploying account: it must hold no role after the deployment. */
  deployer?: string;
}

/** Every problem of a config, one per line, each with its JSON path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid deployment config ${source}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

// ------------------------------------------------------------------------------------------ value parsers
type Json = unknown;
type Obj = Record<string, Json>;

/** Thrown by a field parser; the validator prefixes the path. */
class FieldError extends Error {}

const show = (v: Json): string => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));
const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** An exact decimal ("2000", "0.01", 1e-6, "1.5e3") scaled by 10^decimals; fails if it needs more digits. */
export function parseDecimal(value: Json, decimals: number): bigint {
  const text =
    typeof value === "number" ? numberText(value) : typeof value === "string" ? value.trim() : null;
  const match = text === null ? null : /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) throw new FieldError(`${show(value)} is not a decimal number`);
  const [, sign, int, frac = "", exp = "0"] = match;
  const shift = Number(exp) + decimals - frac.length;
  let digits = BigInt(int + frac);
  if (shift >= 0) digits *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (digits % div !== 0n) throw new FieldError(`${show(value)} has more than ${decimals} decimals`);
    digits /= div;
  }
  return sign === "-" ? -digits : digits;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return "NaN";
  // Shortest round-trip text: "0.2", "1e+21", "1e-7"; parseDecimal reads exponents.
  return String(n);
}

/** A fraction (0.2) or a percentage ("20%"), as WAD. */
function parseShareWad(value: Json): bigint {
  if (typeof value === "string" && value.trim().endsWith("%")) {
    return parseDecimal(value.trim().slice(0, -1), WAD_DECIMALS - 2);
  }
  return parseDecimal(value, WAD_DECIMALS);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };

/** Seconds (3600) or a number with a unit ("1h", "2d", "30m", "1w"). */
export function parseDuration(value: Json): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string") {
    const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
    if (match !== null) return Number(match[1]) * DURATION_UNITS[match[2]];
  }
  throw new FieldError(`${show(value)} is not a duration (seconds, or a number with s, m, h, d or w)`);
}

function parseInteger(value: Json, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new FieldError(`${show(value)} is not an integer`);
  if (value < min || value > max) throw new FieldError(`${value} is outside [${min}, ${max}]`);
  return value;
}

function parseString(value: Json): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new FieldError(`${show(value)} is not a non-empty string`);
  return value;
}

function parseBool(value: Json): boolean {
  if (typeof value !== "boolean") throw new FieldError(`${show(value)} is not true or false`);
  return value;
}

function parseAddress(value: Json): string {
  if (typeof value !== "string" || !isAddress(value))
    throw new FieldError(`${show(value)} is not an address`);
  const address = getAddress(value); // throws on a bad mixed-case checksum too
  if (address === ZeroAddress) throw new FieldError("the zero address is not allowed");
  return address;
}

/** An address or "mock". */
function parseAddressOrMock(value: Json): string {
  if (value === "mock") return "mock";
  try {
    return parseAddress(value);
  } catch {
    throw new FieldError(`${show(value)} is neither an address nor "mock"`);
  }
}

/** Unix seconds, or an ISO-8601 date with a time zone ("2030-03-29T08:00:00Z"). */
function parseTimestamp(value: Json): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === "string" && /T.*(Z|[+-]\d\d:\d\d)$/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms) && ms % 1000 === 0) return ms / 1000;
  }
  throw new FieldError(
    `${show(value)} is not a timestamp (unix seconds or ISO-8601 with a time zone, whole seconds)`,
  );
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");
/** A WAD amount in human form: 1.2e18 -> "1.2", 0.2e18 -> "20%" when `percent`. */
function human(wad: bigint, percent = false): string {
  const scaled = percent ? wad * 100n : wad;
  const int = scaled / WAD;
  const frac = (scaled % WAD).toString().padStart(18, "0").replace(/0+$/, "");
  return `${int}${frac === "" ? "" : `.${frac}`}${percent ? "%" : ""}`;
}

// ------------------------------------------------------------------------------------------ validator
const TOP_LEVEL_KEYS = [
  "description",
  "quote",
  "assets",
  "governance",
  "breaker",
  "collateral",
  "insurance",
  "underlyings",
  "series",
  "clearing",
  "exchange",
] as const;
const SYMBOL = /^[A-Za-z][A-Za-z0-9]{0,15}$/;

class Validator {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  /** Run `parse` on `obj[key]`; record a problem (and return undefined) on failure or when missing. */
  field<T>(obj: Obj, path: string, key: string, parse: (v: Json) => T, fallback?: T): T | undefined {
    const full = path === "" ? key : `${path}.${key}`;
    if (!(key in obj) || obj[key] === undefined) {
      if (fallback !== undefined) return fallback;
      this.problem(full, "missing");
      return undefined;
    }
    try {
      return parse(obj[key]);
    } catch (error) {
      if (error instanceof FieldError) {
        this.problems.push(`${full} ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }

  object(value: Json, path: string, allowed: readonly string[]): Obj | undefined {
    if (!isObj(value)) {
      this.problem(path, `${value === undefined ? "missing" : `${show(value)} is not an object`}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key) && !key.startsWith("$") && key !== "comment") {
        this.problem(`${path}.${key}`, `unknown key (expected one of ${allowed.join(", ")})`);
      }
    }
    return value;
  }

  /** An object whose keys are names (asset symbols): no key check. */
  record(value: Json, path: string): Obj | undefined {
    if (isObj(value)) return value;
    this.problem(path, value === undefined ? "missing" : `${show(value)} is not an object`);
    return undefined;
  }

  /** A number within bounds, with a message naming the bound. */
  bounded<T extends bigint | number>(
    path: string,
    value: T | undefined,
    min: T,
    max: T,
    fmt: (v: T) => string,
  ): void {
    if (value === undefined) return;
    if (value < min) this.problem(path, `${fmt(value)} is below the minimum ${fmt(min)}`);
    else if (value > max) this.problem(path, `${fmt(value)} is above the maximum ${fmt(max)}`);
  }

  addresses(obj: Obj, path: string, key: string, nonEmpty: boolean): string[] {
    const full = `${path}.${key}`;
    const raw = obj[key];
    if (raw === undefined) {
      if (nonEmpty) this.problem(full, "missing");
      return [];
    }
    if (!Array.isArray(raw)) {
      this.problem(full, `${show(raw)} is not a list of addresses`);
      return [];
    }
    if (nonEmpty && raw.length === 0) this.problem(full, "needs at least one address");
    const out: string[] = [];
    raw.forEach((entry, i) => {
      const address = this.field({ [i]: entry }, full, String(i), parseAddress);
      if (address === undefined) return;
      if (out.includes(address)) this.problem(`${full}[${i}]`, `${address} is listed twice`);
      out.push(address);
    });
    return out;
  }
}

const seconds = (v: number): string => `${v} s`;
const wadFmt = (v: bigint): string => human(v);
const pctFmt = (v: bigint): string => human(v, true);

/**
 * Validate and normalise a parsed config. Throws one `ConfigError` listing every problem found; returns a
 * `DeployConfig` only when there is none.
 */
export function validateConfig(raw: Json, options: ValidateOptions, source = "config"): DeployConfig {
  const v = new Validator();
  const root = v.object(raw, "config", TOP_LEVEL_KEYS);
  if (root === undefined) throw new ConfigError(source, v.problems);

  // ---- assets
  const assets: Record<string, AssetSpec> = {};
  const rawAssets = v.record(root.assets, "assets");
  if (rawAssets !== undefined) {
    if (Object.keys(rawAssets).length === 0) v.problem("assets", "no asset configured");
    for (const [symbol, rawAsset] of Object.entries(rawAssets)) {
      const path = `assets.${symbol}`;
      if (!SYMBOL.test(symbol)) {
        v.problem(path, `asset symbol '${symbol}' must be a letter then up to 15 letters or digits`);
        continue;
      }
      const a = v.object(rawAsset, path, ["name", "token", "decimals", "oracle", "sources"]);
      if (a === undefined) continue;
      const token = v.field(a, path, "token", parseAddressOrMock);
      if (token === "mock" && options.allowMocks !== true) {
        v.problem(`${path}.token`, `"mock" is only allowed on a development chain (chain id 31337)`);
      }
      const decimals =
        token === "mock" || "decimals" in a
          ? v.field(a, path, "decimals", (x) => parseInteger(x, 0, MAX_ASSET_DECIMALS))
          : undefined;
      const name = v.field(a, path, "name", parseString, symbol) ?? symbol;
      const sources: ChainlinkSource[] = [];
      const rawSources = a.sources ?? [];
      if (!Array.isArray(rawSources)) v.problem(`${path}.sources`, `${show(rawSources)} is not a list`);
      else {
        if (rawSources.length > MAX_SOURCES) {
          v.problem(
            `${path}.sources`,
            `${rawSources.length} sources, at most ${MAX_SOURCES} (OracleAggregator.MAX_SOURCES)`,
          );
        }
        rawSources.forEach((rawSource, i) => {
          const sPath = `${path}.sources[${i}]`;
          if (!isObj(rawSource)) return v.problem(sPath, `${show(rawSource)} is not an object`);
          if (rawSource.kind !== "chainlink") {
            return v.problem(
              sPath,
              rawSource.kind === undefined
                ? "missing source kind (supported: 'chainlink')"
                : `unknown source kind ${show(rawSource.kind)} (supported: 'chainlink')`,
            );
          }
          const s = v.object(rawSource, sPath, [
            "kind",
            "feed",
            "feedDecimals",
            "initialPrice",
            "heartbeat",
            "minPrice",
            "maxPrice",
          ]);
          if (s === undefined) return;
          const feed = v.field(s, sPath, "feed", parseAddressOrMock);
          if (feed === "mock" && options.allowMocks !== true) {
            v.problem(`${sPath}.feed`, `"mock" is only allowed on a development chain (chain id 31337)`);
          }
          const isMock = feed === "mock";
          const feedDecimals = isMock
            ? v.field(s, sPath, "feedDecimals", (x) => parseInteger(x, 0, MAX_FEED_DECIMALS))
            : 0;
          const initialPriceWad = isMock
            ? v.field(s, sPath, "initialPrice", (x) => parseDecimal(x, WAD_DECIMALS))
            : 0n;
          if (!isMock) {
            for (const key of ["feedDecimals", "initialPrice"]) {
              if (key in s)
                v.problem(`${sPath}.${key}`, `only for a "mock" feed (a real feed reports its own)`);
            }
          }
          const heartbeatSeconds = v.field(s, sPath, "heartbeat", parseDuration);
          v.bounded(`${sPath}.heartbeat`, heartbeatSeconds, 1, MAX_HEARTBEAT_SECONDS, seconds);
          const minPriceWad = v.field(s, sPath, "minPrice", (x) => parseDecimal(x, WAD_DECIMALS));
          const maxPriceWad = v.field(s, sPath, "maxPrice", (x) => parseDecimal(x, WAD_DECIMALS));
          if (minPriceWad !== undefined && minPriceWad <= 0n)
            v.problem(`${sPath}.minPrice`, `${wadFmt(minPriceWad)} must be above 0`);
          if (minPriceWad !== undefined && maxPriceWad !== undefined && minPriceWad >= maxPriceWad) {
            v.problem(
              `${sPath}.maxPrice`,
              `${wadFmt(maxPriceWad)} must be above minPrice ${wadFmt(minPriceWad)}`,
            );
          }
          if (
            isMock &&
            initialPriceWad !== undefined &&
            minPriceWad !== undefined &&
            maxPriceWad !== undefined &&
            (initialPriceWad < minPriceWad || initialPriceWad > maxPriceWad)
          ) {
            v.problem(
              `${sPath}.initialPrice`,
              `${wadFmt(initialPriceWad)} is outside the plausible bounds [${wadFmt(minPriceWad)}, ${wadFmt(maxPriceWad)}]`,
            );
          }
          if (isMock && initialPriceWad !== undefined && feedDecimals !== undefined) {
            const scale = 10n ** BigInt(Math.abs(WAD_DECIMALS - feedDecimals));
            if (feedDecimals < WAD_DECIMALS && initialPriceWad % scale !== 0n) {
              v.problem(
                `${sPath}.initialPrice`,
                `${wadFmt(initialPriceWad)} has more than ${feedDecimals} decimals (the feed's)`,
              );
            }
          }
          if (
            feed !== undefined &&
            feedDecimals !== undefined &&
            initialPriceWad !== undefined &&
            heartbeatSeconds !== undefined &&
            minPriceWad !== undefined &&
            maxPriceWad !== undefined
          ) {
            if (!isMock && sources.some((x) => x.feed === feed))
              v.problem(`${sPath}.feed`, `${feed} is listed twice`);
            sources.push({
              kind: "chainlink",
              feed,
              feedDecimals,
              initialPriceWad,
              heartbeatSeconds,
              minPriceWad,
              maxPriceWad,
            });
          }
        });
      }
      let oracle: AssetOracleParams | undefined;
      if (a.oracle !== undefined || sources.length > 0) {
        const o = v.object(a.oracle, `${path}.oracle`, ["quorum", "maxSpread", "band", "bandWindow"]);
        if (o !== undefined) {
          const count = Array.isArray(rawSources) ? rawSources.length : 0;
          const quorum = v.field(o, `${path}.oracle`, "quorum", (x) => parseInteger(x, 1, MAX_SOURCES));
          if (quorum !== undefined && quorum > count) {
            v.problem(`${path}.oracle.quorum`, `${quorum} is more than the ${count} configured source(s)`);
          }
          const maxSpreadWad = v.field(o, `${path}.oracle`, "maxSpread", parseShareWad);
          v.bounded(`${path}.oracle.maxSpread`, maxSpreadWad, 1n, MAX_SPREAD_WAD, pctFmt);
          const bandWad = v.field(o, `${path}.oracle`, "band", parseShareWad);
          v.bounded(`${path}.oracle.band`, bandWad, 1n, MAX_BAND_WAD, pctFmt);
          const bandWindowSeconds = v.field(o, `${path}.oracle`, "bandWindow", parseDuration);
          v.bounded(`${path}.oracle.bandWindow`, bandWindowSeconds, 1, MAX_BAND_WINDOW_SECONDS, seconds);
          if (
            quorum !== undefined &&
            maxSpreadWad !== undefined &&
            bandWad !== undefined &&
            bandWindowSeconds !== undefined
          ) {
            oracle = { quorum, maxSpreadWad, bandWad, bandWindowSeconds };
          }
        }
        if (count(rawSources) === 0) v.problem(`${path}.sources`, "oracle parameters without any source");
      }
      if (token !== undefined) assets[symbol] = { symbol, name, token, decimals, sources, oracle };
    }
  }
  const isAsset = (symbol: string): boolean => rawAssets !== undefined && symbol in rawAssets;
  const isPriced = (symbol: string): boolean => {
    const s = rawAssets?.[symbol];
    return isObj(s) && Array.isArray(s.sources) && s.sources.length > 0;
  };
  /** Record "unknown asset" unless `symbol` is configured. */
  const needAsset = (path: string, symbol: string): boolean => {
    if (isAsset(symbol)) return true;
    v.problem(path, `unknown asset '${symbol}' (not in assets)`);
    return false;
  };

  // ---- quote
  const quote = v.field(root, "", "quote", parseString);
  if (quote !== undefined) {
    needAsset("quote", quote);
    if (isPriced(quote)) {
      v.problem(
        `assets.${quote}.sources`,
        `the quote asset is priced at 1 by definition and takes no price sources`,
      );
    }
  }

  // ---- governance
  const g = v.object(root.governance, "governance", [
    "timelockDelay",
    "proposers",
    "executors",
    "guardians",
    "listers",
  ]);
  const governance: DeployConfig["governance"] = {
    timelockDelaySeconds: 0,
    proposers: [],
    executors: [],
    guardians: [],
    listers: [],
  };
  if (g !== undefined) {
    const delay = v.field(g, "governance", "timelockDelay", parseDuration);
    v.bounded("governance.timelockDelay", delay, 1, 30 * DAY, seconds);
    governance.timelockDelaySeconds = delay ?? 0;
    governance.proposers = v.addresses(g, "governance", "proposers", true);
    governance.executors = v.addresses(g, "governance", "executors", false);
    governance.guardians = v.addresses(g, "governance", "guardians", true);
    governance.listers = v.addresses(g, "governance", "listers", false);
    if (options.deployer !== undefined) {
      const deployer = getAddress(options.deployer);
      for (const key of ["proposers", "executors", "guardians", "listers"] as const) {
        const i = governance[key].indexOf(deployer);
        if (i >= 0) {
          v.problem(
            `governance.${key}[${i}]`,
            `${deployer} is the deploying account, which must hold no role after the deployment`,
          );
        }
      }
    }
  }

  // ---- breaker
  const b = v.object(root.breaker, "breaker", ["cooldown", "gracePeriod", "outflowLimits"]);
  const breaker: DeployConfig["breaker"] = { cooldownSeconds: 0, gracePeriodSeconds: 0, outflowLimits: [] };
  if (b !== undefined) {
    const cooldown = v.field(b, "breaker", "cooldown", parseDuration);
    v.bounded("breaker.cooldown", cooldown, BREAKER_COOLDOWN_BOUNDS[0], BREAKER_COOLDOWN_BOUNDS[1], seconds);
    const grace = v.field(b, "breaker", "gracePeriod", parseDuration);
    v.bounded("breaker.gracePeriod", grace, BREAKER_GRACE_BOUNDS[0], BREAKER_GRACE_BOUNDS[1], seconds);
    breaker.cooldownSeconds = cooldown ?? 0;
    breaker.gracePeriodSeconds = grace ?? 0;
    const limits = b.outflowLimits === undefined ? {} : v.record(b.outflowLimits, "breaker.outflowLimits");
    if (limits !== undefined) {
      for (const [symbol, rawLimit] of Object.entries(limits)) {
        const path = `breaker.outflowLimits.${symbol}`;
        if (!needAsset(path, symbol)) continue;
        const l = v.object(rawLimit, path, ["maxOutflow", "window"]);
        if (l === undefined) continue;
        const shareWad = v.field(l, path, "maxOutflow", parseShareWad);
        let bps: number | undefined;
        if (shareWad !== undefined) {
          if (shareWad <= 0n || shareWad > WAD)
            v.problem(`${path}.maxOutflow`, `${pctFmt(shareWad)} must be above 0% and at most 100%`);
          else if ((shareWad * 10_000n) % WAD !== 0n)
            v.problem(`${path}.maxOutflow`, `${pctFmt(shareWad)} is finer than 1 bp`);
          else bps = Number((shareWad * 10_000n) / WAD);
        }
        const window = v.field(l, path, "window", parseDuration);
        v.bounded(`${path}.window`, window, OUTFLOW_WINDOW_BOUNDS[0], OUTFLOW_WINDOW_BOUNDS[1], seconds);
        if (bps !== undefined && window !== undefined)
          breaker.outflowLimits.push({ asset: symbol, maxOutflowBps: bps, windowSeconds: window });
      }
    }
  }

  // ---- collateral
  const collateral: CollateralSpec[] = [];
  const c = v.record(root.collateral, "collateral");
  if (c !== undefined) {
    if (Object.keys(c).length > MAX_COLLATERAL_VAULTS) {
      v.problem(
        "collateral",
        `${Object.keys(c).length} collateral assets, at most ${MAX_COLLATERAL_VAULTS} (OptionsClearing.MAX_COLLATERAL_VAULTS)`,
      );
    }
    if (quote !== undefined && isAsset(quote) && !(quote in c)) {
      v.problem(
        `collateral.${quote}`,
        "missing: the quote asset must be collateral (its vault is the clearing's quote vault)",
      );
    }
    for (const [symbol, rawCol] of Object.entries(c)) {
      const path = `collateral.${symbol}`;
      if (!needAsset(path, symbol)) continue;
      const col = v.object(rawCol, path, ["haircut", "depositCap", "permissioned", "name", "symbol"]);
      if (col === undefined) continue;
      const haircutWad = v.field(col, path, "haircut", parseShareWad);
      if (haircutWad !== undefined) {
        const text = show(col.haircut).replace(/'/g, "");
        if (haircutWad < 0n) v.problem(`${path}.haircut`, `${text} is negative`);
        else if (haircutWad > WAD) v.problems.push(`${path}.haircut ${text} is over 100%`);
        else if (haircutWad > MAX_HAIRCUT_WAD) {
          v.problems.push(
            `${path}.haircut ${text} is above the clearing's maximum of ${pctFmt(MAX_HAIRCUT_WAD)}`,
          );
        }
      }
      const assetDecimals = assets[symbol]?.decimals;
      const depositCap = v.field(col, path, "depositCap", (x) => {
        if (x === "unlimited") return UNLIMITED;
        if (assetDecimals === undefined) {
          throw new FieldError(
            `needs assets.${symbol}.decimals to convert a cap in whole tokens (or use "unlimited")`,
          );
        }
        const cap = parseDecimal(x, assetDecimals);
        if (cap <= 0n) throw new FieldError(`${show(x)} must be above 0 (or "unlimited")`);
        return cap;
      });
      const permissioned = v.field(col, path, "permissioned", parseBool, false);
      const name = v.field(col, path, "name", parseString, `optiq ${symbol} collateral`);
      const vaultSymbol = v.field(col, path, "symbol", parseString, `oq${symbol}`);
      if (symbol !== quote && !isPriced(symbol)) {
        v.problem(
          path,
          `asset '${symbol}' has no price sources (assets.${symbol}.sources): collateral other than the quote must be priced`,
        );
      }
      if (!breakerHasLimit(root.breaker, symbol)) {
        v.problem(
          path,
          `no outflow limit (breaker.outflowLimits.${symbol}): the vault's deposits and withdrawals revert OutflowLimitNotConfigured without one`,
        );
      }
      if (
        haircutWad !== undefined &&
        depositCap !== undefined &&
        permissioned !== undefined &&
        name !== undefined &&
        vaultSymbol !== undefined
      ) {
        collateral.push({ asset: symbol, name, symbol: vaultSymbol, haircutWad, depositCap, permissioned });
      }
    }
  }

  // ---- insurance
  const ins = v.object(root.insurance, "insurance", [
    "name",
    "symbol",
    "withdrawalCooldown",
    "withdrawalWindow",
  ]);
  const insurance: DeployConfig["insurance"] = { name: "", symbol: "", cooldownSeconds: 0, windowSeconds: 0 };
  if (ins !== undefined) {
    insurance.name = v.field(ins, "insurance", "name", parseString, "optiq insurance") ?? "";
    insurance.symbol = v.field(ins, "insurance", "symbol", parseString, "oqINS") ?? "";
    const cooldown = v.field(ins, "insurance", "withdrawalCooldown", parseDuration);
    v.bounded("insurance.withdrawalCooldown", cooldown, 0, INSURANCE_MAX_COOLDOWN_SECONDS, seconds);
    const window = v.field(ins, "insurance", "withdrawalWindow", parseDuration);
    v.bounded(
      "insurance.withdrawalWindow",
      window,
      INSURANCE_WINDOW_BOUNDS[0],
      INSURANCE_WINDOW_BOUNDS[1],
      seconds,
    );
    insurance.cooldownSeconds = cooldown ?? 0;
    insurance.windowSeconds = window ?? 0;
  }

  // ---- underlyings
  const underlyings: UnderlyingSpec[] = [];
  const u = root.underlyings === undefined ? {} : v.record(root.underlyings, "underlyings");
  if (u !== undefined) {
    for (const [symbol, rawU] of Object.entries(u)) {
      const path = `underlyings.${symbol}`;
      if (!needAsset(path, symbol)) continue;
      if (symbol === quote) v.problem(path, "the quote asset cannot be an underlying");
      else if (!isPriced(symbol))
        v.problem(path, `asset '${symbol}' has no price sources (assets.${symbol}.sources)`);
      const x = v.object(rawU, path, [
        "minStrike",
        "maxStrike",
        "minTimeToExpiry",
        "maxTimeToExpiry",
        "risk",
      ]);
      if (x === undefined) continue;
      const minStrikeWad = v.field(x, path, "minStrike", (y) => parseDecimal(y, WAD_DECIMALS));
      const maxStrikeWad = v.field(x, path, "maxStrike", (y) => parseDecimal(y, WAD_DECIMALS));
      v.bounded(`${path}.minStrike`, minStrikeWad, STRIKE_BOUNDS_WAD[0], STRIKE_BOUNDS_WAD[1], wadFmt);
      v.bounded(`${path}.maxStrike`, maxStrikeWad, STRIKE_BOUNDS_WAD[0], STRIKE_BOUNDS_WAD[1], wadFmt);
      if (minStrikeWad !== undefined && maxStrikeWad !== undefined && minStrikeWad > maxStrikeWad) {
        v.problem(`${path}.maxStrike`, `${wadFmt(maxStrikeWad)} is below minStrike ${wadFmt(minStrikeWad)}`);
      }
      const minTte = v.field(x, path, "minTimeToExpiry", parseDuration);
      const maxTte = v.field(x, path, "maxTimeToExpiry", parseDuration);
      v.bounded(`${path}.maxTimeToExpiry`, maxTte, 1, MAX_TIME_TO_EXPIRY_SECONDS, seconds);
      if (minTte !== undefined && maxTte !== undefined && minTte > maxTte) {
        v.problem(`${path}.minTimeToExpiry`, `${minTte} s is above maxTimeToExpiry ${maxTte} s`);
      }
      const risk = parseRisk(v, x.risk, `${path}.risk`);
      if (
        minStrikeWad !== undefined &&
        maxStrikeWad !== undefined &&
        minTte !== undefined &&
        maxTte !== undefined &&
        risk !== undefined
      ) {
        underlyings.push({
          asset: symbol,
          minStrikeWad,
          maxStrikeWad,
          minTimeToExpirySeconds: minTte,
          maxTimeToExpirySeconds: maxTte,
          risk,
        });
      }
    }
  }

  // ---- initial series
  const series: SeriesSpec[] = [];
  const rawSeries = root.series ?? [];
  if (!Array.isArray(rawSeries)) v.problem("series", `${show(rawSeries)} is not a list`);
  else {
    rawSeries.forEach((rawS, i) => {
      const path = `series[${i}]`;
      const s = v.object(rawS, path, ["underlying", "strike", "expiry", "type"]);
      if (s === undefined) return;
      const underlying = v.field(s, path, "underlying", parseString);
      const strikeWad = v.field(s, path, "strike", (y) => parseDecimal(y, WAD_DECIMALS));
      const expiry = v.field(s, path, "expiry", parseTimestamp);
      const isCall = v.field(s, path, "type", (y) => {
        if (y === "call" || y === "put") return y === "call";
        throw new FieldError(`${show(y)} is neither 'call' nor 'put'`);
      });
      if (underlying === undefined || strikeWad === undefined || expiry === undefined || isCall === undefined)
        return;
      const listing = underlyings.find((x) => x.asset === underlying);
      if (listing === undefined) {
        v.problem(`${path}.underlying`, `'${underlying}' is not configured in underlyings`);
        return;
      }
      if (strikeWad < listing.minStrikeWad || strikeWad > listing.maxStrikeWad) {
        v.problems.push(
          `${path}.strike ${wadFmt(strikeWad)} is outside the listing bounds [${wadFmt(listing.minStrikeWad)}, ${wadFmt(listing.maxStrikeWad)}] of ${underlying}`,
        );
      }
      if (expiry <= options.now) {
        v.problems.push(`${path}.expiry ${iso(expiry)} is in the past (now ${iso(options.now)})`);
      } else if (expiry < options.now + listing.minTimeToExpirySeconds) {
        v.problems.push(
          `${path}.expiry ${iso(expiry)} is sooner than the minimum time to expiry of ${underlying} (${listing.minTimeToExpirySeconds} s from now ${iso(options.now)})`,
        );
      } else if (expiry > options.now + listing.maxTimeToExpirySeconds) {
        v.problems.push(
          `${path}.expiry ${iso(expiry)} is later than the maximum time to expiry of ${underlying} (${listing.maxTimeToExpirySeconds} s from now ${iso(options.now)})`,
        );
      }
      const duplicate = series.findIndex(
        (x) =>
          x.underlying === underlying &&
          x.strikeWad === strikeWad &&
          x.expiry === expiry &&
          x.isCall === isCall,
      );
      if (duplicate >= 0) v.problem(path, `the same series as series[${duplicate}]`);
      series.push({ underlying, strikeWad, expiry, isCall });
    });
  }

  // ---- clearing
  const cl = v.object(root.clearing ?? {}, "clearing", ["uri"]);
  const uri =
    cl === undefined
      ? undefined
      : v.field(cl, "clearing", "uri", parseString, "https://optiq.invalid/series/{id}.json");

  // ---- exchange (optional: no fees, swept to the timelock, no matcher)
  const exchange: ExchangeSpec = {
    makerFeePerContract: 0n,
    takerFeePerContract: 0n,
    feeRecipient: null,
    executors: [],
  };
  if (root.exchange !== undefined) {
    const ex = v.object(root.exchange, "exchange", [
      "makerFeePerContract",
      "takerFeePerContract",
      "feeRecipient",
      "executors",
    ]);
    const quoteDecimals = quote === undefined ? undefined : assets[quote]?.decimals;
    if (ex !== undefined) {
      for (const key of ["makerFeePerContract", "takerFeePerContract"] as const) {
        if (ex[key] === undefined) continue;
        if (quoteDecimals === undefined) {
          v.problem(`exchange.${key}`, "needs the quote asset's decimals in its asset entry");
          continue;
        }
        const fee = v.field(ex, "exchange", key, (x) => parseDecimal(x, quoteDecimals));
        const cap = 10n * 10n ** BigInt(quoteDecimals);
        if (fee !== undefined && (fee < 0n || fee > cap)) {
          v.problem(
            `exchange.${key}`,
            `${ex[key]} is outside [0, 10] quote units (the exchange's MAX_FEE_PER_CONTRACT)`,
          );
        } else if (fee !== undefined) exchange[key] = fee;
      }
      if (ex.feeRecipient !== undefined)
        exchange.feeRecipient = v.field(ex, "exchange", "feeRecipient", parseAddress) ?? null;
      exchange.executors = v.addresses(ex, "exchange", "executors", false);
    }
  }

  const description = typeof root.description === "string" ? root.description : "";
  if (v.problems.length > 0 || quote === undefined || uri === undefined) {
    if (v.problems.length === 0) v.problem("config", "incomplete");
    throw new ConfigError(source, v.problems);
  }
  return {
    description,
    quote,
    assets,
    governance,
    breaker,
    collateral,
    insurance,
    underlyings,
    series,
    clearing: { uri },
    exchange,
  };
}

function count(x: Json): number {
  return Array.isArray(x) ? x.length : 0;
}

function breakerHasLimit(rawBreaker: Json, symbol: string): boolean {
  return isObj(rawBreaker) && isObj(rawBreaker.outflowLimits) && symbol in rawBreaker.outflowLimits;
}

function parseRisk(v: Validator, raw: Json, path: string): RiskSpec | undefined {
  const r = v.object(raw, path, [
    "vol",
    "spotShocks",
    "volShockUp",
    "volShockDown",
    "minPerShortSpot",
    "initialBuffer",
  ]);
  if (r === undefined) return undefined;
  const volWad = v.field(r, path, "vol", parseShareWad);
  v.bounded(`${path}.vol`, volWad, RISK_BOUNDS.volWad[0], RISK_BOUNDS.volWad[1], pctFmt);
  let spotShocksWad: bigint[] | undefined;
  if (!Array.isArray(r.spotShocks))
    v.problem(`${path}.spotShocks`, r.spotShocks === undefined ? "missing" : "is not a list");
  else if (r.spotShocks.length === 0 || r.spotShocks.length > RISK_BOUNDS.maxSpotShocks) {
    v.problem(
      `${path}.spotShocks`,
      `${r.spotShocks.length} shocks, expected 1 to ${RISK_BOUNDS.maxSpotShocks}`,
    );
  } else {
    const shocks: bigint[] = [];
    r.spotShocks.forEach((shock, i) => {
      const value = v.field({ [i]: shock }, `${path}.spotShocks`, String(i), parseShareWad);
      v.bounded(
        `${path}.spotShocks[${i}]`,
        value,
        RISK_BOUNDS.spotShockWad[0],
        RISK_BOUNDS.spotShockWad[1],
        pctFmt,
      );
      if (value !== undefined) shocks.push(value);
    });
    if (shocks.length === r.spotShocks.length) spotShocksWad = shocks;
  }
  const volShockUpWad = v.field(r, path, "volShockUp", parseShareWad);
  v.bounded(`${path}.volShockUp`, volShockUpWad, 0n, RISK_BOUNDS.volShockUpWad, pctFmt);
  const volShockDownWad = v.field(r, path, "volShockDown", parseShareWad);
  v.bounded(`${path}.volShockDown`, volShockDownWad, 0n, RISK_BOUNDS.volShockDownWad, pctFmt);
  const minPerShortSpotWad = v.field(r, path, "minPerShortSpot", parseShareWad);
  v.bounded(
    `${path}.minPerShortSpot`,
    minPerShortSpotWad,
    RISK_BOUNDS.minPerShortSpotWad[0],
    RISK_BOUNDS.minPerShortSpotWad[1],
    pctFmt,
  );
  const initialBufferWad = v.field(r, path, "initialBuffer", parseShareWad);
  v.bounded(`${path}.initialBuffer`, initialBufferWad, 0n, RISK_BOUNDS.initialBufferWad, pctFmt);
  if (
    volWad === undefined ||
    spotShocksWad === undefined ||
    volShockUpWad === undefined ||
    volShockDownWad === undefined ||
    minPerShortSpotWad === undefined ||
    initialBufferWad === undefined
  ) {
    return undefined;
  }
  return { volWad, spotShocksWad, volShockUpWad, volShockDownWad, minPerShortSpotWad, initialBufferWad };
}

/** Read and parse a JSON config file; a syntax error becomes a `ConfigError` naming the file. */
export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
}

/** Read, parse and validate `path`. */
export function loadConfig(path: string, options: ValidateOptions): DeployConfig {
  return validateConfig(readConfigFile(path), options, path);
}

/** Symbols of the assets that have price sources (every asset but the quote that the oracle serves). */
export function pricedAssets(config: DeployConfig): AssetSpec[] {
  return Object.values(config.assets).filter((a) => a.sources.length > 0);
}

/** Whether any token or feed is a mock. */
export function usesMocks(config: DeployConfig): boolean {
  return Object.values(config.assets).some(
    (a) => a.token === "mock" || a.sources.some((s) => s.feed === "mock"),
  );
}
