/**
 * Act 1: deploy config/local.json through the real deploy path (Ignition, roles handed to the timelock), with the
 * order book's matcher (development account #11) added to the exchange's executors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deploySuite } from "../../deploy/suite";
import type { DeploymentRecord } from "../../../../src/deployment";
import { matcherWallet, withMatcher } from "../book";
import { check } from "../checks";
import { lifecycleContext, type LifecycleContext } from "../context";
import { usd, type Narrator } from "../narrator";
import { SCENARIO } from "../scenario";

/** config/local.json logs 14 lines (network, mocks, Ignition, prices, record): one progress bar per line. */
const EXPECTED_DEPLOY_LINES = 14;

export async function deployAct(
  hre: HardhatRuntimeEnvironment,
  n: Narrator,
  configPath: string | undefined,
): Promise<LifecycleContext> {
  n.step(`Deploy the suite on '${hre.network.name}' from ${configPath ?? "config/local.json"}`);
  const dir = mkdtempSync(join(tmpdir(), "optiq-lifecycle-"));
  let record: DeploymentRecord;
  const matcher = matcherWallet(hre).address;
  try {
    let lines = 0;
    let lastLine = "starting";
    // A tick every few seconds while Ignition works.
    const started = Date.now();
    const ticker = setInterval(
      () =>
        n.progress(
          "deploying",
          lines,
          EXPECTED_DEPLOY_LINES,
          `${Math.round((Date.now() - started) / 1000)} s: ${lastLine}`,
        ),
      3_000,
    );
    try {
      record = await deploySuite(hre, {
        configPath: withMatcher(configPath ?? "config/local.json", dir, matcher),
        recordPath: join(dir, "record.json"),
        deploymentId: `lifecycle-${Date.now()}-${process.pid}`,
        log: (line) => {
          lines = Math.min(lines + 1, EXPECTED_DEPLOY_LINES - 1);
          lastLine = line;
          n.progress("deploying", lines, EXPECTED_DEPLOY_LINES, line);
        },
      });
    } finally {
      clearInterval(ticker);
    }
    n.progress("deployed", 1, 1, `${Object.keys(record.contracts).length} contracts`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, address] of Object.entries(record.contracts)) n.line(`${name.padEnd(28)} ${address}`);

  n.line(`the order book's matcher ${matcher} (account #11) is the exchange's executor`);

  const ctx = await lifecycleContext(hre, n, record);
  const [spot] = await ctx.oracle.getPrice(ctx.wethAddress);
  check(
    spot === SCENARIO.spotWad,
    `the oracle serves WETH at ${usd(spot)}, the config says ${usd(SCENARIO.spotWad)}`,
  );
  n.line(
    `WETH oracle median ${usd(spot)} USDC; breaker scopes tripped: ${await ctx.breaker.trippedScopeCount()}`,
  );
  return ctx;
}
