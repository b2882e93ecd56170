/**
 * `governance`: the timelock's delay, the governance Safe and who holds which role after the deployment.
 *
 * `safe` names the multisig that proposes to (and may cancel on) the timelock: `{ "owners": [...], "threshold": n }`
 * creates a Safe v1.4.1 in the deployment, `{ "address": "0x..." }` uses an existing one. `proposers` lists further
 * proposers (none is needed beside a Safe). On a non-local chain every proposer must be a contract: the deploy step
 * checks that on-chain (scripts/lib/deploy/suite.ts), since the config alone cannot tell.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { MAX_TIMELOCK_DELAY_SECONDS } from "./bounds";
import { address, addresses, duration, integer, seconds, section, within } from "./fields";
import { parsed, RUN_ALWAYS } from "../validation";
import type { ValidateOptions } from "./options";

const ROLE_LISTS = ["proposers", "executors", "guardians", "listers"] as const;

/** Most owners a governance Safe may list here (the Safe itself has no limit; this bounds the setup's gas). */
export const MAX_SAFE_OWNERS = 20;
/** Below this threshold one key alone acts for the Safe: allowed, but warned about. */
export const MIN_SAFE_THRESHOLD_ADVISED = 2;

const safeSchema = section({
  /** An existing Safe. */
  address: address().optional(),
  /** A Safe to create: its owners and threshold. */
  owners: addresses(false).optional(),
  threshold: integer(1, MAX_SAFE_OWNERS).optional(),
}).superRefine((s, ctx) => {
  if (!parsed(ctx.issues, ["address"], ["owners"], ["threshold"])) return;
  const creates = s.owners !== undefined || s.threshold !== undefined;
  if (s.address !== undefined && creates) {
    ctx.addIssue({
      code: "custom",
      message: 'either "address" (an existing Safe) or "owners" and "threshold" (a Safe to create), not both',
    });
    return;
  }
  if (s.address !== undefined) return;
  if (s.owners === undefined || s.owners.length === 0) {
    ctx.addIssue({ code: "custom", path: ["owners"], message: "a Safe to create needs at least one owner" });
    return;
  }
  if (s.owners.length > MAX_SAFE_OWNERS) {
    ctx.addIssue({
      code: "custom",
      path: ["owners"],
      message: `${s.owners.length} owners is above the maximum ${MAX_SAFE_OWNERS}`,
    });
  }
  if (s.threshold === undefined) {
    ctx.addIssue({ code: "custom", path: ["threshold"], message: "missing" });
  } else if (s.threshold > s.owners.length) {
    ctx.addIssue({
      code: "custom",
      path: ["threshold"],
      message: `${s.threshold} is more than the ${s.owners.length} owner(s)`,
    });
  }
}, RUN_ALWAYS);

export const governanceSchema = (options: ValidateOptions) =>
  section({
    timelockDelay: duration().superRefine(within(1, MAX_TIMELOCK_DELAY_SECONDS, seconds)),
    /** The governance Safe: the timelock's proposer and canceller. */
    safe: safeSchema.optional(),
    /** Further proposers (and cancellers); may be empty when a Safe is named. */
    proposers: addresses(false).default([]),
    /** Empty: anyone may execute a ready operation. */
    executors: addresses(false).default([]),
    guardians: addresses(true),
    listers: addresses(false).default([]),
  }).superRefine((g, ctx) => {
    if (parsed(ctx.issues, ["safe"], ["proposers"])) {
      if (g.safe === undefined && g.proposers.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["proposers"],
          message: 'no proposer: name a governance "safe" or at least one proposer',
        });
      }
      const i = g.safe?.address === undefined ? -1 : g.proposers.indexOf(g.safe.address);
      if (i >= 0) {
        ctx.addIssue({
          code: "custom",
          path: ["proposers", i],
          message: `${g.proposers[i]} is the governance Safe, which proposes already`,
        });
      }
    }
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
    const owners = parsed(ctx.issues, ["safe"]) ? (g.safe?.owners ?? []) : [];
    const j = owners.indexOf(deployer);
    if (j >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["safe", "owners", j],
        message: `${deployer} is the deploying account, which must not own the governance Safe`,
      });
    }
  }, RUN_ALWAYS);

/** The governance Safe: one to create, or an existing one. */
export type SafeSpec =
  { kind: "create"; owners: string[]; threshold: number } | { kind: "existing"; address: string };

type SafeInput = z.output<typeof safeSchema>;

function toSafeSpec(s: SafeInput | undefined): SafeSpec | undefined {
  if (s === undefined) return undefined;
  if (s.address !== undefined) return { kind: "existing", address: s.address };
  return { kind: "create", owners: s.owners ?? [], threshold: s.threshold ?? 0 };
}

export const toGovernanceSpec = (g: z.output<ReturnType<typeof governanceSchema>>) => ({
  timelockDelaySeconds: g.timelockDelay,
  safe: toSafeSpec(g.safe),
  /** Proposers besides the Safe. */
  proposers: g.proposers,
  /** Empty: anyone may execute a ready operation. */
  executors: g.executors,
  guardians: g.guardians,
  listers: g.listers,
});

/** Allowed but unwise choices of a valid governance section, one line each ("governance.safe.threshold: ..."). */
export function governanceWarnings(g: ReturnType<typeof toGovernanceSpec>): string[] {
  const warnings: string[] = [];
  if (g.safe?.kind === "create" && g.safe.threshold < MIN_SAFE_THRESHOLD_ADVISED) {
    warnings.push(safeThresholdWarning(g.safe.threshold, "governance.safe.threshold"));
  }
  return warnings;
}

export const safeThresholdWarning = (threshold: number | bigint, where: string): string =>
  `${where}: ${threshold}, below ${MIN_SAFE_THRESHOLD_ADVISED}: a single owner's key can propose and cancel timelock operations`;
