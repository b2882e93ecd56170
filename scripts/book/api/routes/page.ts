/**
 * The read-only market page: `GET /` (plain HTML) and `GET /market.js` (the small script that reads the JSON
 * endpoints and renders each series' book, recent trades and breaker scopes). Both are files beside the API
 * (api/page/), read once at start.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

const PAGE_DIR = join(__dirname, "..", "page");

export function pageRoutes(app: FastifyInstance): void {
  const html = readFileSync(join(PAGE_DIR, "market.html"), "utf8");
  const script = readFileSync(join(PAGE_DIR, "market.js"), "utf8");
  app.get("/", (_request, reply) => reply.type("text/html; charset=utf-8").send(html));
  app.get("/market.js", (_request, reply) => reply.type("text/javascript; charset=utf-8").send(script));
}
