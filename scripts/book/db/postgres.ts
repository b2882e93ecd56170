/** A PostgreSQL server through `DATABASE_URL` (node-postgres pool). */
import { Client, Pool, type PoolClient } from "pg";
import type { Database, Queryable, Session } from "./database";

function wrap(q: Pool | PoolClient | Client): Queryable {
  return {
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      return (await q.query(sql, params)).rows as Row[];
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: 8 });
  // Fail at start, not at the first request, when the server is unreachable.
  (await pool.connect()).release();
  const self = wrap(pool);
  return {
    kind: "postgres",
    shared: true,
    query: self.query,
    exec: self.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async session(): Promise<Session> {
      // A client outside the pool: the pool may close idle clients, and a session lock must live with its connection.
      const client = new Client({ connectionString: url });
      let failed = false;
      client.on("error", () => (failed = true));
      client.on("end", () => (failed = true));
      await client.connect();
      const q = wrap(client);
      return { ...q, lost: () => failed, close: () => client.end() };
    },
    close: () => pool.end(),
  };
}
