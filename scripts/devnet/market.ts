/**
 * The devnet's market, run by scripts/devnet.ts against its node (`hardhat run --network e2e`): seed the opening
 * book on the fresh deployment, then move the feeds every DEVNET_TICK_MS until stopped (or DEVNET_TICKS moves).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import hre from "hardhat";
import { devnetOptions } from "../lib/devnet/options";
import { seedMarket } from "../lib/devnet/seed";
import { formatTick, priceDocument, Ticker } from "../lib/devnet/ticker";
import { bindProtocol } from "../lib/operator/protocol";
import { readDeploymentRecord } from "../lib/operator/record";

const log = (line: string): void => console.log(`market: ${line}`);

async function main(): Promise<void> {
  const options = devnetOptions(process.env);
  const record = readDeploymentRecord(options.record);
  const signers = await hre.ethers.getSigners();
  const p = bindProtocol(record, signers[0]);
  const book = await seedMarket(p, signers, log);
  for (const w of book.writers) {
    const h = await p.clearing.health(w.accountId);
    const usePercent = h.collateralValueWad === 0n ? 0n : (h.initialWad * 100n) / h.collateralValueWad;
    log(`${w.name} (account ${w.accountId}): initial margin uses ${usePercent}% of its collateral value`);
  }
  const ticker = new Ticker(p, signers[0], options.seed, options.volPerTickBps);
  log(
    `ready: ${book.series.length} series, ${book.writers.length} writers; moving ${ticker.symbols.join(", ")} ` +
      `every ${options.tickMs} ms (seed ${options.seed}, ${options.volPerTickBps} bps a move); ` +
      `each move's prices go to ${options.prices} (REPORTER_PRICES)`,
  );
  mkdirSync(dirname(options.prices), { recursive: true });
  let stopping = false;
  process.once("SIGTERM", () => (stopping = true));
  process.once("SIGINT", () => (stopping = true));
  while (!stopping && (options.ticks === 0 || ticker.count < options.ticks)) {
    await new Promise((resolve) => setTimeout(resolve, options.tickMs));
    if (stopping) break;
    const tick = await ticker.tick();
    // Written whole, then renamed: a reporter never reads half a document.
    writeFileSync(`${options.prices}.tmp`, priceDocument(tick));
    renameSync(`${options.prices}.tmp`, options.prices);
    log(formatTick(tick, "USDC"));
  }
  log("stopped");
}

main().catch((error: unknown) => {
  console.error(`market: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
