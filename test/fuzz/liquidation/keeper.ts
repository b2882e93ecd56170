/**
 * The liquidation fuzz's keeper and what it expects: after every step it goes through every portfolio, settles
 * pending lazy settlement, quotes the account (`liquidationQuote`) against a TypeScript recomputation (the vaults'
 * conversion, the haircut, scripts/lib/margin with `wethRisk()`) and liquidates with a full appetite, a partial one,
 * or only flags it; during a trip it checks the breaker's refusals through the cooldown, the resume and the grace.
 *
 * Checked after every liquidation: INV_NO_HEALTHY_LIQUIDATION, INV_LIQUIDATION_IMPROVES, the liquidator's
 * INV_INITIAL_MARGIN_AFTER_ACTION, the quote equal to what the liquidation did, the result's bounds and the
 * insurance's claim, and INV_BAD_DEBT_ACCOUNTED through the shared bad-debt model (test/shared/campaign/liquidation.ts)
 * within the reference's tolerance.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, divUp, mulWadDown } from "../../../scripts/lib/math/wad";
import {
  liquidationLiabilityWad,
  mark,
  requirementsWithCollateral,
  type Position,
  type RiskParams,
} from "../../../scripts/lib/margin";
import { LIQUIDATION_RESULT_FIELDS } from "../../../scripts/lib/liquidation";
import { attempt } from "../../shared/campaign/harness";
import { QUOTE_TO_WAD, checkInitialMargin } from "../../shared/campaign/checks";
import {
  badDebt,
  checkAuctionClock,
  checkLiquidationResult,
  insuranceClaim,
  writtenOffOf,
} from "../../shared/campaign/liquidation";
import { INV, assertInvariant } from "../../shared/invariants";
import { WETH_HAIRCUT_WAD, wethRisk } from "../../shared/fixtures/system";
import type { LiquidationBook } from "../../shared/fixtures/liquidation";
import { FAR, pinNextBlock, refresh, stats, topUp, type Keeper, type World } from "./scenario";

/** Relative tolerance between the TypeScript margin reference (float64) and the contract's fixed-point math. */
const REF_TOLERANCE_PPM = 10n;
const PPM = 1_000_000n;
/** Largest spot shock of WETH's margin grid: a move within it from a healthy state is covered by margin. */
const GRID_SHOCK_WAD = wethRisk().spotShocksWad.reduce<bigint>((m, x) => {
  const shock = BigInt(x) < 0n ? -BigInt(x) : BigInt(x);
  return shock > m ? shock : m;
}, 0n);

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const within = (a: bigint, b: bigint, slackWad = 10n ** 9n): boolean =>
  abs(a - b) <= (abs(b) * REF_TOLERANCE_PPM) / PPM + slackWad;

/** The account's unsettled WETH positions, as the margin reference takes them. */
async function positionsOf(w: World, account: bigint, shortsOnly = false): Promise<Position[]> {
  const { clearing } = w.book;
  const out: Position[] = [];
  for (const id of await clearing.seriesOf(account)) {
    const s = await clearing.series(id);
    if (s.settled) continue;
    const amount = await clearing.positionOf(account, id);
    if (shortsOnly && amount > 0n) continue;
    out.push({ strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount });
  }
  return out;
}

/**
 * Collateral value, maintenance requirement and mark liability recomputed in TypeScript at timestamp `at`: the
 * vaults' conversion and the haircuts for the collateral, the margin reference (scripts/lib/margin) for the
 * requirement and the mark, plus the stored settlement debt. Valid when no settlement is pending.
 */
