/**
 * The protocol's invariants, named once. Every campaign handler and property test that checks one cites it
 * by this name (e.g. `assertInvariant(INV.OPEN_INTEREST, ...)`), and docs/invariants.md maps each name to the
 * tests that check it.
 */
export const INV = {
  /** For every series: ERC-1155 long supply + longs held in accounts == total shorts. */
  OPEN_INTEREST: "INV_OPEN_INTEREST",
  /** For every asset: vault shares held by the clearing house >= sum of account balances + unpaid settled payouts. */
  SOLVENCY: "INV_SOLVENCY",
  /** No account at or above maintenance margin is liquidated. */
  NO_HEALTHY_LIQUIDATION: "INV_NO_HEALTHY_LIQUIDATION",
  /** No risk-increasing action leaves the acting account below initial margin. */
  INITIAL_MARGIN_AFTER_ACTION: "INV_INITIAL_MARGIN_AFTER_ACTION",
  /** Vault totalAssets is backed by its token balance. */
  VAULT_BACKING: "INV_VAULT_BACKING",
  /** Vault convert/preview functions round as ERC-4626 requires (in the vault's favour). */
  VAULT_ROUNDING: "INV_VAULT_ROUNDING",
  /** No sequence of deposits, donations and withdrawals takes an honest depositor's funds beyond dust. */
  VAULT_NO_THEFT: "INV_VAULT_NO_THEFT",
  /** While a scope is tripped no call it guards succeeds; risk-reducing calls still do. */
  BREAKER_GUARDS: "INV_BREAKER_GUARDS",
  /** Outflow within any window never exceeds the configured share of liquidity. */
  BREAKER_OUTFLOW_LIMIT: "INV_BREAKER_OUTFLOW_LIMIT",
  /** A price is returned only with quorum, freshness and spread satisfied. */
  ORACLE_PRICE_VALIDITY: "INV_ORACLE_PRICE_VALIDITY",
  /** The on-chain margin requirement is never below the exact model's (the price error allowance covers the math). */
  MARGIN_CONSERVATIVE: "INV_MARGIN_CONSERVATIVE",
  /** PortfolioMargin's unpriced bound is never below `requirements`' initial margin: a margin check that passes on the
   * bound would pass priced. */
  MARGIN_BOUND: "INV_MARGIN_BOUND",
  /** A liquidation leaves the liquidated account fully closed or with a better collateral / maintenance ratio. */
  LIQUIDATION_IMPROVES: "INV_LIQUIDATION_IMPROVES",
  /** Bad debt is fully accounted: insurance drawn + socialised loss == deficit. */
  BAD_DEBT_ACCOUNTED: "INV_BAD_DEBT_ACCOUNTED",
  /** For every settled series: what its longs were paid <= what its shorts paid in (its pool never goes negative and
   * never takes another series' money); the pools, the accounts' balances and the pending penalties are all held. */
  SERIES_SOLVENCY: "INV_SERIES_SOLVENCY",
  /** No action that adds risk (write, withdrawal) succeeds when the account is valued at a price whose scope is
   * tripped; risk-reducing calls still do. */
  NO_TRIPPED_PRICE: "INV_NO_TRIPPED_PRICE",
  /** An account's auction discount counts from when it has been continuously liquidatable (seen liquidatable at
   * least every AUCTION_HEARTBEAT_SECONDS, never seen healthy since). */
  AUCTION_CONTINUOUS: "INV_AUCTION_CONTINUOUS",
  /** The auction clock counts only time in which the breaker allowed the liquidation: a liquidation's discount is at
   * most the schedule's after the allowed time since its auction started (GLOBAL and LIQUIDATE pauses, each from its
   * trip to the end of its grace period, excluded), and exactly that when no grace period ended since the start. */
  AUCTION_CLOCK: "INV_AUCTION_CLOCK",
  /** Premiums are conserved: in quote-vault shares, buyers' debits == sellers' credits + fees; the buyer pays at least
   * and the seller receives at most what the signed price is worth. */
  EXCHANGE_PREMIUM: "INV_EXCHANGE_PREMIUM",
  /** No order is filled beyond its amount (nor after its expiry, cancellation or below its signer's min nonce). */
  EXCHANGE_FILL_BOUNDS: "INV_EXCHANGE_FILL_BOUNDS",
} as const;

export type InvariantName = (typeof INV)[keyof typeof INV];

/** Throw an error that names the invariant and carries the evidence. */
export function assertInvariant(name: InvariantName, holds: boolean, evidence: () => string): void {
  if (!holds) throw new Error(`${name} violated: ${evidence()}`);
}
