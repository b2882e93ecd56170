/**
 * The sentinel: watches the chain and pauses breaker scopes on rules (config/sentinel.json, docs/sentinel.md).
 * Every decision is one JSON line on stdout.
 *
 *   SENTINEL_ONCE=1 npx hardhat run scripts/sentinel.ts --network <name>
 *
 * Environment (all optional): SENTINEL_CONFIG (rules, default config/sentinel.json), SENTINEL_RECORD (deployment
 * record, default deployments/<network>.json), SENTINEL_ONCE=1 (one pass, else a loop every `interval`),
 * SENTINEL_DRY_RUN=1 (alert only: log "would-pause", send nothing), SENTINEL_GUARDIAN (the guardian: an index of the
 * network's accounts or an address among them; default the first account holding GUARDIAN_ROLE) or
 * SENTINEL_GUARDIAN_KEY (a private key). Exit status: 0 when every rule was evaluated and every pause sent, 1 on a
 * bad config, an unreachable RPC, a rule that could not be evaluated or a pause that failed.
 */
import hre from "hardhat";
import { SentinelSetupError, setUpSentinel } from "./lib/sentinel/cli";
import { SentinelConfigError } from "./lib/sentinel/rules";
import { decisionLine, runSentinel } from "./lib/sentinel/engine";

async function main(): Promise<void> {
  const { ctx, config, once, dryRun } = await setUpSentinel(hre, process.env);
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
  const errors = await runSentinel(ctx, config, {
    once,
    dryRun,
    signal: controller.signal,
    onDecision: (decision) => console.log(decisionLine(decision)),
  });
  if (errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof SentinelConfigError || error instanceof SentinelSetupError) {
    console.error(`sentinel failed: ${error.message}`);
  } else console.error("sentinel failed:", error);
  process.exitCode = 1;
});
