/**
 * The order book service inside the lifecycle: the same service `npm run book` starts (scripts/book/service.ts), run
 * in this process on the embedded database (PGlite in a temporary folder), reaching the in-process Hardhat network
 * through Hardhat's own JSON-RPC server on a free loopback port, with development account #11 as its matcher. The
 * deploy act makes that account the exchange's executor (`withMatcher`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HDNodeWallet } from "ethers";
import type { HardhatRuntimeEnvironment, JsonRpcServer } from "hardhat/types";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { BOOK_DEFAULTS } from "../../book/config/defaults";
import { bookConfigSchema } from "../../book/config/schema";
import { startBook, type BookService } from "../../book/service";
import { BookClient } from "../../../src/book/client";

/** The development account the lifecycle's matcher signs with (#0..#10 are the cast and the Safe's owners). */
export const MATCHER_ACCOUNT_INDEX = 11;
/** Blocks a trade waits on top of its own before the book reports it CONFIRMED. */
export const LIFECYCLE_CONFIRMATIONS = 2;

/** The matcher's wallet: account #11 of the network's development mnemonic. */
export function matcherWallet(hre: HardhatRuntimeEnvironment): HDNodeWallet {
  const accounts = hre.network.config.accounts;
  if (typeof accounts !== "object" || Array.isArray(accounts) || !("mnemonic" in accounts))
    throw new Error(
      `the lifecycle's matcher needs a network with mnemonic accounts, '${hre.network.name}' has none`,
    );
  return HDNodeWallet.fromPhrase(
    accounts.mnemonic,
    accounts.passphrase,
    `${accounts.path}/${MATCHER_ACCOUNT_INDEX}`,
  );
}

/** A copy of the deploy config at `configPath` in `dir` with `executor` added to the exchange's executors. */
export function withMatcher(configPath: string, dir: string, executor: string): string {
  const config = JSON.parse(readFileSync(configPath, "utf8")) as { exchange?: { executors?: string[] } };
  config.exchange = { ...config.exchange, executors: [...(config.exchange?.executors ?? []), executor] };
  const path = join(dir, "config-with-matcher.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export interface LifecycleBook {
  client: BookClient;
  service: BookService;
  matcher: string;
  /** Mine blocks until the trade of `takerHash` is CONFIRMED; returns it. */
  confirmed(takerHash: string): Promise<Awaited<ReturnType<BookClient["trades"]>>[number]>;
  stop(): Promise<void>;
}

const POLL_MS = 50;
const WAIT_LIMIT_MS = 60_000;

export async function startLifecycleBook(
  hre: HardhatRuntimeEnvironment,
  exchange: string,
): Promise<LifecycleBook> {
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname: "127.0.0.1",
    port: 0,
    provider: hre.network.provider,
  })) as JsonRpcServer;
  const { port: rpcPort } = await server.listen();
  const dataDir = mkdtempSync(join(tmpdir(), "optiq-lifecycle-book-"));
  const matcher = matcherWallet(hre);
  let service: BookService;
  try {
    service = await startBook(
      bookConfigSchema.parse({
        ...BOOK_DEFAULTS,
        port: 0,
        rpcUrl: `http://127.0.0.1:${rpcPort}`,
        exchange,
        executorKey: matcher.privateKey,
        dataDir,
        confirmations: LIFECYCLE_CONFIRMATIONS,
        pollIntervalMs: POLL_MS,
        fromBlock: await hre.ethers.provider.getBlockNumber(),
      }),
      () => undefined,
    );
  } catch (error) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    try {
      await service.stop();
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  let client: BookClient;
  try {
    client = await BookClient.connect(service.url);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    client,
    service,
    matcher: matcher.address,
    async confirmed(takerHash) {
      const deadline = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const trade = (await client.trades({ limit: 10 })).find((t) => t.takerHash === takerHash);
        if (trade?.status === "CONFIRMED") return trade;
        if (trade?.status === "FAILED") throw new Error(`the book's match ${trade.txHash} failed on-chain`);
        // In a block: mine the blocks the confirmation depth asks for (the in-process network mines on demand).
        if (trade?.status === "MINED") await hre.network.provider.send("evm_mine", []);
        if (Date.now() > deadline)
          throw new Error(`the book did not confirm a trade of ${takerHash} in time`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    stop,
  };
}
