/**
 * `npm run devnet`: a local market that stays alive. Starts a node on 127.0.0.1:$DEVNET_PORT (8545), deploys
 * config/local.json to it (record $DEVNET_RECORD, deployments/localhost.json), seeds series and positions at several
 * leverages, and moves the mock feeds along a seeded path until stopped (Ctrl-C), then stops the node and everything
 * it spawned. Options: scripts/lib/devnet/options.ts and the README.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { DevnetOptionsError, devnetOptions } from "./lib/devnet/options";
import {
  HARDHAT_BIN,
  launch,
  portInUse,
  runHardhat,
  startNode,
  stopGroup,
  type LocalNode,
} from "./lib/node/localNode";

const DEPLOY_TIMEOUT_MS = 600_000;
const log = (line: string): void => console.log(`devnet: ${line}`);

function forward(child: ChildProcess): void {
  const relay = (sink: NodeJS.WriteStream) => (chunk: Buffer) => sink.write(chunk);
  child.stdout?.on("data", relay(process.stdout));
  child.stderr?.on("data", relay(process.stderr));
}

async function main(): Promise<number> {
  const options = devnetOptions(process.env);
  const url = `http://127.0.0.1:${options.port}`;
  if (await portInUse(options.port)) {
    throw new DevnetOptionsError(
      `a node already answers on ${url} (the port is in use): stop it or set DEVNET_PORT to another port`,
    );
  }
  let node: LocalNode | undefined;
  let market: ChildProcess | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (market !== undefined) await stopGroup(market);
    if (node !== undefined) await node.stop();
    log("stopped (node and market)");
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  try {
    log(`starting ${options.node === "hardhat" ? "npx hardhat node" : "anvil"} on ${url}`);
    node = await startNode(options.node, 90_000, options.port);
    // A fresh chain: the Ignition journal of an earlier devnet on this port describes contracts that no longer exist.
    const deploymentId = `devnet-${options.port}`;
    rmSync(join("ignition", "deployments", deploymentId), { recursive: true, force: true });
    const env = {
      E2E_RPC_URL: url,
      DEPLOY_CONFIG: "config/local.json",
      DEPLOY_RECORD: options.record,
      DEPLOYMENT_ID: deploymentId,
    };
    const deployed = await runHardhat(
      ["run", "scripts/deploy.ts", "--network", "e2e"],
      env,
      DEPLOY_TIMEOUT_MS,
    );
    process.stdout.write(deployed.stdout);
    if (deployed.code !== 0) {
      process.stderr.write(deployed.stderr);
      throw new Error(
        `the deployment failed (exit ${deployed.code}${deployed.timedOut ? ", timed out" : ""})`,
      );
    }
    log(`deployed; record ${options.record}; RPC ${url} (chain id 31337)`);
    market = launch(HARDHAT_BIN, ["run", "scripts/devnet/market.ts", "--network", "e2e"], {
      ...env,
      DEVNET_RECORD: options.record,
    });
    forward(market);
    const code = await new Promise<number | null>((resolve) => market?.once("exit", (c) => resolve(c)));
    // Stopped by a signal: a clean stop. Ended on its own: its exit code.
    const stoppedByUs = stopping;
    await stop();
    return stoppedByUs ? 0 : (code ?? 1);
  } catch (error) {
    await stop();
    throw error;
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(`devnet: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
