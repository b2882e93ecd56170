/** `underlyings`: the assets options are listed on, with their strike and expiry windows and risk parameters. */
import type { z } from "zod";
import { MAX_TIME_TO_EXPIRY_SECONDS, STRIKE_BOUNDS_WAD } from "./bounds";
import { duration, named, seconds, section, wad, wadText, within } from "./fields";
import { parsed, RUN_ALWAYS } from "../validation";
import { riskSchema, toRiskSpec } from "./risk";

const strike = () => wad().superRefine(within(STRIKE_BOUNDS_WAD[0], STRIKE_BOUNDS_WAD[1], wadText));

const listing = section({
  minStrike: strike(),
  maxStrike: strike(),
  minTimeToExpiry: duration(),
  maxTimeToExpiry: duration().superRefine(within(1, MAX_TIME_TO_EXPIRY_SECONDS, seconds)),
  risk: riskSchema,
}).superRefine((u, ctx) => {
  if (parsed(ctx.issues, ["minStrike"], ["maxStrike"]) && u.minStrike > u.maxStrike) {
    ctx.addIssue({
      code: "custom",
      path: ["maxStrike"],
      message: `${wadText(u.maxStrike)} is below minStrike ${wadText(u.minStrike)}`,
    });
  }
  if (parsed(ctx.issues, ["minTimeToExpiry"], ["maxTimeToExpiry"]) && u.minTimeToExpiry > u.maxTimeToExpiry) {
    ctx.addIssue({
      code: "custom",
      path: ["minTimeToExpiry"],
      message: `${u.minTimeToExpiry} s is above maxTimeToExpiry ${u.maxTimeToExpiry} s`,
    });
  }
}, RUN_ALWAYS);

/** By asset symbol; which assets may be underlyings is checked in references.ts. */
export const underlyingsSchema = named(listing).default({});

export type ParsedListing = z.output<typeof listing>;

export const toUnderlyingSpecs = (underlyings: z.output<typeof underlyingsSchema>) =>
  Object.entries(underlyings).map(([asset, u]) => ({
    asset,
    minStrikeWad: u.minStrike,
    maxStrikeWad: u.maxStrike,
    minTimeToExpirySeconds: u.minTimeToExpiry,
    maxTimeToExpirySeconds: u.maxTimeToExpiry,
    risk: toRiskSpec(u.risk),
  }));
