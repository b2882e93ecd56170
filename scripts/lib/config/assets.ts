/**
 * `assets`: every token the deployment touches, by symbol, with its oracle sources and aggregation parameters.
 * The quote asset takes no sources; every other priced asset has at least one: Chainlink-style feeds (`sources`)
 * and at most one SignedReportSource of off-chain reporters (`signedReports`), which the aggregator lists last.
 */
import { z } from "zod";
import { show, WAD_DECIMALS } from "../units";
import {
  MAX_ASSET_DECIMALS,
  MAX_BAND_WAD,
  MAX_BAND_WINDOW_SECONDS,
  MAX_FEED_DECIMALS,
  MAX_HEARTBEAT_SECONDS,
  MAX_REPORT_AGE_SECONDS,
  MAX_REPORTERS,
  MAX_SOURCES,
  MAX_SPREAD_WAD,
} from "./bounds";
import {
  addresses,
  addressOrMock,
  duration,
  integer,
  MOCK,
  named,
  percentText,
  seconds,
  section,
  share,
  text,
  wad,
  wadText,
  within,
} from "./fields";
import { isRecord, parsed, RUN_ALWAYS } from "../validation";
import type { ValidateOptions } from "./options";

const SYMBOL = /^[A-Za-z][A-Za-z0-9]{0,15}$/;
const MOCKS_ONLY_ON_DEVELOPMENT_CHAINS = `"mock" is only allowed on a development chain (chain id 31337)`;

/** An address, or "mock" where the options allow mocks. */
const deployable = (options: ValidateOptions) =>
  addressOrMock().superRefine((value, ctx) => {
    if (value === MOCK && options.allowMocks !== true)
      ctx.addIssue({ code: "custom", message: MOCKS_ONLY_ON_DEVELOPMENT_CHAINS });
  });

/** A Chainlink-compatible feed behind a ChainlinkFeedAdapter; `feed: "mock"` deploys a MockChainlinkFeed. */
const chainlinkSource = (options: ValidateOptions) =>
  section({
    kind: z.literal("chainlink"),
    feed: deployable(options),
    /** Decimals of a mock feed (a real feed reports its own). */
    feedDecimals: integer(0, MAX_FEED_DECIMALS).optional(),
    /** A mock feed's first answer. */
    initialPrice: wad().optional(),
    heartbeat: duration().superRefine(within(1, MAX_HEARTBEAT_SECONDS, seconds)),
    minPrice: wad().superRefine((value, ctx) => {
      if (value <= 0n) ctx.addIssue({ code: "custom", message: `${wadText(value)} must be above 0` });
    }),
    maxPrice: wad(),
  }).superRefine((s, ctx) => {
    const problem = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (parsed(ctx.issues, ["minPrice"], ["maxPrice"]) && s.minPrice >= s.maxPrice)
      problem("maxPrice", `${wadText(s.maxPrice)} must be above minPrice ${wadText(s.minPrice)}`);
    if (!parsed(ctx.issues, ["feed"])) return;
    if (s.feed !== MOCK) {
      for (const key of ["feedDecimals", "initialPrice"] as const) {
        if (s[key] !== undefined) problem(key, `only for a "mock" feed (a real feed reports its own)`);
      }
      return;
    }
    for (const key of ["feedDecimals", "initialPrice"] as const) {
      if (s[key] === undefined && parsed(ctx.issues, [key])) problem(key, "missing");
    }
    const initial = s.initialPrice;
    if (initial === undefined || !parsed(ctx.issues, ["initialPrice"])) return;
    if (parsed(ctx.issues, ["minPrice"], ["maxPrice"]) && (initial < s.minPrice || initial > s.maxPrice)) {
      problem(
        "initialPrice",
        `${wadText(initial)} is outside the plausible bounds [${wadText(s.minPrice)}, ${wadText(s.maxPrice)}]`,
      );
    }
    const feedDecimals = s.feedDecimals;
    if (feedDecimals !== undefined && parsed(ctx.issues, ["feedDecimals"]) && feedDecimals < WAD_DECIMALS) {
      if (initial % 10n ** BigInt(WAD_DECIMALS - feedDecimals) !== 0n)
        problem("initialPrice", `${wadText(initial)} has more than ${feedDecimals} decimals (the feed's)`);
    }
  }, RUN_ALWAYS);

/** One kind of price source so far; a kind the deployment does not know is refused by name. */
const source = (options: ValidateOptions) =>
  z.discriminatedUnion("kind", [chainlinkSource(options)], {
    error: (issue) => {
      const input: unknown = issue.input;
      if (typeof input !== "object" || input === null) return `${show(input)} is not an object`;
      const kind = (input as { kind?: unknown }).kind;
      return kind === undefined
        ? "missing (supported: 'chainlink')"
        : `unknown source kind ${show(kind)} (supported: 'chainlink')`;
    },
  });

/**
 * A SignedReportSource deployed for the asset: the median of its reporters' fresh EIP-712 reports. A report counts
 * for `maxReportAge` after its observation, and the aggregator takes the source's price for as long (its heartbeat).
 */
const signedReports = section({
  /** The authorised reporter keys' addresses. */
  reporters: addresses(true).superRefine((list, ctx) => {
    if (list.length > MAX_REPORTERS)
      ctx.addIssue({
        code: "custom",
        message: `${list.length} reporters, at most ${MAX_REPORTERS} (SignedReportSource.MAX_REPORTERS)`,
      });
  }),
  /** How many fresh reports a price needs. */
  minSigners: integer(1, MAX_REPORTERS),
  maxReportAge: duration().superRefine(
    within(1, Math.min(MAX_REPORT_AGE_SECONDS, MAX_HEARTBEAT_SECONDS), seconds),
  ),
}).superRefine((s, ctx) => {
  if (parsed(ctx.issues, ["reporters"], ["minSigners"]) && s.minSigners > s.reporters.length)
    ctx.addIssue({
      code: "custom",
      path: ["minSigners"],
      message: `${s.minSigners} is more than the ${s.reporters.length} reporter(s)`,
    });
}, RUN_ALWAYS);

