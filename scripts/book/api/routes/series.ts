/**
 * `GET /series`: the series the book has seen (an order or a trade), newest first, each with its terms read from the
 * clearing and the state of the breaker scopes a trade in it passes (the underlying's price scope, TRADE, WRITE,
 * GLOBAL). The market page (`GET /`) reads it beside `/books/:seriesId` and `/trades`.
 */
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { BreakerGuarded__factory } from "../../../../typechain-types/factories/contracts/breaker/BreakerGuarded__factory";
import { ICircuitBreaker__factory } from "../../../../typechain-types/factories/contracts/interfaces/ICircuitBreaker__factory";
import { IOptionsClearing__factory } from "../../../../typechain-types/factories/contracts/interfaces/IOptionsClearing__factory";
import { IERC20Metadata__factory } from "../../../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
import { seriesName } from "../../../lib/format/series";
import { Scopes } from "../../../lib/scopes";
import type { BookContext } from "../context";
import { z } from "zod";
import { parse } from "../schemas";

/** ICircuitBreaker.TripReason by its code. */
const TRIP_REASONS = ["None", "GuardianPause", "PriceBand", "QuorumLost", "SequencerDown"] as const;

const seriesQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) });

export interface ScopeView {
  name: string;
  scope: string;
  /** `tripped`, `grace` (resumed, liquidations still off) or `open`. */
  status: "tripped" | "grace" | "open";
  reason: (typeof TRIP_REASONS)[number];
  trippedAt: number;
  graceEndsAt: number;
}

export function seriesRoutes(app: FastifyInstance, ctx: BookContext): void {
  const { provider } = ctx.chain;
  let clearingAddress: string | undefined;
  let breakerAddress: string | undefined;
  const symbols = new Map<string, string>();
  let decimals: number | undefined;
  const quoteDecimals = async (clearing: ReturnType<typeof IOptionsClearing__factory.connect>) =>
    (decimals ??= Number(await clearing.QUOTE_DECIMALS()));

  app.get("/series", async (request) => {
    const { limit } = parse(seriesQuerySchema, request.query, "query");
    const rows = await ctx.db.query<{ series_id: string }>(
      `SELECT series_id::text AS series_id FROM (
         SELECT series_id, max(seq) AS last FROM orders GROUP BY series_id
       ) seen ORDER BY last DESC LIMIT $1`,
      [limit],
    );
    clearingAddress ??= await ctx.chain.exchange.CLEARING();
    const clearing = IOptionsClearing__factory.connect(clearingAddress, provider);
    breakerAddress ??= await BreakerGuarded__factory.connect(clearingAddress, provider).BREAKER();
    const breaker = ICircuitBreaker__factory.connect(breakerAddress, provider);
    const now = ctx.clock.now();
    const scopeView = async (name: string, scope: string): Promise<ScopeView> => {
      const state = await breaker.scopeState(scope);
      const graceEndsAt = Number(await breaker.graceEndsAt(scope));
      const reason = TRIP_REASONS[Number(state.reason)] ?? "None";
      const status = reason !== "None" ? "tripped" : BigInt(graceEndsAt) > now ? "grace" : "open";
      return { name, scope, status, reason, trippedAt: Number(state.trippedAt), graceEndsAt };
    };
    const series = [];
    for (const { series_id } of rows) {
      const s = await clearing.series(series_id);
      if (s.underlying === ethers.ZeroAddress) continue;
      let symbol = symbols.get(s.underlying);
      if (symbol === undefined) {
        symbol = await IERC20Metadata__factory.connect(s.underlying, provider).symbol();
        symbols.set(s.underlying, symbol);
      }
      series.push({
        seriesId: series_id,
        name: seriesName({ underlying: symbol, strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall }),
        underlying: ethers.getAddress(s.underlying),
        strikeWad: s.strikeWad.toString(),
        expiry: Number(s.expiry),
        isCall: s.isCall,
        settled: s.settled,
        scopes: [
          await scopeView(`${symbol} price`, Scopes.asset(s.underlying)),
          await scopeView("trade", Scopes.TRADE),
          await scopeView("write", Scopes.WRITE),
          await scopeView("global", Scopes.GLOBAL),
        ],
      });
    }
    return { quoteDecimals: await quoteDecimals(clearing), series };
  });
}
