/**
 * Owners' signatures of a message for a Safe's ERC-1271 `isValidSignature` (CompatibilityFallbackHandler v1.4.1):
 * each owner signs the EIP-712 `SafeMessage(bytes message)` under the Safe's domain, where the message of a 32-byte
 * digest (an order hash) is the digest itself; the owners' signatures are packed as for a transaction.
 */
import { TypedDataEncoder, getAddress, recoverAddress, Signature, type Signer } from "ethers";
import { safeDomain } from "./transaction";
import { SafeSignatureError, type OwnerSignature } from "./signatures";

export const SAFE_MESSAGE_TYPES = { SafeMessage: [{ name: "message", type: "bytes" }] };

/** The hash the Safe's owners sign for `message` (the handler's `getMessageHashForSafe`). */
export function safeMessageHash(chainId: bigint, safe: string, message: string): string {
  return TypedDataEncoder.hash(safeDomain(chainId, safe), SAFE_MESSAGE_TYPES, { message });
}

/** `signer` signs `message` for the Safe at `safe` on chain `chainId` (EIP-712, no eth_sign prefix). */
export async function signSafeMessage(
  signer: Signer,
  chainId: bigint,
  safe: string,
  message: string,
): Promise<OwnerSignature> {
  const raw = await signer.signTypedData(safeDomain(chainId, safe), SAFE_MESSAGE_TYPES, { message });
  const data = Signature.from(raw).serialized;
  const address = getAddress(await signer.getAddress());
  const recovered = recoverAddress(safeMessageHash(chainId, safe, message), data);
  if (recovered !== address) {
    throw new SafeSignatureError(`the signer ${address} returned a signature that recovers to ${recovered}`);
  }
  return { signer: address, data };
}
