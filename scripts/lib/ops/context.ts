/** What every operator task starts with: the record of the network, a reachable RPC, typed bindings. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { bindProtocol, type Protocol } from "../operator/protocol";
import { connectChecked } from "../operator/connection";
import { readDeploymentRecord, recordPathFor } from "../operator/record";
import { networkUrl } from "../operator/connection";

export async function loadProtocol(hre: HardhatRuntimeEnvironment, recordFlag?: string): Promise<Protocol> {
  const record = readDeploymentRecord(recordPathFor(hre.network.name, recordFlag));
  await connectChecked(hre.ethers.provider, record, { network: hre.network.name, url: networkUrl(hre) });
  return bindProtocol(record, hre.ethers.provider);
}

/** JSON with big integers as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
