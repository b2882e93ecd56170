/**
 * The deploy step's on-chain checks of the governance section, and its part of the deployment record. The config
 * alone cannot tell a contract from a key: on any chain but a development one every proposer must have code (a
 * multisig, never a single key), and an existing governance Safe must answer as a Safe.
 */
import { getAddress, type Provider } from "ethers";
import type { DeployConfig } from "../config";
import type { GovernanceRecord } from "../../../src/deployment";
import { SafeL2__factory } from "../../../typechain-types/safe";

/**
 * Problems of the governance section on chain `chainId`, each "governance.<path>: ..." (none: empty). On a
 * development chain (`devChain`) a development account may propose.
 */
export async function governancePreflight(
  provider: Provider,
  config: DeployConfig,
  chainId: number,
  devChain: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  const g = config.governance;
  const hasCode = async (address: string): Promise<boolean> => (await provider.getCode(address)) !== "0x";
  if (!devChain) {
    for (const [i, proposer] of g.proposers.entries()) {
      if (!(await hasCode(proposer))) {
        problems.push(
          `governance.proposers[${i}]: ${proposer} has no code on chain ${chainId}; outside development chains a ` +
            "proposer must be a contract (a multisig such as a Safe), never a single key",
        );
      }
    }
  }
  if (g.safe?.kind === "existing") {
    const address = g.safe.address;
    if (!(await hasCode(address))) {
      problems.push(`governance.safe.address: no contract at ${address} on chain ${chainId}`);
    } else {
      const safe = SafeL2__factory.connect(address, provider);
      const threshold = await safe.getThreshold().catch(() => undefined);
      const owners = await safe.getOwners().catch(() => undefined);
      // A singleton or any other contract: no owners, or no answer at all.
      if (
        threshold === undefined ||
        owners === undefined ||
        threshold === 0n ||
        BigInt(owners.length) < threshold
      ) {
        problems.push(
          `governance.safe.address: ${address} is not a set-up Safe (getOwners() and getThreshold() give no usable multisig)`,
        );
      }
    }
  }
  return problems;
}

/** The record's governance part, read from the chain: the timelock's proposers and the Safe's owners and threshold. */
export async function governanceRecord(
  provider: Provider,
  config: DeployConfig,
  contracts: Record<string, string>,
): Promise<GovernanceRecord> {
  const address = contracts.GovernanceSafe;
  if (address === undefined) return { proposers: config.governance.proposers };
  const safe = SafeL2__factory.connect(address, provider);
  return {
    safe: {
      address: getAddress(address),
      owners: (await safe.getOwners()).map((o) => getAddress(o)),
      threshold: Number(await safe.getThreshold()),
      created: config.governance.safe?.kind === "create",
    },
    proposers: [getAddress(address), ...config.governance.proposers],
  };
}
