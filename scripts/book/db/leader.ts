/**
 * Exactly one engine (indexer, confirmation tracker, re-validation, matcher) per database: the holder of a
 * session-level PostgreSQL advisory lock named after the chain and the exchange. The lock lives with its own
 * connection, so a process that dies (even by SIGKILL) releases it when the server sees the connection close, and
 * another instance takes it at its next try. On PGlite (one process per data folder) the one instance always holds it.
 */
import type { Database, Session } from "./database";

export class LeaderLock {
  private session: Session | undefined;
  private held = false;

  constructor(
    private readonly db: Database,
    /** The lock's name: one leader per chain and exchange in a database. */
    private readonly name: string,
  ) {}

  get isLeader(): boolean {
    return this.held;
  }

  /** Take the lock if free, or make sure it is still held; false when another instance leads (or the link failed). */
  async check(): Promise<boolean> {
    try {
      this.session ??= await this.db.session();
      if (this.held) {
        // A lost connection has lost its locks: prove the session is alive before acting as the leader (a server's; an
        // embedded database is the process itself, and `lost` says whether it was closed).
        if (this.db.shared) await this.session.query("SELECT 1");
        if (this.session.lost()) throw new Error("the lock's connection was lost");
        return true;
      }
      const [row] = await this.session.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
        [this.name],
      );
      this.held = row.ok === true;
      return this.held;
    } catch {
      this.held = false;
      const s = this.session;
      this.session = undefined;
      await s?.close().catch(() => undefined);
      return false;
    }
  }

  /** Give the lock up (closing its connection releases it). */
  async release(): Promise<void> {
    this.held = false;
    const s = this.session;
    this.session = undefined;
    await s?.close().catch(() => undefined);
  }
}
