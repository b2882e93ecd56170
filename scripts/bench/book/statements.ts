/**
 * Statements a service runs on its database while the load runs, counted by their opening words: wraps the
 * Database object the service's writer, matcher and engine loop all call through (its `query` and each transaction's).
 */
import type { Database, Queryable } from "../../book/db/database";

/** The statement's first words, whitespace folded: enough to tell the writer's from the matcher's. */
const LABEL_CHARS = 56;
const label = (sql: string) => sql.replace(/\s+/g, " ").trim().slice(0, LABEL_CHARS);

export class StatementCounter {
  private readonly counts = new Map<string, number>();
  counting = false;

  /** Count `db`'s statements from now on, while `counting`. */
  constructor(db: Database) {
    const count = (sql: string) => {
      if (this.counting) this.counts.set(label(sql), (this.counts.get(label(sql)) ?? 0) + 1);
    };
    const wrap = (q: Queryable): Queryable => ({
      query: (sql, params) => {
        count(sql);
        return q.query(sql, params);
      },
      exec: (sql) => {
        count(sql);
        return q.exec(sql);
      },
    });
    const query = db.query.bind(db);
    const transaction = db.transaction.bind(db);
    Object.assign(db, {
      query: (sql: string, params?: unknown[]) => {
        count(sql);
        return query(sql, params);
      },
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) => {
        count("BEGIN … COMMIT (one transaction)");
        return transaction((tx) => fn(wrap(tx)));
      },
    });
  }

  /** The `top` most frequent statements and the total. */
  top(n: number): { total: number; rows: { statement: string; count: number }[] } {
    const rows = [...this.counts.entries()]
      .map(([statement, count]) => ({ statement, count }))
      .sort((a, b) => b.count - a.count);
    return { total: rows.reduce((a, r) => a + r.count, 0), rows: rows.slice(0, n) };
  }
}
