/** The embedded default: PGlite (PostgreSQL compiled to WebAssembly) with its data in a local folder. */
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Database, Queryable } from "./database";

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      return (await q.query<Row>(sql, params)).rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

/** Open (creating when absent) the PGlite database in `dataDir`. */
export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const self = wrap(db);
  return {
    kind: "pglite",
    shared: false,
    query: self.query,
    exec: self.exec,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    // PGlite is one session in this process: the database itself.
    session: async () => ({ ...self, lost: () => db.closed, close: async () => undefined }),
    close: () => db.close(),
  };
}
