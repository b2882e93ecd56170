/**
 * The mutation check's mutants: small, named edits of contracts/, each a plausible bug (a flipped comparison, a
 * dropped check, rounding Up<->Down, an off-by-one on a bound, min<->max). Each is an exact text replacement that
 * must match exactly once (or its `nth` occurrence), so the list fails loudly when the code it targets changes.
 *
 * `equivalent` marks a mutant that no test can kill because it does not change behaviour; the reason is printed in
 * docs/mutation.md and the mutant is left out of the score.
 */

export interface Mutant {
  /** Stable name, used by `MUTANTS=<id>,...` to rerun a subset. */
  id: string;
  /** Path under the repository root. */
  file: string;
  /** What the mutation does, in words. */
  description: string;
  from: string;
  to: string;
  /** 1-based occurrence of `from` to replace when it occurs more than once. */
  nth?: number;
  /** Tests to run instead of the contract's default set (CONTRACT_TESTS). */
  tests?: string[];
  /** Why the mutant cannot be killed (it does not change behaviour). */
  equivalent?: string;
}

/** Which test files exercise which contract: the targeted tests run after each mutant (unit first, then fuzz). */
export const CONTRACT_TESTS: Record<string, string[]> = {
  "contracts/oracle/OracleAggregator.sol": [
    "test/unit/oracle/OracleAggregator.test.ts",
    "test/fuzz/OracleMedian.fuzz.test.ts",
  ],
  "contracts/oracle/ChainlinkFeedAdapter.sol": ["test/unit/oracle/ChainlinkFeedAdapter.test.ts"],
  "contracts/oracle/SignedReportSource.sol": ["test/unit/oracle/SignedReportSource.test.ts"],
  "contracts/breaker/CircuitBreaker.sol": [
    "test/unit/breaker/CircuitBreaker.test.ts",
    "test/unit/breaker/BreakerGuarded.test.ts",
    "test/unit/breaker/CircuitBreaker.RateLimit.test.ts",
  ],
  "contracts/libraries/RateLimit.sol": [
    "test/unit/breaker/CircuitBreaker.RateLimit.test.ts",
    "test/fuzz/RateLimiter.fuzz.test.ts",
  ],
  "contracts/vaults/TrackedAssetsVault.sol": [
    "test/unit/vaults/CollateralVault.test.ts",
    "test/unit/vaults/InsuranceVault.test.ts",
    "test/fuzz/Vaults.fuzz.test.ts",
  ],
  "contracts/vaults/CollateralVault.sol": [
    "test/unit/vaults/CollateralVault.test.ts",
    "test/fuzz/Vaults.fuzz.test.ts",
  ],
  "contracts/vaults/InsuranceVault.sol": ["test/unit/vaults/InsuranceVault.test.ts"],
  "contracts/options/OptionsClearing.sol": [
    "test/unit/options/OptionsClearing.test.ts",
    "test/unit/options/OptionsClearing.edge.test.ts",
    "test/unit/options/Liquidation.test.ts",
  ],
  "contracts/options/AccountLogic.sol": [
    "test/unit/options/OptionsClearing.test.ts",
    "test/unit/options/OptionsClearing.edge.test.ts",
  ],
  "contracts/options/MarginLogic.sol": [
    "test/unit/options/OptionsClearing.test.ts",
    "test/unit/options/OptionsClearing.edge.test.ts",
    "test/fuzz/ClearingMargin.fuzz.test.ts",
  ],
  "contracts/options/LiquidationLogic.sol": ["test/unit/options/Liquidation.test.ts"],
  "contracts/options/SettlementLogic.sol": [
    "test/unit/options/OptionsClearing.test.ts",
    "test/unit/options/OptionsClearing.edge.test.ts",
    "test/unit/options/Liquidation.test.ts",
  ],
  "contracts/libraries/WadMath.sol": [
    "test/unit/libraries/WadMath.test.ts",
    "test/fuzz/WadMath.fuzz.test.ts",
  ],
  "contracts/libraries/PortfolioMargin.sol": [
    "test/unit/libraries/PortfolioMargin.test.ts",
    "test/fuzz/PortfolioMargin.fuzz.test.ts",
  ],
};