async function reference(w: World, account: bigint, at: number) {
  const { clearing, usdcVault, wethVault } = w.book;
  const usdcShares = await clearing.collateralOf(account, w.vaults.usdc);
  const wethShares = await clearing.collateralOf(account, w.vaults.weth);
  const usdcWad = (await usdcVault.convertToAssets(usdcShares)) * QUOTE_TO_WAD;
  const wethWad = await wethVault.convertToAssets(wethShares);
  const collateralWad = usdcWad + mulWadDown(mulWadDown(wethWad, w.spot), WAD - WETH_HAIRCUT_WAD);
  const debtWad = await clearing.debtOf(account);
  const positions = await positionsOf(w, account);
  const risk = wethRisk() as unknown as RiskParams;
  const now = BigInt(at);
  // WETH collateral beside WETH positions is revalued in every scenario (docs/risk-model.md).
  const correlatedWad = mulWadDown(wethWad, WAD - WETH_HAIRCUT_WAD);
  const req =
    positions.length === 0
      ? { maintenanceWad: 0n }
      : requirementsWithCollateral(positions, correlatedWad, w.spot, risk, now);
  const atMark = (ps: Position[]) => mark(ps, w.spot, risk.volWad, now);
  const settledLongs = await Promise.all(
    (await clearing.seriesOf(account)).map(
      async (id) => (await clearing.series(id)).settled && (await clearing.positionOf(account, id)) > 0n,
    ),
  );
  return {
    collateralWad,
    maintenanceWad: req.maintenanceWad + debtWad,
    // The mark of the positions plus the debt, less the value of the positions when they are net long.
    liabilityWad: liquidationLiabilityWad([atMark(positions)], debtWad),
    shortsLiabilityWad: atMark(await positionsOf(w, account, true)).liabilityWad,
    debtWad,
    holdsWeth: wethShares > 0n,
    hasSeries: positions.length > 0,
    /** Any series listed in the account, settled ones included (a settled long the pool cannot pay yet stays). */
    listsSeries: (await clearing.seriesOf(account)).length > 0,
    /** Settled longs whose credit is still pending (the free pool could not pay it yet): not collateral. */
    hasPendingSettledLongs: settledLongs.some((x) => x),
  };
}

type BreakerPhase = "open" | "tripped" | "grace";

/** One keeper pass over every portfolio account. */
export async function keeperRound(
  w: World,
  keeper: Keeper,
  phase: BreakerPhase,
  where: string,
): Promise<void> {
  for (const account of w.accounts) await keeperVisit(w, account, keeper, phase, where);
}

