/**
 * The group commit of accepted orders on both backends: orders written together land in one transaction in arrival
 * order, and each one is refused for its own reason (already stored, stored twice in the batch, cancelled or filled
 * on-chain per the indexed events, the owner's cap) without affecting the others.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ethers } from "ethers";
import type { Database, Queryable } from "../../../scripts/book/db/database";
import { openDatabase } from "../../../scripts/book/db/open";
import { insertEvents } from "../../../scripts/book/db/events";
import { softCancel } from "../../../scripts/book/db/orders";
import { OrderWriter, type PendingOrder } from "../../../scripts/book/db/orderWriter";
import { buildOrder, Side } from "../../../src/exchange/order";
import { startPostgres, type PostgresCluster } from "../../shared/postgresCluster";

const NOW = 1_000n;
/** How long a held transaction stays open after the next one has sent its first statement. */
const OVERLAP_MS = 100;
const CAP = 3;

function pending(owner: string, nonce: number): PendingOrder {
  const order = buildOrder({
    accountId: 1n,
    owner,
    seriesId: 7n,
    side: Side.Sell,
    amount: 10n ** 18n,
    limitPremiumPerContract: 10n ** 6n,
    maxFeePerContract: 0n,
    expiry: NOW + 3_600n,
    nonce: BigInt(nonce),
  });
  return { order, hash: ethers.id(`${owner}/${nonce}`), signature: "0x" + "11".repeat(65) };
}

/**
 * On a shared server, `db` with its first transaction held open (its rows written, not committed) until a second one
 * has sent its first statement and `OVERLAP_MS` more have passed: two batches of one owner then overlap, the second
 * reading while the first is uncommitted unless something orders them (without the writer's advisory locks this test
 * fails). The pause only orders the two; a slow machine makes it pass the same way. An embedded database commits one
 * batch at a time, so it is left as it is.
 */
function heldOpen(db: Database): Database {
  if (!db.shared) return db;
  let release!: () => void;
  const second = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  return {
    ...db,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const k = started++;
      return db.transaction(async (tx) => {
        const watched: Queryable = {
          query: (sql, params) => {
            if (k === 1) setTimeout(release, OVERLAP_MS);
            return tx.query(sql, params);
          },
          exec: (sql) => tx.exec(sql),
        };
        const result = await fn(watched);
        if (k === 0) await second;
        return result;
      });
    },
  };
}

