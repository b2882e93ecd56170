/**
 * What both stateful campaigns expect of a liquidation (docs/liquidation.md): the bounds of its result, how the
 * insurance vault's claim moves, when shorts are written off, and the bad-debt rule (INV_BAD_DEBT_ACCOUNTED) as
 * one model that the invariant campaign compares exactly (inputs from the on-chain calculator) and the liquidation
 * fuzz within the margin reference's tolerance (inputs from scripts/lib/margin).
 */
import { expect } from "chai";
import type {
  CircuitBreaker,
  CollateralVault,
  InsuranceVault,
  OptionsClearing,
} from "../../../typechain-types";
import { WAD, mulWadUp } from "../../../scripts/lib/math/wad";
import {
  allowedSecondsBetween,
  discountAfter,
  type LiquidationPause,
} from "../../../scripts/lib/math/liquidation";
import { Scopes } from "../../../scripts/lib/scopes";
import { INV, assertInvariant } from "../invariants";
import { QUOTE_TO_WAD } from "./checks";

/** Rounding of the insurance claim across a liquidation, in quote units: pending shares before, penalty and cover. */
export const MAX_CLAIM_ROUNDING = 3n;

/** The fields of a `Liquidated` event's result both campaigns read. */
export interface LiquidationResult {
  fractionWad: bigint;
  liabilityWad: bigint;
  seizedValueWad: bigint;
  discountWad: bigint;
  penaltyWad: bigint;
  coveredWad: bigint;
  socialisedWad: bigint;
}

/** What the insurance vault holds and is owed, in quote units: its assets plus the pending penalties. */
export async function insuranceClaim(book: {
  clearing: OptionsClearing;
  insurance: InsuranceVault;
  usdcVault: CollateralVault;
}): Promise<bigint> {
  const { clearing, insurance, usdcVault } = book;
  return (
    (await insurance.totalAssets()) + (await usdcVault.previewRedeem(await clearing.pendingPenaltyShares()))
  );
}

/** Contracts written off each series so far. */
export function writtenOffOf(
  clearing: OptionsClearing,
  series: readonly { id: bigint }[],
): Promise<bigint[]> {
  return Promise.all(series.map((s) => clearing.writtenOff(s.id)));
}

/**
 * A liquidation's result within its bounds (the discount within the clearing's auction schedule), the insurance's
 * claim moved by the penalty less the cover and nothing else (each pending-share conversion rounds down), and shorts
 * written off exactly when a loss is socialised.
 */
export async function checkLiquidationResult(
  clearing: OptionsClearing,
  label: string,
  r: LiquidationResult,
  maxFraction: bigint,
  claim: { before: bigint; after: bigint },
  written: { before: readonly bigint[]; after: readonly bigint[] },
): Promise<void> {
  const { startDiscountWad, maxDiscountWad } = await clearing.dutchAuctionSchedule();
  expect(
    r.fractionWad > 0n && r.fractionWad <= maxFraction,
    `${label}: fraction ${r.fractionWad} within the liquidator's maximum ${maxFraction}`,
  ).to.equal(true);
  expect(
    r.discountWad >= startDiscountWad && r.discountWad <= maxDiscountWad,
    `${label}: discount ${r.discountWad} outside [${startDiscountWad}, ${maxDiscountWad}]`,
  ).to.equal(true);
  const expected = claim.before + r.penaltyWad / QUOTE_TO_WAD - r.coveredWad / QUOTE_TO_WAD;
  const gap = claim.after > expected ? claim.after - expected : expected - claim.after;
  assertInvariant(
    INV.BAD_DEBT_ACCOUNTED,
    gap <= MAX_CLAIM_ROUNDING,
    () =>
      `${label}: insurance claim ${claim.after}, expected ${expected} (penalty ${r.penaltyWad}, cover ${r.coveredWad})`,
  );
  const delta = written.after.reduce((acc, x, k) => acc + x - written.before[k], 0n);
  assertInvariant(
    INV.BAD_DEBT_ACCOUNTED,
    delta > 0n === r.socialisedWad > 0n,
    () => `${label}: ${delta} contracts written off for a socialised loss of ${r.socialisedWad}`,
  );
}

/**
 * INV_AUCTION_CLOCK for a liquidation of `accountId` mined in block `blockNumber` at `at` with `discountWad`: the
 * auction's start is the last `LiquidationFlagged` of the account (a reset emitted by this liquidation itself, when
 * it restores or empties the account, is not its start); the pauses are GLOBAL's and LIQUIDATE's (they stop every
 * account's liquidation; an asset scope's relevance changes with the account's holdings, so it is left out and the
 * bound stays an upper bound), each from its `Tripped` block to the `graceEndsAt` of the `Resumed` after it.
 */
