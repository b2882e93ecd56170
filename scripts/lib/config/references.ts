/**
 * Checks across sections: every symbol a section names is an asset, the quote is collateral and unpriced, collateral
 * and underlyings are priced, each collateral has an outflow limit, deposit caps fit their token's decimals, and the
 * initial series fit their underlying's listing. Names are read leniently, so these run beside any other problem.
 */
import { z } from "zod";
import { formatWad, isoSeconds, UnitError } from "../units";
import { MAX_COLLATERAL_VAULTS } from "./bounds";
import { depositCapUnits } from "./collateral";
import { feeUnits } from "./exchange";
import { parsed } from "../validation";
import type { ValidateOptions } from "./options";
import type { ParsedConfig } from "./schema";

const symbols = z.record(z.string(), z.unknown()).catch({});
/** The names a config gives, whatever else is wrong with it. */
const namesOf = z
  .object({
    quote: z.string().optional().catch(undefined),
    assets: z
      .record(
        z.string(),
        z
          .object({ sources: z.array(z.unknown()).catch([]), signedReports: z.unknown().optional() })
          .catch({ sources: [] }),
      )
      .catch({}),
    collateral: symbols,
    breaker: z.object({ outflowLimits: symbols }).catch({ outflowLimits: {} }),
    underlyings: symbols,
  })
  .catch({ quote: undefined, assets: {}, collateral: {}, breaker: { outflowLimits: {} }, underlyings: {} });

export const references =
  (options: ValidateOptions) =>
  (config: ParsedConfig, ctx: z.RefinementCtx<ParsedConfig>): void => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const names = namesOf.parse(config);
    const quote = names.quote;
    const isAsset = (symbol: string): boolean => symbol in names.assets;
    const isPriced = (symbol: string): boolean =>
      (names.assets[symbol]?.sources.length ?? 0) > 0 || names.assets[symbol]?.signedReports !== undefined;
    /** Whether `symbol` is an asset; a problem at `path` if not. */
    const known = (path: PropertyKey[], symbol: string): boolean => {
      if (isAsset(symbol)) return true;
      problem(path, `unknown asset '${symbol}' (not in assets)`);
      return false;
    };

    if (quote !== undefined && known(["quote"], quote) && isPriced(quote))
      problem(
        ["assets", quote, "sources"],
        "the quote asset is priced at 1 by definition and takes no price sources",
      );

    for (const symbol of Object.keys(names.breaker.outflowLimits))
      known(["breaker", "outflowLimits", symbol], symbol);

    const collateral = Object.keys(names.collateral);
    if (collateral.length > MAX_COLLATERAL_VAULTS) {
      problem(
        ["collateral"],
        `${collateral.length} collateral assets, at most ${MAX_COLLATERAL_VAULTS} (OptionsClearing.MAX_COLLATERAL_VAULTS)`,
      );
    }
    if (quote !== undefined && isAsset(quote) && !collateral.includes(quote)) {
      problem(
        ["collateral", quote],
        "missing: the quote asset must be collateral (its vault is the clearing's quote vault)",
      );
    }
    for (const symbol of collateral) {
      if (!known(["collateral", symbol], symbol)) continue;
      if (symbol !== quote && !isPriced(symbol)) {
        problem(
          ["collateral", symbol],
          `asset '${symbol}' has no price sources (assets.${symbol}.sources): collateral other than the quote must be priced`,
        );
      }
      if (!(symbol in names.breaker.outflowLimits)) {
        problem(
          ["collateral", symbol],
          `no outflow limit (breaker.outflowLimits.${symbol}): the vault's deposits and withdrawals revert OutflowLimitNotConfigured without one`,
        );
      }
      if (parsed(ctx.issues, ["collateral", symbol, "depositCap"], ["assets", symbol, "decimals"])) {
        try {
          depositCapUnits(config.collateral[symbol].depositCap, symbol, config.assets[symbol].decimals);
        } catch (error) {
          if (!(error instanceof UnitError)) throw error;
          problem(["collateral", symbol, "depositCap"], error.message);
        }
      }
    }

    for (const symbol of Object.keys(names.underlyings)) {
      const path = ["underlyings", symbol];
      if (!known(path, symbol)) continue;
      if (symbol === quote) problem(path, "the quote asset cannot be an underlying");
      else if (!isPriced(symbol))
        problem(path, `asset '${symbol}' has no price sources (assets.${symbol}.sources)`);
    }

    for (const key of ["makerFeePerContract", "takerFeePerContract"] as const) {
      const fee = config.exchange?.[key];
      if (fee === undefined || !parsed(ctx.issues, ["exchange", key])) continue;
      try {
        feeUnits(fee, quote === undefined ? undefined : config.assets[quote]?.decimals);
      } catch (error) {
        if (!(error instanceof UnitError)) throw error;
        problem(["exchange", key], error.message);
      }
    }

    if (!Array.isArray(config.series)) return;
    config.series.forEach((s, i) => {
      if (!parsed(ctx.issues, ["series", i])) return;
      if (!(s.underlying in names.underlyings)) {
        problem(["series", i, "underlying"], `'${s.underlying}' is not configured in underlyings`);
        return;
      }
      if (!parsed(ctx.issues, ["underlyings", s.underlying])) return;
      const listing = config.underlyings[s.underlying];
      if (s.strike < listing.minStrike || s.strike > listing.maxStrike) {
        problem(
          ["series", i, "strike"],
          `${formatWad(s.strike)} is outside the listing bounds [${formatWad(listing.minStrike)}, ${formatWad(listing.maxStrike)}] of ${s.underlying}`,
        );
      }
      const [expiry, now] = [isoSeconds(s.expiry), isoSeconds(options.now)];
      if (s.expiry <= options.now) {
        problem(["series", i, "expiry"], `${expiry} is in the past (now ${now})`);
      } else if (s.expiry < options.now + listing.minTimeToExpiry) {
        problem(
          ["series", i, "expiry"],
          `${expiry} is sooner than the minimum time to expiry of ${s.underlying} (${listing.minTimeToExpiry} s from now ${now})`,
        );
      } else if (s.expiry > options.now + listing.maxTimeToExpiry) {
        problem(
          ["series", i, "expiry"],
          `${expiry} is later than the maximum time to expiry of ${s.underlying} (${listing.maxTimeToExpiry} s from now ${now})`,
        );
      }
    });
  };
