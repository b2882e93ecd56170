/**
 * `npm run bench:book`: throughput of the order book service against references measured in the same run on the same
 * machine. A real `npx hardhat node` with the project's deployment; the service in this process on a fresh PGlite
 * folder; a bounded load generator on loopback (pre-signed orders, a fixed number of concurrent clients).
 *
 * - accepted orders/s of `POST /orders` (every check: signature recovered, the exchange's rules from the cached chain
 *   state, the book's margin rule, the group commit), p50/p99 latency; references: the same service on the old
 *   per-request path (`validate` by eth_call and one transaction per order), a bare fastify echo route with the same
 *   load, and a raw INSERT loop of the same rows on the same kind of database;
 * - where one order's time goes, each step alone and in sequence: schema and EIP-712 hash, signature recovery, the
 *   `validate` eth_call, a one-order INSERT transaction;
 * - matched trades/s (each `matchOrders` simulated, signed, recorded, sent, mined on the node); reference: the same
 *   number of plain `fill` transactions sent back to back by one client on the same node;
 * - the matching engine alone (no chain, no database): crossings/s over a seeded book, against a naive matcher
 *   (./book/engine.ts). `BENCH_BOOK_ENGINE_ONLY=1` runs this part alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import fastify from "fastify";
import { JsonRpcProvider } from "ethers";
import { IOptionsExchange__factory } from "../../typechain-types";
import { loadBookConfig } from "../book/config/load";
import { startBook } from "../book/service";
import { openPglite } from "../book/db/pglite";
import { migrate } from "../book/db/migrate";
import { insertOrder } from "../book/db/orders";
import { hashOrder, validateOrder } from "../../src/exchange/order";
import { orderSchema, postOrderSchema, toOrder } from "../book/api/schemas";
import { recoverAddress } from "ethers";
import { listPut, openFundedAccount, USDC } from "../../test/shared/fixtures/book";
import { deployBookChain, devWallet, EXECUTOR_INDEX } from "../../test/shared/bookService";
import { signedOrder, Side, USDC_PER_CONTRACT, WAD, type OrderBody } from "../../test/e2e/book/orders";
import { benchEngine } from "./book/engine";

const ORDERS = Number(process.env.BENCH_BOOK_ORDERS ?? 1_000);
const MATCHES = Number(process.env.BENCH_BOOK_MATCHES ?? 50);
const CLIENTS = 16;
/** Orders timed one by one for the step profile. */
const PROFILE_ORDERS = 200;
/** The engine's workload: a seeded book and crossing takers (the naive reference replays the first takers only). */
const ENGINE_SHAPE = { seed: 17, resting: 10_000, takers: 100_000, series: 4, owners: 32 };
const ENGINE_NAIVE_TAKERS = 5_000;
/** The service's default makers per `matchOrders` (`--max-makers`). */
const ENGINE_MAX_MAKERS = 8;

interface Run {
  seconds: number;
  latenciesMs: number[];
  ok: number;
}

async function load(url: string, bodies: unknown[], expect: number): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t = performance.now();
        const r = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        await r.arrayBuffer();
        latencies.push(performance.now() - t);
        if (r.status === expect) ok++;
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, latenciesMs: latencies.sort((a, b) => a - b), ok };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const phase = (what: string) => process.stderr.write(`bench:book: ${what}\n`);
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
const fmt2 = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

