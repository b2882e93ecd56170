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
 *   `BENCH_BOOK_PROFILE=1`; its own cost makes that run's rates no measure) and the statements the service ran on its
 *   database;
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
import { Network, NonceManager, recoverAddress } from "ethers";
import { IOptionsExchange__factory } from "../../typechain-types";
import { BOOK_DEFAULTS } from "../book/config/defaults";
import { loadBookConfig } from "../book/config/load";
import { startBook, type BookService } from "../book/service";
import { openPglite } from "../book/db/pglite";
import { openPostgres } from "../book/db/postgres";
import type { Database } from "../book/db/database";
import { migrate } from "../book/db/migrate";
import { insertOrder } from "../book/db/orders";
import { rpcProvider } from "../book/chain/rpc";
import { hashOrder, validateOrder, type Order } from "../../src/exchange/order";
import { orderDigester } from "../../src/exchange/orderDigest";
import { ECDSA_BACKEND, recoverSigner } from "../book/validation/ecdsa";
import { keccak256Fast } from "../book/validation/keccak";
import { orderSchema, postOrderSchema, toOrder } from "../book/api/schemas";
import { listPut, openFundedAccount, USDC } from "../../test/shared/fixtures/book";
import { deployBookChain, devWallet, EXECUTOR_INDEX } from "../../test/shared/bookService";
import { mined } from "../../test/shared/mined";
import { postgresBin, startPostgres, type PostgresCluster } from "../../test/shared/postgresCluster";
import { signedOrder, Side, USDC_PER_CONTRACT, WAD, type OrderBody } from "../../test/e2e/book/orders";
import { benchEngine } from "./book/engine";
import { load, percentile as pct, type Run } from "./book/load";
import { measuredCpu, type CpuSpan } from "./book/cpu";
import { profiled, type ProfileShare } from "./book/profile";
import { StatementCounter } from "./book/statements";

const ORDERS = Number(process.env.BENCH_BOOK_ORDERS ?? 4_000);
const MATCHES = Number(process.env.BENCH_BOOK_MATCHES ?? 50);
const CLIENTS = Number(process.env.BENCH_BOOK_CLIENTS ?? 16);
/**
 * Rounds of the accepted-orders load on each database, each on a fresh one; the tables give the median round, beside
 * the spread of all (a machine shared with other work moves single runs by a third).
 */
const ROUNDS = Number(process.env.BENCH_BOOK_ROUNDS ?? 3);
/**
 * Owners of the asks: each stays under the service's default cap of open orders (100), as a book's owners do; the
 * count of an owner's open orders that each group commit reads is then at most the cap.
 */
const SELLERS = 50;
/** Sellers are HD wallets from this index on (the node funds the first 20), given this much gas money each. */
const SELLER_HD_INDEX = 100;
const SELLER_GAS_WEI = 10n ** 18n;
/** Sellers whose collateral is set up at once (each sends its own transactions). */
const FUNDING_CONCURRENCY = 10;
/**
 * Profile the main thread during the accepted-orders loads (`BENCH_BOOK_PROFILE=1`). The sampler costs CPU itself:
 * the rates of a profiled run are not the measure.
 */
const PROFILE = process.env.BENCH_BOOK_PROFILE === "1";
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
const fmt3 = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 3 });
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
  /** Worker threads of the service's signature pool (0: inline). */
  signatureWorkers: number;
  /** The warm-up: each owner's first order, before the measured load. */
  cold: Run;
}

async function intake(
  book: BookService,
  { warm, bodies }: { warm: string[]; bodies: string[] },
  profileFile: string | undefined,
  serverPid?: number,
): Promise<Intake> {
  // Each owner's first order fills the service's cache of its account (chain reads), timed apart.
  const cold = await load(`${book.url}/orders`, warm, 201, CLIENTS);
  const counter = new StatementCounter(book.db);
  const loads0 = book.state.loads;
  const batches0 = book.writer.batches;
  const post = () => load(`${book.url}/orders`, bodies, 201, CLIENTS);
  counter.counting = true;
  const { result, cpu } = await measuredCpu(
    async () =>
      profileFile === undefined ? { result: await post(), shares: undefined } : profiled(profileFile, post),
    serverPid,
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
    signatureWorkers: book.signatures.size,
    cold,
  };
}

