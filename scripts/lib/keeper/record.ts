/**
 * The operator scripts' view of a deployment: read `deployments/<network>.json` (or a given path), check that it
 * belongs to the connected chain, and bind every contract the operators use with its TypeChain factory.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ContractRunner, Provider } from "ethers";
import {
  CircuitBreaker__factory,
  InsuranceVault__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  ProtocolTimelock__factory,
  type CircuitBreaker,
  type InsuranceVault,
  type OptionsClearing,
  type OracleAggregator,
  type ProtocolAccessManager,
  type ProtocolTimelock,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../deploy/suite";

/** A failure an operator can act on (no record, wrong chain, unreachable RPC, no suitable signer, ...). */
export class OperatorError extends Error {
  override name = "OperatorError";
}

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

/** Typed bindings of the contracts operators use. */
export interface Protocol {
  record: DeploymentRecord;
  clearing: OptionsClearing;
  oracle: OracleAggregator;
  breaker: CircuitBreaker;
  insurance: InsuranceVault;
  manager: ProtocolAccessManager;
  timelock: ProtocolTimelock;
  /** Symbol of a token address (lower case), for logs. */
  symbolOf(token: string): string;
}

export function bindProtocol(record: DeploymentRecord, runner: ContractRunner): Protocol {
  const c = record.contracts;
  const symbols = new Map(
    Object.entries(record.tokens).map(([symbol, token]) => [token.toLowerCase(), symbol]),
  );
  return {
    record,
    clearing: OptionsClearing__factory.connect(c.OptionsClearing, runner),
    oracle: OracleAggregator__factory.connect(c.OracleAggregator, runner),
    breaker: CircuitBreaker__factory.connect(c.CircuitBreaker, runner),
    insurance: InsuranceVault__factory.connect(c.InsuranceVault, runner),
    manager: ProtocolAccessManager__factory.connect(c.ProtocolAccessManager, runner),
    timelock: ProtocolTimelock__factory.connect(c.ProtocolTimelock, runner),
    symbolOf: (token) => symbols.get(token.toLowerCase()) ?? token,
  };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Reach the RPC and check that the record belongs to its chain and that the clearing contract has code there.
 * Throws an OperatorError naming the network and its URL otherwise.
 */
export async function connectChecked(
  provider: Provider,
  record: DeploymentRecord,
  where: { network: string; url: string },
): Promise<{ chainId: number; blockNumber: number }> {
  let chainId: number;
  let blockNumber: number;
  try {
    chainId = Number((await provider.getNetwork()).chainId);
    blockNumber = await provider.getBlockNumber();
  } catch (error) {
    throw new OperatorError(
      `cannot reach the RPC of network '${where.network}' at ${where.url}: ${errorText(error)}`,
    );
  }
  if (record.chainId !== chainId) {
    throw new OperatorError(
      `the deployment record is for chain ${record.chainId}, but network '${where.network}' is chain ${chainId}`,
    );
  }
  if ((await provider.getCode(record.contracts.OptionsClearing)) === "0x") {
    throw new OperatorError(
      `OptionsClearing ${record.contracts.OptionsClearing} of the record has no code on network '${where.network}' (a restarted development node? re-deploy)`,
    );
  }
  return { chainId, blockNumber };
}
