/**
 * The price reporter: signs prices with the reporter key(s) (EIP-712) and relays them to the SignedReportSource of
 * each asset. One JSON line per decision.
 *
 *   REPORTER_PRICES=prices.json REPORTER_PRIVATE_KEY=0x... REPORTER_ONCE=1 \
 *     npx hardhat run scripts/reporter.ts --network <name>          (npm run reporter -- --network <name>)
 *
 * Environment: REPORTER_PRICES (a JSON file or an http(s) URL: {"observedAt": <unix s>, "prices": {"WETH":
 * "2001.5"}} or just {"WETH": "2001.5"}), REPORTER_PRIVATE_KEY (comma-separated keys; each signs) or REPORTER_SIGNERS
 * (indexes of the network's accounts), REPORTER_RELAYER (index of the account that sends, 0), REPORTER_RECORD
 * (default deployments/<network>.json), REPORTER_SOURCES (JSON symbol -> SignedReportSource, for sources the
 * aggregator does not list yet), REPORTER_ONCE=1, REPORTER_INTERVAL (seconds, 60), REPORTER_DRY_RUN=1,
 * REPORTER_POKE=1 (poke the aggregator after each relay). Exit status 1 on an error or a failed report.
 */
import hre from "hardhat";
import { reporterCommandFromEnv, runReporterCommand } from "./lib/reporter/cli";
import { OperatorError } from "./lib/operator/errors";

async function main(): Promise<void> {
  const command = reporterCommandFromEnv(process.env);
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
  const summary = await runReporterCommand(hre, command, { signal: controller.signal });
  if (summary !== undefined && summary.failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof OperatorError) console.error(`reporter failed: ${error.message}`);
  else console.error("reporter failed:", error);
  process.exitCode = 1;
});
