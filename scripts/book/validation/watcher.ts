/**
 * The chain watcher: reads the clearing's, the exchange's and the oracle's logs from the last block it saw to the
 * head, drops what they change from the ChainState cache, and collects the accounts whose orders must be checked
 * again (re-validation). Every instance runs one (its cache is its own); it writes nothing to the database. A reorg
 * (the last block seen is no longer canonical) or a gap clears the whole cache and marks every account.
 */
import type { Log } from "ethers";
import type { Chain } from "../chain/exchange";
import type { ChainState } from "./chainState";

/** Blocks read per `eth_getLogs`; more behind than this and the cache is cleared instead. */
const MAX_RANGE_BLOCKS = 1_000;

/** Accounts and owners whose resting orders may no longer pass; `all` when every order must be checked. */
export interface Dirty {
  all: boolean;
  accounts: Set<string>;
  owners: Set<string>;
}

const ACCOUNT_EVENTS = new Set([
  "CollateralDeposited",
  "CollateralWithdrawn",
  "Written",
  "Closed",
  "LongsDeposited",
  "LongsWithdrawn",
  "PositionSettled",
  "DebtUpdated",
  "LiquidationFlagged",
  "Liquidated",
]);

export class ChainWatcher {
  private last: { number: number; hash: string } | undefined;
  private dirty: Dirty = { all: false, accounts: new Set(), owners: new Set() };

  constructor(
    private readonly chain: Chain,
    private readonly state: ChainState,
  ) {}

  /** What changed since the last call (and forget it). */
  takeDirty(): Dirty {
    const d = this.dirty;
    this.dirty = { all: false, accounts: new Set(), owners: new Set() };
    return d;
  }

  /** Put back what a failed re-validation took. */
  requeue(d: Dirty): void {
    this.dirty.all ||= d.all;
    for (const a of d.accounts) this.dirty.accounts.add(a);
    for (const o of d.owners) this.dirty.owners.add(o);
  }

  /** Every order is checked again and every margin read again (a periodic sweep: prices move without events). */
  markAll(): void {
    this.state.pricesChanged();
    this.dirty.all = true;
  }

  private reset(): void {
    this.state.clear();
    this.dirty.all = true;
  }

  /** Read up to `head` (a block the caller has just read). */
  async runOnce(head: { number: number; hash: string }): Promise<void> {
    const { provider } = this.chain;
    if (this.last === undefined) {
      this.last = head;
      return;
    }
    if (head.number === this.last.number && head.hash === this.last.hash) return;
    const seen = await provider.getBlock(this.last.number);
    if (seen === null || seen.hash !== this.last.hash || head.number - this.last.number > MAX_RANGE_BLOCKS) {
      this.reset();
      this.last = head;
      return;
    }
    if (head.number <= this.last.number) {
      // The head moved back to a block we saw: nothing new.
      this.last = head;
      return;
    }
    const logs = await provider.getLogs({
      address: [this.chain.clearingAddress, this.chain.exchangeAddress, this.chain.oracleAddress],
      fromBlock: this.last.number + 1,
      toBlock: head.number,
    });
    for (const log of logs) this.apply(log);
    this.last = head;
  }

  private apply(log: Log): void {
    const address = log.address.toLowerCase();
    if (address === this.chain.oracleAddress.toLowerCase()) {
      this.markAll();
      return;
    }
    if (address === this.chain.exchangeAddress.toLowerCase()) {
      const parsed = this.chain.exchange.interface.parseLog(log);
      if (parsed?.name === "MinNonceSet") {
        this.state.minNonceSet(parsed.args.owner as string, parsed.args.minNonce as bigint);
        this.dirty.owners.add((parsed.args.owner as string).toLowerCase());
      }
      return;
    }
    const parsed = this.chain.clearing.interface.parseLog(log);
    if (parsed === null) return;
    if (parsed.name === "OperatorSet") {
      const owner = parsed.args.owner as string;
      this.state.operatorSet(owner, parsed.args.operator as string, parsed.args.approved as boolean);
      this.dirty.owners.add(owner.toLowerCase());
    } else if (parsed.name === "Traded") {
      for (const id of [parsed.args.sellerAccountId as bigint, parsed.args.buyerAccountId as bigint]) {
        this.state.accountChanged(id);
        this.dirty.accounts.add(id.toString());
      }
    } else if (ACCOUNT_EVENTS.has(parsed.name)) {
      const ids = [parsed.args.accountId as bigint];
      if (parsed.name === "Liquidated") ids.push(parsed.args.liquidatorAccountId as bigint);
      for (const id of ids) {
        this.state.accountChanged(id);
        this.dirty.accounts.add(id.toString());
      }
    }
  }
}
