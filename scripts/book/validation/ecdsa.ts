/**
 * The signer of an EOA signature under the exchange's rules (OpenZeppelin's ECDSA.tryRecover): 65 bytes r ‖ s ‖ v,
 * v 27 or 28, s in the lower half of the order, r and s not zero. A signature the exchange would refuse recovers to
 * null here, whatever another library would make of it (ethers also takes v 0 or 1, for one).
 *
 * The curve arithmetic runs in libsecp256k1 when the `secp256k1` package's prebuilt binary loads (about 0.1 ms a
 * recovery on this machine) and in ethers' JavaScript (noble, about 2 ms) otherwise; `ECDSA_BACKEND` says which.
 */
import { SigningKey } from "ethers";
import { keccak256Fast } from "./keccak";

/** The order of secp256k1's group, and half of it (the largest s the exchange takes). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;
const SIGNATURE_HEX = /^0x[0-9a-fA-F]{130}$/;

/** The uncompressed public key (65 bytes) that signed `digest` with r ‖ s (64 bytes) and the recovery id (0 or 1). */
export type RecoverPublicKey = (digest: Uint8Array, rs: Uint8Array, recoveryId: number) => Uint8Array;

interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

/** libsecp256k1 through the package's prebuilt addon only: its JavaScript fallback (elliptic) is not wanted here. */
function loadNative(): RecoverPublicKey | undefined {
  try {
    const native = require("secp256k1/bindings") as NativeSecp256k1;
    return (digest, rs, recoveryId) => native.ecdsaRecover(rs, recoveryId, digest, false);
  } catch {
    return undefined;
  }
}

/** The recovery in JavaScript (ethers, on noble's curve). */
export function javascriptRecover(digest: Uint8Array, rs: Uint8Array, recoveryId: number): Uint8Array {
  const hex = Buffer.from(rs).toString("hex");
  const signature = { r: `0x${hex.slice(0, 64)}`, s: `0x${hex.slice(64)}`, v: 27 + recoveryId };
  return Buffer.from(SigningKey.recoverPublicKey(digest, signature).slice(2), "hex");
}

/** The recovery in libsecp256k1, when its addon loads. */
export const nativeRecover: RecoverPublicKey | undefined = loadNative();

/** Which implementation recovers signers in this process. */
export const ECDSA_BACKEND: "libsecp256k1 (native)" | "noble (JavaScript)" =
  nativeRecover !== undefined ? "libsecp256k1 (native)" : "noble (JavaScript)";

/**
 * The address (lower case) that signed `digest` (0x + 64 hex) with `signature`, or null if the exchange would refuse
 * it.
 */
export function recoverSigner(
  digest: string,
  signature: string,
  recoverPublicKey: RecoverPublicKey = nativeRecover ?? javascriptRecover,
): string | null {
  if (!SIGNATURE_HEX.test(signature)) return null;
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return null;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s > HALF_N) return null;
  let publicKey: Uint8Array;
  try {
    publicKey = recoverPublicKey(
      Buffer.from(digest.slice(2), "hex"),
      Buffer.from(signature.slice(2, 130), "hex"),
      v - 27,
    );
  } catch {
    // No point on the curve has this r: nobody signed it.
    return null;
  }
  // The address is the last 20 bytes of keccak256 of the uncompressed key without its 0x04 prefix.
  return `0x${keccak256Fast(publicKey.subarray(1)).slice(26)}`;
}
