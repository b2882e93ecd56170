/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) with its data in a local folder, run on a worker
 * thread of its own (./pgliteWorker.ts) so that executing statements and writing its files does not take the thread
 * that serves the API. Each statement is one message each way; a transaction is opened by its first statement's message
 * (BEGIN travels with it), used and ended by messages too, its callback running here. Errors come back with
 * PostgreSQL's message and code.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Database, Queryable } from "./database";
import type { PgliteReply, PgliteRequest } from "./pgliteWorker";
import { forgetThread, recordThread } from "../threads";
import { workerOptions, workerScript } from "../validation/workerScript";

type Call = PgliteRequest extends infer R ? (R extends PgliteRequest ? Omit<R, "id"> : never) : never;

/** An error of the database, as PostgreSQL reported it. */
export class PgliteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "PgliteError";
  }
}

/** Open (creating when absent) the PGlite database in `dataDir`, on its own worker thread. */
export async function openPglite(dataDir: string): Promise<Database> {
  const script = workerScript(join(__dirname, "pgliteWorker"), __filename.endsWith(".ts"));
  const worker = new Worker(script.source, workerOptions(script, { dataDir }));
  const pending = new Map<number, { resolve(r: PgliteReply & { ok: true }): void; reject(e: Error): void }>();
  let nextId = 1;
  let closed = false;
  let thread: number | undefined;
  let opened!: (error?: Error) => void;
  const ready = new Promise<void>((resolve, reject) => (opened = (e) => (e ? reject(e) : resolve())));

  const settle = (r: PgliteReply) => {
    if (r.id === 0) {
      if (r.ok) recordThread("PGlite", (thread = r.thread));
      return opened(r.ok ? undefined : new PgliteError(r.error.message, r.error.code));
    }
    const p = pending.get(r.id);
    pending.delete(r.id);
    // An idle database does not keep the process alive; a statement in flight does.
    if (pending.size === 0) worker.unref();
    if (r.ok) p?.resolve(r);
    else p?.reject(new PgliteError(r.error.message, r.error.code));
  };
  const gone = (error: Error) => {
    closed = true;
    forgetThread(thread);
    opened(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("message", settle);
  worker.on("error", gone);
  worker.on("exit", (code) => gone(new Error(`the PGlite worker exited (${code})`)));

  const call = (request: Call): Promise<PgliteReply & { ok: true }> => {
    if (closed) return Promise.reject(new Error("the database is closed"));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  };
  await ready;
  worker.unref();

  const on = (tx?: number): Queryable => ({
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      return ((await call({ op: "query", sql, params, tx })).rows ?? []) as Row[];
    },
    async exec(sql: string): Promise<void> {
      await call({ op: "exec", sql, tx });
    },
  });
  const self = on();
  return {
    kind: "pglite",
    shared: false,
    query: self.query,
    exec: self.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // BEGIN travels with the transaction's first statement; later ones wait for it and name the transaction.
      let begun: Promise<number> | undefined;
      const inside: Queryable = {
        async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
          if (begun === undefined) {
            const first = call({ op: "begin", first: { sql, params } });
            begun = first.then((r) => r.tx!);
            return ((await first).rows ?? []) as Row[];
          }
          return ((await call({ op: "query", sql, params, tx: await begun })).rows ?? []) as Row[];
        },
        async exec(sql: string): Promise<void> {
          if (begun === undefined) begun = call({ op: "begin" }).then((r) => r.tx!);
          await call({ op: "exec", sql, tx: await begun });
        },
      };
      let result: T;
      try {
        result = await fn(inside);
      } catch (error) {
        // A transaction whose BEGIN or first statement failed was rolled back by the worker already.
        const tx = await begun?.catch(() => undefined);
        if (tx !== undefined) await call({ op: "rollback", tx }).catch(() => undefined);
        throw error;
      }
      if (begun !== undefined) await call({ op: "commit", tx: await begun });
      return result;
    },
    // PGlite is one session in this process: the database itself.
    session: async () => ({ ...self, lost: () => closed, close: async () => undefined }),
    async close() {
      if (closed) return;
      await call({ op: "close" });
      closed = true;
      await worker.terminate();
    },
  };
}
