/**
 * The worker thread that runs PGlite for ./pglite.ts: PostgreSQL in WebAssembly and its file writes, off the thread that
 * serves the API. It answers each request in turn with PGlite's own API, so its locking is PGlite's: a statement outside
 * a transaction waits for the open transaction to end. Message 0 says whether the database opened, and on which
 * Linux thread.
 */
import { mkdirSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { linuxThreadId } from "../threads";

export type PgliteRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: "exec"; sql: string; tx?: number }
  | { id: number; op: "begin"; first?: { sql: string; params: unknown[] } }
  | { id: number; op: "commit" | "rollback"; tx: number }
  | { id: number; op: "close" };

export type PgliteReply =
  | { id: number; ok: true; rows?: unknown[]; tx?: number; thread?: number }
  | { id: number; ok: false; error: { message: string; code?: string } };

/** Thrown inside a transaction's callback to have PGlite roll it back. */
class Rollback extends Error {}

const port = parentPort!;
const reply = (r: PgliteReply) => port.postMessage(r);
const failure = (id: number, error: unknown): PgliteReply => ({
  id,
  ok: false,
  error: {
    message: error instanceof Error ? error.message : String(error),
    code: (error as { code?: string } | undefined)?.code,
  },
});

interface Open {
  tx: Transaction;
  end(commit: boolean): void;
  done: Promise<void>;
}

async function serve(db: PGlite): Promise<void> {
  const open = new Map<number, Open>();
  let nextTx = 1;
  const target = (tx: number | undefined) => {
    if (tx === undefined) return db;
    const t = open.get(tx);
    if (t === undefined) throw new Error(`no open transaction ${tx}`);
    return t.tx;
  };
  /** BEGIN, and the transaction's first statement when given (one message instead of two). */
  const begin = (id: number, first?: { sql: string; params: unknown[] }) => {
    const tx = nextTx++;
    let end!: (commit: boolean) => void;
    const ended = new Promise<boolean>((resolve) => (end = resolve));
    let answered = false;
    const done = db.transaction(async (t) => {
      // A failing first statement answers its error here and rolls the transaction back: no transaction is opened.
      const rows = first === undefined ? undefined : (await t.query(first.sql, first.params)).rows;
      open.set(tx, { tx: t, end, done });
      answered = true;
      reply({ id, ok: true, tx, rows });
      if (!(await ended)) throw new Rollback();
    });
    // BEGIN or the first statement failed: the caller is still waiting for its answer.
    done.catch((error: unknown) => {
      if (!answered) reply(failure(id, error));
    });
  };
  const finish = async (id: number, tx: number, commit: boolean) => {
    const t = open.get(tx);
    if (t === undefined) throw new Error(`no open transaction ${tx}`);
    open.delete(tx);
    t.end(commit);
    try {
      await t.done;
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
    reply({ id, ok: true });
  };
  port.on("message", async (m: PgliteRequest) => {
    try {
      switch (m.op) {
        case "query":
          reply({ id: m.id, ok: true, rows: (await target(m.tx).query(m.sql, m.params)).rows });
          return;
        case "exec":
          await target(m.tx).exec(m.sql);
          reply({ id: m.id, ok: true });
          return;
        case "begin":
          begin(m.id, m.first);
          return;
        case "commit":
        case "rollback":
          await finish(m.id, m.tx, m.op === "commit");
          return;
        case "close":
          await db.close();
          reply({ id: m.id, ok: true });
          return;
      }
    } catch (error) {
      reply(failure(m.id, error));
    }
  });
}

(async () => {
  const { dataDir } = workerData as { dataDir: string };
  let db: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = await PGlite.create(dataDir);
  } catch (error) {
    reply(failure(0, error));
    return;
  }
  await serve(db);
  reply({ id: 0, ok: true, thread: linuxThreadId() });
})();
