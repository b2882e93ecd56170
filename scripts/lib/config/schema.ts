/**
 * The deployment config's schema: the file's sections, the checks across them, and the normalised form the deploy
 * code takes (WAD prices and shares, bps, seconds, token units). Parsing reports every problem with its path.
 */
import { z } from "zod";
import { assetsSchema, toAssetSpecs } from "./assets";
import { breakerSchema, toBreakerSpec } from "./breaker";
import { clearingSchema, toClearingSpec } from "./clearing";
import { collateralSchema, toCollateralSpecs } from "./collateral";
import { exchangeSchema, toExchangeSpec } from "./exchange";
import { section, text } from "./fields";
import { RUN_ALWAYS } from "../validation";
import { governanceSchema, toGovernanceSpec } from "./governance";
import { insuranceSchema, toInsuranceSpec } from "./insurance";
import type { ValidateOptions } from "./options";
import { references } from "./references";
import { seriesSchema, toSeriesSpecs } from "./series";
import { toUnderlyingSpecs, underlyingsSchema } from "./underlyings";

/** The file's sections, each read in its own units. */
const sections = (options: ValidateOptions) =>
  section({
    /** Free text; anything else reads as none. */
    description: z.string().catch(""),
    /** The symbol of the quote (strike and premium) asset. */
    quote: text(),
    assets: assetsSchema(options),
    governance: governanceSchema(options),
    breaker: breakerSchema,
    collateral: collateralSchema,
    insurance: insuranceSchema,
    underlyings: underlyingsSchema,
    series: seriesSchema,
    clearing: clearingSchema,
    exchange: exchangeSchema,
  });

/** A config file as parsed, before normalisation (the file's keys, values in contract units). */
export type ParsedConfig = z.output<ReturnType<typeof sections>>;
/** A config file as written. */
export type ConfigFile = z.input<ReturnType<typeof sections>>;

function toDeployConfig(c: ParsedConfig) {
  return {
    description: c.description,
    quote: c.quote,
    assets: toAssetSpecs(c.assets),
    governance: toGovernanceSpec(c.governance),
    breaker: toBreakerSpec(c.breaker),
    collateral: toCollateralSpecs(c.collateral, (symbol) => c.assets[symbol]?.decimals),
    insurance: toInsuranceSpec(c.insurance),
    underlyings: toUnderlyingSpecs(c.underlyings),
    series: toSeriesSpecs(c.series),
    clearing: toClearingSpec(c.clearing),
    exchange: toExchangeSpec(c.exchange, c.assets[c.quote]?.decimals),
  };
}

/** The whole config: sections, the checks across them, then the normalised form. */
export const deployConfigSchema = (options: ValidateOptions) =>
  sections(options).superRefine(references(options), RUN_ALWAYS).transform(toDeployConfig);

/** The normalised config the deploy code takes. */
export type DeployConfig = z.output<ReturnType<typeof deployConfigSchema>>;
export type GovernanceSpec = DeployConfig["governance"];
export type BreakerSpec = DeployConfig["breaker"];
export type OutflowLimitSpec = BreakerSpec["outflowLimits"][number];
export type CollateralSpec = DeployConfig["collateral"][number];
export type InsuranceSpec = DeployConfig["insurance"];
export type UnderlyingSpec = DeployConfig["underlyings"][number];
export type RiskSpec = UnderlyingSpec["risk"];
export type SeriesSpec = DeployConfig["series"][number];
export type ExchangeSpec = DeployConfig["exchange"];
