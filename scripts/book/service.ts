/**
 * The order book service: database, chain, API, and one engine loop that runs the indexer, the confirmation tracker
 * and the matcher in turn (one at a time, so the executor's nonce and the reservations have a single writer).
 */
import type { FastifyInstance } from "fastify";
import { IOptionsClearing__factory } from "../../typechain-types/factories/contracts/interfaces/IOptionsClearing__factory";
import type { BookConfig } from "./config/schema";
import { openDatabase } from "./db/open";
import type { Database } from "./db/database";
import { connectChain, type Chain } from "./chain/exchange";
import { Clock } from "./chain/clock";
import { StreamHub } from "./stream/hub";
import { buildServer } from "./api/server";
import { Matcher, type MatcherLog } from "./matching/matcher";
import { Tracker } from "./matching/tracker";
import { Indexer } from "./indexer/indexer";

export interface BookService {
  url: string;
  db: Database;
  chain: Chain;
  stop(): Promise<void>;
}

export const jsonLog: MatcherLog = (event, fields) =>
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");

export async function startBook(config: BookConfig, log: MatcherLog = jsonLog): Promise<BookService> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const chain = await connectChain({ ...config, exchange: config.exchange });
  const clock = new Clock();
  const hub = new StreamHub();
  const indexer = new Indexer(db, chain, clock, hub, config.fromBlock, log);
  const executor = chain.executor;
  const matcher =
    executor === undefined
      ? undefined
      : new Matcher(
          db,
          { ...chain, executor },
          clock,
          hub,
          [chain.exchange.interface, IOptionsClearing__factory.createInterface()],
          config.maxMakersPerMatch,
          log,
        );
  const tracker = new Tracker(db, chain, hub, config.confirmations, log, () => matcher?.resyncNonce());

  let head: number | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, config.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  const loop = (async () => {
    while (!stopping) {
      try {
        head = await indexer.runOnce();
        await tracker.runOnce(head);
        if (matcher !== undefined) await matcher.runOnce();
      } catch (error) {
        log("engine-error", { message: (error as Error).message.split("\n")[0] });
      }
      if (!stopping) await sleep();
    }
  })();

  let app: FastifyInstance;
  try {
    app = await buildServer({
      config,
      db,
      chain,
      clock,
      hub,
      wake: () => wakeUp?.(),
      status: () => ({ indexedBlock: indexer.cursor, headBlock: head }),
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    stopping = true;
    await loop;
    await db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  return {
    url: `http://${config.host}:${port}`,
    db,
    chain,
    async stop() {
      stopping = true;
      wakeUp?.();
      hub.closeAll();
      await app.close();
      await loop;
      chain.provider.destroy();
      await db.close();
    },
  };
}
