/**
 * `npm run bench:book`: throughput of the order book service against references measured in the same run on the same
 * machine. A real `npx hardhat node` with the project's deployment; the service in this process, on a fresh PGlite
 * folder and then on a PostgreSQL server the benchmark starts itself (test/shared/postgresCluster.ts; skipped, and said
 * so, when no server binaries are installed); a bounded load generator on a worker thread, over loopback
 * (pre-signed orders, a fixed number of concurrent clients), so that the main thread runs the service alone.
 *
 * - accepted orders/s of `POST /orders` (every check: signature recovered, the exchange's rules from the cached chain
 *   state, the book's margin rule, the group commit), p50/p99 latency, and the CPU time of the service's main thread
 *   and of the whole process per accepted order (what the throughput would be with a core to itself); references: the
 *   same service on the old per-request path (`validate` by eth_call and one transaction per order), a bare fastify
 *   echo route with the same load, and a raw INSERT loop of the same rows on each kind of database;
 * - where the main thread's time goes during the accepted-orders load (a CPU profile, summed by module and library;
 *   `BENCH_BOOK_PROFILE=0` turns it off) and the statements the service ran on its database;
 * - each step of one order alone and in sequence: schema and EIP-712 hash, signature recovery, the `validate` eth_call,
 *   a one-order INSERT transaction;
 * - matched trades/s (each `matchOrders` simulated, signed, recorded, sent, mined on the node); reference: the same
 *   number of plain `fill` transactions sent back to back by one client on the same node;
 * - the matching engine alone (no chain, no database): crossings/s over a seeded book, against a naive matcher
 *   (./book/engine.ts). `BENCH_BOOK_ENGINE_ONLY=1` runs this part alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import fastify from "fastify";
import { Client } from "pg";
import { Network, recoverAddress } from "ethers";
import { IOptionsExchange__factory } from "../../typechain-types";
import { loadBookConfig } from "../book/config/load";
import { startBook, type BookService } from "../book/service";
import { openPglite } from "../book/db/pglite";
import { openPostgres } from "../book/db/postgres";
import type { Database } from "../book/db/database";
import { migrate } from "../book/db/migrate";
import { insertOrder } from "../book/db/orders";
import { rpcProvider } from "../book/chain/rpc";
import { hashOrder, validateOrder, type Order } from "../../src/exchange/order";
import { orderSchema, postOrderSchema, toOrder } from "../book/api/schemas";
import { listPut, openFundedAccount, USDC } from "../../test/shared/fixtures/book";
import { deployBookChain, devWallet, EXECUTOR_INDEX } from "../../test/shared/bookService";
import { postgresBin, startPostgres, type PostgresCluster } from "../../test/shared/postgresCluster";
import { signedOrder, Side, USDC_PER_CONTRACT, WAD, type OrderBody } from "../../test/e2e/book/orders";
import { benchEngine } from "./book/engine";
import { load, percentile as pct, type Run } from "./book/load";
import { measuredCpu, type CpuSpan } from "./book/cpu";
import { profiled, type ProfileShare } from "./book/profile";
import { StatementCounter } from "./book/statements";

const ORDERS = Number(process.env.BENCH_BOOK_ORDERS ?? 1_000);
const MATCHES = Number(process.env.BENCH_BOOK_MATCHES ?? 50);
const CLIENTS = 16;
/** Profile the main thread during the accepted-orders loads (`BENCH_BOOK_PROFILE=0`: off). */
const PROFILE = process.env.BENCH_BOOK_PROFILE !== "0";
/** Orders timed one by one for the step profile. */
const PROFILE_ORDERS = 200;
/** Statements listed per database. */
const STATEMENT_ROWS = 8;
/** The engine's workload: a seeded book and crossing takers (the naive reference replays the first takers only). */
const ENGINE_SHAPE = { seed: 17, resting: 10_000, takers: 100_000, series: 4, owners: 32 };
const ENGINE_NAIVE_TAKERS = 5_000;
/** The service's default makers per `matchOrders` (`--max-makers`). */
const ENGINE_MAX_MAKERS = 8;
/** How long the matched trades may take to be mined before the run fails. */
const MATCH_TIMEOUT_MS = 300_000;

const phase = (what: string) => process.stderr.write(`bench:book: ${what}\n`);
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
const fmt2 = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

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

/** One accepted-orders load on a started service, and what it cost. */
interface Intake {
  run: Run;
  cpu: CpuSpan;
  shares: ProfileShare[] | undefined;
  /** Group-commit transactions and cache misses during the load. */
  batches: number;
  cacheLoads: number;
  statements: ReturnType<StatementCounter["top"]>;
  /** Orders the matcher had not crossed yet when the last answer came back. */
  backlog: number;
}

