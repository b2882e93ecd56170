/**
 * The keeper: liquidates accounts below maintenance and settles expired series. One JSON line per decision.
 *
 *   KEEPER_ONCE=1 npx hardhat run scripts/keeper.ts --network <name>      (npm run keeper -- --network <name>)
 *
 * Environment (all optional): KEEPER_RECORD (default deployments/<network>.json), KEEPER_ONCE=1 (one pass, else a
 * loop), KEEPER_INTERVAL (seconds between passes, 30), KEEPER_DRY_RUN=1 (send nothing), KEEPER_SIGNER (index of the
 * network's accounts, 0) or KEEPER_PRIVATE_KEY, KEEPER_ACCOUNT_ID (the keeper's clearing account; default the
 * first its signer opened), KEEPER_MAX_FRACTION (1 = 100%), KEEPER_MIN_PROFIT_BPS (50), KEEPER_MIN_PROFIT (quote
 * units, 0), KEEPER_VALUATION_TOLERANCE_BPS (10), KEEPER_GAS_ASSET (WETH if deployed; none), KEEPER_DEADLINE
 * (seconds, 300), KEEPER_BLOCK_RANGE (2000), KEEPER_SETTLE=0 (no settlement). The same as flags: `npx hardhat keeper
 * --help`.
 * Exit status: 0 after a clean pass (skips included), 1 on an error or a failed action. See docs/operations.md.
 */
import hre from "hardhat";
import { keeperCommandFromEnv, runKeeperCommand } from "./lib/keeper/cli";
import { OperatorError } from "./lib/operator/errors";

async function main(): Promise<void> {
  const command = keeperCommandFromEnv(process.env);
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
  const run = await runKeeperCommand(hre, command, { signal: controller.signal });
  if (run.summary !== undefined && run.summary.failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof OperatorError) console.error(`keeper failed: ${error.message}`);
  else console.error("keeper failed:", error);
  process.exitCode = 1;
});
