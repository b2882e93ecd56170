/** `insurance`: the first-loss vault's name and its stakers' withdrawal cooldown and window. */
import type { z } from "zod";
import { INSURANCE_MAX_COOLDOWN_SECONDS, INSURANCE_WINDOW_BOUNDS } from "./bounds";
import { DEFAULT_INSURANCE_NAME, DEFAULT_INSURANCE_SYMBOL } from "./defaults";
import { duration, seconds, section, text, within } from "./fields";

export const insuranceSchema = section({
  name: text().default(DEFAULT_INSURANCE_NAME),
  symbol: text().default(DEFAULT_INSURANCE_SYMBOL),
  withdrawalCooldown: duration().superRefine(within(0, INSURANCE_MAX_COOLDOWN_SECONDS, seconds)),
  withdrawalWindow: duration().superRefine(
    within(INSURANCE_WINDOW_BOUNDS[0], INSURANCE_WINDOW_BOUNDS[1], seconds),
  ),
});

export const toInsuranceSpec = (i: z.output<typeof insuranceSchema>) => ({
  name: i.name,
  symbol: i.symbol,
  cooldownSeconds: i.withdrawalCooldown,
  windowSeconds: i.withdrawalWindow,
});
