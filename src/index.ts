/**
 * @optiq/protocol for integrators: the TypeChain bindings (ethers v6) of every contract, their ABIs, and the
 * deployment records shipped in deployments/.
 *
 *   import { OptionsClearing__factory, getDeployment } from "@optiq/protocol";
 *   import clearingAbi from "@optiq/protocol/abi/OptionsClearing.json";
 *   import { buildOrder, signOrder, exchangeDomain, type Order } from "@optiq/protocol";
 *   import { BookClient } from "@optiq/protocol";
 *
 * The package is built by `npm run build:package` (run by `npm pack` through `prepack`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentRecord } from "./deployment";

export * from "../typechain-types";
export type { DeploymentRecord } from "./deployment";
/** Signed orders of OptionsExchange: the Order type, its EIP-712 domain and type, build, sign, hash, validate. */
export * from "./exchange/order";
/** The order digest without ethers' generic EIP-712 encoder: for services that hash every order they receive. */
export * from "./exchange/orderDigest";
/** The order book service's client: post, cancel, read the book, orders and trades, follow the stream. */
export * from "./book";

/** The package's deployments/ folder (next to dist/ in the installed package, or in the repository). */
const DEPLOYMENTS_DIR = [
  join(__dirname, "..", "..", "deployments"),
  join(__dirname, "..", "deployments"),
].find((dir) => existsSync(dir));

/** Names of the deployment records this package ships ("local", and each named network's). */
export function deploymentNames(): string[] {
  if (DEPLOYMENTS_DIR === undefined) return [];
  return readdirSync(DEPLOYMENTS_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/** The deployment record `name` (a network name, or "local"); throws naming the records there are. */
export function getDeployment(name: string): DeploymentRecord {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || !deploymentNames().includes(name)) {
    throw new Error(
      `no deployment record '${name}' in @optiq/protocol (it has: ${deploymentNames().join(", ") || "none"})`,
    );
  }
  return JSON.parse(
    readFileSync(join(DEPLOYMENTS_DIR as string, `${name}.json`), "utf8"),
  ) as DeploymentRecord;
}
