/**
 * Signed orders of OptionsExchange: the EIP-712 domain and type, building, signing, hashing and validating orders.
 * The type mirrors contracts/types/Order.sol field for field (test/unit/exchange/OrderLib.test.ts holds them equal).
 */
import { TypedDataEncoder, ethers } from "ethers";
import type { Signer, TypedDataDomain } from "ethers";

/** The side of an order (contracts/types/Order.sol `Side`). */
export enum Side {
  Buy = 0,
  Sell = 1,
}

/** Flag bits of an order (OrderLib). */
export const OrderFlags = {
  REDUCE_ONLY: 1,
  FILL_OR_KILL: 2,
} as const;

/** The exchange's `validate` reason codes, in the order of IOptionsExchange.OrderStatus. */
export const ORDER_STATUSES = [
  "Valid",
  "BelowMinLot",
  "UnknownFlags",
  "ZeroPremium",
  "Expired",
  "Cancelled",
  "NonceBelowMin",
  "Overfill",
  "FillOrKill",
  "OwnerMismatch",
  "SignerNotAuthorized",
  "InvalidSignature",
  "SeriesNotTradable",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order as the exchange takes it. Amounts in contracts (18 decimals); premiums and fees in quote units per 1e18 contracts. */
export interface Order {
  accountId: bigint;
  owner: string;
  signer: string;
  seriesId: bigint;
  side: Side;
  amount: bigint;
  limitPremiumPerContract: bigint;
  maxFeePerContract: bigint;
  expiry: bigint;
  nonce: bigint;
  taker: string;
  executor: string;
  flags: number;
}

/** The EIP-712 type of Order. */
export const ORDER_TYPES: Record<string, Array<{ name: string; type: string }>> = {
  Order: [
    { name: "accountId", type: "uint256" },
    { name: "owner", type: "address" },
    { name: "signer", type: "address" },
    { name: "seriesId", type: "uint256" },
    { name: "side", type: "uint8" },
    { name: "amount", type: "uint256" },
    { name: "limitPremiumPerContract", type: "uint256" },
    { name: "maxFeePerContract", type: "uint256" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "taker", type: "address" },
    { name: "executor", type: "address" },
    { name: "flags", type: "uint8" },
  ],
};

/** The encoded type string and its keccak256 (OrderLib.ORDER_TYPEHASH). */
export const ORDER_TYPE_STRING = TypedDataEncoder.from(ORDER_TYPES).encodeType("Order");
export const ORDER_TYPEHASH = ethers.id(ORDER_TYPE_STRING);

/** The exchange's EIP-712 domain. */
export function exchangeDomain(exchange: string, chainId: bigint): TypedDataDomain {
  return { name: "optiq OptionsExchange", version: "1", chainId, verifyingContract: exchange };
}

/** An order with the defaults: signer = owner, anyone as taker and executor, no flags, nonce 0. */
export function buildOrder(
  fields: Pick<
    Order,
    | "accountId"
    | "owner"
    | "seriesId"
    | "side"
    | "amount"
    | "limitPremiumPerContract"
    | "maxFeePerContract"
    | "expiry"
  > &
    Partial<Order>,
): Order {
  return {
    signer: fields.owner,
    nonce: 0n,
    taker: ethers.ZeroAddress,
    executor: ethers.ZeroAddress,
    flags: 0,
    ...fields,
  };
}

/** The EIP-712 struct hash of `order`. */
export function orderStructHash(order: Order): string {
  return TypedDataEncoder.hashStruct("Order", ORDER_TYPES, order);
}

/** The digest the signer signs (IOptionsExchange.hashOrder). */
export function hashOrder(domain: TypedDataDomain, order: Order): string {
  return TypedDataEncoder.hash(domain, ORDER_TYPES, order);
}

/** Sign `order` with `signer` (its `signer` field must be the signer's address). */
export async function signOrder(signer: Signer, domain: TypedDataDomain, order: Order): Promise<string> {
  const address = await signer.getAddress();
  if (ethers.getAddress(order.signer) !== ethers.getAddress(address)) {
    throw new Error(`signOrder: the order's signer is ${order.signer}, not ${address}`);
  }
  return signer.signTypedData(domain, ORDER_TYPES, order);
}

/** The minimal view of the exchange `validateOrder` needs (a TypeChain OptionsExchange fits). */
export interface OrderValidator {
  validate(order: Order, signature: string, amount: bigint): Promise<bigint>;
}

/** The exchange's verdict on `amount` of `order` as a name (`Valid` or the first failing rule). */
export async function validateOrder(
  exchange: OrderValidator,
  order: Order,
  signature: string,
  amount: bigint,
): Promise<OrderStatus> {
  const code = Number(await exchange.validate(order, signature, amount));
  const status = ORDER_STATUSES[code];
  if (status === undefined) throw new Error(`validateOrder: unknown status code ${code}`);
  return status;
}

/** Premium (quote units) of `amount` contracts at `premiumPerContract`, as the buyer pays it (rounded up). */
export function premiumOf(amount: bigint, premiumPerContract: bigint): bigint {
  const n = amount * premiumPerContract;
  return (n + 10n ** 18n - 1n) / 10n ** 18n;
}

/** Orders as JSON (bigints as decimal strings), e.g. for a file handed from the signer to the filler. */
export function orderToJson(order: Order): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(order).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : (v as string | number)]),
  );
}

/** The inverse of `orderToJson`, checking every field. */
export function orderFromJson(json: Record<string, unknown>): Order {
  const big = (k: string): bigint => {
    const v = json[k];
    if (typeof v !== "string" && typeof v !== "number") throw new Error(`order: ${k} missing`);
    return BigInt(v);
  };
  const addr = (k: string): string => {
    const v = json[k];
    if (typeof v !== "string") throw new Error(`order: ${k} missing`);
    return ethers.getAddress(v);
  };
  const side = Number(big("side"));
  if (side !== Side.Buy && side !== Side.Sell)
    throw new Error(`order: side ${side} is neither 0 (buy) nor 1 (sell)`);
  return {
    accountId: big("accountId"),
    owner: addr("owner"),
    signer: addr("signer"),
    seriesId: big("seriesId"),
    side,
    amount: big("amount"),
    limitPremiumPerContract: big("limitPremiumPerContract"),
    maxFeePerContract: big("maxFeePerContract"),
    expiry: big("expiry"),
    nonce: big("nonce"),
    taker: addr("taker"),
    executor: addr("executor"),
    flags: Number(big("flags")),
  };
}