/** The round of median throughput (the lower middle of an even count). */
function median(rounds: Intake[]): Intake {
  const sorted = [...rounds].sort((a, b) => a.run.ok / a.run.seconds - b.run.ok / b.run.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
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
  const perSeller = 1 + Math.ceil(ORDERS / SELLERS) + Math.ceil(MATCHES / SELLERS);
  if (perSeller > BOOK_DEFAULTS.maxOpenOrdersPerOwner)
    throw new Error(
      `${ORDERS} orders and ${MATCHES} matches over ${SELLERS} sellers is ${perSeller} open orders each, over the cap of ${BOOK_DEFAULTS.maxOpenOrdersPerOwner}`,
    );
  const work = mkdtempSync(join(tmpdir(), "optiq-bench-book-"));
  const id = `e2e-bench-book-${process.pid}`;
  phase("deploying on a fresh npx hardhat node");
  const chain = await deployBookChain(work, id);
  const provider = rpcProvider(chain.node.url, Network.from(31337n));
  let cluster: PostgresCluster | undefined;
  try {
    const venue = { exchange: chain.record.contracts.OptionsExchange, chainId: 31337n };
    const { seriesId } = await listPut(chain.record, await provider.getSigner(3), 7 * 24 * 3600);
    // Sellers beyond the node's funded accounts: HD wallets of the same mnemonic, given gas by account 0.
    const sellers = Array.from({ length: SELLERS }, (_, k) =>
      devWallet(SELLER_HD_INDEX + k).connect(provider),
    );
    const buyer = devWallet(9);
    const funder = await provider.getSigner(0);
    const gas = new NonceManager(funder);
    for (const w of sellers) await mined(gas.sendTransaction({ to: w.address, value: SELLER_GAS_WEI }));
    const account = new Map<string, bigint>();
    account.set(
      buyer.address,
      await openFundedAccount(chain.record, await provider.getSigner(9), 200_000n * USDC),
    );
    for (let k = 0; k < SELLERS; k += FUNDING_CONCURRENCY) {
      const ids = await Promise.all(
        sellers
          .slice(k, k + FUNDING_CONCURRENCY)
          .map((w) => openFundedAccount(chain.record, new NonceManager(w), 200_000n * USDC)),
      );
      ids.forEach((id, j) => account.set(sellers[k + j].address, id));
    }
    phase("accounts funded; signing the orders");
    const expiry = BigInt(Math.floor(Date.now() / 1000)) + 3n * 3600n;
    const sell = (k: number, price: bigint, nonce: bigint) =>
      signedOrder(venue, sellers[k % SELLERS], {
        accountId: account.get(sellers[k % SELLERS].address)!,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price,
        expiry,
        nonce,
      });

    // Asks far above the matching range, then the bids to match: all signed before the clock starts.
    const asks: OrderBody[] = [];
    for (let i = 0; i < SELLERS + ORDERS; i++)
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
    const intakeLoad = { warm: asksJson.slice(0, SELLERS), bodies: asksJson.slice(SELLERS) };
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

    phase(`PGlite: posting the asks (${ROUNDS} rounds, a fresh folder each)`);
    const pgliteRounds: Intake[] = [];
    for (let round = 1; round < ROUNDS; round++)
      pgliteRounds.push(
        await withBook({ BOOK_DATA_DIR: join(work, `db-${round}`) }, (book) =>
          intake(book, intakeLoad, undefined),
        ),
      );
    let matchedSeconds = 0;
    const lastPglite = await withBook({ BOOK_DATA_DIR: join(work, "db") }, async (book) => {
      const measured = await intake(book, intakeLoad, profileFile("pglite"));
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
    pgliteRounds.push(lastPglite);
    const onPglite = median(pgliteRounds);

    phase("reference: the old per-request path (PGlite)");
    // The same service (matcher and signature pool included) on a fresh folder, checks and writes the old way.
    const oldPath = await withBook(
      { BOOK_DATA_DIR: join(work, "db-old"), BOOK_VALIDATION: "call", BOOK_WRITE_BATCH: "1" },
      (book) => intake(book, intakeLoad, undefined),
    );

    phase("reference: raw INSERT loop (PGlite)");
    const rawPglite = await openPglite(join(work, "raw"));
    const rawPgliteSeconds = await rawInserts(rawPglite, rows).finally(() => rawPglite.close());

    const server = postgresAvailable();
    let onPostgres: Intake | undefined;
    const postgresRounds: Intake[] = [];
    let rawPostgresSeconds: number | undefined;
    if (server.ok) {
      phase("PostgreSQL server: starting a private cluster");
      cluster = await startPostgres();
      phase(`PostgreSQL server: posting the asks (${ROUNDS} rounds, a fresh database each)`);
      for (let round = 1; round <= ROUNDS; round++) {
        const admin = new Client({ connectionString: cluster.url });
        await admin.connect();
        await admin.query(`CREATE DATABASE round_${round}`);
        await admin.end();
        const url = cluster.url.replace(/\/postgres$/, `/round_${round}`);
        postgresRounds.push(
          await withBook({ BOOK_DATA_DIR: join(work, "db-pg"), DATABASE_URL: url }, (book) =>
            intake(book, intakeLoad, round === ROUNDS ? profileFile("postgres") : undefined, cluster!.pid),
          ),
        );
      }
      onPostgres = median(postgresRounds);
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
    const parseMs = await each((a) => toOrder(postOrderSchema.parse(a).order));
    const digest = orderDigester(domain, keccak256Fast);
    const hashMs = await each((_, k) => digest(parsed[k]));
    const encoderHashMs = await each((_, k) => hashOrder(domain, parsed[k]));
    const recoverMs = await each((a, k) => recoverSigner(hashes[k], a.signature));
    const ethersRecoverMs = await each((a, k) => recoverAddress(hashes[k], a.signature));
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
    const echoRun = await measuredCpu(() => load(echoUrl, intakeLoad.bodies, 200, CLIENTS));
    await echo.close();

    const rate = (r: Run) => fmt(r.ok / r.seconds);
    const latency = (r: Run) => `${fmt(pct(r.latenciesMs, 50))} / ${fmt(pct(r.latenciesMs, 99))}`;
    const spread = (rounds: Intake[]) =>
      rounds.map((i) => `${rate(i.run)}, ${fmt(pct(i.run.latenciesMs, 99))}`).join("; ");
    const latency0 = (r: Run) =>
      `${fmt(pct(r.latenciesMs, 50))} / ${fmt(r.latenciesMs[r.latenciesMs.length - 1])}`;
    const perOrder = (ms: number | undefined, n: number) => (ms === undefined ? "n/a" : fmt2(ms / n));
    const ceiling = (ms: number | undefined, n: number) =>
      ms === undefined || ms === 0 ? "n/a" : fmt((1000 * n) / ms);
    const pg = onPostgres;
    const serviceMs = (i: Intake) => i.cpu.processMs - (i.run.cpuMs ?? 0);
    const worker = (i: Intake, name: string) => i.cpu.workersMs.get(name);
    const skipped = server.ok ? "" : `skipped: ${server.why}`;
    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ORDERS} orders measured (after one from each of ${SELLERS} owners), ${MATCHES} matches, ${CLIENTS} clients (on a worker thread); load average ${loadAtStart} at the start, ${loadAverage()} at the end.`,
      "",
      "| measure | PGlite (embedded) | PostgreSQL server | reference (same run) | reference is |",
      "| --- | --- | --- | --- | --- |",
      `| accepted orders/s (POST /orders, all checks, committed) | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${rate(oldPath.run)} | the per-request path on PGlite: \`validate\` eth_call and one transaction per order |`,
      `| POST /orders latency p50 / p99 (ms) | ${latency(onPglite.run)} | ${pg ? latency(pg.run) : skipped} | ${latency(oldPath.run)} | the per-request path |`,
      `| every round: accepted orders/s, p99 (ms) | ${spread(pgliteRounds)} | ${pg ? spread(postgresRounds) : skipped} | | ${ROUNDS} rounds on each database, the median above |`,
      `| an owner's first order, latency p50 / max (ms; its account read from the chain, before the load above) | ${latency0(onPglite.cold)} | ${pg ? latency0(pg.cold) : skipped} | ${latency0(oldPath.cold)} | the per-request path |`,
      `| main-thread CPU per accepted order (ms) | ${perOrder(onPglite.cpu.mainMs, onPglite.run.ok)} | ${pg ? perOrder(pg.cpu.mainMs, pg.run.ok) : skipped} | ${perOrder(echoRun.cpu.mainMs, echoRun.result.ok)} | bare fastify echo route, same load |`,
      `| accepted orders/s with the main thread on a core of its own (1,000 / the line above) | ${ceiling(onPglite.cpu.mainMs, onPglite.run.ok)} | ${pg ? ceiling(pg.cpu.mainMs, pg.run.ok) : skipped} | ${ceiling(echoRun.cpu.mainMs, echoRun.result.ok)} | the echo route |`,
      `| service CPU per accepted order (ms, every thread of the process but the load generator's) | ${perOrder(serviceMs(onPglite), onPglite.run.ok)} | ${pg ? perOrder(serviceMs(pg), pg.run.ok) : skipped} | ${perOrder(echoRun.cpu.processMs - (echoRun.result.cpuMs ?? 0), echoRun.result.ok)} | the echo route |`,
      `| of which the PGlite worker / the signature workers (ms) | ${perOrder(worker(onPglite, "PGlite"), onPglite.run.ok)} / ${perOrder(worker(onPglite, "signature worker"), onPglite.run.ok)} | ${pg ? `n/a / ${perOrder(worker(pg, "signature worker"), pg.run.ok)}` : skipped} | | signatures ${onPglite.signatureWorkers === 0 ? "checked inline on the main thread" : `on ${onPglite.signatureWorkers} worker threads`} |`,
      `| accepted orders/s the CPU allows on ${cpus().length} cores (${cpus().length} × 1,000 / the service's CPU per order, and the server's) | ${ceiling(serviceMs(onPglite) / cpus().length, onPglite.run.ok)} | ${pg ? ceiling((serviceMs(pg) + (pg.cpu.serverMs ?? 0)) / cpus().length, pg.run.ok) : skipped} | | at most the main thread's figure above |`,
      `| the PostgreSQL server's CPU per accepted order (ms; its processes, beside the service's) | | ${pg ? perOrder(pg.cpu.serverMs, pg.run.ok) : skipped} | | the service plus this is the machine's cost of an order |`,
      `| load generator CPU per request (ms, its own thread) | ${perOrder(onPglite.run.cpuMs, onPglite.run.ok)} | ${pg ? perOrder(pg.run.cpuMs, pg.run.ok) : skipped} | ${perOrder(echoRun.result.cpuMs, echoRun.result.ok)} | the echo route's load |`,
      `| accepted orders/s | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${rate(echoRun.result)} | bare fastify echo route, same load |`,
      `| orders stored/s | ${rate(onPglite.run)} | ${pg ? rate(pg.run) : skipped} | ${fmt(rows.length / rawPgliteSeconds)} / ${rawPostgresSeconds === undefined ? "n/a" : fmt(rows.length / rawPostgresSeconds)} | raw INSERT loop, one transaction each: PGlite / the PostgreSQL server |`,
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
      `One order's steps alone, mean of ${PROFILE_ORDERS} in sequence (ms): the request schema ${fmt3(parseMs)}; EIP-712 digest ${fmt3(hashMs)} (ethers' TypedDataEncoder: ${fmt3(encoderHashMs)}); signature recovery ${fmt3(recoverMs)} with ${ECDSA_BACKEND} (ethers: ${fmt3(ethersRecoverMs)}); \`validate\` eth_call ${fmt2(validateMs)}; one-order INSERT transaction (PGlite) ${fmt2(insertMs)}.`,
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
