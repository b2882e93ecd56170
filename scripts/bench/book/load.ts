/**
 * The bounded load generator: `clients` concurrent clients post pre-serialised bodies on loopback, each waiting for its
 * answer before the next. It runs on a worker thread of its own (plain JavaScript, no TypeScript loader), so the
 * benchmark's main thread, where the service runs, does nothing else and its CPU time is the service's.
 */
import { Worker } from "node:worker_threads";

export interface Run {
  seconds: number;
  /** Sorted ascending. */
  latenciesMs: number[];
  /** Answers with the expected status. */
  ok: number;
  /** Answers by status ("error" for a failed request), for the warnings. */
  statuses: Record<string, number>;
}

const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, bodies, expect, clients } = workerData;
(async () => {
  const latencies = [];
  const statuses = {};
  let next = 0;
  let ok = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t = performance.now();
        let status = "error";
        try {
          const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
          await r.arrayBuffer();
          status = String(r.status);
          if (r.status === expect) ok++;
        } catch (error) {
          status = "error: " + String(error && error.cause ? error.cause.message : error);
        }
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] || 0) + 1;
      }
    }),
  );
  parentPort.postMessage({ seconds: (performance.now() - start) / 1000, latenciesMs: latencies.sort((a, b) => a - b), ok, statuses });
})();
`;

/** POST every body (JSON text) to `url` from `clients` concurrent clients; `expect` is the status that counts. */
export function load(url: string, bodies: string[], expect: number, clients: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SOURCE, { eval: true, workerData: { url, bodies, expect, clients } });
    worker.once("message", (run: Run) => {
      resolve(run);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the load generator exited (${code}) before its report`)));
  });
}

export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
