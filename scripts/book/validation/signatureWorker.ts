/** A worker thread of the signature pool (./signatures.ts): EIP-712 digests of orders and the signers they recover to. */
import { parentPort, workerData } from "node:worker_threads";
import type { TypedDataDomain } from "ethers";
import type { Order } from "../../../src/exchange/order";
import { orderDigester } from "../../../src/exchange/orderDigest";
import { linuxThreadId } from "../threads";
import { recoverSigner } from "./ecdsa";
import { keccak256Fast } from "./keccak";

export interface SignatureJob {
  id: number;
  order: Order;
  signature: string;
}

export interface SignatureResult {
  id: number;
  hash: string;
  /** The address (lower case) the signature recovers to, or null when the exchange would not take it as one. */
  signer: string | null;
}

/** Sent once loaded: this thread's Linux id (from /proc/thread-self), for a per-thread CPU account. */
export interface WorkerReady {
  ready: true;
  tid?: number;
}

const digest = orderDigester((workerData as { domain: TypedDataDomain }).domain, keccak256Fast);

function run(job: SignatureJob): SignatureResult {
  const hash = digest(job.order);
  return { id: job.id, hash, signer: recoverSigner(hash, job.signature) };
}

parentPort?.on("message", (jobs: SignatureJob[]) => parentPort?.postMessage(jobs.map(run)));
// Loaded (the order library and the curve): the pool may count this worker as ready.
parentPort?.postMessage({ ready: true, tid: linuxThreadId() } satisfies WorkerReady);
