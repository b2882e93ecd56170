/**
 * The signers operator scripts act with: an account of the network (by index) or a private key, and the first
 * account holding a given role (guardian, timelock proposer or executor).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Wallet, ZeroAddress, type Signer } from "ethers";
import { Roles } from "../roles";
import { OperatorError } from "./errors";
import type { Protocol } from "./protocol";

/** The signer at `index` of the network's accounts, or a wallet of `privateKey`; the RPC must be reachable. */
export async function operatorSigner(
  hre: HardhatRuntimeEnvironment,
  index: number,
  privateKey?: string,
): Promise<Signer> {
  if (privateKey !== undefined) {
    try {
      return new Wallet(privateKey, hre.ethers.provider);
    } catch {
      throw new OperatorError("the private key is not a valid 32-byte hex key");
    }
  }
  const signers = await hre.ethers.getSigners();
  if (index >= signers.length) {
    throw new OperatorError(
      `network '${hre.network.name}' has ${signers.length} account(s); there is no account #${index}`,
    );
  }
  return signers[index];
}

/** The first of `signers` (or the one at `from`) for which `holds` is true. */
export async function signerWith(
  signers: readonly Signer[],
  holds: (address: string) => Promise<boolean>,
  what: string,
  from?: string,
): Promise<Signer> {
  for (const signer of signers) {
    const address = await signer.getAddress();
    if (from !== undefined && address.toLowerCase() !== from.toLowerCase()) continue;
    if (await holds(address)) return signer;
    if (from !== undefined) throw new OperatorError(`${address} is not ${what}`);
  }
  throw new OperatorError(
    from !== undefined
      ? `${from} is not an account of this network`
      : `none of this network's ${signers.length} account(s) is ${what}`,
  );
}

export async function guardianSigner(
  p: Protocol,
  signers: readonly Signer[],
  from?: string,
): Promise<Signer> {
  return signerWith(
    signers,
    async (a) => (await p.manager.hasRole(Roles.GUARDIAN_ROLE, a))[0],
    "a guardian (GUARDIAN_ROLE)",
    from,
  );
}

export async function proposerSigner(
  p: Protocol,
  signers: readonly Signer[],
  from?: string,
): Promise<Signer> {
  const role = await p.timelock.PROPOSER_ROLE();
  return signerWith(signers, (a) => p.timelock.hasRole(role, a), "a timelock proposer (PROPOSER_ROLE)", from);
}

export async function executorSigner(
  p: Protocol,
  signers: readonly Signer[],
  from?: string,
): Promise<Signer> {
  const role = await p.timelock.EXECUTOR_ROLE();
  const open = await p.timelock.hasRole(role, ZeroAddress);
  return signerWith(
    signers,
    async (a) => open || (await p.timelock.hasRole(role, a)),
    "a timelock executor (EXECUTOR_ROLE)",
    from,
  );
}
