/**
 * The Safe transaction (`SafeTx`) as Safe v1.4.1 hashes it for EIP-712: its type, its domain (chain id and the Safe's
 * address, no name or version) and its hash, the `safeTxHash` every owner signs.
 */
import { getAddress, TypedDataEncoder, ZeroAddress } from "ethers";

/** `Enum.Operation` of the Safe: a plain call or a delegate call. The governance only ever sends calls. */
export const SafeOperation = { Call: 0, DelegateCall: 1 } as const;

export interface SafeTx {
  to: string;
  value: bigint;
  data: string;
  operation: number;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: string;
  refundReceiver: string;
  nonce: bigint;
}

/** The EIP-712 type of a Safe transaction, as `SAFE_TX_TYPEHASH` of Safe v1.4.1 defines it. */
export const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

/** The Safe's EIP-712 domain: `EIP712Domain(uint256 chainId,address verifyingContract)`. */
export function safeDomain(chainId: bigint, safe: string): { chainId: bigint; verifyingContract: string } {
  return { chainId, verifyingContract: getAddress(safe) };
}

/** A call from the Safe with no refund: what the governance proposes. */
export function safeCall(to: string, data: string, nonce: bigint, value = 0n): SafeTx {
  return {
    to: getAddress(to),
    value,
    data,
    operation: SafeOperation.Call,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: ZeroAddress,
    refundReceiver: ZeroAddress,
    nonce,
  };
}

/** The EIP-712 digest owners sign for `tx` on the Safe at `safe` of chain `chainId`. */
export function safeTxHash(chainId: bigint, safe: string, tx: SafeTx): string {
  return TypedDataEncoder.hash(safeDomain(chainId, safe), SAFE_TX_TYPES, tx);
}
