/**
 * The order book service: database, chain, API, and one engine loop. Every instance's loop feeds its chain watcher
 * (the cache of the order checks); the leader's alone (one per database, LeaderLock) then runs the indexer, the
 * confirmation tracker, the re-validation of resting orders and the matcher in turn, so the executor's nonce, the
 * reservations and the evictions have a single writer.
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
import { readCursor } from "./db/events";
import { OrderWriter } from "./db/orderWriter";
import { LevelFeed } from "./stream/levels";
import { ChainState } from "./validation/chainState";
import { ChainWatcher } from "./validation/watcher";
import { Revalidator } from "./validation/revalidator";
import { LeaderLock } from "./db/leader";
import { defaultSignatureWorkers, SignaturePool } from "./validation/signatures";

export interface BookService {
  url: string;
  db: Database;
  chain: Chain;
  state: ChainState;
  writer: OrderWriter;
  /** Orders posted before its workers have loaded wait for them (`signatures.ready`). */
  signatures: SignaturePool;
  stop(): Promise<void>;
}

export const jsonLog: MatcherLog = (event, fields) =>
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");

export async function startBook(config: BookConfig, log: MatcherLog = jsonLog): Promise<BookService> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const chain = await connectChain({ ...config, exchange: config.exchange });
  const clock = new Clock();
  const hub = new StreamHub();
  const state = new ChainState(chain);
  const watcher = new ChainWatcher(chain, state);
  const signatures = new SignaturePool(
    chain.orderDomain,
    config.signatureWorkers === "auto" ? defaultSignatureWorkers() : config.signatureWorkers,
  );
  const writer = new OrderWriter(
    db,
    config.maxOpenOrdersPerOwner,
    () => clock.now(),
    config.writeBatchOrders,
  );
  const levels = new LevelFeed(db, hub, () => clock.now());
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
  const revalidator = new Revalidator(
    db,
    chain,
    state,
    watcher,
    clock,
    hub,
    config.revalidateIntervalSeconds,
    log,
  );
  const leader = new LeaderLock(db, `optiq-book/${chain.chainId}/${chain.exchangeAddress.toLowerCase()}`);

  let head: number | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  /** A wake-up that came while the loop was busy: the next sleep returns at once. */
  let wakePending = false;
  const wake = () => {
    if (wakeUp !== undefined) wakeUp();
    else wakePending = true;
  };
  /** Sleep one poll interval, or less if woken; true when woken. */
  const sleep = () =>
    new Promise<boolean>((resolve) => {
      if (wakePending) {
        wakePending = false;
        resolve(true);
        return;
      }
      const timer = setTimeout(() => done(false), config.pollIntervalMs);
      function done(woken: boolean) {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve(woken);
      }
      wakeUp = () => done(true);
    });
  let chainPassAt = Number.NEGATIVE_INFINITY;
  let woken = false;
  const loop = (async () => {
    while (!stopping) {
      try {
        if (woken && leader.isLeader && performance.now() - chainPassAt < config.pollIntervalMs) {
          // Woken by new orders within a poll interval of the last chain pass: the leader only matches them.
          if (await leader.check()) {
            if (matcher !== undefined) await matcher.runOnce();
          } else log("follower", {});
        } else {
          chainPassAt = performance.now();
          // One head for the watcher and the indexer: once the indexer has read a block, the cache has seen it too.
          const latest = await chain.provider.getBlock("latest");
          if (latest === null || latest.hash === null) throw new Error("the node has no latest block");
          clock.observeBlock(latest.timestamp);
          await watcher.runOnce({ number: latest.number, hash: latest.hash });
          const wasLeader = leader.isLeader;
          if (await leader.check()) {
            if (!wasLeader) {
              // Another leader may have sent transactions: the next send reads the nonce again.
              matcher?.resyncNonce();
              log("leader", { matcher: chain.executor?.address ?? null });
            }
            head = await indexer.runOnce(latest);
            await tracker.runOnce(head);
            await revalidator.runOnce();
            if (matcher !== undefined) await matcher.runOnce();
          } else {
            if (wasLeader) log("follower", {});
            // The leader indexes; a follower reports its progress.
            head = latest.number;
            indexer.cursor = await readCursor(db);
          }
        }
      } catch (error) {
        log("engine-error", { message: (error as Error).message.split("\n")[0] });
      }
      woken = stopping ? false : await sleep();
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
      levels,
      writer,
      signatures,
      state,
      wake,
      status: () => ({ indexedBlock: indexer.cursor, headBlock: head, leader: leader.isLeader }),
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    stopping = true;
    await loop;
    await leader.release();
    await signatures.close();
    await db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  return {
    url: `http://${config.host}:${port}`,
    db,
    chain,
    state,
    writer,
    signatures,
    async stop() {
      stopping = true;
      wakeUp?.();
      hub.closeAll();
      await app.close();
      await loop;
      await leader.release();
      await signatures.close();
      chain.provider.destroy();
      await db.close();
    },
  };
}