function engineLines(): string[] {
  phase("the matching engine alone");
  const e = benchEngine(ENGINE_SHAPE, ENGINE_NAIVE_TAKERS, ENGINE_MAX_MAKERS);
  const rate = (n: number, s: number) => fmt(n / s);
  return [
    `Engine alone: ${fmt(e.shape.resting)} resting orders over ${e.shape.series} series and ${e.shape.owners} owners, then ${fmt(e.shape.takers)} crossing takers (seed ${e.shape.seed}, at most ${e.maxMakers} makers per crossing); the naive matcher replays the first ${fmt(e.naive.takers)} takers and its crossings equal the engine's.`,
    "",
    "| measure | engine | naive reference | reference is |",
    "| --- | --- | --- | --- |",
    `| crossings/s (one \`matchOrders\` each) | ${rate(e.engine.crossings, e.engine.seconds)} | ${rate(e.naive.crossings, e.naive.seconds)} | every resting order filtered and sorted per taker |`,
    `| maker fills/s (trades) | ${rate(e.engine.fills, e.engine.seconds)} | ${rate(e.naive.fills, e.naive.seconds)} | the same |`,
    `| takers/s | ${rate(e.engine.takers, e.engine.seconds)} | ${rate(e.naive.takers, e.naive.seconds)} | the same |`,
    "",
    `Crossings: ${fmt(e.engine.crossings)} (${fmt(e.engine.fills)} fills) in ${fmt2(e.engine.seconds)} s; the reference ${fmt(e.naive.crossings)} (${fmt(e.naive.fills)} fills) in ${fmt2(e.naive.seconds)} s.`,
  ];
}

