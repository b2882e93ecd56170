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

/** The clearing's edge tests, one file per entry point. */
const CLEARING_ENTRY_TESTS = [
  "write",
  "close",
  "longs",
  "withdrawCollateral",
  "accounts",
  "settle",
  "exercise",
  "settleAccount",
  "health",
].map((entry) => `test/unit/options/OptionsClearing.${entry}.test.ts`);

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
    "test/unit/options/OptionsClearing.review.test.ts",
    "test/unit/options/OptionsClearing.test.ts",
    ...CLEARING_ENTRY_TESTS,
    "test/unit/options/Liquidation.test.ts",
  ],
  "contracts/options/AccountLogic.sol": [
    "test/unit/options/OptionsClearing.review.test.ts",
    "test/unit/options/OptionsClearing.test.ts",
    ...CLEARING_ENTRY_TESTS,
  ],
  "contracts/options/MarginLogic.sol": [
    "test/unit/options/OptionsClearing.review.test.ts",
    "test/unit/options/OptionsClearing.test.ts",
    ...CLEARING_ENTRY_TESTS,
    "test/fuzz/ClearingMargin.fuzz.test.ts",
  ],
  "contracts/options/LiquidationLogic.sol": [
    "test/unit/options/Liquidation.test.ts",
    "test/unit/options/OptionsClearing.review.test.ts",
  ],
  "contracts/libraries/LiquidationMath.sol": [
    "test/unit/libraries/LiquidationMath.test.ts",
    "test/unit/options/Liquidation.test.ts",
  ],
  "contracts/options/InsuranceLogic.sol": [
    "test/unit/options/Liquidation.test.ts",
    "test/unit/options/OptionsClearing.review.test.ts",
  ],
  "contracts/options/SettlementLogic.sol": [
    "test/unit/options/OptionsClearing.review.test.ts",
    "test/unit/options/OptionsClearing.test.ts",
    ...CLEARING_ENTRY_TESTS,
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
const LIQUIDATION_MATH = "contracts/libraries/LiquidationMath.sol";
const INSURANCE = "contracts/options/InsuranceLogic.sol";
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
    from: "shares = _convertToShares(capacity, Math.Rounding.Floor);",
    to: "shares = _convertToShares(capacity, Math.Rounding.Ceil);",
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
    file: "contracts/options/MarginLogic.sol",
    description: "write, withdrawCollateral and withdrawLongs no longer require initial margin afterwards",
    from: "        if (collateralValueWad < initialWad) {\n            revert IOptionsClearing.BelowInitialMargin(accountId, collateralValueWad, initialWad);\n        }\n",
    to: "",
    tests: ["test/unit/options/OptionsClearing.test.ts"],
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
    id: "exercise-series-pool-check-dropped",
    file: SETTLEMENT,
    description:
      "exercise pays from other series' money (or depositors' collateral) when its series' pool is short",
    from: "if (sharesNeeded > pool)\n            revert IOptionsClearing.InsufficientSettledFunds(seriesId, sharesNeeded, pool);\n        $.seriesPool[seriesId] = pool - sharesNeeded;",
    to: "$.seriesPool[seriesId] = pool > sharesNeeded ? pool - sharesNeeded : 0;",
  },
  {
    id: "account-short-debit-rounds-down",
    file: ACCOUNT,
    description: "a settled short's debit is rounded down instead of up",
    from: "uint256 debitWad = uint256(-position).mulWadUp($.series[seriesId].payoutPerContractWad);",
    to: "uint256 debitWad = uint256(-position).mulWadDown($.series[seriesId].payoutPerContractWad);",
  },
  {
    id: "account-long-credit-ignores-series-pool",
    file: ACCOUNT,
    description: "lazy settlement credits longs with quote shares their series' shorts have not paid",
    from: "if (shares > pool) return;\n            $.seriesPool[seriesId] = pool - shares;",
    to: "$.seriesPool[seriesId] = pool > shares ? pool - shares : 0;",
  },
  {
    id: "margin-haircut-rounds-up",
    file: "contracts/options/MarginLogic.sol",
    description: "collateral value after haircut rounded up instead of down",
    from: "valueWad = amountWad.mulWadDown(priceWad).mulWadDown(WadMath.WAD - config.haircutWad);",
    to: "valueWad = amountWad.mulWadDown(priceWad).mulWadUp(WadMath.WAD - config.haircutWad);",
  },
  {
    id: "health-values-unpaid-long-credit",
    file: ACCOUNT,
    description:
      "health() values a settled long whose credit its series' pool cannot pay yet (liquidate does not)",
    from: "if (shares <= $.seriesPool[id] + added[i]) {",
    to: "{",
    tests: CLEARING_ENTRY_TESTS,
  },
  // ---------------------------------------------------------------------------------------------- liquidation
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
    file: INSURANCE,
    description:
      "the insurance cover enters the quote vault as an ordinary deposit (stopped by the DEPOSIT pause)",
    from: "shares += ICollateralVault(quoteVault).depositCover(assets);",
    to: "shares += quote.vault.deposit(assets, address(this));",
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
    file: LIQUIDATION_MATH,
    description: "the fraction that restores initial margin is rounded down instead of up",
    from: "initialWad - owedWad - leftFallWad,\n                Math.Rounding.Ceil",
    to: "initialWad - owedWad - leftFallWad,\n                Math.Rounding.Floor",
  },
  {
    id: "liquidation-discount-cap-boundary",
    file: LIQUIDATION_MATH,
    description: "the maximum discount applies after, not at, the auction's end (>= becomes >)",
    from: "if (elapsed >= AUCTION_DURATION_SECONDS) return MAX_DISCOUNT_WAD;",
    to: "if (elapsed > AUCTION_DURATION_SECONDS) return MAX_DISCOUNT_WAD;",
    equivalent:
      "at elapsed == AUCTION_DURATION_SECONDS the linear formula gives START + (MAX - START) x D / D == MAX exactly",
  },
  {
    id: "liquidation-debt-min-to-max",
    file: ACCOUNT,
    description: "a partial liquidation moves all of each series' settlement debt (min becomes max)",
    from: "uint256 moved = Math.min(owedWad, owedWad.mulWadUp(fractionWad));",
    to: "uint256 moved = Math.max(owedWad, owedWad.mulWadUp(fractionWad));",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  // ---------------------------------------------------------------------------------------------- issue 14 (clearing)
  {
    id: "review-tripped-price-unchecked",
    file: "contracts/options/MarginLogic.sol",
    description: "risk-adding actions ignore tripped price scopes of the assets the account is valued at",
    from: "if (ctx.breaker.trippedScopeCount() != 0) {",
    to: "if (ctx.breaker.trippedScopeCount() == type(uint256).max) {",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-auction-heartbeat-ignored",
    file: LIQUIDATION,
    description: "an observation after a long gap continues the old auction (the clock goes stale)",
    from: "if (allowedSeconds <= AUCTION_HEARTBEAT_SECONDS) {",
    to: "if (a.since != 0) {",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "review-auction-clock-runs-in-pause",
    file: LIQUIDATION,
    description: "the auction clock counts the time in which the breaker refused the liquidation",
    from: "if (graceHorizon <= lastSeen) return block.timestamp - lastSeen;",
    to: "return block.timestamp - lastSeen;",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "review-auction-survives-margin-check",
    file: "contracts/options/MarginLogic.sol",
    description: "a write or withdrawal that passes the initial requirement leaves the auction running",
    from: "if ($.auction[accountId].since != 0) {",
    to: "if (false) {",
    tests: ["test/unit/options/Liquidation.test.ts"],
  },
  {
    id: "review-deposit-longs-unauthorised",
    file: CLEARING,
    description: "anyone deposits longs into any account (fills its series slots)",
    from: "external nonReentrant {\n        _authorize(accountId);\n        int256 delta = _signed(amount);\n        Series storage s = _listed(seriesId);\n        if (s.settled)",
    to: "external nonReentrant {\n        _exists(accountId);\n        int256 delta = _signed(amount);\n        Series storage s = _listed(seriesId);\n        if (s.settled)",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-settled-long-marked",
    file: ACCOUNT,
    description: "liquidation (and the margin) value a settled, unpaid long at today's intrinsic value",
    from: "if (s.settled || s.underlying != underlying || (shortsOnly && amount > 0)) continue;",
    to: "if (s.underlying != underlying || (shortsOnly && amount > 0)) continue;",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-quote-only-grace-ignored",
    file: LIQUIDATION,
    description: "an account valued in the quote alone is liquidated during LIQUIDATE's grace period",
    from: "if (n == 0) ctx.breaker.checkLiquidation(ctx.margin.quote);",
    to: 'if (n == 0) ctx.breaker.checkAction(keccak256("optiq.scope.liquidate"), ctx.margin.quote);',
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-netting-write-skips-withdraw",
    file: CLEARING,
    description: "a write that nets a held long ignores the WITHDRAW pause",
    from: "if ($.position[accountId][seriesId] > 0) _checkScope(Scopes.WITHDRAW);",
    to: "if ($.position[accountId][seriesId] < 0) _checkScope(Scopes.WITHDRAW);",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-impaired-series-written",
    file: CLEARING,
    description: "new longs are written on a series with written-off shorts (diluted by the loss)",
    from: "if (written != 0) revert SeriesImpaired(seriesId, written);",
    to: "if (written > type(uint128).max) revert SeriesImpaired(seriesId, written);",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-fallback-unbounded-above",
    file: SETTLEMENT,
    description: "governance's fallback price is unbounded above",
    from: "if (priceWad < lowWad || priceWad > highWad) {",
    to: "if (priceWad < lowWad) {",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
  },
  {
    id: "review-settlement-round-not-first",
    file: SETTLEMENT,
    description: "settleFromRound accepts any round of the window (the caller picks the price)",
    from: "if (observedAt < s.expiry || observedAt > windowEnd || previousAt >= s.expiry) {",
    to: "if (observedAt < s.expiry || observedAt > windowEnd) {",
    tests: ["test/unit/options/OptionsClearing.review.test.ts"],
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
    nth: 1,
  },
  // ---------------------------------------------------------------------------------------------- issue 14: oracle
  {
    id: "signed-relay-refuses-known-reports",
    file: "contracts/oracle/SignedReportSource.sol",
    description: "a relay carrying any already stored report reverts (an honest relay after a subset fails)",
    from: "if (accepted == 0) revert NoNewerReport(n);",
    to: "if (accepted < n) revert NoNewerReport(n);",
  },
  {
    id: "signed-older-report-replaces",
    file: "contracts/oracle/SignedReportSource.sol",
    description: "an older report replaces its signer's newer one (a relayer can roll a reporter back)",
    from: "if (observedAt <= _reports[slot].observedAt) continue;",
    to: "if (observedAt == _reports[slot].observedAt) continue;",
  },
  {
    id: "signed-stored-median-never-expires",
    file: "contracts/oracle/SignedReportSource.sol",
    description: "the stored median is served after its oldest report went stale",
    from: "if (block.timestamp <= a.validUntil) return",
    to: "if (a.validUntil != 0) return",
  },
  {
    id: "oracle-round-goes-back-in-time",
    file: ORACLE,
    description: "a round observed before the latest recorded one is recorded (facade updatedAt goes back)",
    from: "if (updatedAt < last.updatedAt) revert",
    to: "if (updatedAt < last.updatedAt && last.roundId == 0) revert",
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
  // ---------------------------------------------------------------------------------------------- issue 16: gas
  {
    id: "bound-put-at-half-strike",
    file: "contracts/libraries/PortfolioMargin.sol",
    description: "the unpriced bound counts a short put at half its strike (below what a deep put is worth)",
    from: "uint256 ceiling = pos.isCall ? highestSpot : pos.strikeWad;",
    to: "uint256 ceiling = pos.isCall ? highestSpot : pos.strikeWad / 2;",
  },
  {
    id: "bound-call-at-lowest-spot",
    file: "contracts/libraries/PortfolioMargin.sol",
    description:
      "the unpriced bound takes the grid's lowest shock for its highest spot (a short call under-counted)",
    from: "if (p.spotShocksWad[i] > highestShock) highestShock = p.spotShocksWad[i];",
    to: "if (p.spotShocksWad[i] < highestShock) highestShock = p.spotShocksWad[i];",
  },
  {
    id: "bound-ignores-correlated-collateral",
    file: "contracts/options/MarginLogic.sol",
    description:
      "an account holding the underlying as collateral may pass on the bound (its correlation uncounted)",
    from: "nonQuoteCollateral\n                ? _initialCorrelated($, ctx, accountId)",
    to: "false\n                ? _initialCorrelated($, ctx, accountId)",
    tests: [
      "test/unit/options/MarginLogic.bound.test.ts",
      "test/unit/options/MarginLogic.correlated.test.ts",
    ],
  },
  {
    id: "exchange-ecdsa-any-recovered-signer",
    file: "contracts/exchange/OptionsExchange.sol",
    description: "any well-formed ECDSA signature is accepted, whoever it recovers to",
    from: "if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;",
    to: "if (err == ECDSA.RecoverError.NoError) return true;",
    tests: ["test/unit/exchange/OptionsExchange.test.ts"],
  },
];
