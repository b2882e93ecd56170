/**
 * Orders' EIP-712 digests and the signers their signatures recover to (./ecdsa.ts: the exchange's rules). With
 * libsecp256k1 loaded a recovery costs about 0.1 ms and runs inline, on the calling thread (`size` 0); without it
 * (noble in JavaScript, about 2 ms) a pool of worker threads, one per core, does the work, so the event loop that
 * parses requests and commits orders is not blocked. Jobs posted in one turn of the event loop travel together, to the
 * worker with the fewest in flight. A worker that dies fails its jobs (the requests answer 500) and is replaced.
 * `ready` resolves once the workers have loaded.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { TypedDataDomain } from "ethers";
import type { Order } from "../../../src/exchange/order";
import { orderDigester } from "../../../src/exchange/orderDigest";
import { forgetThread, recordThread } from "../threads";
import { ECDSA_BACKEND, recoverSigner } from "./ecdsa";
import { keccak256Fast } from "./keccak";
import type { SignatureJob, SignatureResult, WorkerReady } from "./signatureWorker";
import { workerOptions, workerScript } from "./workerScript";

interface Pending {
  resolve(result: { hash: string; signer: string | null }): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  loaded: boolean;
  tid?: number;
}

/** Worker threads a pool starts by default: none when the native curve is loaded, else one per core. */
export function defaultSignatureWorkers(): number {
  return ECDSA_BACKEND === "libsecp256k1 (native)" ? 0 : availableParallelism();
}

/** The worker runs as plain JavaScript (./workerScript.ts): no TypeScript loader in the worker threads. */
function spawnWorker(domain: TypedDataDomain): Worker {
  const script = workerScript(join(__dirname, "signatureWorker"), __filename.endsWith(".ts"));
  return new Worker(script.source, workerOptions(script, { domain }));
}

export class SignaturePool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private queued: { slot: Slot; jobs: SignatureJob[] }[] = [];
  private closed = false;
  /** Resolves once every first worker has loaded (jobs posted earlier wait for it); rejects if one fails first. */
  readonly ready: Promise<void>;

  private readonly digest: (order: Order) => string;

  constructor(
    private readonly domain: TypedDataDomain,
    readonly size: number = defaultSignatureWorkers(),
  ) {
    this.digest = orderDigester(domain, keccak256Fast);
    const loaded: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const slot = this.start();
      this.slots.push(slot);
      loaded.push(
        new Promise((resolve, reject) => {
          slot.worker.once("message", () => resolve());
          slot.worker.once("error", reject);
          slot.worker.once("exit", (code) =>
            reject(new Error(`a signature worker exited (${code}) while loading`)),
          );
        }),
      );
    }
    this.ready = Promise.all(loaded).then(() => undefined);
    // Awaited by the service; a pool nobody awaits must not report an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private start(): Slot {
    const slot: Slot = { worker: spawnWorker(this.domain), inFlight: new Map(), loaded: false };
    slot.worker.on("message", (results: SignatureResult[] | WorkerReady) => {
      if (!Array.isArray(results)) {
        slot.loaded = true;
        slot.tid = results.tid;
        recordThread("signature worker", slot.tid);
        // An idle pool does not keep the process alive; a loading worker or a job in flight does.
        if (slot.inFlight.size === 0) slot.worker.unref();
        return;
      }
      for (const r of results) {
        slot.inFlight.get(r.id)?.resolve({ hash: r.hash, signer: r.signer });
        slot.inFlight.delete(r.id);
      }
      if (slot.inFlight.size === 0) slot.worker.unref();
    });
    const fail = (error: Error) => {
      forgetThread(slot.tid);
      for (const p of slot.inFlight.values()) p.reject(error);
      slot.inFlight.clear();
      const i = this.slots.indexOf(slot);
      // Replaced only if it had loaded: a worker that cannot load would fail again (and `ready` says so).
      if (i >= 0 && !this.closed && slot.loaded) this.slots[i] = this.start();
    };
    slot.worker.on("error", fail);
    slot.worker.on("exit", (code) => fail(new Error(`a signature worker exited (${code})`)));
    return slot;
  }

  /** The order's EIP-712 digest and the address `signature` recovers to (null when it is not a signature). */
  recover(order: Order, signature: string): Promise<{ hash: string; signer: string | null }> {
    if (this.closed) return Promise.reject(new Error("the signature pool is closed"));
    if (this.size === 0) {
      const hash = this.digest(order);
      return Promise.resolve({ hash, signer: recoverSigner(hash, signature) });
    }
    const id = this.nextId++;
    const slot = this.slots.reduce((best, s) => (s.inFlight.size < best.inFlight.size ? s : best));
    return new Promise((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      slot.worker.ref();
      let batch = this.queued.find((q) => q.slot === slot);
      if (batch === undefined) {
        batch = { slot, jobs: [] };
        if (this.queued.length === 0) setImmediate(() => this.flush());
        this.queued.push(batch);
      }
      batch.jobs.push({ id, order, signature });
    });
  }

  private flush(): void {
    for (const { slot, jobs } of this.queued.splice(0)) slot.worker.postMessage(jobs);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
