/** Reaching a deployment's chain: the network's URL for messages, and a check that the record belongs to it. */
import type { HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";
import type { Provider } from "ethers";
import type { DeploymentRecord } from "../../../src/deployment";
import { OperatorError } from "./errors";

/** The URL of the network, for error messages. */
export function networkUrl(hre: HardhatRuntimeEnvironment): string {
  return "url" in hre.network.config ? (hre.network.config as HttpNetworkConfig).url : "in-process";
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