export async function checkAuctionClock(
  clearing: OptionsClearing,
  breaker: CircuitBreaker,
  label: string,
  accountId: bigint,
  discountWad: bigint,
  blockNumber: number,
  at: bigint,
): Promise<void> {
  let since = 0n;
  for (const e of await clearing.queryFilter(
    clearing.filters.LiquidationFlagged(accountId),
    0,
    blockNumber,
  )) {
    if (e.blockNumber === blockNumber && e.args.since === 0n) continue;
    since = e.args.since;
  }
  assertInvariant(
    INV.AUCTION_CLOCK,
    since !== 0n && since <= at,
    () => `${label}: no auction started (${since})`,
  );
  const tripped = await breaker.queryFilter(breaker.filters.Tripped(), 0, blockNumber);
  const resumed = await breaker.queryFilter(breaker.filters.Resumed(), 0, blockNumber);
  const pauses: LiquidationPause[] = [];
  for (const r of resumed) {
    if (r.args.scope !== Scopes.GLOBAL && r.args.scope !== Scopes.LIQUIDATE) continue;
    const trip = tripped
      .filter((t) => t.args.scope === r.args.scope && t.blockNumber <= r.blockNumber)
      .at(-1);
    if (trip === undefined) continue;
    pauses.push({ trippedAt: BigInt((await trip.getBlock()).timestamp), graceEndsAt: r.args.graceEndsAt });
  }
  const schedule = await clearing.dutchAuctionSchedule();
  const bound = discountAfter(schedule, allowedSecondsBetween(since, at, pauses));
  assertInvariant(
    INV.AUCTION_CLOCK,
    discountWad <= bound,
    () =>
      `${label}: discount ${discountWad} above ${bound}, the schedule's after the allowed time since ${since}`,
  );
  // No grace period ended since the start: every second since then counted.
  if (!resumed.some((r) => r.args.graceEndsAt > since)) {
    assertInvariant(
      INV.AUCTION_CLOCK,
      discountWad === discountAfter(schedule, at - since),
      () => `${label}: discount ${discountWad}, expected the schedule's after ${at - since} s since ${since}`,
    );
  }
}

/** The bad-debt rule's figures for an account taken whole (docs/liquidation.md). */
export interface BadDebt {
  /** What the liquidator is owed for the account: its liability x (1 + discount), rounded up. */
  owedWad: bigint;
  /** owed - collateral: positive when the account is insolvent. */
  deficitWad: bigint;
  /** min(deficit, the insurance's claim), in whole quote units. */
  coverWad: bigint;
  /** deficit - cover. */
  remainingWad: bigint;
  /** The shorts' mark x (1 + discount), rounded up: the most a write-off can socialise. */
  shortsOwedWad: bigint;
  /** Nothing when under one quote unit is left (dust the liquidator absorbs), else min(remaining, shorts owed). */
  socialisedWad: bigint;
}

/**
 * The bad-debt rule: an insolvent account's deficit is covered by the insurance first, the rest written off its
 * shorts as far as their owed value goes. `liabilityWad` is the mark liability plus the debt, less the positions'
 * value when they are net long (`liquidationLiabilityWad`); `claimAssets` the insurance's claim before it.
 */
export function badDebt(x: {
  collateralWad: bigint;
  liabilityWad: bigint;
  shortsLiabilityWad: bigint;
  discountWad: bigint;
  claimAssets: bigint;
}): BadDebt {
  const owedWad = mulWadUp(x.liabilityWad, WAD + x.discountWad);
  const deficitWad = owedWad - x.collateralWad;
  const deficitAssets = deficitWad > 0n ? deficitWad / QUOTE_TO_WAD : 0n;
  const coverWad = (deficitAssets < x.claimAssets ? deficitAssets : x.claimAssets) * QUOTE_TO_WAD;
  const remainingWad = deficitWad - coverWad;
  const shortsOwedWad =
    x.shortsLiabilityWad === 0n ? 0n : mulWadUp(x.shortsLiabilityWad, WAD + x.discountWad);
  const socialisedWad =
    remainingWad < QUOTE_TO_WAD ? 0n : remainingWad < shortsOwedWad ? remainingWad : shortsOwedWad;
  return { owedWad, deficitWad, coverWad, remainingWad, shortsOwedWad, socialisedWad };
}
