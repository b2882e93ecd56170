/**
 * Where the main thread's time goes: a CPU profile of this thread (the inspector's sampling profiler) while `f` runs,
 * its samples' self time summed by what the sampled function belongs to (the service's files by folder, the libraries
 * by package, the engine's own buckets), and the whole profile written for a closer look (Chrome DevTools, speedscope).
 */
import { writeFileSync } from "node:fs";
import { Session, type Profiler } from "node:inspector";

/** Sampling interval of the profiler, in microseconds. */
const SAMPLING_INTERVAL_US = 500;

const post = <T>(session: Session, method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
  );

/** Node's own work called from the event loop rather than from a library or the service. */
const NODE = "Node: HTTP parsing, sockets, timers (from the event loop)";
const PROGRAM = "native and engine (program)";

/** The bucket of a sampled function, from its script's URL and name (first match wins). */
const BUCKETS: [string, (url: string, name: string) => boolean][] = [
  ["idle (waiting for I/O)", (_u, n) => n === "(idle)"],
  ["garbage collection", (_u, n) => n === "(garbage collector)"],
  [
    "PGlite (PostgreSQL in WebAssembly, this thread)",
    (u) => u.includes("@electric-sql/pglite") || u.startsWith("wasm://"),
  ],
  ["node-postgres client (pg)", (u) => /\/node_modules\/(pg|pg-protocol|pg-types|pg-pool|pgpass)\//.test(u)],
  ["zod (request schema)", (u) => u.includes("/node_modules/zod/")],
  [
    "ethers (addresses, ABI, EIP-712)",
    (u) => u.includes("/node_modules/ethers/") || u.includes("/node_modules/@noble/"),
  ],
  [
    "fastify (routing, body parsing, replies and their socket writes)",
    (u) =>
      /\/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|secure-json-parse|fast-json-stringify|fast-querystring|abstract-logging|pino|toad-cache|process-warning|rfdc|ws)\//.test(
        u,
      ),
  ],
  ["benchmark's own instruments (statement counter, profiler)", (u) => u.includes("/scripts/bench/")],
  [
    "book: signature pool hand-off (postMessage to the workers)",
    (u) => u.includes("/scripts/book/validation/signatures"),
  ],
  ["book: JSON-RPC to the node (scripts/book/chain)", (u) => u.includes("/scripts/book/chain/")],
  ["book: API routes (scripts/book/api)", (u) => u.includes("/scripts/book/api/")],
  ["book: order checks (scripts/book/validation)", (u) => u.includes("/scripts/book/validation/")],
  ["book: store (scripts/book/db)", (u) => u.includes("/scripts/book/db/")],
  ["book: matcher (scripts/book/matching)", (u) => u.includes("/scripts/book/matching/")],
  ["book: other (scripts/book, src/)", (u) => u.includes("/scripts/book/") || u.includes("/src/")],
  [PROGRAM, (_u, n) => n === "(program)" || n === "(root)"],
];

export interface ProfileShare {
  bucket: string;
  ms: number;
}

export function sharesOf(profile: Profiler.Profile): ProfileShare[] {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const bucketOf = new Map<number, string>();
  const own = (id: number) => {
    const { url, functionName } = byId.get(id)!.callFrame;
    return BUCKETS.find(([, match]) => match(url, functionName))?.[0] ?? "other JavaScript";
  };
  /** Native code and Node's own modules (a socket write, a file call, postMessage) count for the code that called them. */
  const beneath = (id: number) => {
    const { url, functionName } = byId.get(id)!.callFrame;
    return (url === "" && !functionName.startsWith("(")) || url.startsWith("node:");
  };
  const bucket = (id: number): string => {
    const known = bucketOf.get(id);
    if (known !== undefined) return known;
    let b = own(id);
    if (beneath(id)) {
      let caller = parentOf.get(id);
      while (caller !== undefined && beneath(caller)) caller = parentOf.get(caller);
      const callerBucket = caller === undefined ? undefined : bucket(caller);
      // Called from the event loop itself (a socket read, a timer): Node's.
      b = callerBucket === undefined || callerBucket === PROGRAM ? NODE : callerBucket;
    }
    bucketOf.set(id, b);
    return b;
  };
  const ms = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next sample.
  for (let i = 0; i < samples.length - 1; i++) {
    const b = bucket(samples[i]);
    ms.set(b, (ms.get(b) ?? 0) + deltas[i + 1] / 1000);
  }
  return [...ms.entries()].map(([bucket, v]) => ({ bucket, ms: v })).sort((a, b) => b.ms - a.ms);
}

/** Run `f` under the profiler; the profile goes to `file`. */
export async function profiled<T>(
  file: string,
  f: () => Promise<T>,
): Promise<{ result: T; shares: ProfileShare[] }> {
  const session = new Session();
  session.connect();
  try {
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    await post(session, "Profiler.start");
    let result: T;
    let profile: Profiler.Profile;
    try {
      result = await f();
    } finally {
      ({ profile } = await post<{ profile: Profiler.Profile }>(session, "Profiler.stop"));
      writeFileSync(file, JSON.stringify(profile));
    }
    return { result, shares: sharesOf(profile) };
  } finally {
    session.disconnect();
  }
}
