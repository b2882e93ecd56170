/**
 * The service's database interface on both backends, PGlite in a temp folder and a private PostgreSQL server: the
 * numbered migrations apply once each, in a transaction (a failing one leaves no table and no record), and survive a
 * reopen; transactions commit or roll back as a whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Database, Queryable } from "../../../scripts/book/db/database";
import { migrate, readMigrations } from "../../../scripts/book/db/migrate";
import { openPglite } from "../../../scripts/book/db/pglite";
import { openPostgres } from "../../../scripts/book/db/postgres";
import { startPostgres, type PostgresCluster } from "../../shared/postgresCluster";

const backends: Array<{ name: string; open(): Promise<Database>; cleanup(): Promise<void> }> = [];
let pgDir: string;
let cluster: PostgresCluster | undefined;

backends.push({
  name: "PGlite",
  open: () => openPglite(join(pgDir, "data")),
  cleanup: async () => rmSync(pgDir, { recursive: true, force: true }),
});
backends.push({
  name: "PostgreSQL server",
  open: () => openPostgres(cluster!.url),
  cleanup: async () => cluster?.stop(),
});

describe("unit/book/Database (migrations and transactions on PGlite and a PostgreSQL server)", function () {
  this.timeout(120_000);
  before(async () => {
    pgDir = mkdtempSync(join(tmpdir(), "optiq-pglite-"));
    cluster = await startPostgres();
  });
  after(async () => {
    for (const b of backends) await b.cleanup();
  });

  for (const backend of backends) {
    describe(backend.name, () => {
      it("applies every numbered migration once, records it, and applies none on a reopen", async () => {
        const expected = readMigrations().map((m) => m.name);
        expect(expected[0]).to.equal("001_init.sql");
        let db = await backend.open();
        expect(await migrate(db)).to.deep.equal(expected);
        expect(await migrate(db)).to.deep.equal([]);
        await db.close();
        db = await backend.open();
        expect(await migrate(db)).to.deep.equal([]);
        const rows = await db.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY version");
        expect(rows.map((r) => r.name)).to.deep.equal(expected);
        await db.close();
      });

      it("rolls a failing migration back whole: no table, no record", async () => {
        const dir = mkdtempSync(join(tmpdir(), "optiq-migrations-"));
        writeFileSync(
          join(dir, "900_bad.sql"),
          "CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;\n",
        );
        const db = await backend.open();
        try {
          let failed = false;
          try {
            await migrate(db, readMigrations(dir));
          } catch {
            failed = true;
          }
          expect(failed).to.equal(true);
          const t = await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'",
          );
          expect(Number(t[0].n)).to.equal(0);
          const m = await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM schema_migrations WHERE version = 900",
          );
          expect(Number(m[0].n)).to.equal(0);
        } finally {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it("commits a transaction whole, or rolls it back whole when it throws", async () => {
        const db = await backend.open();
        try {
          await db.exec("CREATE TABLE IF NOT EXISTS tx_probe (k text PRIMARY KEY)");
          await db.transaction(async (tx) => {
            await tx.query("INSERT INTO tx_probe (k) VALUES ($1)", ["kept"]);
          });
          let thrown = false;
          try {
            await db.transaction(async (tx) => {
              await tx.query("INSERT INTO tx_probe (k) VALUES ($1)", ["dropped"]);
              throw new Error("abort");
            });
          } catch {
            thrown = true;
          }
          expect(thrown).to.equal(true);
          const rows = await db.query<{ k: string }>("SELECT k FROM tx_probe ORDER BY k");
          expect(rows.map((r) => r.k)).to.deep.equal(["kept"]);
        } finally {
          await db.close();
        }
      });

      it("rolls back whole when a statement fails, the first (which opens it on PGlite) or a later one", async () => {
        const db = await backend.open();
        try {
          await db.exec("CREATE TABLE IF NOT EXISTS tx_fail (k text PRIMARY KEY)");
          const failure = async (fn: (tx: Queryable) => Promise<unknown>) => {
            try {
              await db.transaction(fn);
            } catch (error) {
              return (error as Error).message;
            }
            return "no error";
          };
          expect(await failure((tx) => tx.query("SELECT * FROM no_such_table"))).to.match(/no_such_table/);
          expect(
            await failure(async (tx) => {
              await tx.query("INSERT INTO tx_fail (k) VALUES ($1)", ["first"]);
              await tx.query("INSERT INTO tx_fail (k) VALUES ($1)", ["first"]);
            }),
          ).to.match(/duplicate key/);
          // Statements issued together: the second waits for the first, which fails; neither is kept.
          expect(
            await failure((tx) =>
              Promise.all([
                tx.query("INSERT INTO tx_fail (k) VALUES ((1 / 0)::text)"),
                tx.query("INSERT INTO tx_fail (k) VALUES ($1)", ["second"]),
              ]),
            ),
          ).to.match(/division by zero/);
          await db.transaction((tx) => tx.query("INSERT INTO tx_fail (k) VALUES ($1)", ["after"]));
          const rows = await db.query<{ k: string }>("SELECT k FROM tx_fail ORDER BY k");
          expect(rows.map((r) => r.k)).to.deep.equal(["after"]);
        } finally {
          await db.close();
        }
      });
    });
  }
});
