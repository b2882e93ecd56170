/** A worker thread of the signature pool (./signatures.ts): EIP-712 digests of orders and the signers they recover to. */
import { parentPort, workerData } from "node:worker_threads";
import { ethers, type TypedDataDomain } from "ethers";
import { hashOrder, type Order } from "../../../src/exchange/order";

export interface SignatureJob {
  id: number;
  order: Order;
  signature: string;
}

export interface SignatureResult {
  id: number;
  hash: string;
  /** The address the signature recovers to, or null when it is not a signature. */
  signer: string | null;
}

const domain = (workerData as { domain: TypedDataDomain }).domain;

function run(job: SignatureJob): SignatureResult {
  const hash = hashOrder(domain, job.order);
  let signer: string | null;
  try {
    signer = ethers.recoverAddress(hash, job.signature);
  } catch {
    signer = null;
  }
  return { id: job.id, hash, signer };
}

parentPort?.on("message", (jobs: SignatureJob[]) => parentPort?.postMessage(jobs.map(run)));
// Loaded (ethers and the order library): the pool may count this worker as ready.
parentPort?.postMessage("ready");
