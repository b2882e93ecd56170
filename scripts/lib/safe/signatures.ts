/**
 * Owners' signatures of a Safe transaction: an EIP-712 signature per owner (65 bytes r, s, v with v 27 or 28, which
 * the Safe checks with ecrecover on the safeTxHash), recovered to their signer, and packed as `execTransaction`
 * requires: one per owner, sorted by owner address ascending (the Safe reverts GS026 otherwise).
 */
import { getAddress, recoverAddress, Signature, type Signer } from "ethers";
import { SAFE_TX_TYPES, safeDomain, safeTxHash, type SafeTx } from "./transaction";

export interface OwnerSignature {
  /** The owner who signed (checksummed). */
  signer: string;
  /** 65 bytes: r, s, v. */
  data: string;
}

/** Thrown for a signature that does not belong to the transaction or the Safe it is offered for. */
export class SafeSignatureError extends Error {
  override name = "SafeSignatureError";
}

/** `signer` signs `tx` for the Safe at `safe` on chain `chainId` (EIP-712, no eth_sign prefix). */
export async function signSafeTx(
  signer: Signer,
  chainId: bigint,
  safe: string,
  tx: SafeTx,
): Promise<OwnerSignature> {
  const raw = await signer.signTypedData(safeDomain(chainId, safe), SAFE_TX_TYPES, tx);
  const data = Signature.from(raw).serialized;
  const address = getAddress(await signer.getAddress());
  const recovered = recoverAddress(safeTxHash(chainId, safe, tx), data);
  if (recovered !== address) {
    throw new SafeSignatureError(`the signer ${address} returned a signature that recovers to ${recovered}`);
  }
  return { signer: address, data };
}

/** The address `data` recovers to over `hash`; refuses anything but a 65-byte ECDSA signature with v 27 or 28. */
export function recoverSigner(hash: string, data: string): string {
  if (!/^0x[0-9a-fA-F]{130}$/.test(data)) throw new SafeSignatureError(`${data} is not a 65-byte signature`);
  const v = parseInt(data.slice(130), 16);
  if (v !== 27 && v !== 28) {
    throw new SafeSignatureError(`signature v is ${v}; only EIP-712 signatures (v 27 or 28) are accepted`);
  }
  return getAddress(recoverAddress(hash, data));
}

/**
 * The signatures as `execTransaction` takes them: one per owner (a repeated owner is kept once), sorted by owner
 * address ascending, concatenated.
 */
export function packSignatures(signatures: readonly OwnerSignature[]): string {
  const byOwner = new Map<string, OwnerSignature>();
  for (const s of signatures) {
    const owner = getAddress(s.signer);
    if (!byOwner.has(owner)) byOwner.set(owner, { signer: owner, data: s.data });
  }
  const sorted = [...byOwner.values()].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return `0x${sorted.map((s) => s.data.slice(2)).join("")}`;
}

/** Concatenate signatures in the order given, unsorted and unchecked (to show the Safe's own refusal). */
export function concatSignatures(signatures: readonly OwnerSignature[]): string {
  return `0x${signatures.map((s) => s.data.slice(2)).join("")}`;
}
