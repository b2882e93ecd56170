/**
 * The HTTP JSON API and the WebSocket stream on fastify. Every refusal is `{ error, field }` with a 4xx: the routes'
 * own (ApiError), and fastify's body errors (malformed JSON, oversize body, wrong content type) as field `body`.
 */
import fastify, { type FastifyError, type FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import type { BookContext } from "./context";
import { ApiError } from "./errors";
import { marketRoutes } from "./routes/market";
import { orderRoutes } from "./routes/orders";
import { pageRoutes } from "./routes/page";
import { seriesRoutes } from "./routes/series";

export async function buildServer(ctx: BookContext): Promise<FastifyInstance> {
  const app = fastify({ bodyLimit: ctx.config.bodyLimitBytes, logger: false });
  await app.register(websocket);
  // JSON only: any other body is a 415.
  app.removeContentTypeParser("text/plain");

  app.setErrorHandler((error: FastifyError | ApiError, _request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).send({ error: error.message, field: error.field, ...error.extra });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: `body: ${error.message}`, field: "body" });
    }
    process.stderr.write(JSON.stringify({ event: "error", message: String(error.stack ?? error) }) + "\n");
    return reply.code(500).send({ error: "internal error", field: null });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}`, field: "path" }),
  );

  orderRoutes(app, ctx);
  marketRoutes(app, ctx);
  seriesRoutes(app, ctx);
  pageRoutes(app);
  app.get("/stream", { websocket: true }, (socket) => {
    ctx.hub.add(socket);
    socket.send(
      JSON.stringify({
        type: "hello",
        chainId: ctx.chain.chainId.toString(),
        exchange: ctx.chain.exchangeAddress,
      }),
    );
  });
  return app;
}
