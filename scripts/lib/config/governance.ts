/** `governance`: the timelock's delay and who holds which role after the deployment. */
import { getAddress } from "ethers";
import type { z } from "zod";
import { MAX_TIMELOCK_DELAY_SECONDS } from "./bounds";
import { addresses, duration, seconds, section, within } from "./fields";
import { parsed, RUN_ALWAYS } from "../validation";
import type { ValidateOptions } from "./options";

const ROLE_LISTS = ["proposers", "executors", "guardians", "listers"] as const;

export const governanceSchema = (options: ValidateOptions) =>
  section({
    timelockDelay: duration().superRefine(within(1, MAX_TIMELOCK_DELAY_SECONDS, seconds)),
    proposers: addresses(true),
    /** Empty: anyone may execute a ready operation. */
    executors: addresses(false).default([]),
    guardians: addresses(true),
    listers: addresses(false).default([]),
  }).superRefine((g, ctx) => {
    if (options.deployer === undefined) return;
    const deployer = getAddress(options.deployer);
    for (const key of ROLE_LISTS) {
      if (!parsed(ctx.issues, [key])) continue;
      const i = g[key].indexOf(deployer);
      if (i >= 0) {
        ctx.addIssue({
          code: "custom",
          path: [key, i],
          message: `${deployer} is the deploying account, which must hold no role after the deployment`,
        });
      }
    }
  }, RUN_ALWAYS);

export const toGovernanceSpec = (g: z.output<ReturnType<typeof governanceSchema>>) => ({
  timelockDelaySeconds: g.timelockDelay,
  proposers: g.proposers,
  /** Empty: anyone may execute a ready operation. */
  executors: g.executors,
  guardians: g.guardians,
  listers: g.listers,
});
