/**
 * Checking owners' signatures against a Safe as deployed (owners, threshold, nonce) and submitting
 * `execTransaction` once the threshold is met. Any account may submit: the signatures carry the authority.
 */
import { getAddress, type ContractTransactionResponse, type Signer } from "ethers";
import type { SafeL2 } from "../../../typechain-types/safe";
import {
  packSignatures,
  recoverSigner,
  SafeSignatureError,
  signSafeTx,
  type OwnerSignature,
} from "./signatures";
import { safeCall, safeTxHash, type SafeTx } from "./transaction";

export interface SafeState {
  address: string;
  chainId: bigint;
  owners: string[];
  threshold: bigint;
  nonce: bigint;
}

export async function safeState(safe: SafeL2): Promise<SafeState> {
  const runner = safe.runner;
  const network = await runner?.provider?.getNetwork();
  if (network === undefined) throw new Error("the Safe binding has no provider");
  return {
    address: getAddress(await safe.getAddress()),
    chainId: network.chainId,
    owners: (await safe.getOwners()).map((o) => getAddress(o)),
    threshold: await safe.getThreshold(),
    nonce: await safe.nonce(),
  };
}

/**
 * Check that `signature` is an owner's signature of `tx` for this Safe, chain and nonce: it must recover to its
 * stated signer, who must be an owner. A signature made for another nonce, chain or Safe recovers to some other
 * address and is refused here, naming the hash it was checked against.
 */
export function checkOwnerSignature(state: SafeState, tx: SafeTx, signature: OwnerSignature): string {
  const hash = safeTxHash(state.chainId, state.address, tx);
  const recovered = recoverSigner(hash, signature.data);
  if (recovered !== getAddress(signature.signer)) {
    throw new SafeSignatureError(
      `the signature attributed to ${signature.signer} recovers to ${recovered} over safeTxHash ${hash} ` +
        `(Safe ${state.address}, chain ${state.chainId}, nonce ${tx.nonce}): it was made for another transaction, nonce, chain or Safe`,
    );
  }
  if (!state.owners.includes(recovered)) {
    throw new SafeSignatureError(`${recovered} is not an owner of the Safe ${state.address}`);
  }
  return recovered;
}

/** The distinct owners whose valid signatures `signatures` holds, each checked by `checkOwnerSignature`. */
export function signingOwners(state: SafeState, tx: SafeTx, signatures: readonly OwnerSignature[]): string[] {
  const owners = new Set<string>();
  for (const s of signatures) owners.add(checkOwnerSignature(state, tx, s));
  return [...owners];
}

/** Submit `tx` with the owners' signatures once they meet the threshold at the Safe's current nonce. */
export async function executeSafeTx(
  safe: SafeL2,
  sender: Signer,
  tx: SafeTx,
  signatures: readonly OwnerSignature[],
): Promise<{ hash: string; txHash: string }> {
  const state = await safeState(safe);
  if (tx.nonce !== state.nonce) {
    throw new SafeSignatureError(
      `the transaction is for nonce ${tx.nonce}, but the Safe ${state.address} is at nonce ${state.nonce}`,
    );
  }
  const owners = signingOwners(state, tx, signatures);
  if (BigInt(owners.length) < state.threshold) {
    throw new SafeSignatureError(
      `${owners.length} owner signature(s) of ${state.threshold} required by the Safe ${state.address}`,
    );
  }
  const response = await execTransaction(safe, sender, tx, signatures);
  const receipt = await response.wait();
  if (receipt === null) throw new Error("execTransaction was not mined");
  // With safeTxGas and gasPrice 0 a failing inner call reverts the whole transaction (GS013); the event confirms it.
  const success = receipt.logs.some(
    (log) => log.address === state.address && safe.interface.parseLog(log)?.name === "ExecutionSuccess",
  );
  if (!success) throw new Error(`execTransaction ${receipt.hash} did not execute the Safe transaction`);
  return { hash: safeTxHash(state.chainId, state.address, tx), txHash: receipt.hash };
}

/**
 * The owners in `owners` sign a call of the Safe to `to` with `data` at its current nonce, and `sender` submits it
 * (the response, not awaited): for local tools and tests that hold enough owners' keys.
 */
export async function sendAsSafe(
  safe: SafeL2,
  owners: readonly Signer[],
  sender: Signer,
  to: string,
  data: string,
): Promise<ContractTransactionResponse> {
  const state = await safeState(safe);
  const tx = safeCall(to, data, state.nonce);
  const signatures = await Promise.all(owners.map((o) => signSafeTx(o, state.chainId, state.address, tx)));
  const signed = signingOwners(state, tx, signatures);
  if (BigInt(signed.length) < state.threshold) {
    throw new SafeSignatureError(
      `${signed.length} owner signature(s) of ${state.threshold} required by the Safe ${state.address}`,
    );
  }
  return execTransaction(safe, sender, tx, signatures);
}

/** `execTransaction`'s arguments for `tx` with the packed `signatures`, in the contract's order. */
export function execArgs(tx: SafeTx, signatures: string) {
  return [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    signatures,
  ] as const;
}

/** `execTransaction` of `tx` with the signatures packed as the Safe requires (sorted, one per owner). */
function execTransaction(
  safe: SafeL2,
  sender: Signer,
  tx: SafeTx,
  signatures: readonly OwnerSignature[],
): Promise<ContractTransactionResponse> {
  return safe.connect(sender).execTransaction(...execArgs(tx, packSignatures(signatures)));
}
