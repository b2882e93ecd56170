/** `underlyings.<SYM>.risk`: the portfolio margin's parameters, within PortfolioMargin's bounds. */
import { z } from "zod";
import { RISK_BOUNDS } from "./bounds";
import { percentText, section, share, within } from "./fields";
import { RUN_ALWAYS } from "../validation";

const {
  volWad,
  maxSpotShocks,
  spotShockWad,
  volShockUpWad,
  volShockDownWad,
  minPerShortSpotWad,
  initialBufferWad,
} = RISK_BOUNDS;

export const riskSchema = section({
  vol: share().superRefine(within(volWad[0], volWad[1], percentText)),
  spotShocks: z
    .array(share().superRefine(within(spotShockWad[0], spotShockWad[1], percentText)))
    .superRefine((shocks, ctx) => {
      if (!Array.isArray(shocks)) return;
      if (shocks.length === 0 || shocks.length > maxSpotShocks)
        ctx.addIssue({ code: "custom", message: `${shocks.length} shocks, expected 1 to ${maxSpotShocks}` });
    }, RUN_ALWAYS),
  volShockUp: share().superRefine(within(0n, volShockUpWad, percentText)),
  volShockDown: share().superRefine(within(0n, volShockDownWad, percentText)),
  minPerShortSpot: share().superRefine(within(minPerShortSpotWad[0], minPerShortSpotWad[1], percentText)),
  initialBuffer: share().superRefine(within(0n, initialBufferWad, percentText)),
});

export const toRiskSpec = (r: z.output<typeof riskSchema>) => ({
  volWad: r.vol,
  spotShocksWad: r.spotShocks,
  volShockUpWad: r.volShockUp,
  volShockDownWad: r.volShockDown,
  minPerShortSpotWad: r.minPerShortSpot,
  initialBufferWad: r.initialBuffer,
});