/** The aggregation parameters of an asset's sources. */
const oracleParams = section({
  quorum: integer(1, MAX_SOURCES),
  maxSpread: share().superRefine(within(1n, MAX_SPREAD_WAD, percentText)),
  band: share().superRefine(within(1n, MAX_BAND_WAD, percentText)),
  bandWindow: duration().superRefine(within(1, MAX_BAND_WINDOW_SECONDS, seconds)),
});

const asset = (options: ValidateOptions) =>
  section({
    /** Default: the symbol. */
    name: text().optional(),
    token: deployable(options),
    /** Required for a mock; for a real token, checked against the chain when given. */
    decimals: integer(0, MAX_ASSET_DECIMALS).optional(),
    oracle: oracleParams.optional(),
    /** Absent or null: none (the quote asset, or an asset only held). */
    sources: z
      .array(source(options))
      .nullish()
      .transform((list) => list ?? []),
    /** Absent: no signed report source. */
    signedReports: signedReports.optional(),
  }).superRefine((a, ctx) => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (parsed(ctx.issues, ["token"], ["decimals"]) && a.token === MOCK && a.decimals === undefined)
      problem(["decimals"], "missing");
    if (!Array.isArray(a.sources) || !parsed(ctx.issues, ["oracle"])) return;
    const count = a.sources.length + (a.signedReports === undefined ? 0 : 1);
    if (count > MAX_SOURCES)
      problem(
        ["sources"],
        `${count} sources (signed reports included), at most ${MAX_SOURCES} (OracleAggregator.MAX_SOURCES)`,
      );
    if (a.oracle === undefined) {
      if (count > 0) problem(["oracle"], "missing");
    } else {
      if (count === 0) problem(["sources"], "oracle parameters without any source");
      if (a.oracle.quorum > count)
        problem(["oracle", "quorum"], `${a.oracle.quorum} is more than the ${count} configured source(s)`);
    }
    a.sources.forEach((s, i) => {
      if (!parsed(ctx.issues, ["sources", i, "feed"]) || s.feed === MOCK) return;
      const first = a.sources.findIndex((x) => x.feed === s.feed);
      if (first < i) problem(["sources", i, "feed"], `${s.feed} is listed twice`);
    });
  }, RUN_ALWAYS);

export const assetsSchema = (options: ValidateOptions) =>
  named(asset(options)).superRefine((assets, ctx) => {
    if (!isRecord(assets)) return;
    const symbols = Object.keys(assets);
    if (symbols.length === 0) ctx.addIssue({ code: "custom", message: "no asset configured" });
    for (const symbol of symbols) {
      if (!SYMBOL.test(symbol)) {
        ctx.addIssue({
          code: "custom",
          path: [symbol],
          message: `asset symbol '${symbol}' must be a letter then up to 15 letters or digits`,
        });
      }
    }
  }, RUN_ALWAYS);

type ParsedAssets = z.output<ReturnType<typeof assetsSchema>>;

/** The deployable form of every asset: sources in contract units, each asset knowing its symbol. */
export function toAssetSpecs(assets: ParsedAssets) {
  return Object.fromEntries(
    Object.entries(assets).map(([symbol, a]) => [
      symbol,
      {
        symbol,
        name: a.name ?? symbol,
        /** An address or "mock". */
        token: a.token,
        decimals: a.decimals,
        sources: a.sources.map((s) => ({
          kind: s.kind,
          /** An address or "mock" (a MockChainlinkFeed). */
          feed: s.feed,
          /** Decimals of a mock feed (0 for a real feed, which reports its own). */
          feedDecimals: s.feedDecimals ?? 0,
          /** A mock feed's first answer, WAD (0 for a real feed). */
          initialPriceWad: s.initialPrice ?? 0n,
          heartbeatSeconds: s.heartbeat,
          minPriceWad: s.minPrice,
          maxPriceWad: s.maxPrice,
        })),
        /** The SignedReportSource to deploy, if any. */
        signedReports:
          a.signedReports === undefined
            ? undefined
            : {
                reporters: a.signedReports.reporters,
                minSigners: a.signedReports.minSigners,
                maxReportAgeSeconds: a.signedReports.maxReportAge,
              },
        oracle:
          a.oracle === undefined
            ? undefined
            : {
                quorum: a.oracle.quorum,
                maxSpreadWad: a.oracle.maxSpread,
                bandWad: a.oracle.band,
                bandWindowSeconds: a.oracle.bandWindow,
              },
      },
    ]),
  );
}

export type AssetSpec = ReturnType<typeof toAssetSpecs>[string];
export type ChainlinkSource = AssetSpec["sources"][number];
export type AssetOracleParams = NonNullable<AssetSpec["oracle"]>;
export type SignedReportsSpec = NonNullable<AssetSpec["signedReports"]>;

/** The assets that have price sources (every asset but the quote that the oracle serves). */
export function pricedAssets(config: { assets: Record<string, AssetSpec> }): AssetSpec[] {
  return Object.values(config.assets).filter((a) => a.sources.length > 0 || a.signedReports !== undefined);
}

/** Whether any token or feed is a mock. */
export function usesMocks(config: { assets: Record<string, AssetSpec> }): boolean {
  return Object.values(config.assets).some((a) => a.token === MOCK || a.sources.some((s) => s.feed === MOCK));
}
