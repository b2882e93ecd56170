/** Defaults of the order book service's settings (units in the names). */
export const BOOK_DEFAULTS = {
  host: "127.0.0.1",
  port: 8547,
  rpcUrl: "http://127.0.0.1:8545",
  network: "local",
  dataDir: ".book-data",
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: 16 * 1024,
  /** An order must live at least this long past its arrival. */
  minLifeSeconds: 60,
  /** Premium tick: 0.01 USDC per contract (quote units per 1e18 contracts, 6 decimals). */
  tickSizeQuoteUnits: 10_000n,
  /** Lot: 0.01 contract (18 decimals). */
  lotSizeContractsWad: 10n ** 16n,
  maxOpenOrdersPerOwner: 100,
  /** Blocks on top of a trade's block (its own included) before it is CONFIRMED. */
  confirmations: 3,
  /** Polling interval of the indexer, the matcher and the confirmation tracker. */
  pollIntervalMs: 250,
  /** Makers per `matchOrders` transaction at most. */
  maxMakersPerMatch: 8,
  /**
   * How `POST /orders` checks the exchange's rules: `cached` from chain state read once and refreshed on events, or
   * `call` the exchange's `validate` by eth_call on every request (strict and slow).
   */
  validation: "cached",
  /** Accepted orders committed per database transaction at most (group commit). */
  writeBatchOrders: 256,
  /** Every resting order is checked again at least this often (prices also move without an oracle event). */
  revalidateIntervalSeconds: 15,
  /**
   * Worker threads that hash orders and recover their signers: `auto` is none (inline) when libsecp256k1 is loaded,
   * else one per core.
   */
  signatureWorkers: "auto",
  /** First block the indexer reads when it has no cursor (the deployment's block when known). */
  fromBlock: 0,
} as const;
