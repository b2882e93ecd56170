/** `breaker`: the circuit breaker's resume timing and each token's outflow limit. */
import type { z } from "zod";
import { parseShareWad, UnitError } from "../units";
import { BREAKER_COOLDOWN_BOUNDS, BREAKER_GRACE_BOUNDS, OUTFLOW_WINDOW_BOUNDS } from "./bounds";
import { duration, named, percentText, seconds, section, within } from "./fields";
import { unit } from "../validation";

const WAD = 10n ** 18n;
const BPS_PER_WHOLE = 10_000n;

/** A share of liquidity above 0% and at most 100%, in whole basis points. */
function parseOutflowBps(value: unknown): number {
  const shareWad = parseShareWad(value);
  if (shareWad <= 0n || shareWad > WAD)
    throw new UnitError(`${percentText(shareWad)} must be above 0% and at most 100%`);
  if ((shareWad * BPS_PER_WHOLE) % WAD !== 0n)
    throw new UnitError(`${percentText(shareWad)} is finer than 1 bp`);
  return Number((shareWad * BPS_PER_WHOLE) / WAD);
}

const outflowLimit = section({
  /** Share of the token's liquidity that may leave per window. */
  maxOutflow: unit(parseOutflowBps),
  window: duration().superRefine(within(OUTFLOW_WINDOW_BOUNDS[0], OUTFLOW_WINDOW_BOUNDS[1], seconds)),
});

export const breakerSchema = section({
  cooldown: duration().superRefine(within(BREAKER_COOLDOWN_BOUNDS[0], BREAKER_COOLDOWN_BOUNDS[1], seconds)),
  gracePeriod: duration().superRefine(within(BREAKER_GRACE_BOUNDS[0], BREAKER_GRACE_BOUNDS[1], seconds)),
  /** By asset symbol; every collateral asset needs one (checked in references.ts). */
  outflowLimits: named(outflowLimit).default({}),
});

export const toBreakerSpec = (b: z.output<typeof breakerSchema>) => ({
  cooldownSeconds: b.cooldown,
  gracePeriodSeconds: b.gracePeriod,
  outflowLimits: Object.entries(b.outflowLimits).map(([asset, l]) => ({
    asset,
    maxOutflowBps: l.maxOutflow,
    windowSeconds: l.window,
  })),
});