async function keeperVisit(
  w: World,
  account: bigint,
  keeper: Keeper,
  phase: BreakerPhase,
  where: string,
): Promise<void> {
  const { clearing, bob } = w.book;
  const label = `liquidate(${account}) ${where}`;
  // An empty account (no series, no debt) has nothing to liquidate: the keeper skips it.
  if ((await clearing.seriesOf(account)).length === 0 && (await clearing.debtOf(account)) === 0n) return;
  // A keeper applies pending lazy settlement first (permissionless), so that the quote is exact. Twice at most:
  // touch repays debt before it credits settled longs, so a credit can leave debt beside fresh quote collateral
  // that only the next touch repays.
  for (let k = 0; k < 2 && (await clearing.liquidationQuote(account)).settlementPending; k++) {
    await attempt(w, "settleAccount", () => clearing.settleAccount(account), "succeed");
    stats.settledAccounts++;
  }
  const at = await pinNextBlock();
  const q = await clearing.liquidationQuote(account, { blockTag: "pending" });
  expect(q.settlementPending, `${label}: settlement still pending`).to.equal(false);
  const ref = await reference(w, account, at);
  // The quote's figures agree with the reference (collateral exactly; requirement within the model's tolerance).
  expect(q.collateralValueWad, `${label}: collateral value`).to.equal(ref.collateralWad);
  expect(
    within(q.maintenanceWad, ref.maintenanceWad),
    `${label}: maintenance ${q.maintenanceWad} vs ${ref.maintenanceWad}`,
  ).to.be.true;
  // The breaker: liquidations need WETH's scope untripped and out of grace (every account here is on WETH).
  const blocked = phase !== "open" && (ref.listsSeries || ref.holdsWeth);
  expect(q.breakerAllows, `${label}: breakerAllows in phase ${phase}`).to.equal(!blocked);

  const healthyByRef = ref.collateralWad * PPM >= ref.maintenanceWad * (PPM + REF_TOLERANCE_PPM);
  const underByRef = ref.collateralWad * PPM < ref.maintenanceWad * (PPM - REF_TOLERANCE_PPM);
  if (healthyByRef)
    expect(q.belowMaintenance, `${label}: quote below maintenance, reference healthy`).to.equal(false);
  if (underByRef)
    expect(
      q.belowMaintenance,
      `${label}: quote healthy (${q.collateralValueWad}/${q.maintenanceWad}), reference below (${ref.collateralWad}/${ref.maintenanceWad})`,
    ).to.equal(true);
  if (!healthyByRef && !underByRef) stats.boundary++;

  if (blocked) {
    const must = phase === "tripped" ? "ScopeTripped" : "ScopeInGracePeriod";
    try {
      await attempt(
        w,
        label,
        () => clearing.connect(bob).liquidate(account, w.book.liquidatorAccount, WAD, 0, FAR),
        must,
      );
    } catch (e) {
      assertInvariant(INV.BREAKER_GUARDS, false, () => (e as Error).message);
    }
    if (phase === "tripped") stats.blockedTripped++;
    else stats.blockedGrace++;
    return;
  }
  if (!q.belowMaintenance) {
    try {
      await attempt(
        w,
        label,
        () => clearing.connect(bob).liquidate(account, w.book.liquidatorAccount, WAD, 0, FAR),
        "AccountHealthy",
      );
    } catch (e) {
      assertInvariant(INV.NO_HEALTHY_LIQUIDATION, false, () => (e as Error).message);
    }
    stats.healthyRefused++;
    return;
  }
  if (keeper.mode === "flag") {
    await attempt(w, "flagLiquidatable", () => clearing.flagLiquidatable(account), "succeed");
    stats.flagged++;
    return;
  }

  // Below maintenance and the breaker allows it: the liquidation must go through.
  const maxFraction = keeper.mode === "full" ? WAD : (WAD * BigInt(keeper.permille)) / 1000n;
  // The insurance's claim: its assets plus the pending penalties (paid to it later, used first as cover).
  const before: Before = {
    ref,
    claim: await insuranceClaim(w.book),
    written: await writtenOffOf(clearing, w.book.series),
    debtOnly: !ref.hasSeries,
  };
  let sent = await attempt(
    w,
    label,
    () => clearing.connect(bob).liquidate(account, w.book.liquidatorAccount, maxFraction, 0, FAR),
    maxFraction === WAD ? "succeed" : ["FullLiquidationRequired"],
  );
  if (!sent.ok) {
    // Only an insolvent account must be taken whole; the keeper then takes it all.
    expect(q.result.fractionWad, `${label}: FullLiquidationRequired for a solvent account`).to.equal(WAD);
    stats.fullRequired++;
    // The same block time as quoted: pin it again.
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    const again = await clearing.liquidationQuote(account, { blockTag: "pending" });
    sent = await attempt(
      w,
      label,
      () => clearing.connect(bob).liquidate(account, w.book.liquidatorAccount, WAD, 0, FAR),
      "succeed",
    );
    return afterLiquidation(w, account, label, sent.blockNumber!, WAD, again, before);
  }
  await afterLiquidation(w, account, label, sent.blockNumber!, maxFraction, q, before);
}

type Quote = Awaited<ReturnType<LiquidationBook["clearing"]["liquidationQuote"]>>;

/** What the keeper read before a liquidation: the reference, the insurance's claim, the write-offs so far. */
interface Before {
  ref: Awaited<ReturnType<typeof reference>>;
  claim: bigint;
  written: bigint[];
  debtOnly: boolean;
}