const ORACLE = "contracts/oracle/OracleAggregator.sol";
const BREAKER = "contracts/breaker/CircuitBreaker.sol";
const CLEARING = "contracts/options/OptionsClearing.sol";
const LIQUIDATION = "contracts/options/LiquidationLogic.sol";
const ACCOUNT = "contracts/options/AccountLogic.sol";
const SETTLEMENT = "contracts/options/SettlementLogic.sol";

export const MUTANTS: Mutant[] = [
  // ---------------------------------------------------------------------------------------------- oracle
  {
    id: "oracle-recent-round-age-off-by-one",
    file: ORACLE,
    description: "a round confirmed exactly maxRoundAgeSeconds ago is no longer served (<= becomes <)",
    from: "block.timestamp - last.confirmedAt <= maxRoundAgeSeconds",
    to: "block.timestamp - last.confirmedAt < maxRoundAgeSeconds",
  },
  {
    id: "oracle-quorum-loss-keeps-round",
    file: ORACLE,
    description: "a reported loss of quorum leaves the recent round served",
    from: "            _latest[asset].confirmedAt = 0;\n            emit QuorumLossReported",
    to: "            emit QuorumLossReported",
  },
  {
    id: "oracle-quorum-off-by-one",
    file: ORACLE,
    description: "quorum check off by one: one fresh source fewer than the quorum is accepted",
    from: "if (fresh < c.quorum) {",
    to: "if (fresh + 1 < c.quorum) {",
  },
  {
    id: "oracle-heartbeat-boundary",
    file: ORACLE,
    description: "a source exactly one heartbeat old counts as stale (> becomes >=)",
    from: "block.timestamp - updatedAt > s.heartbeatSeconds",
    to: "block.timestamp - updatedAt >= s.heartbeatSeconds",
  },
  {
    id: "oracle-spread-rounding",
    file: ORACLE,
    description: "spread rounded down instead of up (a spread a hair above the bound is accepted)",
    from: "a.spreadWad = Math.mulDiv(prices[fresh - 1] - prices[0], WadMath.WAD, a.priceWad, Math.Rounding.Ceil);",
    to: "a.spreadWad = Math.mulDiv(prices[fresh - 1] - prices[0], WadMath.WAD, a.priceWad, Math.Rounding.Floor);",
  },
  {
    id: "oracle-band-breach-unreported",
    file: ORACLE,
    description: "a price jump beyond the band is not reported to the breaker",
    from: "BREAKER.reportPriceBandBreach(asset, referencePrice, price);",
    to: "",
  },
  {
    id: "oracle-quorum-loss-unreported",
    file: ORACLE,
    description: "a loss of quorum is not reported to the breaker",
    from: "BREAKER.reportQuorumLoss(asset, a.fresh, c.quorum);",
    to: "",
  },
  {
    id: "adapter-zero-answer",
    file: "contracts/oracle/ChainlinkFeedAdapter.sol",
    description: "a zero feed answer is accepted (<= 0 becomes < 0)",
    from: "if (answer <= 0) revert NonPositiveAnswer",
    to: "if (answer < 0) revert NonPositiveAnswer",
  },
  // ---------------------------------------------------------------------------------------------- breaker
  {
    id: "breaker-cooldown-off-by-one",
    file: BREAKER,
    description: "resume allowed one second before the cooldown has elapsed",
    from: "if (block.timestamp < resumable) revert CooldownNotElapsed(scope, resumable);",
    to: "if (block.timestamp + 1 < resumable) revert CooldownNotElapsed(scope, resumable);",
  },
  {
    id: "breaker-action-ignores-asset-scope",
    file: BREAKER,
    description: "checkAction no longer checks the asset's price scope",
    from: "_revertIfTripped(actionScope);\n        _revertIfTripped(Scopes.asset(asset));",
    to: "_revertIfTripped(actionScope);",
  },
  {
    id: "breaker-liquidation-ignores-asset-grace",
    file: BREAKER,
    description: "liquidations allowed during the asset scope's grace period",
    from: "_revertIfInGrace(assetScope);",
    to: "",
  },
  {
    id: "breaker-outflow-off-by-one",
    file: BREAKER,
    description: "one unit more than the outflow capacity may leave",
    from: "if (amount > available) revert OutflowLimitExceeded(token, amount, available);",
    to: "if (amount > available + 1) revert OutflowLimitExceeded(token, amount, available);",
  },
  {
    id: "ratelimit-capacity-rounds-up",
    file: "contracts/libraries/RateLimit.sol",
    description: "the outflow limit on the base liquidity is rounded up instead of down",
    from: "int256 limit = int256((uint256(w.baseLiquidity) * w.maxOutflowBps) / BPS_DENOMINATOR);",
    to: "int256 limit = int256((uint256(w.baseLiquidity) * w.maxOutflowBps + BPS_DENOMINATOR - 1) / BPS_DENOMINATOR);",
  },
  // ---------------------------------------------------------------------------------------------- vaults
  {
    id: "vault-max-redeem-rounds-up",
    file: "contracts/vaults/CollateralVault.sol",
    description: "maxRedeem under the outflow limit rounds shares up instead of down",
    from: "return _convertToShares(capacity, Math.Rounding.Floor);",
    to: "return _convertToShares(capacity, Math.Rounding.Ceil);",
  },
  {
    id: "vault-zero-shares-dropped",
    file: "contracts/vaults/TrackedAssetsVault.sol",
    description: "a deposit that mints zero shares is accepted (the donation is lost)",
    from: "if (shares == 0) revert ZeroShares(assets);",
    to: "",
  },
  {
    id: "insurance-window-end-off-by-one",
    file: "contracts/vaults/InsuranceVault.sol",
    description: "a withdrawal request is still claimable at the second its window ends (>= becomes >)",
    from: "if (block.timestamp < request.claimableAt || block.timestamp >= request.expiresAt) {",
    to: "if (block.timestamp < request.claimableAt || block.timestamp > request.expiresAt) {",
  },
  // ---------------------------------------------------------------------------------------------- clearing
  {
    id: "clearing-withdraw-margin-dropped",
    file: CLEARING,
    description: "withdrawCollateral/withdrawLongs no longer require initial margin afterwards",
    from: "if (collateralValueWad < initialWad)\n            revert BelowInitialMargin(accountId, collateralValueWad, initialWad);\n    }",
    to: "}",
  },
  {
    id: "clearing-write-at-expiry",
    file: CLEARING,
    description: "writing allowed at the expiry second (>= becomes >)",
    from: "if (block.timestamp >= s.expiry) revert SeriesExpired(seriesId, s.expiry);",
    to: "if (block.timestamp > s.expiry) revert SeriesExpired(seriesId, s.expiry);",
  },
  {
    id: "clearing-settle-pre-expiry-price",
    file: SETTLEMENT,
    description: "settlement accepts a price observed before expiry",
    from: "if (observedAt < s.expiry || observedAt > windowEnd) {",
    to: "if (observedAt > windowEnd) {",
  },
  {
    id: "clearing-socialised-payout-rounds-up",
    file: SETTLEMENT,
    description: "the socialised long payout is rounded up instead of down",
    from: "$.longPayout[seriesId] = Math.mulDiv(payout, shorts, shorts + writtenOffContracts);",
    to: "$.longPayout[seriesId] = Math.mulDiv(payout, shorts, shorts + writtenOffContracts, Math.Rounding.Ceil);",
  },
  {
    id: "clearing-exercise-free-pool-check-dropped",
    file: CLEARING,
    description: "exercise pays from depositors' collateral when the free pool is short",
    from: "if (sharesNeeded > free) revert InsufficientSettledFunds(sharesNeeded, free);",
    to: "",
  },
  {
    id: "account-short-debit-rounds-down",
    file: ACCOUNT,
    description: "a settled short's debit is rounded down instead of up",
    from: "uint256 debitWad = uint256(-position).mulWadUp($.series[seriesId].payoutPerContractWad);",
    to: "uint256 debitWad = uint256(-position).mulWadDown($.series[seriesId].payoutPerContractWad);",
  },
  {
    id: "account-long-credit-ignores-free-pool",
    file: ACCOUNT,
    description: "lazy settlement credits longs with quote shares no short has paid yet",
    from: "if (shares > freeQuoteShares($, quote)) return;",
    to: "",
  },
  {
    id: "margin-haircut-rounds-up",
    file: "contracts/options/MarginLogic.sol",
    description: "collateral value after haircut rounded up instead of down",
    from: "return amountWad.mulWadDown(priceWad).mulWadDown(WadMath.WAD - config.haircutWad);",
    to: "return amountWad.mulWadDown(priceWad).mulWadUp(WadMath.WAD - config.haircutWad);",
  },
  {
    id: "health-values-unpaid-long-credit",
    file: "contracts/options/MarginLogic.sol",
    description:
      "health() values a settled long whose credit the free pool cannot pay yet (liquidate does not)",
    from: "if (shares > free) continue;",
    to: "if (shares > free) {\n                quoteShares += shares;\n                continue;\n            }",
    tests: ["test/unit/options/OptionsClearing.edge.test.ts"],
  },
  // ---------------------------------------------------------------------------------------------- liquidation
  {
    id: "liquidation-pending-penalties-in-free-pool",
    file: ACCOUNT,
    description: "pending penalty shares count as free pool (exercises could pay out the insurance's money)",
    from: "uint256 owned = $.totalCollateral[address(quote.vault)] + $.pendingPenaltyShares;",
    to: "uint256 owned = $.totalCollateral[address(quote.vault)];",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "liquidation-pending-penalties-not-cover",
    file: LIQUIDATION,
    description: "an insolvent liquidation ignores the pending penalties as cover (more loss socialised)",
    from: "plan.pendingAssets + ctx.insurance.availableCover()",
    to: "ctx.insurance.availableCover()",
  },
  {
    id: "liquidation-long-value-not-netted",
    file: LIQUIDATION,
    description:
      "the mark value of net-long positions no longer offsets the debt beside them (insurance pays for it)",
    from: "uint256 liabilityWad = grossWad > longValueWad ? grossWad - longValueWad : 0;",
    to: "uint256 liabilityWad = grossWad;",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "liquidation-dust-socialised",
    file: LIQUIDATION,
    description: "a remainder under one quote unit after the cover is written off the longs' payout",
    from: "if (remainingWad >= uint256(1).toWadUp(ctx.quote.decimals)) {",
    to: "if (remainingWad != 0) {",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "liquidation-cover-ordinary-deposit",
    file: LIQUIDATION,
    description:
      "the insurance cover enters the quote vault as an ordinary deposit (stopped by the DEPOSIT pause)",
    from: "shares += ICollateralVault(quoteVault).depositCover(assets);",
    to: "shares += ctx.quote.vault.deposit(assets, address(this));",
    tests: ["test/invariant/Clearing.invariant.test.ts"],
  },
  {
    id: "liquidation-healthy-check-dropped",
    file: LIQUIDATION,
    description: "accounts at or above maintenance can be liquidated",
    from: "if (plan.collateralWad >= maintenanceWad) {",
    to: "if (false && plan.collateralWad >= maintenanceWad) {",
  },
  {
    id: "liquidation-liquidator-margin-dropped",
    file: LIQUIDATION,
    description: "the liquidator may end below initial margin",
    from: "if (collateralWad < initialWad) {\n            revert IOptionsClearing.BelowInitialMargin(p.liquidatorAccountId",
    to: "if (false && collateralWad < initialWad) {\n            revert IOptionsClearing.BelowInitialMargin(p.liquidatorAccountId",
  },
  {
    id: "liquidation-self-allowed",
    file: LIQUIDATION,
    description: "an owner may liquidate its own account from another of its accounts",
    from: "if (liquidator == owner) revert IOptionsClearing.SelfLiquidation(p.accountId, p.liquidatorAccountId);",
    to: "",
  },
  {
    id: "liquidation-needed-fraction-rounds-down",
    file: LIQUIDATION,
    description: "the fraction that restores initial margin is rounded down instead of up",
    from: "initialWad - owedWad,\n                Math.Rounding.Ceil",
    to: "initialWad - owedWad,\n                Math.Rounding.Floor",
  },
  {
    id: "liquidation-discount-cap-boundary",
    file: LIQUIDATION,
    description: "the maximum discount applies after, not at, the auction's end (>= becomes >)",
    from: "if (elapsed >= AUCTION_DURATION_SECONDS) return MAX_DISCOUNT_WAD;",
    to: "if (elapsed > AUCTION_DURATION_SECONDS) return MAX_DISCOUNT_WAD;",
    equivalent:
      "at elapsed == AUCTION_DURATION_SECONDS the linear formula gives START + (MAX - START) x D / D == MAX exactly",
  },
  {
    id: "liquidation-debt-min-to-max",
    file: LIQUIDATION,
    description: "a partial liquidation moves all of the settlement debt (min becomes max)",
    from: "uint256 moved = Math.min(debtWad, debtWad.mulWadUp(fractionWad));",
    to: "uint256 moved = Math.max(debtWad, debtWad.mulWadUp(fractionWad));",
  },
  // ---------------------------------------------------------------------------------------------- libraries
  {
    id: "wadmath-mulwadup-rounds-down",
    file: "contracts/libraries/WadMath.sol",
    description: "mulWadUp rounds down",
    from: "return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);",
    to: "return Math.mulDiv(x, y, WAD);",
  },
  {
    id: "portfolio-initial-buffer-dropped",
    file: "contracts/libraries/PortfolioMargin.sol",
    description: "initial margin equals maintenance (the buffer is ignored)",
    from: "initialWad = _mulWadUp(maintenanceWad, WAD + p.initialBufferWad);",
    to: "initialWad = _mulWadUp(maintenanceWad, WAD);",
  },
  // ---------------------------------------------------------------------------------------------- issue 14: vaults and breaker
  {
    id: "vault-maxdeposit-ignores-breaker-room",
    file: "contracts/vaults/CollateralVault.sol",
    description: "maxDeposit ignores the breaker's remaining room for the token's tracked liquidity",
    from: "return Math.min(_room(_book), BREAKER.inflowCapacity(asset()));",
    to: "return _room(_book);",
  },
  {
    id: "vault-room-unbounded-without-cap",
    file: "contracts/vaults/CollateralVault.sol",
    description: "without a cap the room is unbounded again (not MAX_TOTAL_ASSETS)",
    from: "if (book.depositCap == _NO_CAP) return MAX_TOTAL_ASSETS - book.tracked;",
    to: "if (book.depositCap == _NO_CAP) return type(uint256).max - book.tracked;",
  },
  {
    id: "vault-max-ignores-shortfall-halt",
    file: "contracts/vaults/CollateralVault.sol",
    description: "maxDeposit/maxMint stay open while a shortfall halts every transfer",
    from: "if (_depleted() || _depositTripped() || _halted()) return false;",
    to: "if (_depleted() || _depositTripped()) return false;",
  },
  {
    id: "vault-loss-not-reported-to-breaker",
    file: "contracts/vaults/CollateralVault.sol",
    description: "recognizeLoss reports a zero loss to the breaker (its limit keeps the pre-loss base)",
    from: "BREAKER.recordLoss(asset(), loss);",
    to: "BREAKER.recordLoss(asset(), 0);",
  },
  {
    id: "vault-maxredeem-counts-zero-asset-shares",
    file: "contracts/vaults/TrackedAssetsVault.sol",
    description: "maxRedeem reports shares whose redemption pays nothing (and reverts ZeroAssets)",
    from: "return previewRedeem(shares) == 0 ? 0 : shares;",
    to: "return shares;",
  },
  {
    id: "ratelimit-loss-charged-as-outflow",
    file: "contracts/libraries/RateLimit.sol",
    description:
      "a booked loss is charged to the current bucket like an outflow instead of lowering the base",
    from: "w.baseLiquidity = uint128(base - amount);",
    to: "w.netOutflowCur += int128(int256(amount));",
  },
  {
    id: "insurance-min-stake-one-share",
    file: "contracts/vaults/InsuranceVault.sol",
    description: "penalties are held aside only while no share exists (a 1-wei stake captures them again)",
    from: "MIN_STAKE_SHARES = 10 ** decimals();",
    to: "MIN_STAKE_SHARES = 1;",
  },
  {
    id: "insurance-held-penalties-in-share-price",
    file: "contracts/vaults/InsuranceVault.sol",
    description: "totalAssets counts the held penalties (they reach the share price at once)",
    from: "return _tracked - _held;",
    to: "return _tracked;",
  },
  {
    id: "insurance-cover-leaves-held",
    file: "contracts/vaults/InsuranceVault.sol",
    description: "bad-debt cover does not draw the held penalties first (the stakers pay it)",
    from: "_takeFromHeld(covered);",
    to: "",
  },
];
