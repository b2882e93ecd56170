/**
 * The EIP-712 digest of an order without the generic encoder: the domain separator computed once, the struct's 14
 * words written straight into one buffer and hashed. Equal to `hashOrder` (ethers' TypedDataEncoder) and to the
 * exchange's `hashOrder` for every order (test/unit/exchange/OrderDigest.test.ts), at a fraction of the cost: what a
 * service that hashes every order it is sent wants.
 */
import { TypedDataEncoder, keccak256 } from "ethers";
import type { TypedDataDomain } from "ethers";
import { ORDER_TYPEHASH, type Order } from "./order";

const UINT256_BITS = 256n;
const UINT64_BITS = 64n;
const UINT8_BITS = 8n;
/** The EIP-712 prefix of a digest: "\x19\x01". */
const EIP712_PREFIX_HEX = "1901";
const ADDRESS_HEX = /^0x[0-9a-fA-F]{40}$/;

/** `value` as a 64-digit hex word; throws naming `field` if it does not fit in `bits` bits. */
function uintWord(value: bigint, bits: bigint, field: string): string {
  if (value < 0n || value >> bits !== 0n)
    throw new RangeError(`order.${field}: ${value} is not a uint${bits}`);
  return value.toString(16).padStart(64, "0");
}

/** `address` (20 bytes, any case) as a 64-digit hex word; throws naming `field` otherwise. */
function addressWord(address: string, field: string): string {
  if (!ADDRESS_HEX.test(address)) throw new RangeError(`order.${field}: ${address} is not a 20-byte address`);
  return address.slice(2).toLowerCase().padStart(64, "0");
}

/** The order's 13 fields as EIP-712 words, in the type's order (contracts/types/Order.sol). */
function fieldWords(order: Order): string {
  return (
    uintWord(order.accountId, UINT256_BITS, "accountId") +
    addressWord(order.owner, "owner") +
    addressWord(order.signer, "signer") +
    uintWord(order.seriesId, UINT256_BITS, "seriesId") +
    uintWord(BigInt(order.side), UINT8_BITS, "side") +
    uintWord(order.amount, UINT256_BITS, "amount") +
    uintWord(order.limitPremiumPerContract, UINT256_BITS, "limitPremiumPerContract") +
    uintWord(order.maxFeePerContract, UINT256_BITS, "maxFeePerContract") +
    uintWord(order.expiry, UINT64_BITS, "expiry") +
    uintWord(order.nonce, UINT256_BITS, "nonce") +
    addressWord(order.taker, "taker") +
    addressWord(order.executor, "executor") +
    uintWord(BigInt(order.flags), UINT8_BITS, "flags")
  );
}

/** keccak-256 of bytes as 0x-prefixed hex (ethers' `keccak256` by default; a native one may be passed in). */
export type Keccak256 = (data: Uint8Array) => string;

/** Equivalent to `orderStructHash(order)`: keccak256(typehash ‖ the 13 field words). */
export function fastOrderStructHash(order: Order, keccak: Keccak256 = keccak256): string {
  return keccak(Buffer.from(ORDER_TYPEHASH.slice(2) + fieldWords(order), "hex"));
}

/** A function equivalent to `hashOrder(domain, ·)`, with the domain separator of `domain` computed once. */
export function orderDigester(
  domain: TypedDataDomain,
  keccak: Keccak256 = keccak256,
): (order: Order) => string {
  const prefix = EIP712_PREFIX_HEX + TypedDataEncoder.hashDomain(domain).slice(2);
  return (order) => keccak(Buffer.from(prefix + fastOrderStructHash(order, keccak).slice(2), "hex"));
}
