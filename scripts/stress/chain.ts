/**
 * Deterministic time on the in-process network: every block of a scenario gets an explicit timestamp (the step's
 * start, then one second per transaction), so a run does not depend on the wall clock and is reproduced by its
 * seed. Every transaction goes through `send`, which records its gas under the sending agent's role.
 */
import type { ContractTransactionReceipt, ContractTransactionResponse, Provider } from "ethers";

export type GasRole = "keeper" | "oracle" | "guardian" | "governance" | "writer" | "staker" | "setup";

export interface SendResult {
  ok: boolean;
  receipt?: ContractTransactionReceipt;
  /** The revert reason (custom error name when decodable), when !ok. */
  error?: string;
}

export class Chain {
  /** Timestamp of the latest block this helper mined. */
  cursor = 0;
  readonly gas: Record<GasRole, bigint> = {
    keeper: 0n,
    oracle: 0n,
    guardian: 0n,
    governance: 0n,
    writer: 0n,
    staker: 0n,
    setup: 0n,
  };
  readonly txCount: Record<GasRole, number> = {
    keeper: 0,
    oracle: 0,
    guardian: 0,
    governance: 0,
    writer: 0,
    staker: 0,
    setup: 0,
  };

  constructor(
    private readonly provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> },
  ) {}

  async latest(): Promise<number> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new Error("chain: no latest block");
    return block.timestamp;
  }

  /** Mine an empty block at `timestamp` (or one second after the latest, if that is later). */
  async mineAt(timestamp: number): Promise<void> {
    const at = Math.max(timestamp, (await this.latest()) + 1);
    await this.provider.send("evm_mine", [at]);
    this.cursor = at;
  }

  /** Send one transaction in its own block, one second after the previous one; never throws on a revert. */
  async send(role: GasRole, tx: () => Promise<ContractTransactionResponse>): Promise<SendResult> {
    this.cursor = Math.max(this.cursor, await this.latest()) + 1;
    await this.provider.send("evm_setNextBlockTimestamp", [this.cursor]);
    let response: ContractTransactionResponse;
    try {
      response = await tx();
    } catch (error) {
      // Not mined (reverted in gas estimation): the pending timestamp is overwritten by the next send.
      return { ok: false, error: revertName(error) };
    }
    const receipt = await response.wait();
    if (receipt === null) return { ok: false, error: "no receipt" };
    this.gas[role] += receipt.gasUsed;
    this.txCount[role] += 1;
    return { ok: true, receipt };
  }

  /** Like `send`, but a revert is a bug of the simulation: throw with the reason and the label. */
  async must(role: GasRole, label: string, tx: () => Promise<ContractTransactionResponse>) {
    const r = await this.send(role, tx);
    if (!r.ok || r.receipt === undefined) throw new Error(`stress: ${label} failed: ${r.error}`);
    return r.receipt;
  }
}

/** The custom error's name (ethers decodes it when the ABI knows it), else the message's first line. */
export function revertName(error: unknown): string {
  const e = error as {
    revert?: { name?: string; args?: unknown[] };
    shortMessage?: string;
    message?: string;
  };
  if (e.revert?.name !== undefined) {
    const args = (e.revert.args ?? []).map((a) => String(a)).join(", ");
    return `${e.revert.name}(${args})`;
  }
  return (e.shortMessage ?? e.message ?? String(error)).split("\n")[0];
}
