/**
 * The indexer: reads the exchange's OrderFilled, OrdersMatched, OrderCancelled and MinNonceSet events from a
 * persisted block cursor, stores each once by (transaction hash, log index), and applies them to the orders. Before
 * each read it compares the hashes of the blocks it read with the chain's: from the first that differs on (a reorg),
 * everything read is forgotten and read again.
 */
import type { Log } from "ethers";
import type { Chain } from "../chain/exchange";
import type { Clock } from "../chain/clock";
import type { Database } from "../db/database";
import {
  applyEvents,
  insertEvents,
  readCursor,
  recordedBlocks,
  rewindTo,
  writeCursor,
  type ChainEvent,
} from "../db/events";
import { getOrder } from "../db/orders";
import type { StreamHub } from "../stream/hub";
import { publishLevels, type LevelKey } from "../stream/levels";
import type { MatcherLog } from "../matching/matcher";

/** Blocks read per `eth_getLogs`. */
const RANGE_BLOCKS = 1_000;

export class Indexer {
  cursor: number | undefined;

  constructor(
    private readonly db: Database,
    private readonly chain: Chain,
    private readonly clock: Clock,
    private readonly hub: StreamHub,
    private readonly fromBlock: number,
    private readonly log: MatcherLog,
  ) {}

  private parse(log: Log): ChainEvent | undefined {
    const parsed = this.chain.exchange.interface.parseLog(log);
    if (parsed === null) return undefined;
    const base = {
      txHash: log.transactionHash,
      logIndex: log.index,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
    };
    switch (parsed.name) {
      case "OrderFilled":
        return {
          ...base,
          kind: "fill",
          orderHash: parsed.args.orderHash,
          owner: null,
          amount: parsed.args.amount,
        };
      case "OrdersMatched":
        return {
          ...base,
          kind: "fill",
          orderHash: parsed.args.takerHash,
          owner: null,
          amount: parsed.args.amount,
        };
      case "OrderCancelled":
        return {
          ...base,
          kind: "cancel",
          orderHash: parsed.args.orderHash,
          owner: parsed.args.by,
          amount: null,
        };
      case "MinNonceSet":
        return {
          ...base,
          kind: "min_nonce",
          orderHash: null,
          owner: parsed.args.owner,
          amount: parsed.args.minNonce,
        };
      default:
        return undefined;
    }
  }

  /** Find a reorg below the cursor; rewind to its first replaced block. True when it rewound. */
  private async checkReorg(): Promise<boolean> {
    let forkFrom: number | undefined;
    for (const b of await recordedBlocks(this.db)) {
      const block = await this.chain.provider.getBlock(Number(b.block_number));
      if (block !== null && block.hash === b.block_hash) break;
      forkFrom = Number(b.block_number);
    }
    if (forkFrom === undefined) return false;
    // The events of the blocks between the last good recorded block and the first bad one are forgotten too.
    const from = forkFrom;
    const changed = await this.db.transaction(async (tx) => {
      const good = await tx.query<{ n: string | null }>(
        "SELECT max(block_number)::text AS n FROM indexed_blocks WHERE block_number < $1",
        [from],
      );
      const start = good[0].n === null ? this.fromBlock : Number(good[0].n) + 1;
      await rewindTo(tx, start);
      this.cursor = start - 1;
      return applyEvents(tx);
    });
    this.log("reorg", { from: forkFrom, cursor: this.cursor });
    await this.publishChanged(changed);
    return true;
  }

  private async publishChanged(hashes: string[]): Promise<void> {
    const keys: LevelKey[] = [];
    for (const h of hashes) {
      const row = await getOrder(this.db, h);
      if (row !== undefined) keys.push(row);
    }
    await publishLevels(this.db, this.hub, keys, this.clock.now());
  }

  /** Read up to `headBlock` (default: the node's latest block); returns the head block number. */
  async runOnce(headBlock?: { number: number; timestamp: number }): Promise<number> {
    const { provider } = this.chain;
    headBlock ??= (await provider.getBlock("latest")) ?? undefined;
    if (headBlock === undefined) throw new Error("the node has no latest block");
    this.clock.observeBlock(headBlock.timestamp);
    const head = headBlock.number;
    await this.checkReorg();
    this.cursor = (await readCursor(this.db)) ?? this.fromBlock - 1;
    while (this.cursor < head) {
      const from = this.cursor + 1;
      const to = Math.min(head, from + RANGE_BLOCKS - 1);
      const logs = await provider.getLogs({
        address: this.chain.exchangeAddress,
        fromBlock: from,
        toBlock: to,
      });
      const toBlock = await provider.getBlock(to);
      if (toBlock === null || toBlock.hash === null) return head;
      const events = logs.map((l) => this.parse(l)).filter((e): e is ChainEvent => e !== undefined);
      const changed = await this.db.transaction(async (tx) => {
        const added = await insertEvents(tx, events);
        await writeCursor(tx, to, toBlock.hash!);
        return added > 0 ? applyEvents(tx) : [];
      });
      this.cursor = to;
      await this.publishChanged(changed);
    }
    return head;
  }
}
