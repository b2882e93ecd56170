/**
 * Discovery of accounts and series from the clearing contract's events (AccountOpened, SeriesListed), from the
 * deployment record's start block to the latest block, in bounded block ranges (public RPCs cap `eth_getLogs`).
 * Incremental: a keeper running in a loop only scans the blocks it has not seen.
 */
import type { OptionsClearing } from "../../../typechain-types";

export interface SeriesInfo {
  id: bigint;
  underlying: string;
  strikeWad: bigint;
  expiry: bigint;
  isCall: boolean;
}

export class Discovery {
  /** Owner of every account seen, by id. */
  readonly accounts = new Map<bigint, string>();
  /** Every series listed, by id. */
  readonly series = new Map<bigint, SeriesInfo>();
  private nextBlock: number;

  constructor(
    private readonly clearing: OptionsClearing,
    startBlock: number,
    private readonly blockRange: number,
  ) {
    if (!Number.isSafeInteger(blockRange) || blockRange < 1) {
      throw new Error(`the block range must be a positive integer, got ${blockRange}`);
    }
    this.nextBlock = Math.max(0, startBlock);
  }

  /** The first block not scanned yet. */
  get scannedUpTo(): number {
    return this.nextBlock;
  }

  /** Scan from the first unseen block to `toBlock`; returns the numbers of new accounts and series. */
  async sync(toBlock: number): Promise<{ from: number; to: number; accounts: number; series: number }> {
    const from = this.nextBlock;
    let accounts = 0;
    let series = 0;
    for (let start = from; start <= toBlock; start += this.blockRange) {
      const end = Math.min(toBlock, start + this.blockRange - 1);
      const [opened, listed] = await Promise.all([
        this.clearing.queryFilter(this.clearing.filters.AccountOpened(), start, end),
        this.clearing.queryFilter(this.clearing.filters.SeriesListed(), start, end),
      ]);
      for (const e of opened) {
        if (!this.accounts.has(e.args.accountId)) accounts++;
        this.accounts.set(e.args.accountId, e.args.owner);
      }
      for (const e of listed) {
        if (!this.series.has(e.args.seriesId)) series++;
        this.series.set(e.args.seriesId, {
          id: e.args.seriesId,
          underlying: e.args.underlying,
          strikeWad: e.args.strikeWad,
          expiry: e.args.expiry,
          isCall: e.args.isCall,
        });
      }
      this.nextBlock = end + 1;
    }
    return { from, to: toBlock, accounts, series };
  }

  /** Accounts owned by `owner`, in id order. */
  accountsOf(owner: string): bigint[] {
    const o = owner.toLowerCase();
    return [...this.accounts.entries()]
      .filter(([, who]) => who.toLowerCase() === o)
      .map(([id]) => id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