async function intake(book: BookService, bodies: string[], profileFile: string | undefined): Promise<Intake> {
  const counter = new StatementCounter(book.db);
  const loads0 = book.state.loads;
  const batches0 = book.writer.batches;
  const post = () => load(`${book.url}/orders`, bodies, 201, CLIENTS);
  counter.counting = true;
  const { result, cpu } = await measuredCpu(async () =>
    profileFile === undefined ? { result: await post(), shares: undefined } : profiled(profileFile, post),
  );
  counter.counting = false;
  const [row] = await book.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders WHERE NOT processed",
  );
  return {
    run: result.result,
    shares: result.shares,
    cpu,
    batches: book.writer.batches - batches0,
    cacheLoads: book.state.loads - loads0,
    statements: counter.top(STATEMENT_ROWS),
    backlog: Number(row.n),
  };
}

/** Raw INSERTs of `rows`, one transaction each, on a migrated empty database; seconds taken. */
async function rawInserts(
  db: Database,
  rows: { hash: string; order: Order; signature: string }[],
): Promise<number> {
  await migrate(db);
  const t = performance.now();
  for (const r of rows) await db.transaction((tx) => insertOrder(tx, r.hash, r.order, r.signature));
  return (performance.now() - t) / 1000;
}

/** The PostgreSQL server's bin folder, or why there is none (the server case is then skipped). */
function postgresAvailable(): { ok: true } | { ok: false; why: string } {
  try {
    postgresBin();
    return { ok: true };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const engine = engineLines();
  if (process.env.BENCH_BOOK_ENGINE_ONLY === "1") {
    process.stdout.write(engine.join("\n") + "\n");
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "optiq-bench-book-"));
  const id = `e2e-bench-book-${process.pid}`;
  phase("deploying on a fresh npx hardhat node");
  const chain = await deployBookChain(work, id);
  const provider = rpcProvider(chain.node.url, Network.from(31337n));
  let cluster: PostgresCluster | undefined;
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
    const makers: OrderBody[] = [];
    for (let i = 0; i < MATCHES; i++)
      makers.push((await sell(i, 50n * USDC_PER_CONTRACT, 1_000_000n + BigInt(i))).body);
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
    const asksJson = asks.map((a) => JSON.stringify(a));
    const domain = {
      name: "optiq OptionsExchange",
      version: "1",
      chainId: venue.chainId,
      verifyingContract: venue.exchange,
    };
    const parsed = asks.map((a) => toOrder(orderSchema.parse(a.order)));
    const hashes = parsed.map((o) => hashOrder(domain, o));
    const rows = asks.map((a, i) => ({ hash: hashes[i], order: parsed[i], signature: a.signature }));

    const configOf = (extra: NodeJS.ProcessEnv) =>
      loadBookConfig([], {
        BOOK_RPC_URL: chain.node.url,
        BOOK_RECORD: chain.recordPath,
        BOOK_PORT: "0",
        BOOK_CONFIRMATIONS: "1",
        BOOK_POLL_MS: "50",
        BOOK_MAX_OPEN_ORDERS: String(ORDERS + MATCHES),
        BOOK_EXECUTOR_KEY: devWallet(EXECUTOR_INDEX).privateKey,
        ...extra,
      });
    const quiet = () => undefined;
    /** Start a service, wait for its signature workers (measured warm), run `f`, stop it. */
    const withBook = async <T>(
      extra: NodeJS.ProcessEnv,
      f: (book: BookService) => Promise<T>,
    ): Promise<T> => {
      const book = await startBook(configOf(extra), quiet);
      try {
        await book.signatures.ready;
        return await f(book);
      } finally {
        await book.stop();
      }
    };
    /** Profiles outlive the run's folder: opened afterwards in Chrome DevTools or speedscope. */
    const profileFile = (name: string) =>
      PROFILE ? join(tmpdir(), `optiq-bench-book-${name}-${process.pid}.cpuprofile`) : undefined;

    phase("PGlite: posting the asks");
    let matchedSeconds = 0;
    const onPglite = await withBook({ BOOK_DATA_DIR: join(work, "db") }, async (book) => {
      const measured = await intake(book, asksJson, profileFile("pglite"));
      phase("PGlite: posting the crossing orders");
      await load(
        `${book.url}/orders`,
        makers.map((m) => JSON.stringify(m)),
        201,
        CLIENTS,
      );
      const start = performance.now();
      await load(
        `${book.url}/orders`,
        bids.map((b) => JSON.stringify(b)),
        201,
        CLIENTS,
      );
      for (;;) {
        const [row] = await book.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM matches WHERE status IN ('MINED', 'CONFIRMED')",
        );
        if (Number(row.n) >= MATCHES) break;
        if (performance.now() - start > MATCH_TIMEOUT_MS)
          throw new Error(`only ${row.n} of ${MATCHES} matches mined in ${MATCH_TIMEOUT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      matchedSeconds = (performance.now() - start) / 1000;
      return measured;
    });

    phase("reference: the old per-request path (PGlite)");
    // The same service (matcher and signature pool included) on a fresh folder, checks and writes the old way.
    const oldPath = await withBook(
      { BOOK_DATA_DIR: join(work, "db-old"), BOOK_VALIDATION: "call", BOOK_WRITE_BATCH: "1" },
      (book) => intake(book, asksJson, undefined),
    );

    phase("reference: raw INSERT loop (PGlite)");
    const rawPglite = await openPglite(join(work, "raw"));
    const rawPgliteSeconds = await rawInserts(rawPglite, rows).finally(() => rawPglite.close());

    const server = postgresAvailable();
    let onPostgres: Intake | undefined;
    let rawPostgresSeconds: number | undefined;
    if (server.ok) {
      phase("PostgreSQL server: starting a private cluster");
      cluster = await startPostgres();
      phase("PostgreSQL server: posting the asks");
      onPostgres = await withBook({ BOOK_DATA_DIR: join(work, "db-pg"), DATABASE_URL: cluster.url }, (book) =>
        intake(book, asksJson, profileFile("postgres")),
      );
      phase("reference: raw INSERT loop (PostgreSQL server)");
      const admin = new Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query("CREATE DATABASE raw");
      await admin.end();
      const rawPostgres = await openPostgres(cluster.url.replace(/\/postgres$/, "/raw"));
      rawPostgresSeconds = await rawInserts(rawPostgres, rows).finally(() => rawPostgres.close());
    } else phase(`PostgreSQL server: skipped (${server.why})`);

    phase("profile of one order's steps");
    const sample = asks.slice(0, PROFILE_ORDERS);
    const each = async (f: (a: OrderBody, k: number) => unknown) => {
      const t = performance.now();
      for (const [k, a] of sample.entries()) await f(a, k);
      return (performance.now() - t) / sample.length;
    };
    const parseHashMs = await each((a) => hashOrder(domain, toOrder(postOrderSchema.parse(a).order)));
    const recoverMs = await each((a, k) => recoverAddress(hashes[k], a.signature));
    const exchangeView = IOptionsExchange__factory.connect(venue.exchange, provider);
    const validateMs = await each((a, k) => validateOrder(exchangeView, parsed[k], a.signature, WAD));
    const one = await openPglite(join(work, "one"));
    await migrate(one);
    const insertMs = await each((a, k) =>
      one.transaction((tx) => insertOrder(tx, hashes[k], parsed[k], a.signature)),
    );
    await one.close();

    phase("references: plain fills, the echo route");
    // Reference: the same number of plain fills, one client, back to back.
    const filler = IOptionsExchange__factory.connect(venue.exchange, await provider.getSigner(9));
    const t0 = performance.now();
    for (const d of direct)
      await (await filler.fill(d.order, d.body.signature, WAD, account.get(buyer.address)!, 0n)).wait();
    const fillSeconds = (performance.now() - t0) / 1000;

    // Reference: a bare fastify echo route in this thread, the same load from the same generator.
    const echo = fastify({ logger: false });
    echo.post("/echo", async (request) => request.body);
    await echo.listen({ host: "127.0.0.1", port: 0 });
    const address = echo.server.address();
    const echoUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/echo`;
    const echoRun = await measuredCpu(() => load(echoUrl, asksJson, 200, CLIENTS));
    await echo.close();

    const rate = (r: Run) => fmt(r.ok / r.seconds);
    const latency = (r: Run) => `${fmt(pct(r.latenciesMs, 50))} / ${fmt(pct(r.latenciesMs, 99))}`;
    const perOrder = (ms: number | undefined, n: number) => (ms === undefined ? "n/a" : fmt2(ms / n));
    const ceiling = (ms: number | undefined, n: number) =>
      ms === undefined || ms === 0 ? "n/a" : fmt((1000 * n) / ms);
    const pg = onPostgres;
    const skipped = server.ok ? "" : `skipped: ${server.why}`;
    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ORDERS} orders, ${MATCHES} matches, ${CLIENTS} clients (on a worker thread); load average ${loadAtStart} at the start, ${loadAverage()} at the end.`,
      "",
      "| measure | PGlite (embedded) | PostgreSQL server | reference (same run) | reference is |",
      "| --- | --- | --- | --- | --- |",
      `| accepted orders/s (POST /orders, all checks, committed) | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${rate(oldPath.run)} | the per-request path on PGlite: \`validate\` eth_call and one transaction per order |`,
      `| POST /orders latency p50 / p99 (ms) | ${latency(onPglite.run)} | ${pg ? latency(pg.run) : skipped} | ${latency(oldPath.run)} | the per-request path |`,
      `| main-thread CPU per accepted order (ms) | ${perOrder(onPglite.cpu.mainMs, onPglite.run.ok)} | ${pg ? perOrder(pg.cpu.mainMs, pg.run.ok) : skipped} | ${perOrder(echoRun.cpu.mainMs, echoRun.result.ok)} | bare fastify echo route, same load |`,
      `| accepted orders/s with the main thread on a core of its own (1,000 / the line above) | ${ceiling(onPglite.cpu.mainMs, onPglite.run.ok)} | ${pg ? ceiling(pg.cpu.mainMs, pg.run.ok) : skipped} | ${ceiling(echoRun.cpu.mainMs, echoRun.result.ok)} | the echo route |`,
      `| process CPU per accepted order (ms, every thread: signature workers, load generator) | ${perOrder(onPglite.cpu.processMs, onPglite.run.ok)} | ${pg ? perOrder(pg.cpu.processMs, pg.run.ok) : skipped} | ${perOrder(echoRun.cpu.processMs, echoRun.result.ok)} | the echo route |`,
      `| accepted orders/s | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${rate(echoRun.result)} | bare fastify echo route, same load |`,
      `| orders stored/s | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${fmt(ORDERS / rawPgliteSeconds)} / ${rawPostgresSeconds === undefined ? "n/a" : fmt(ORDERS / rawPostgresSeconds)} | raw INSERT loop, one transaction each: PGlite / the PostgreSQL server |`,
      `| matched trades/s (post → mined on the node, PGlite) | ${fmt(MATCHES / matchedSeconds)} | | ${fmt(MATCHES / fillSeconds)} | plain \`fill\` transactions back to back, same node |`,
    ];
    const facts = (name: string, i: Intake) =>
      `${name}: chain reads by the cache during the ${ORDERS} posts ${i.cacheLoads}; group-commit transactions ${i.batches} (${fmt(i.run.ok / Math.max(1, i.batches))} orders each); orders the matcher had not crossed yet at the last answer ${i.backlog}; answers ${JSON.stringify(i.run.statuses)}.`;
    lines.push("", facts("PGlite", onPglite));
    if (pg) lines.push("", facts("PostgreSQL server", pg));
    for (const [name, i] of [
      ["PGlite", onPglite],
      ["PostgreSQL server", pg],
    ] as const) {
      if (i === undefined) continue;
      lines.push(
        "",
        `${name}: statements on the database during the load, ${fmt2(i.statements.total / i.run.ok)} per accepted order (${i.statements.total} in all; a transaction counts once more):`,
        "",
        "| statement (first words) | count | per accepted order |",
        "| --- | --- | --- |",
        ...i.statements.rows.map((r) => `| \`${r.statement}\` | ${r.count} | ${fmt2(r.count / i.run.ok)} |`),
      );
      if (i.shares !== undefined) {
        const total = i.shares.reduce((a, s) => a + s.ms, 0);
        lines.push(
          "",
          `${name}: where the main thread's time went during the load (CPU profile, self time by module, a native call counted for its caller; ${fmt(total)} ms sampled over ${fmt2(i.run.seconds)} s, wall time: on a busy machine it includes the time the thread waited for a core):`,
          "",
          "| bucket | ms | per accepted order (ms) | share |",
          "| --- | --- | --- | --- |",
          ...i.shares.map(
            (s) =>
              `| ${s.bucket} | ${fmt(s.ms)} | ${fmt2(s.ms / i.run.ok)} | ${fmt((100 * s.ms) / total)}% |`,
          ),
        );
      }
    }
    lines.push(
      "",
      `One order's steps alone, mean of ${PROFILE_ORDERS} in sequence (ms): schema + EIP-712 hash ${fmt2(parseHashMs)}, signature recovery ${fmt2(recoverMs)}, \`validate\` eth_call ${fmt2(validateMs)}, one-order INSERT transaction (PGlite) ${fmt2(insertMs)}.`,
    );
    lines.push("", ...engine);
    for (const [name, i] of [
      ["PGlite", onPglite],
      ["PostgreSQL server", pg],
      ["the old path", oldPath],
    ] as const)
      if (i !== undefined && i.run.ok !== ORDERS)
        lines.push("", `warning: ${name} refused ${ORDERS - i.run.ok} orders`);
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    cluster?.stop();
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
