/**
 * The main job (`npm start`): deploys the whole suite on the in-process Hardhat network through the real deploy
 * path (config/local.json, Ignition, roles handed to the timelock) and runs the full lifecycle, narrated and
 * checked step by step (scripts/lib/lifecycle): deposits, accounts, writing and transferring options, a crash that
 * trips the breaker, the governed resume with its cooldown and grace period, a liquidation by Dutch auction,
 * expiry, settlement, exercise and redemption, ending with a summary. Any step that does not do what it claims
 * throws, and the job exits non-zero.
 */
import hre from "hardhat";
import { runLifecycle } from "./lib/lifecycle/run";
import { LifecycleCheckError } from "./lib/lifecycle/checks";

async function main(): Promise<void> {
  const started = Date.now();
  await runLifecycle(hre, { log: (line) => console.log(line) });
  console.log(`\nlifecycle complete in ${((Date.now() - started) / 1000).toFixed(1)} s: every step checked`);
}

main().catch((error: unknown) => {
  if (error instanceof LifecycleCheckError) console.error(`\nmain job failed a check: ${error.message}`);
  else console.error("\nmain job failed:", error);
  process.exitCode = 1;
});
