/** `GET /books/:seriesId` (price levels), `GET /trades` (with their status), `GET /health`. */
import { ethers } from "ethers";
import { ECDSA_BACKEND } from "../../validation/ecdsa";
import { KECCAK_BACKEND } from "../../validation/keccak";
import type { FastifyInstance } from "fastify";
import { levels } from "../../db/orders";
import { listTrades, type TradeView } from "../../db/matches";
import type { BookContext } from "../context";
import { parse, seriesParamSchema, tradesQuerySchema } from "../schemas";

export function tradeView(t: TradeView) {
  return {
    id: t.id,
    matchId: t.match_id,
    txHash: t.tx_hash,
    status: t.status,
    blockNumber: t.block_number === null ? null : Number(t.block_number),
    seriesId: t.series_id,
    makerHash: t.maker_hash,
    takerHash: t.taker_hash,
    maker: ethers.getAddress(t.maker_owner),
    taker: ethers.getAddress(t.taker_owner),
    takerSide: Number(t.taker_side) === 0 ? "buy" : "sell",
    amount: t.amount,
    price: t.price,
  };
}

export function marketRoutes(app: FastifyInstance, ctx: BookContext): void {
  app.get("/books/:seriesId", async (request) => {
    const { seriesId } = parse(seriesParamSchema, request.params, "seriesId");
    const rows = await levels(ctx.db, seriesId, ctx.clock.now());
    const level = (r: (typeof rows)[number]) => ({
      price: r.price,
      amount: r.amount,
      orders: Number(r.orders),
    });
    return {
      seriesId: seriesId.toString(),
      bids: rows
        .filter((r) => Number(r.side) === 0)
        .map(level)
        .reverse(),
      asks: rows.filter((r) => Number(r.side) === 1).map(level),
    };
  });

  app.get("/trades", async (request) => {
    const query = parse(tradesQuerySchema, request.query, "query");
    return { trades: (await listTrades(ctx.db, query)).map(tradeView) };
  });

  app.get("/health", async () => {
    await ctx.db.query("SELECT 1");
    const s = ctx.status();
    return {
      status: "ok",
      chainId: ctx.chain.chainId.toString(),
      exchange: ctx.chain.exchangeAddress,
      database: ctx.db.kind,
      matcher: ctx.chain.executor?.address ?? null,
      indexedBlock: s.indexedBlock ?? null,
      headBlock: s.headBlock ?? null,
      leader: s.leader,
      // libsecp256k1 checks an order's signature in about 0.1 ms, JavaScript in about 2: an operator should know which.
      signatures: {
        curve: ECDSA_BACKEND,
        keccak: KECCAK_BACKEND,
        workers: ctx.signatures.size,
      },
    };
  });
}
