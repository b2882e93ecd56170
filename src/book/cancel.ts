/**
 * The order book's soft-cancel message: an EIP-712 `Cancel(bytes32 orderHash,uint64 deadline)` signed by the order's
 * owner or signer under the book's own domain (bound to the chain and the exchange the book serves), so a signature
 * for one book is worthless to another and never valid as an order.
 */
import { ethers } from "ethers";
import type { Signer, TypedDataDomain } from "ethers";

export interface CancelMessage {
  orderHash: string;
  /** Unix time after which the message is refused. */
  deadline: bigint;
}

export const CANCEL_TYPES: Record<string, Array<{ name: string; type: string }>> = {
  Cancel: [
    { name: "orderHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The book's EIP-712 domain: not the exchange's (a cancel must never verify as an order). */
export function bookDomain(exchange: string, chainId: bigint): TypedDataDomain {
  return { name: "optiq OrderBook", version: "1", chainId, verifyingContract: exchange };
}

export function signCancel(signer: Signer, domain: TypedDataDomain, message: CancelMessage): Promise<string> {
  return signer.signTypedData(domain, CANCEL_TYPES, message);
}

/** The address that signed `message` (ECDSA). */
export function recoverCancel(domain: TypedDataDomain, message: CancelMessage, signature: string): string {
  return ethers.verifyTypedData(domain, CANCEL_TYPES, message, signature);
}
