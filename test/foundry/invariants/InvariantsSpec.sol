// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title InvariantsSpec
/// @notice The protocol's invariants as the forge campaign names them: the same names and meanings as
/// test/shared/invariants.ts and docs/invariants.md. Every `invariant_…` function and every ghost check cites one.
abstract contract InvariantsSpec {
    /// @dev For every unsettled series: ERC-1155 long supply + longs held in accounts == shorts (+ written off).
    string internal constant INV_OPEN_INTEREST = "INV_OPEN_INTEREST";
    /// @dev For every vault: shares held by the clearing >= Σ account balances (+ pending penalties for the quote).
    string internal constant INV_SOLVENCY = "INV_SOLVENCY";
    /// @dev No account at or above maintenance margin is liquidated.
    string internal constant INV_NO_HEALTHY_LIQUIDATION = "INV_NO_HEALTHY_LIQUIDATION";
    /// @dev No risk-increasing action leaves the acting account below initial margin.
    string internal constant INV_INITIAL_MARGIN_AFTER_ACTION = "INV_INITIAL_MARGIN_AFTER_ACTION";
    /// @dev Vault totalAssets is backed by its token balance.
    string internal constant INV_VAULT_BACKING = "INV_VAULT_BACKING";
    /// @dev Vault convert/preview functions round as ERC-4626 requires (in the vault's favour).
    string internal constant INV_VAULT_ROUNDING = "INV_VAULT_ROUNDING";
    /// @dev No sequence of deposits, donations and withdrawals takes an honest depositor's funds beyond dust.
    string internal constant INV_VAULT_NO_THEFT = "INV_VAULT_NO_THEFT";
    /// @dev While a scope is tripped no call it guards succeeds; risk-reducing calls still do.
    string internal constant INV_BREAKER_GUARDS = "INV_BREAKER_GUARDS";
    /// @dev Outflow within any window never exceeds the configured share of liquidity (plus inflows since).
    string internal constant INV_BREAKER_OUTFLOW_LIMIT = "INV_BREAKER_OUTFLOW_LIMIT";
    /// @dev A price is returned only with quorum, freshness and spread satisfied.
    string internal constant INV_ORACLE_PRICE_VALIDITY = "INV_ORACLE_PRICE_VALIDITY";
    /// @dev The on-chain margin requirement is never below the exact model's; any short gives a nonzero requirement.
    string internal constant INV_MARGIN_CONSERVATIVE = "INV_MARGIN_CONSERVATIVE";
    /// @dev PortfolioMargin's unpriced bound is never below the priced initial margin (a check passing on it passes priced).
    string internal constant INV_MARGIN_BOUND = "INV_MARGIN_BOUND";
    /// @dev A liquidation leaves the account fully closed or with a better collateral / maintenance ratio.
    string internal constant INV_LIQUIDATION_IMPROVES = "INV_LIQUIDATION_IMPROVES";
    /// @dev Bad debt is fully accounted: insurance drawn + socialised loss == deficit.
    string internal constant INV_BAD_DEBT_ACCOUNTED = "INV_BAD_DEBT_ACCOUNTED";
    /// @dev Per settled series, longs are paid only from what its shorts paid in; held >= balances + penalties + pools.
    string internal constant INV_SERIES_SOLVENCY = "INV_SERIES_SOLVENCY";
    /// @dev No risk-adding action succeeds when the account is valued at a price whose scope is tripped.
    string internal constant INV_NO_TRIPPED_PRICE = "INV_NO_TRIPPED_PRICE";
    /// @dev The auction discount counts from when the account has been continuously liquidatable.
    string internal constant INV_AUCTION_CONTINUOUS = "INV_AUCTION_CONTINUOUS";
    /// @dev The auction's clock counts only the time in which the breaker allowed liquidation.
    string internal constant INV_AUCTION_CLOCK = "INV_AUCTION_CLOCK";
    /// @dev In quote-vault shares, buyers' debits == sellers' credits + the fee account's; the total is unchanged.
    string internal constant INV_EXCHANGE_PREMIUM = "INV_EXCHANGE_PREMIUM";
    /// @dev No order is filled beyond its amount, or after its cancellation.
    string internal constant INV_EXCHANGE_FILL_BOUNDS = "INV_EXCHANGE_FILL_BOUNDS";
}
