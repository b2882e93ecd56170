/**
 * `POST /orders` (accept a signed order after every check, committed before the 201), `DELETE /orders` (soft cancel
 * by a signed `Cancel` message), `GET /orders?owner=` (an owner's orders and their state).
 */
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { OrderFlags, orderToJson, validateOrder, type Order } from "../../../../src/exchange/order";
import { recoverCancel } from "../../../lib/book/cancel";
import { getOrder, orderOf, ordersOfOwner, remainingOf, softCancel, stateOf } from "../../db/orders";
import { publishLevels } from "../../stream/levels";
import { chainRefusal, type Reason } from "../../validation/verdict";
import type { BookContext } from "../context";
import { ApiError } from "../errors";
import { cancelSchema, ownerQuerySchema, parse, postOrderSchema, toOrder } from "../schemas";

/** The field each refusal reason faults. */
const REASON_FIELD: Record<Reason, string> = {
  BelowMinLot: "order.amount",
  UnknownFlags: "order.flags",
  ZeroPremium: "order.limitPremiumPerContract",
  Expired: "order.expiry",
  Cancelled: "order",
  NonceBelowMin: "order.nonce",
  Overfill: "order.amount",
  FillOrKill: "order.flags",
  OwnerMismatch: "order.owner",
  SignerNotAuthorized: "order.signer",
  InvalidSignature: "signature",
  SeriesNotTradable: "order.seriesId",
  InsufficientMargin: "order.accountId",
  Unpriced: "order.accountId",
};

function refuse(reason: Reason, detail?: string): never {
  const field = REASON_FIELD[reason];
  const status = reason === "SeriesNotTradable" ? 404 : reason === "Unpriced" ? 503 : 400;
  const by = reason === "InsufficientMargin" || reason === "Unpriced" ? "the book" : "the exchange";
  throw new ApiError(
    status,
    field,
    `${field}: ${by} refuses the order: ${reason}${detail ? ` (${detail})` : ""}`,
    {
      reason,
    },
  );
}

/** Every check before the store, in the order a client would fix them. */
async function checkOrder(
  ctx: BookContext,
  body: unknown,
): Promise<{ order: Order; hash: string; signature: string }> {
  const { config, chain, clock } = ctx;
  const input = parse(postOrderSchema, body, "body");
  if (input.chainId !== chain.chainId)
    throw new ApiError(
      400,
      "chainId",
      `chainId: this book serves chain ${chain.chainId}, not ${input.chainId}`,
    );
  // Addresses compare case-insensitively (a checksum costs a keccak per address; the signature binds the bytes).
  if (input.exchange.toLowerCase() !== chain.exchangeAddress.toLowerCase())
    throw new ApiError(
      400,
      "exchange",
      `exchange: this book serves ${chain.exchangeAddress}, not ${input.exchange}`,
    );
  const order = toOrder(input.order);
  // The digest and the signer, from the signature pool's worker threads.
  const { hash, signer: recovered } = await ctx.signatures.recover(order, input.signature);
  if (input.hash !== undefined && input.hash.toLowerCase() !== hash)
    throw new ApiError(400, "hash", `hash: the order hashes to ${hash}, not ${input.hash}`);
  if (order.taker !== ethers.ZeroAddress)
    throw new ApiError(400, "order.taker", "order.taker: the book takes public orders only (taker 0)");
  if (
    order.executor !== ethers.ZeroAddress &&
    order.executor.toLowerCase() !== chain.executor?.address.toLowerCase()
  )
    throw new ApiError(
      400,
      "order.executor",
      `order.executor: must be 0 or this book's matcher ${chain.executor?.address ?? "(none)"}`,
    );
  if ((order.flags & OrderFlags.FILL_OR_KILL) !== 0)
    throw new ApiError(400, "order.flags", "order.flags: fill-or-kill orders cannot rest on a book");
  const eoaSigned = recovered !== null && recovered.toLowerCase() === order.signer.toLowerCase();
  // A contract signer (ERC-1271) is checked by the exchange's `validate` below.
  if (!eoaSigned && (await chain.provider.getCode(order.signer)) === "0x")
    throw new ApiError(400, "signature", `signature: not signed by order.signer ${order.signer}`);
  const now = clock.now();
  const minExpiry = now + BigInt(config.minLifeSeconds);
  if (order.expiry < minExpiry)
    throw new ApiError(
      400,
      "order.expiry",
      `order.expiry: must be at least ${minExpiry} (${config.minLifeSeconds} s from now)`,
    );
  if (order.limitPremiumPerContract % config.tickSizeQuoteUnits !== 0n)
    throw new ApiError(
      400,
      "order.limitPremiumPerContract",
      `order.limitPremiumPerContract: not a multiple of the tick ${config.tickSizeQuoteUnits}`,
    );
  if (order.amount === 0n || order.amount % config.lotSizeContractsWad !== 0n)
    throw new ApiError(
      400,
      "order.amount",
      `order.amount: not a positive multiple of the lot ${config.lotSizeContractsWad}`,
    );
  if (!eoaSigned || config.validation === "call") {
    const status = await validateOrder(chain.exchange, order, input.signature, order.amount);
    if (status !== "Valid") refuse(status);
  }
  const refusal = await chainRefusal(ctx.state, chain, order, order.amount, now);
  if (refusal !== undefined) refuse(refusal.reason, refusal.detail);
  return { order, hash, signature: input.signature };
}

