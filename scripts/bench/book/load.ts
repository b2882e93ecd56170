/**
 * The bounded load generator: `clients` concurrent clients post pre-serialised bodies on loopback, each on a keep-alive
 * connection of its own and waiting for its answer before the next. It runs on a worker thread of its own (plain
 * JavaScript, no TypeScript loader), so that the benchmark's main thread, where the service runs, does nothing else.
 * It writes each request's bytes, prepared before the clock starts, straight to a socket and reads only the status
 * line and `content-length` of each answer (as wrk does): a generator built on fetch spent about 1.5 ms of CPU per
 * request here, more than the service it measured.
 */
import { Worker } from "node:worker_threads";

export interface Run {
  seconds: number;
  /** Sorted ascending. */
  latenciesMs: number[];
  /** Answers with the expected status. */
  ok: number;
  /** Answers by status ("error: …" for a failed connection), for the warnings. */
  statuses: Record<string, number>;
  /** The generator thread's CPU time during the run (Linux /proc; undefined elsewhere), to tell from the service's. */
  cpuMs?: number;
}

const SOURCE = `
const net = require("node:net");
const { parentPort, workerData } = require("node:worker_threads");
const { host, port, path, bodies, expect, clients } = workerData;
const { readFileSync } = require("node:fs");
/** This thread's user + system time in ms (fields 14 and 15 of its stat, in ticks of 10 ms), or undefined. */
const cpuMs = () => {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return undefined; }
};
const requests = bodies.map((body) => {
  const head = "POST " + path + " HTTP/1.1\\r\\nHost: " + host + ":" + port +
    "\\r\\nContent-Type: application/json\\r\\nContent-Length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n";
  return Buffer.from(head + body);
});
const latencies = [];
const statuses = {};
let next = 0;
let ok = 0;
const count = (status) => (statuses[status] = (statuses[status] || 0) + 1);

/** One client: a connection that sends the next request once the previous answer is read whole. */
function client() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true });
    let buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (next >= requests.length) { socket.end(); return resolve(); }
      sentAt = performance.now();
      socket.write(requests[next++]);
    };
    socket.on("connect", send);
    socket.on("data", (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf("\\r\\n\\r\\n");
        if (end < 0) return;
        const head = buffer.toString("latin1", 0, end);
        const length = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
        if (length === null) { count("error: an answer without content-length"); socket.destroy(); return resolve(); }
        const total = end + 4 + Number(length[1]);
        if (buffer.length < total) return;
        buffer = buffer.subarray(total);
        const status = Number(head.slice(9, 12));
        latencies.push(performance.now() - sentAt);
        count(String(status));
        if (status === expect) ok++;
        send();
      }
    });
    socket.on("error", (error) => { count("error: " + error.message); resolve(); });
    socket.on("close", () => resolve());
  });
}

(async () => {
  const cpu0 = cpuMs();
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = cpuMs();
  const cpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
  parentPort.postMessage({ seconds, latenciesMs: latencies.sort((a, b) => a - b), ok, statuses, cpuMs: cpu });
})();
`;

/** POST every body (JSON text) to `url` from `clients` concurrent clients; `expect` is the status that counts. */
export function load(url: string, bodies: string[], expect: number, clients: number): Promise<Run> {
  const { hostname: host, port, pathname: path } = new URL(url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(SOURCE, {
      eval: true,
      workerData: { host, port: Number(port), path, bodies, expect, clients },
    });
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