describe("unit/book/OrderWriter (group commit of accepted orders)", function () {
  this.timeout(120_000);
  let dir: string;
  let cluster: PostgresCluster;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "optiq-writer-"));
    cluster = await startPostgres();
  });
  after(() => {
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const backends: Array<[string, () => Promise<Database>]> = [
    ["PGlite", () => openDatabase({ dataDir: join(dir, "pglite") })],
    ["PostgreSQL server", () => openDatabase({ url: cluster.url, dataDir: join(dir, "unused") })],
  ];

  for (const [name, open] of backends) {
    it(`${name}: one transaction for concurrent writes, arrival order kept, each refusal for its own reason`, async () => {
      const db = await open();
      try {
        const alice = ethers.Wallet.createRandom().address;
        const bob = ethers.Wallet.createRandom().address;
        const stored = pending(bob, 0);
        const cancelled = pending(bob, 1);
        const filled = pending(bob, 2);
        const first = new OrderWriter(db, CAP, () => NOW, 256);
        expect(await first.write(stored)).to.deep.equal({ stored: true });
        await insertEvents(db, [
          {
            txHash: ethers.id("tx1"),
            logIndex: 0,
            blockNumber: 1,
            blockHash: ethers.id("b1"),
            kind: "cancel",
            orderHash: cancelled.hash,
            owner: bob,
            amount: null,
          },
          {
            txHash: ethers.id("tx1"),
            logIndex: 1,
            blockNumber: 1,
            blockHash: ethers.id("b1"),
            kind: "fill",
            orderHash: filled.hash,
            owner: null,
            amount: 5n * 10n ** 17n,
          },
        ]);

        const writer = new OrderWriter(db, CAP, () => NOW, 256);
        const batch = [
          pending(alice, 0),
          stored,
          pending(alice, 1),
          pending(alice, 1),
          cancelled,
          filled,
          pending(alice, 2),
          pending(alice, 3),
          pending(bob, 3),
        ];
        const outcomes = await Promise.all(batch.map((o) => writer.write(o)));
        expect(outcomes).to.deep.equal([
          { stored: true },
          { stored: false, why: "duplicate" },
          { stored: true },
          { stored: false, why: "duplicate" },
          { stored: false, why: "cancelled" },
          { stored: false, why: "filled", filled: 5n * 10n ** 17n },
          { stored: true },
          { stored: false, why: "cap", open: CAP },
          { stored: true },
        ]);
        // Written in one turn of the event loop: one transaction for all nine.
        expect(writer.batches).to.equal(1);
        const rows = await db.query<{ hash: string }>("SELECT hash FROM orders ORDER BY seq");
        expect(rows.map((r) => r.hash)).to.deep.equal(
          [stored, batch[0], batch[2], batch[6], batch[8]].map((o) => o.hash.toLowerCase()),
        );
      } finally {
        await db.close();
      }
    });

    it(`${name}: the cap counts what is open now: an order closed since the last batch frees its place, expired ones too`, async () => {
      const db = await open();
      try {
        let now = NOW;
        const writer = new OrderWriter(db, CAP, () => now, 256);
        const carol = ethers.Wallet.createRandom().address;
        const first = [0, 1, 2].map((n) => pending(carol, n));
        for (const o of first) expect(await writer.write(o)).to.deep.equal({ stored: true });
        expect(await writer.write(pending(carol, 3))).to.deep.equal({ stored: false, why: "cap", open: CAP });
        // Closed behind the writer's back (a signed cancel): the next order takes its place.
        expect(await softCancel(db, first[0].hash)).to.equal(true);
        expect(await writer.write(pending(carol, 4))).to.deep.equal({ stored: true });
        expect(await writer.write(pending(carol, 5))).to.deep.equal({ stored: false, why: "cap", open: CAP });
        // Once the open ones have expired, the owner has room for a whole cap again.
        now = NOW + 3_600n;
        const later = [6, 7, 8].map((n) => ({
          ...pending(carol, n),
          order: { ...pending(carol, n).order, expiry: now + 3_600n },
        }));
        expect(await Promise.all(later.map((o) => writer.write(o)))).to.deep.equal(
          later.map(() => ({ stored: true })),
        );
      } finally {
        await db.close();
      }
    });

    it(`${name}: a batch started while another commits waits for the owner's lock and counts what it stored`, async () => {
      const db = await open();
      try {
        const writer = new OrderWriter(heldOpen(db), CAP, () => NOW, 256);
        const dave = ethers.Wallet.createRandom().address;
        const first = [0, 1].map((n) => writer.write(pending(dave, n)));
        // The first batch has started (on a server, a second one may start beside it).
        await new Promise((resolve) => setImmediate(resolve));
        const second = [2, 3].map((n) => writer.write(pending(dave, n)));
        expect(await Promise.all([...first, ...second])).to.deep.equal([
          { stored: true },
          { stored: true },
          { stored: true },
          { stored: false, why: "cap", open: CAP },
        ]);
        expect(writer.batches).to.equal(2);
        const [row] = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM orders WHERE owner = $1",
          [dave.toLowerCase()],
        );
        expect(Number(row.n)).to.equal(CAP);
      } finally {
        await db.close();
      }
    });

    it(`${name}: a batch that fails rejects every order in it and stores none`, async () => {
      const db = await open();
      try {
        const writer = new OrderWriter(db, CAP, () => NOW, 256);
        const good = pending(ethers.Wallet.createRandom().address, 0);
        // A price beyond numeric(78, 0) makes the INSERT fail.
        const bad = pending(ethers.Wallet.createRandom().address, 0);
        bad.order = { ...bad.order, limitPremiumPerContract: 10n ** 80n };
        const before = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders");
        // An earlier batch of its own commits; the batch holding the bad order fails whole.
        expect(await writer.write(pending(good.order.owner, 9))).to.deep.equal({ stored: true });
        const results = await Promise.allSettled([writer.write(good), writer.write(bad)]);
        expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
        expect(writer.batches).to.equal(1);
        const after = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders");
        expect(Number(after[0].n)).to.equal(Number(before[0].n) + 1);
      } finally {
        await db.close();
      }
    });
  }
});