function orderView(row: Parameters<typeof orderOf>[0], now: bigint) {
  return {
    hash: row.hash,
    state: stateOf(row, now),
    reason: row.reason,
    remaining: remainingOf(row).toString(),
    order: orderToJson(orderOf(row)),
  };
}

export function orderRoutes(app: FastifyInstance, ctx: BookContext): void {
  app.post("/orders", async (request, reply) => {
    const { order, hash, signature } = await checkOrder(ctx, request.body);
    const outcome = await ctx.writer.write({ hash, order, signature });
    if (!outcome.stored) {
      if (outcome.why === "duplicate")
        throw new ApiError(409, "order", `order: ${hash} is already on the book`);
      if (outcome.why === "cap")
        throw new ApiError(
          429,
          "order.owner",
          `order.owner: ${order.owner} has ${outcome.open} open orders, the cap is ${ctx.config.maxOpenOrdersPerOwner}`,
        );
      if (outcome.why === "cancelled") refuse("Cancelled", "cancelled on-chain");
      refuse("Overfill", `${outcome.filled} already filled on-chain`);
    }
    ctx.wake();
    ctx.levels.touch([
      {
        series_id: order.seriesId.toString(),
        side: order.side,
        price: order.limitPremiumPerContract.toString(),
      },
    ]);
    return reply.code(201).send({ hash, state: "OPEN" });
  });

  app.delete("/orders", async (request) => {
    const input = parse(cancelSchema, request.body, "body");
    const now = ctx.clock.now();
    if (input.cancel.deadline < now)
      throw new ApiError(
        400,
        "cancel.deadline",
        `cancel.deadline: ${input.cancel.deadline} has passed (now ${now})`,
      );
    let by: string;
    try {
      by = recoverCancel(ctx.chain.cancelDomain, input.cancel, input.signature);
    } catch {
      throw new ApiError(400, "signature", "signature: not a valid signature of the cancel message");
    }
    const row = await getOrder(ctx.db, input.cancel.orderHash);
    if (row === undefined)
      throw new ApiError(404, "cancel.orderHash", `cancel.orderHash: no order ${input.cancel.orderHash}`);
    if (by.toLowerCase() !== row.owner && by.toLowerCase() !== row.signer)
      throw new ApiError(403, "signature", `signature: ${by} is neither the order's owner nor its signer`);
    if (!(await softCancel(ctx.db, row.hash)))
      throw new ApiError(
        409,
        "cancel.orderHash",
        `cancel.orderHash: the order is ${stateOf(row, now)}, not open`,
      );
    await publishLevels(ctx.db, ctx.hub, [row], now);
    const after = (await getOrder(ctx.db, row.hash))!;
    return { hash: row.hash, state: "CANCELLED", reserved: after.reserved };
  });

  app.get("/orders", async (request) => {
    const query = parse(ownerQuerySchema, request.query, "query");
    const rows = await ordersOfOwner(ctx.db, query.owner, query.limit);
    const now = ctx.clock.now();
    return { owner: ethers.getAddress(query.owner), orders: rows.map((r) => orderView(r, now)) };
  });
}
