/**
 * Deploy the whole suite from a per-network config and write its deployment record.
 *
 *   npx hardhat run scripts/deploy.ts --network <name>      (npm run deploy -- --network <name>)
 *
 * Config: $DEPLOY_CONFIG, else config/<network>.json, else config/local.json on the development networks
 * (hardhat, localhost, e2e). Record: $DEPLOY_RECORD, else deployments/<network>.json. Ignition deployment id:
 * $DEPLOYMENT_ID, else the network name. See docs/deployment.md.
 */
import { existsSync } from "node:fs";
import hre from "hardhat";
import { ConfigError } from "./lib/config";
import { DeployError, deploySuite } from "./lib/deploy/suite";

const DEV_NETWORKS = ["hardhat", "localhost", "e2e"];

function configPathFor(network: string): string {
  const fromEnv = process.env.DEPLOY_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const own = `config/${network}.json`;
  if (existsSync(own)) return own;
  if (DEV_NETWORKS.includes(network)) return "config/local.json";
  throw new DeployError(
    `no config for network '${network}': create ${own} (see config/example-mainnet.json) or set DEPLOY_CONFIG`,
  );
}

async function main(): Promise<void> {
  const network = hre.network.name;
  const configPath = configPathFor(network);
  const record = await deploySuite(hre, {
    configPath,
    recordPath: process.env.DEPLOY_RECORD || `deployments/${network}.json`,
    deploymentId: process.env.DEPLOYMENT_ID || network,
    log: (line) => console.log(`deploy: ${line}`),
    ui: process.env.DEPLOY_UI === "1",
  });
  console.log(`deploy: done, OptionsClearing at ${record.contracts.OptionsClearing}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DeployError)
    console.error(`deploy failed: ${error.message}`);
  else console.error("deploy failed:", error);
  process.exitCode = 1;
});
