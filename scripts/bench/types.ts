/** One row of the gas benchmark: an operation of ours beside its reference, in the same run. */
export interface BenchRow {
  module: string;
  operation: string;
  /** Gas used by our operation (transaction gasUsed, or estimateGas for a view call). */
  gas: bigint;
  /** The reference the operation is compared with, e.g. "plain OpenZeppelin ERC4626 deposit". */
  reference?: string;
  referenceGas?: bigint;
  /** The target for this operation, if any. */
  budget?: bigint;
  note?: string;
}

/** A benchmark module: deploys what it needs on the in-process network and measures. */
export type Bench = () => Promise<BenchRow[]>;
