/**
 * The confirmation tracker: each open match is PENDING until its transaction is in a block, MINED while it has fewer
 * than `confirmations` blocks (its own included), then CONFIRMED. A reorg that drops the block sends it back to
 * PENDING and the stored signed transaction is broadcast again; a revert, or a nonce another transaction took, makes
 * it FAILED and releases its reservations.
 */
import { Transaction, type TransactionReceipt } from "ethers";
import type { Chain } from "../chain/exchange";
import type { Database } from "../db/database";
import {
  failMatch,
  listTrades,
  openMatches,
  setMatchStatus,
  type MatchRow,
  type MatchStatus,
} from "../db/matches";
import type { StreamHub } from "../stream/hub";
import type { MatcherLog } from "./matcher";

export class Tracker {
  /** The head at which a match's nonce was first found used without its receipt. */
  private readonly nonceGoneAt = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly chain: Chain,
    private readonly hub: StreamHub,
    private readonly confirmations: number,
    private readonly log: MatcherLog,
    private readonly onFailed: () => void,
  ) {}

  private async publish(m: MatchRow, status: MatchStatus): Promise<void> {
    const trades = await listTrades(this.db, { matchId: m.id, limit: 100 });
    this.hub.publish({
      type: "trade",
      matchId: m.id,
      txHash: m.tx_hash,
      status,
      trades: trades.map((t) => ({
        makerHash: t.maker_hash,
        takerHash: t.taker_hash,
        amount: t.amount,
        price: t.price,
        seriesId: t.series_id,
      })),
    });
    this.log("trade-status", { matchId: m.id, txHash: m.tx_hash, status });
  }

  async runOnce(head: number): Promise<void> {
    const { provider } = this.chain;
    for (const m of await openMatches(this.db)) {
      const receipt = await this.canonicalReceipt(m.tx_hash);
      if (receipt === null) {
        if (m.status === "MINED") {
          await setMatchStatus(this.db, m.id, "PENDING");
          await this.publish(m, "PENDING");
        }
        const known = await provider.getTransaction(m.tx_hash);
        if (known === null || known.blockNumber !== null) await this.rebroadcast(m, head);
        continue;
      }
      this.nonceGoneAt.delete(m.id);
      if (receipt.status !== 1) {
        const sent = Transaction.from(m.raw_tx);
        this.log("reverted", {
          matchId: m.id,
          txHash: m.tx_hash,
          gasUsed: receipt.gasUsed.toString(),
          gasLimit: sent.gasLimit.toString(),
          block: receipt.blockNumber,
        });
        await this.db.transaction((tx) => failMatch(tx, m.id));
        this.onFailed();
        await this.publish(m, "FAILED");
        continue;
      }
      const depth = head - receipt.blockNumber + 1;
      const status: MatchStatus = depth >= this.confirmations ? "CONFIRMED" : "MINED";
      if (status !== m.status || Number(m.block_number) !== receipt.blockNumber) {
        await setMatchStatus(this.db, m.id, status, { number: receipt.blockNumber, hash: receipt.blockHash });
        if (status !== m.status) await this.publish(m, status);
      }
    }
  }

  /** A receipt whose block is on the canonical chain now (a node may still serve receipts of a dropped block). */
  private async canonicalReceipt(hash: string): Promise<TransactionReceipt | null> {
    const receipt = await this.chain.provider.getTransactionReceipt(hash);
    if (receipt === null) return null;
    const block = await this.chain.provider.getBlock(receipt.blockNumber);
    return block !== null && block.hash === receipt.blockHash ? receipt : null;
  }

  private async rebroadcast(m: MatchRow, head: number): Promise<void> {
    try {
      await this.chain.provider.broadcastTransaction(m.raw_tx);
      this.log("rebroadcast", { matchId: m.id, txHash: m.tx_hash });
    } catch (error) {
      const message = (error as Error).message;
      if (/nonce/i.test(message) && /low|too|used|expected/i.test(message)) {
        // The nonce is used: by this transaction (its receipt not served yet) or by another one. FAILED only when no
        // receipt shows up for `confirmations` blocks after.
        const since = this.nonceGoneAt.get(m.id) ?? head;
        this.nonceGoneAt.set(m.id, since);
        if (head - since >= this.confirmations) {
          this.nonceGoneAt.delete(m.id);
          await this.db.transaction((tx) => failMatch(tx, m.id));
          this.onFailed();
          await this.publish(m, "FAILED");
        }
      } else {
        this.log("rebroadcast-error", { matchId: m.id, message: message.split("\n")[0] });
      }
    }
  }
}
