/**
 * The order book service for end-to-end tests: a deployment of config/local.json on a real `npx hardhat node` with a
 * matcher granted EXECUTOR_ROLE (development account #8), and `npm run book` started as a child process in its own
 * process group on a free loopback port with a PGlite folder, stoppable by SIGTERM or killed by SIGKILL. A session
 * (`startBookSession`) is the set-up the book's end-to-end files share: that deployment, a listed put, funded traders
 * and the running book, closed by one call.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HDNodeWallet, JsonRpcProvider, type Wallet } from "ethers";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { listPut, openFundedAccount, USDC } from "./fixtures/book";
import { freePort, runHardhat, startNode, type LocalNode, type NodeKind } from "./localNode";

const ROOT = join(__dirname, "..", "..");
const IGNITION_DIR = join(ROOT, "ignition", "deployments");
const MNEMONIC = "test test test test test test test test test test test junk";

/** Development account `i` of the node, as a wallet with its key. */
export function devWallet(i: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
}

export const EXECUTOR_INDEX = 8;
/** The whole suite's deployment on a loaded two-core machine can take minutes. */
const DEPLOY_TIMEOUT_MS = 600_000;

export interface BookChain {
  node: LocalNode;
  record: DeploymentRecord;
  recordPath: string;
}

/** Start a node of `kind` and deploy config/local.json with account #8 as the exchange's executor. */
export async function deployBookChain(
  work: string,
  id: string,
  kind: NodeKind = "hardhat",
): Promise<BookChain> {
  const node = await startNode(kind);
  try {
    const config = JSON.parse(readFileSync(join(ROOT, "config", "local.json"), "utf8")) as Record<
      string,
      unknown
    >;
    config.exchange = { executors: [devWallet(EXECUTOR_INDEX).address] };
    const configPath = join(work, "book-config.json");
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const recordPath = join(work, `${id}.json`);
    const r = await runHardhat(
      ["run", "scripts/deploy.ts", "--network", "e2e"],
      {
        E2E_RPC_URL: node.url,
        DEPLOY_CONFIG: configPath,
        DEPLOY_RECORD: recordPath,
        DEPLOYMENT_ID: id,
      },
      DEPLOY_TIMEOUT_MS,
    );
    if (r.code !== 0)
      throw new Error(`deploy failed (${r.timedOut ? "timed out" : r.code}):\n${r.stdout}\n${r.stderr}`);
    return { node, record: JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord, recordPath };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

export interface BookProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** JSON lines the service printed. */
  events(): Array<Record<string, unknown> & { event: string }>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group, then wait for the exit. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Run `npm run book` with `env` (and a free port) until it prints its `listening` line. */
export async function startBookProcess(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<BookProcess> {
  const port = await freePort();
  const child = spawn("npm", ["run", "--silent", "book"], {
    cwd: ROOT,
    env: { ...process.env, BOOK_PORT: String(port), ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  process.once("exit", () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Gone.
    }
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const signal = async (s: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, s);
    } catch {
      // Gone.
    }
    await exited(child);
  };
  const proc: BookProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    events: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string }),
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('"event":"listening"')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the book exited (${child.exitCode ?? child.signalCode}) before listening:\n${out}`);
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`the book did not listen within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc;
}

/** The environment of a book on `chain` with its data in `dataDir`. */
export function bookEnv(chain: BookChain, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    BOOK_RPC_URL: chain.node.url,
    BOOK_RECORD: chain.recordPath,
    BOOK_DATA_DIR: dataDir,
    BOOK_POLL_MS: "100",
    ...extra,
  };
}

/** Poll `probe` until it returns a value (not undefined), at most `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function http<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; raw?: string } = {},
): Promise<JsonResponse<T>> {
  const hasBody = init.body !== undefined || init.raw !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? "POST" : "GET"),
    headers: hasBody ? { "content-type": "application/json" } : undefined,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** config/local.json's lister. */
const LISTER_INDEX = 3;
const SERIES_LIFE_SECONDS = 7 * 24 * 3600;
const TRADER_FUNDS_USDC = 50_000n * USDC;

export interface BookSessionOptions {
  /** Names the deployment (`e2e-<name>-<pid>`) and the work folder (`optiq-<name>-…`). */
  name: string;
  kind?: NodeKind;
  /** Development wallets that each get a clearing account holding 50,000 USDC, opened in this order. */
  traders: readonly HDNodeWallet[];
  /** The book's environment beyond `bookEnv` and the matcher's key (account #8). */
  env?: NodeJS.ProcessEnv;
}

export interface BookSession {
  work: string;
  chain: BookChain;
  provider: JsonRpcProvider;
  book: BookProcess;
  /** A WETH put listed by account #3, expiring a week after the deployment. */
  seriesId: bigint;
  /** Each trader's clearing account, by address. */
  accounts: Map<string, bigint>;
  /** Stop the book and the node; remove the work folder and the deployment's Ignition journal. */
  close(): Promise<void>;
}

/** Deploy, list a put, fund the traders and start the book; on a failure part way, close what was started. */
export async function startBookSession(options: BookSessionOptions): Promise<BookSession> {
  const id = `e2e-${options.name}-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), `optiq-${options.name}-`));
  const started: { chain?: BookChain; provider?: JsonRpcProvider; book?: BookProcess } = {};
  const close = async () => {
    await started.book?.stop();
    started.provider?.destroy();
    await started.chain?.node.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(IGNITION_DIR, id), { recursive: true, force: true });
  };
  try {
    const chain = (started.chain = await deployBookChain(work, id, options.kind));
    const provider = (started.provider = new JsonRpcProvider(chain.node.url, undefined, {
      staticNetwork: true,
    }));
    const lister = await provider.getSigner(LISTER_INDEX);
    const { seriesId } = await listPut(chain.record, lister, SERIES_LIFE_SECONDS);
    const accounts = new Map<string, bigint>();
    for (const trader of options.traders) {
      const signer = await provider.getSigner(trader.address);
      accounts.set(trader.address, await openFundedAccount(chain.record, signer, TRADER_FUNDS_USDC));
    }
    const book = (started.book = await startBookProcess(
      bookEnv(chain, join(work, "db"), {
        BOOK_EXECUTOR_KEY: devWallet(EXECUTOR_INDEX).privateKey,
        ...options.env,
      }),
    ));
    return { work, chain, provider, book, seriesId, accounts, close };
  } catch (error) {
    // The set-up's error is the one to report.
    await close().catch(() => undefined);
    throw error;
  }
}

export type { Wallet };
