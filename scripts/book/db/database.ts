/**
 * The one small interface the service stores through: SQL with positional parameters, transactions, close. Two
 * implementations share it (and the migrations): embedded PGlite (pglite.ts) and a PostgreSQL server (postgres.ts).
 */

/** Something SQL can run on: the database itself or an open transaction. */
export interface Queryable {
  /** Run one statement with `$1..$n` parameters; returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Run a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** `pglite` or `postgres`. */
  readonly kind: string;
  /** Whether other processes may use it too (a server): cross-instance rules then need locks. */
  readonly shared: boolean;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A connection of its own for session state (advisory locks): held until closed or lost. */
  session(): Promise<Session>;
  close(): Promise<void>;
}

/** One database session: its session-level locks last as long as it does. */
export interface Session extends Queryable {
  /** True once the connection has failed: whatever the session held is gone. */
  lost(): boolean;
  close(): Promise<void>;
}