async function afterLiquidation(
  w: World,
  account: bigint,
  label: string,
  blockNumber: number,
  maxFraction: bigint,
  q: Quote,
  before: Before,
): Promise<void> {
  const { clearing, liquidatorAccount } = w.book;
  const refBefore = before.ref;
  const [event] = await clearing.queryFilter(clearing.filters.Liquidated(account), blockNumber, blockNumber);
  const r = event.args.result;
  stats.liquidations++;
  if (r.fractionWad === WAD) stats.full++;
  else stats.partial++;
  if (r.discountWad > stats.maxDiscount) stats.maxDiscount = r.discountWad;
  if (before.debtOnly) stats.debtOnlyLiquidations++;

  // INV_NO_HEALTHY_LIQUIDATION: it went through, so the account was below maintenance by the reference too.
  assertInvariant(
    INV.NO_HEALTHY_LIQUIDATION,
    refBefore.collateralWad * PPM < refBefore.maintenanceWad * (PPM + REF_TOLERANCE_PPM),
    () =>
      `${label}: liquidated at collateral ${refBefore.collateralWad} >= maintenance ${refBefore.maintenanceWad}`,
  );

  // The quote is what the liquidation did (full appetite); a partial appetite caps only the fraction.
  if (maxFraction === WAD) {
    for (const f of LIQUIDATION_RESULT_FIELDS) {
      expect(r[f], `${label}: quote.${f}`).to.equal(q.result[f]);
    }
    stats.quotesMatched++;
  } else {
    const capped = q.result.fractionWad < maxFraction ? q.result.fractionWad : maxFraction;
    expect(r.fractionWad, `${label}: fraction under a partial appetite`).to.equal(capped);
    if (capped < q.result.fractionWad) stats.cappedByLiquidator++;
  }

  // INV_LIQUIDATION_IMPROVES: fully closed, or a better collateral / maintenance ratio.
  const after = await clearing.health(account);
  const closed = (await clearing.seriesOf(account)).length === 0 && (await clearing.debtOf(account)) === 0n;
  assertInvariant(
    INV.LIQUIDATION_IMPROVES,
    closed || after.collateralValueWad * q.maintenanceWad >= q.collateralValueWad * after.maintenanceWad,
    () =>
      `${label}: ${q.collateralValueWad}/${q.maintenanceWad} -> ${after.collateralValueWad}/${after.maintenanceWad}`,
  );
  if (r.fractionWad === WAD) expect(closed, `${label}: a full liquidation closes the account`).to.equal(true);

  // INV_INITIAL_MARGIN_AFTER_ACTION: the liquidator ends at or above its initial requirement.
  await checkInitialMargin(clearing, `${label}: the liquidation (liquidator)`, liquidatorAccount);

  // The result's bounds, the insurance's claim (penalty in, cover out) and write-offs only with a socialised loss.
  const written = await writtenOffOf(clearing, w.book.series);
  await checkLiquidationResult(
    clearing,
    label,
    r,
    maxFraction,
    { before: before.claim, after: await insuranceClaim(w.book) },
    { before: before.written, after: written },
  );
  const at = BigInt((await event.getBlock()).timestamp);
  await checkAuctionClock(clearing, w.book.breaker, label, account, r.discountWad, blockNumber, at);

  // INV_BAD_DEBT_ACCOUNTED, with the shared bad-debt model fed by the reference.
  const model = badDebt({
    collateralWad: refBefore.collateralWad,
    liabilityWad: refBefore.liabilityWad,
    shortsLiabilityWad: refBefore.shortsLiabilityWad,
    discountWad: r.discountWad,
    claimAssets: before.claim,
  });
  const badDebtBooked = r.coveredWad + r.socialisedWad > 0n;
  const insolvent =
    r.fractionWad === WAD &&
    r.seizedValueWad === refBefore.collateralWad &&
    model.owedWad > refBefore.collateralWad;
  if (!insolvent && !badDebtBooked) return;
  stats.insolvent++;
  if (badDebtBooked) stats.badDebtEvents++;
  if (r.coveredWad > 0n) stats.insuranceDraws++;
  if (r.socialisedWad > 0n) stats.socialisedEvents++;
  stats.contractsWrittenOff += written.reduce((acc, x, k) => acc + x - before.written[k], 0n);
  expect(
    within(r.coveredWad, model.coverWad, QUOTE_TO_WAD),
    `${label}: covered ${r.coveredWad} vs ${model.coverWad} of the deficit ${model.deficitWad}`,
  ).to.be.true;
  if (model.deficitWad - r.coveredWad <= model.shortsOwedWad) {
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      // Up to one unit of USDC below: a remainder under a unit is dust the liquidator absorbs, not socialised.
      within(r.coveredWad + r.socialisedWad, model.deficitWad, QUOTE_TO_WAD),
      () =>
        `${label}: covered ${r.coveredWad} + socialised ${r.socialisedWad} != deficit ${model.deficitWad}`,
    );
  } else {
    // Documented limitation (docs/liquidation.md): the remainder beyond the shorts' mark cannot be socialised;
    // everything that can be is, and the liquidator bore the rest.
    stats.unsocialisable++;
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      within(r.socialisedWad, model.shortsOwedWad),
      () =>
        `${label}: socialised ${r.socialisedWad} != shorts' mark ${model.shortsOwedWad} (deficit ${model.deficitWad})`,
    );
  }
  // Bad debt only after a move larger than the margin grid covers since the account was last healthy.
  const healthySpot = w.lastHealthySpot.get(account);
  if (badDebtBooked && refBefore.debtWad > 0n && refBefore.hasPendingSettledLongs) {
    // Known gap (docs/liquidation.md, "Known issue"): a settled long whose credit the free pool cannot pay yet is
    // not collateral for the liquidation, so it does not offset the account's debt. Counted, not asserted against
    // the gap. (Unsettled longs beside debt do offset it: the liquidation nets their mark value.)
    stats.badDebtAgainstLongs++;
  } else if (badDebtBooked && healthySpot !== undefined) {
    const gapWad = divUp(abs(w.spot - healthySpot) * WAD, healthySpot);
    const gapPct = Number((gapWad * 100n) / WAD);
    if (gapPct > stats.maxGapPct) stats.maxGapPct = gapPct;
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      gapWad > GRID_SHOCK_WAD || refBefore.holdsWeth,
      () =>
        `${label}: bad debt after a move of ${gapPct}% from ${healthySpot} (grid covers ${GRID_SHOCK_WAD})`,
    );
  }
}

/** Trip handling: liquidations blocked while tripped, the cooldown, the resume, blocked in grace, then open. */
export async function recover(w: World, keeper: Keeper, where: string): Promise<void> {
  const { breaker, governor, clearing } = w.book;
  await keeperRound(w, keeper, "tripped", `${where} (tripped)`);
  // Owners may top up while liquidations are off (risk-reducing actions are never blocked).
  for (let i = 0; i < w.accounts.length; i++) {
    const q = await clearing.liquidationQuote(w.accounts[i]);
    if (q.belowMaintenance && (i * 337 + w.rng++ * 211) % 1000 < w.scenario.topUpDuringTripPermille) {
      await topUp(w, i, q.maintenanceWad - q.collateralValueWad);
    }
  }
  await time.increaseTo(Number(await breaker.resumableAt(w.assetScope)));
  await refresh(w);
  await attempt(w, "resume", () => breaker.connect(governor).resume(w.assetScope), "succeed");
  stats.resumes++;
  await refresh(w);
  await keeperRound(w, keeper, "grace", `${where} (grace)`);
  await time.increaseTo(Number(await breaker.graceEndsAt(w.assetScope)) + 1);
  await refresh(w);
}
