/**
 * The engine's leader lock: on a PostgreSQL server, of two instances on one database only one holds it; when the
 * holder's connection goes (closed, or its process killed) the other takes it at its next try. On PGlite, one
 * process per folder, the one instance holds it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Client } from "pg";
import { LeaderLock } from "../../../scripts/book/db/leader";
import { openPglite } from "../../../scripts/book/db/pglite";
import { openPostgres } from "../../../scripts/book/db/postgres";
import { startPostgres, type PostgresCluster } from "../../shared/postgresCluster";

describe("unit/book/LeaderLock (one engine per database)", function () {
  this.timeout(120_000);
  let cluster: PostgresCluster;
  let dir: string;
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), "optiq-leader-"));
  });
  after(() => {
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("PostgreSQL server: one holder at a time; the other takes over when the holder's connection closes", async () => {
    const a = await openPostgres(cluster.url);
    const b = await openPostgres(cluster.url);
    try {
      const first = new LeaderLock(a, "book/1/0xabc");
      const second = new LeaderLock(b, "book/1/0xabc");
      const other = new LeaderLock(b, "book/1/0xdef");
      expect(await first.check()).to.equal(true);
      expect(await second.check()).to.equal(false);
      expect(await first.check()).to.equal(true);
      expect(await second.check()).to.equal(false);
      // Another exchange's lock is another leader.
      expect(await other.check()).to.equal(true);
      await first.release();
      expect(first.isLeader).to.equal(false);
      expect(await second.check()).to.equal(true);
      expect(await first.check()).to.equal(false);
      await second.release();
      await other.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("PostgreSQL server: a holder whose connection the server ends loses the lock and says so", async () => {
    const a = await openPostgres(cluster.url);
    const b = await openPostgres(cluster.url);
    const admin = new Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      const first = new LeaderLock(a, "book/2");
      const second = new LeaderLock(b, "book/2");
      expect(await first.check()).to.equal(true);
      // End the holder's session from the server side, as a dead process's would end.
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
      );
      expect(await second.check()).to.equal(true);
      expect(await first.check()).to.equal(false);
      await second.release();
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });

  it("PGlite: the one instance holds it", async () => {
    const db = await openPglite(join(dir, "data"));
    try {
      const lock = new LeaderLock(db, "book/3");
      expect(await lock.check()).to.equal(true);
      expect(await lock.check()).to.equal(true);
    } finally {
      await db.close();
    }
  });
});
