/** The request schemas (zod): orders as JSON (bigints as decimal strings), the signed cancel, queries. */
import { z } from "zod";
import type { Order } from "../../../src/exchange/order";
import { ApiError } from "./errors";

const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;

const uint = (max: bigint) =>
  z
    .union([
      z.string().regex(/^\d{1,78}$/, "a whole number as a decimal string"),
      z.number().int().nonnegative(),
    ])
    .transform((v) => BigInt(v))
    .refine((v) => v <= max, `at most ${max}`);
export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 20-byte hex address");
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex hash");
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, "a 65-byte hex signature");

export const orderSchema = z.strictObject({
  accountId: uint(MAX_UINT256),
  owner: address,
  signer: address,
  seriesId: uint(MAX_UINT256),
  side: z.union([z.literal(0), z.literal(1)]),
  amount: uint(MAX_UINT256),
  limitPremiumPerContract: uint(MAX_UINT256),
  maxFeePerContract: uint(MAX_UINT256),
  expiry: uint(MAX_UINT64),
  nonce: uint(MAX_UINT256),
  taker: address,
  executor: address,
  flags: z.number().int().min(0).max(255),
});

/** `POST /orders`: the signed order file of `sign-order` (scripts/lib/exchange/actions.ts) fits as is. */
export const postOrderSchema = z.strictObject({
  exchange: address,
  chainId: uint(MAX_UINT256),
  order: orderSchema,
  signature,
  hash: bytes32.optional(),
});

/** `DELETE /orders`: a `Cancel` message and its signature (scripts/lib/book/cancel.ts). */
export const cancelSchema = z.strictObject({
  cancel: z.strictObject({ orderHash: bytes32, deadline: uint(MAX_UINT64) }),
  signature,
});

export const ownerQuerySchema = z.object({
  owner: address,
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const tradesQuerySchema = z.object({
  seriesId: uint(MAX_UINT256).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const seriesParamSchema = z.object({ seriesId: uint(MAX_UINT256) });

export function toOrder(o: z.output<typeof orderSchema>): Order {
  return { ...o };
}

/** Parse `value` with `schema`, or throw the first issue as a 400 naming its field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join(".");
  // Unknown keys: name the key itself.
  const keys = issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys : [];
  const field = keys.length > 0 ? [path, keys[0]].filter((s) => s !== "").join(".") : path || what;
  return throwBadRequest(field, issue.message);
}

function throwBadRequest(field: string, message: string): never {
  throw new ApiError(400, field, `${field}: ${message}`);
}