async function main(): Promise<void> {
  const engine = engineLines();
  if (process.env.BENCH_BOOK_ENGINE_ONLY === "1") {
    process.stdout.write(engine.join("\n") + "\n");
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "optiq-bench-book-"));
  const id = `e2e-bench-book-${process.pid}`;
  phase("deploying on a fresh npx hardhat node");
  const chain = await deployBookChain(work, id);
  const provider = new JsonRpcProvider(chain.node.url, undefined, { staticNetwork: true });
  try {
    const venue = { exchange: chain.record.contracts.OptionsExchange, chainId: 31337n };
    const { seriesId } = await listPut(chain.record, await provider.getSigner(3), 7 * 24 * 3600);
    const sellers = [4, 5, 6, 7].map((i) => devWallet(i));
    const buyer = devWallet(9);
    const account = new Map<string, bigint>();
    for (const [i, w] of [...[4, 5, 6, 7].map((i, k) => [i, sellers[k]] as const), [9, buyer] as const]) {
      account.set(
        w.address,
        await openFundedAccount(chain.record, await provider.getSigner(i), 200_000n * USDC),
      );
    }
    phase("accounts funded; signing the orders");
    const expiry = BigInt(Math.floor(Date.now() / 1000)) + 3n * 3600n;
    const sell = (k: number, price: bigint, nonce: bigint) =>
      signedOrder(venue, sellers[k % 4], {
        accountId: account.get(sellers[k % 4].address)!,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price,
        expiry,
        nonce,
      });

    // Asks far above the matching range, then the bids to match: all signed before the clock starts.
    const asks: OrderBody[] = [];
    for (let i = 0; i < ORDERS; i++)
      asks.push((await sell(i, (1_000n + BigInt(i)) * USDC_PER_CONTRACT, BigInt(i))).body);
    const makers = [];
    for (let i = 0; i < MATCHES; i++)
      makers.push(await sell(i, 50n * USDC_PER_CONTRACT, 1_000_000n + BigInt(i)));
    const bids: OrderBody[] = [];
    for (let i = 0; i < MATCHES; i++)
      bids.push(
        (
          await signedOrder(venue, buyer, {
            accountId: account.get(buyer.address)!,
            seriesId,
            side: Side.Buy,
            amount: WAD,
            price: 50n * USDC_PER_CONTRACT,
            expiry,
            nonce: BigInt(i),
          })
        ).body,
      );
    const direct = [];
    for (let i = 0; i < MATCHES; i++)
      direct.push(await sell(i, 50n * USDC_PER_CONTRACT, 2_000_000n + BigInt(i)));

    // Signing blocked the event loop: let the node's closes of idle keep-alive sockets land before reusing any.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const dataDir = join(work, "db");
    const configOf = (dir: string, extra: NodeJS.ProcessEnv) =>
      loadBookConfig([], {
        BOOK_RPC_URL: chain.node.url,
        BOOK_RECORD: chain.recordPath,
        BOOK_DATA_DIR: dir,
        BOOK_PORT: "0",
        BOOK_CONFIRMATIONS: "1",
        BOOK_POLL_MS: "50",
        BOOK_MAX_OPEN_ORDERS: String(ORDERS + MATCHES),
        ...extra,
      });
    const config = configOf(dataDir, { BOOK_EXECUTOR_KEY: devWallet(EXECUTOR_INDEX).privateKey });
    const quiet = () => undefined;
    const book = await startBook(config, quiet);
    // Measured warm: the signature workers loaded.
    await book.signatures.ready;
    let accepted: Run;
    let matchedSeconds: number;
    let cacheLoads: number;
    let batches: number;
    try {
      phase("posting the asks");
      accepted = await load(`${book.url}/orders`, asks, 201);
      cacheLoads = book.state.loads;
      batches = book.writer.batches;
      phase("posting the crossing orders");
      await load(
        `${book.url}/orders`,
        makers.map((m) => m.body),
        201,
      );
      const start = performance.now();
      await load(`${book.url}/orders`, bids, 201);
      for (;;) {
        const [row] = await book.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM matches WHERE status IN ('MINED', 'CONFIRMED')",
        );
        if (Number(row.n) >= MATCHES) break;
        if (performance.now() - start > 300_000)
          throw new Error(`only ${row.n} of ${MATCHES} matches mined in 300 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      matchedSeconds = (performance.now() - start) / 1000;
    } finally {
      await book.stop();
    }

    phase("reference: the old per-request path");
    // The same service (matcher and signature pool included) on a fresh folder, checks and writes the old way.
    const oldConfig = (dir: string) =>
      configOf(join(work, dir), {
        BOOK_EXECUTOR_KEY: devWallet(EXECUTOR_INDEX).privateKey,
        BOOK_VALIDATION: "call",
        BOOK_WRITE_BATCH: "1",
      });
    // A pooled keep-alive socket the node closed while the first service stopped fails the first call: once more.
    const old = await startBook(oldConfig("db-old"), quiet).catch((error: Error) => {
      if (!/socket hang up|ECONNRESET/.test(error.message)) throw error;
      return startBook(oldConfig("db-old-again"), quiet);
    });
    await old.signatures.ready;
    let oldRun: Run;
    try {
      oldRun = await load(`${old.url}/orders`, asks, 201);
    } finally {
      await old.stop();
    }

    phase("profile of one order's steps");
    const sample = asks.slice(0, PROFILE_ORDERS);
    const each = async (f: (a: OrderBody) => unknown) => {
      const t = performance.now();
      for (const a of sample) await f(a);
      return (performance.now() - t) / sample.length;
    };
    const domain = {
      name: "optiq OptionsExchange",
      version: "1",
      chainId: venue.chainId,
      verifyingContract: venue.exchange,
    };
    const parsed = sample.map((a) => toOrder(orderSchema.parse(a.order)));
    const hashes = parsed.map((o) => hashOrder(domain, o));
    let k = 0;
    const parseHashMs = await each((a) => hashOrder(domain, toOrder(postOrderSchema.parse(a).order)));
    k = 0;
    const recoverMs = await each((a) => recoverAddress(hashes[k++], a.signature));
    k = 0;
    const exchangeView = IOptionsExchange__factory.connect(venue.exchange, provider);
    const validateMs = await each((a) => validateOrder(exchangeView, parsed[k++], a.signature, WAD));
    const one = await openPglite(join(work, "one"));
    await migrate(one);
    k = 0;
    const insertMs = await each((a) =>
      one.transaction((tx) => insertOrder(tx, hashes[k], parsed[k++], a.signature)),
    );
    await one.close();

    phase("references");
    // Reference: the same number of plain fills, one client, back to back.
    const filler = IOptionsExchange__factory.connect(venue.exchange, await provider.getSigner(9));
    const t0 = performance.now();
    for (const d of direct)
      await (await filler.fill(d.order, d.body.signature, WAD, account.get(buyer.address)!, 0n)).wait();
    const fillSeconds = (performance.now() - t0) / 1000;

    // Reference: a bare fastify echo route, same load.
    const echo = fastify({ logger: false });
    echo.post("/echo", async (request) => request.body);
    await echo.listen({ host: "127.0.0.1", port: 0 });
    const address = echo.server.address();
    const echoRun = await load(
      `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/echo`,
      asks,
      200,
    );
    await echo.close();

    // Reference: raw INSERTs of the same rows, one transaction each, on a fresh PGlite folder.
    const raw = await openPglite(join(work, "raw"));
    await migrate(raw);
    const rows = await Promise.all(asks.map(async (a) => ({ a, o: (await sell(0, 1n, 0n)).order })));
    const i0 = performance.now();
    for (const [i, { a }] of rows.entries()) {
      const o = {
        ...rows[i].o,
        nonce: BigInt(i),
        limitPremiumPerContract: BigInt(a.order.limitPremiumPerContract),
      };
      await raw.transaction((tx) => insertOrder(tx, hashOrder(domain, o), o, a.signature));
    }
    const insertSeconds = (performance.now() - i0) / 1000;
    await raw.close();

    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ORDERS} orders, ${MATCHES} matches, ${CLIENTS} clients.`,
      "",
      "| measure | book | reference | reference is |",
      "| --- | --- | --- | --- |",
      `| accepted orders/s (POST /orders, all checks, committed) | ${fmt(accepted.ok / accepted.seconds)} | ${fmt(oldRun.ok / oldRun.seconds)} | the per-request path: \`validate\` eth_call and one transaction per order, same load |`,
      `| POST /orders latency p50 / p99 (ms) | ${fmt(pct(accepted.latenciesMs, 50))} / ${fmt(pct(accepted.latenciesMs, 99))} | ${fmt(pct(oldRun.latenciesMs, 50))} / ${fmt(pct(oldRun.latenciesMs, 99))} | the per-request path |`,
      `| accepted orders/s | ${fmt(accepted.ok / accepted.seconds)} | ${fmt(echoRun.ok / echoRun.seconds)} | bare fastify echo route, same load |`,
      `| POST /orders latency p50 / p99 (ms) | ${fmt(pct(accepted.latenciesMs, 50))} / ${fmt(pct(accepted.latenciesMs, 99))} | ${fmt(pct(echoRun.latenciesMs, 50))} / ${fmt(pct(echoRun.latenciesMs, 99))} | bare fastify echo route |`,
      `| orders stored/s | ${fmt(accepted.ok / accepted.seconds)} | ${fmt(ORDERS / insertSeconds)} | raw INSERT loop, one transaction each, PGlite |`,
      `| matched trades/s (post → mined on the node) | ${fmt(MATCHES / matchedSeconds)} | ${fmt(MATCHES / fillSeconds)} | plain \`fill\` transactions back to back, same node |`,
    ];
    lines.push(
      "",
      `Chain reads by the cache during the ${ORDERS} posts: ${cacheLoads}; database transactions: ${batches} (${fmt(ORDERS / batches)} orders each).`,
      "",
      `One order's steps alone, mean of ${PROFILE_ORDERS} in sequence (ms): schema + EIP-712 hash ${fmt2(parseHashMs)}, signature recovery ${fmt2(recoverMs)}, \`validate\` eth_call ${fmt2(validateMs)}, one-order INSERT transaction (PGlite) ${fmt2(insertMs)}.`,
    );
    lines.push("", ...engine);
    if (accepted.ok !== ORDERS) lines.push("", `warning: ${ORDERS - accepted.ok} orders were refused`);
    if (oldRun.ok !== ORDERS) lines.push("", `warning: the old path refused ${ORDERS - oldRun.ok} orders`);
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    provider.destroy();
    await chain.node.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(__dirname, "..", "..", "ignition", "deployments", id), { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:book: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
