/** The operator scripts' deployment record: `deployments/<network>.json` (or a given path), read and checked. */
import { existsSync, readFileSync } from "node:fs";
import type { DeploymentRecord } from "../../../src/deployment";
import { OperatorError } from "./errors";

/** The record path: an explicit one, else `deployments/<network>.json`. */
export function recordPathFor(network: string, explicit?: string): string {
  return explicit !== undefined && explicit !== "" ? explicit : `deployments/${network}.json`;
}

/** Read and check the shape of a deployment record. */
export function readDeploymentRecord(path: string): DeploymentRecord {
  if (!existsSync(path)) {
    throw new OperatorError(
      `no deployment record at ${path}: deploy first (npx hardhat run scripts/deploy.ts --network <name>) or give the record's path`,
    );
  }
  let record: DeploymentRecord;
  try {
    record = JSON.parse(readFileSync(path, "utf8")) as DeploymentRecord;
  } catch (error) {
    throw new OperatorError(`cannot read the deployment record ${path}: ${(error as Error).message}`);
  }
  for (const name of ["OptionsClearing", "OracleAggregator", "CircuitBreaker", "ProtocolTimelock"]) {
    if (typeof record.contracts?.[name] !== "string") {
      throw new OperatorError(`the deployment record ${path} has no ${name}`);
    }
  }
  if (record.complete === false) {
    throw new OperatorError(`the deployment record ${path} is incomplete: re-run the deploy script first`);
  }
  return record;
}
