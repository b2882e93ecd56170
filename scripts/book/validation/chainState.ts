/**
 * What `POST /orders` and the re-validation need from the chain, read once and kept: each account's owner (fixed at
 * opening), operator approvals, owners' minimum nonces, series, and each account's margin and positions. Entries are
 * dropped when the chain watcher (watcher.ts) reads an event that changes them, and every margin entry on an oracle
 * round; the map holds the loading promise, so concurrent requests share one call and a drop during a load makes the
 * next reader load again.
 */
import type { Chain } from "../chain/exchange";

export interface SeriesInfo {
  /** False when no series has this id (yet). */
  listed: boolean;
  expiry: bigint;
}

export interface AccountMargin {
  /** Collateral value less the initial requirement (debt included), WAD quote; negative below initial margin. */
  freeWad: bigint;
}

export class ChainState {
  private readonly owners = new Map<string, Promise<string>>();
  private readonly operators = new Map<string, Promise<boolean>>();
  private readonly minNonces = new Map<string, Promise<bigint>>();
  private readonly series = new Map<string, Promise<SeriesInfo>>();
  private readonly margins = new Map<string, Promise<AccountMargin | undefined>>();
  private readonly positions = new Map<string, Promise<bigint>>();
  /** Chain reads made (cache misses), for the benchmark and the tests. */
  loads = 0;

  constructor(private readonly chain: Chain) {}

  private cached<K, V>(
    map: Map<string, Promise<V>>,
    key: string,
    load: () => Promise<V>,
    keep: (v: V) => boolean,
  ) {
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    this.loads++;
    const promise = load().then(
      (value) => {
        // A value that may still change without an event (an account not opened yet, a series not listed) is not kept.
        if (!keep(value) && map.get(key) === promise) map.delete(key);
        return value;
      },
      (error: unknown) => {
        if (map.get(key) === promise) map.delete(key);
        throw error;
      },
    );
    map.set(key, promise);
    return promise;
  }

  /** The account's owner, lower-case (the zero address when it does not exist). */
  ownerOf(accountId: bigint): Promise<string> {
    return this.cached(
      this.owners,
      accountId.toString(),
      async () => (await this.chain.clearing.ownerOf(accountId)).toLowerCase(),
      (owner) => owner !== "0x0000000000000000000000000000000000000000",
    );
  }

  isOperator(owner: string, operator: string): Promise<boolean> {
    return this.cached(
      this.operators,
      `${owner.toLowerCase()}/${operator.toLowerCase()}`,
      () => this.chain.clearing.isOperator(owner, operator),
      () => true,
    );
  }

  minNonce(owner: string): Promise<bigint> {
    return this.cached(
      this.minNonces,
      owner.toLowerCase(),
      () => this.chain.exchange.minNonce(owner),
      () => true,
    );
  }

  seriesInfo(seriesId: bigint): Promise<SeriesInfo> {
    return this.cached(
      this.series,
      seriesId.toString(),
      async () => {
        const s = await this.chain.clearing.series(seriesId);
        return { listed: s.underlying !== "0x0000000000000000000000000000000000000000", expiry: s.expiry };
      },
      (s) => s.listed,
    );
  }

  /** The account's free margin; undefined when the clearing cannot price it now (e.g. the oracle refuses). */
  margin(accountId: bigint): Promise<AccountMargin | undefined> {
    return this.cached(
      this.margins,
      accountId.toString(),
      async () => {
        try {
          const h = await this.chain.clearing.health(accountId);
          return { freeWad: h.collateralValueWad - h.initialWad };
        } catch {
          return undefined;
        }
      },
      (m) => m !== undefined,
    );
  }

  /** The account's signed position in the series (contracts, 18 decimals). */
  position(accountId: bigint, seriesId: bigint): Promise<bigint> {
    return this.cached(
      this.positions,
      `${accountId}/${seriesId}`,
      () => this.chain.clearing.positionOf(accountId, seriesId),
      () => true,
    );
  }

  // ---------------------------------------------------------------------------------------------- invalidation

  /** Margin and positions of the account changed (collateral moved, a trade, a settlement, a liquidation). */
  accountChanged(accountId: bigint): void {
    const id = accountId.toString();
    this.margins.delete(id);
    for (const key of [...this.positions.keys()]) if (key.startsWith(`${id}/`)) this.positions.delete(key);
  }

  operatorSet(owner: string, operator: string, approved: boolean): void {
    this.operators.set(`${owner.toLowerCase()}/${operator.toLowerCase()}`, Promise.resolve(approved));
  }

  minNonceSet(owner: string, minNonce: bigint): void {
    this.minNonces.set(owner.toLowerCase(), Promise.resolve(minNonce));
  }

  /** A new oracle round (or a periodic sweep): every account's margin is read again. */
  pricesChanged(): void {
    this.margins.clear();
  }

  /** Forget everything (a reorg: what was read may be gone). */
  clear(): void {
    this.owners.clear();
    this.operators.clear();
    this.minNonces.clear();
    this.series.clear();
    this.margins.clear();
    this.positions.clear();
  }
}
