/**
 * Liquidation by the keeper's own account: predicted from the breaker (tripped, grace), the oracle (quorum) and the
 * account's value as liquidate sees it at the block's time (INV_NO_HEALTHY_LIQUIDATION); every success checked for
 * the liquidator's margin, its result's bounds and the insurance's claim, and, exactly, the solvent fraction or the
 * bad-debt rule (INV_BAD_DEBT_ACCOUNTED, the shared model of test/shared/campaign/liquidation.ts).
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, divUp, mulWadDown } from "../../../../scripts/lib/math/wad";
import { liquidationLiabilityWad, riskParamsFrom } from "../../../../scripts/lib/margin";
import { neededFraction } from "../../../../scripts/lib/math/liquidation";
import type { RiskParamsStruct } from "../../../../typechain-types/contracts/interfaces/IMarginCalculator";
import { QUOTE_TO_WAD } from "../../../shared/campaign/checks";
import {
  badDebt,
  checkAuctionClock,
  checkLiquidationResult,
  insuranceClaim,
  writtenOffOf,
  type LiquidationResult,
} from "../../../shared/campaign/liquidation";
import { INV, assertInvariant, type InvariantName } from "../../../shared/invariants";
import { anyOf, attempt, checkInitialMargin, pick, riskReducing, type Expectation } from "../expectations";
import { healthOf, oracleDown, positionsOf, report, scopeId, trippedNow } from "../model";
import { FAR_DEADLINE, KEEPER_INDEX, stats } from "../world";
import type { Handler } from "./handler";

export const liquidate: Handler = {
  kind: "liquidate",
  weight: 4,
  async run(w, p) {
    const { clearing, keeper, actors, calculator, breaker, series } = w.book;
    const liquidator = w.book.keeperAccount;
    const book = w.book.accounts;
    // flag 0: a caller that does not control the keeper's account; flag 1: the keeper's own account as the victim;
    // otherwise the first account (from the step's) below maintenance, if any.
    let victim = book[p.account];
    if (p.flag === 1) victim = w.accounts[KEEPER_INDEX];
    else if (p.flag !== 0 && !oracleDown(w)) {
      victim =
        book[
          await pick(book.length, p.account, async (i) => {
            const h = await healthOf(w, book[i].id);
            return h !== null && h.collateralValueWad < h.maintenanceWad;
          })
        ];
    }
    const caller = p.flag === 0 ? actors[p.other] : keeper;
    const maxFraction = p.permille > 200 ? WAD : (WAD * BigInt(p.permille)) / 200n;
    if (p.flag >= 6) {
      // A patient keeper: governance resumes the scopes liquidation depends on once their cooldown has passed (the
      // oracle's sources come back first), and the keeper waits out the grace period that follows.
      for (const name of ["GLOBAL", "LIQUIDATE", "ASSET"] as const) {
        if (!w.tripped.has(name)) continue;
        const id = scopeId(w, name);
        await time.increaseTo(Math.max((await time.latest()) + 1, Number(await breaker.resumableAt(id))));
        await report(w, w.spot);
        await attempt(w, "resume", () => breaker.connect(w.book.governor).resume(id), { must: "succeed" });
        w.tripped.delete(name);
      }
      let graceEnd = 0;
      for (const n of ["GLOBAL", "LIQUIDATE", "ASSET"] as const) {
        graceEnd = Math.max(graceEnd, Number(await breaker.graceEndsAt(scopeId(w, n))));
      }
      if ((await time.latest()) + 1 < graceEnd) {
        await time.increaseTo(graceEnd);
        await report(w, w.spot);
      }
    }
    const tripped = await trippedNow(w);
    // The keeper settles both accounts first (permissionless, never blocked), so that what it reads is what
    // liquidate acts on: victim, liquidator, victim (the liquidator's repaid debt can fund the victim's credit).
    for (const id of [victim.id, liquidator, victim.id]) {
      await riskReducing(w, "settleAccount", tripped, () => clearing.connect(keeper).settleAccount(id));
    }

    // Everything below is predicted at the liquidation's own block time.
    const at = (await time.latest()) + 1;
    const held = await positionsOf(w, victim.id);
    const debtBefore = await clearing.debtOf(victim.id);
    // The breaker is consulted for WETH when the account lists a WETH series or holds WETH collateral (a WETH-backed
    // account with settlement debt only is priced in WETH too); otherwise LIQUIDATE and GLOBAL alone, no grace.
    const pricesWeth =
      held.length > 0 || (await clearing.collateralOf(victim.id, w.book.vaultOf("weth"))) > 0n;
    const graceEnds = await Promise.all(
      (["GLOBAL", "LIQUIDATE", "ASSET"] as const).map(async (n) =>
        Number(await breaker.graceEndsAt(scopeId(w, n))),
      ),
    );
    let exp: Expectation;
    let invariant: InvariantName | null = null;
    let collateralWad = 0n;
    let initialReqWad = 0n;
    let correlatedFallWad = 0n;
    let assess = false;
    if (caller.address !== keeper.address) exp = { must: "NotOwnerOrOperator" };
    else if (victim.owner.address === keeper.address) exp = { must: "SelfLiquidation" };
    else if (
      pricesWeth ? anyOf(tripped, "GLOBAL", "LIQUIDATE", "ASSET") : anyOf(tripped, "GLOBAL", "LIQUIDATE")
    ) {
      exp = { must: "ScopeTripped" };
      invariant = INV.BREAKER_GUARDS;
    } else if (pricesWeth && graceEnds.some((g) => at < g)) {
      // After a resume, liquidations stay off for the grace period so that owners can top up first.
      exp = { must: "ScopeInGracePeriod" };
      invariant = INV.BREAKER_GUARDS;
    } else if (oracleDown(w)) {
      exp = { allow: ["QuorumNotMet", "AccountHealthy", "FullLiquidationRequired", "BelowInitialMargin"] };
    } else {
      // The account as liquidate values it: health() is the account after its lazy settlement (a settled long the
      // pool cannot pay yet is not valued), against the requirement of its unsettled positions at this block's time
      // plus its settlement debt.
      const h = await clearing.health(victim.id);
      collateralWad = h.collateralValueWad;
      const unsettled = held.filter((x) => !x.settled).map((x) => x.position);
      const r = await clearing.riskParams(w.weth);
      const risk: RiskParamsStruct = riskParamsFrom(r);
      // WETH collateral beside WETH positions is revalued in every scenario (docs/risk-model.md).
      const wethConfig = await clearing.collateralConfig(w.vaults.weth);
      const wethWad = await w.book.wethVault.convertToAssets(
        await clearing.collateralOf(victim.id, w.vaults.weth),
      );
      const correlatedWad = mulWadDown(wethWad, WAD - wethConfig.haircutWad);
      const [maintenance, initial] =
        unsettled.length > 0
          ? await calculator.requirementsWithCollateral(unsettled, correlatedWad, w.spot, risk, at)
          : [0n, 0n];
      // Its fall to the grid's lowest spot, with the buffer: what the liquidation's fraction allows for.
      if (unsettled.length > 0 && correlatedWad > 0n) {
        const lowestShock = risk.spotShocksWad.reduce<bigint>((a, x) => (BigInt(x) < a ? BigInt(x) : a), 0n);
        const lowest = (w.spot * (WAD + lowestShock)) / WAD;
        correlatedFallWad = divUp(
          divUp(correlatedWad * (w.spot - lowest), WAD) * (WAD + BigInt(risk.initialBufferWad)),
          WAD,
        );
      }
      const maintenanceWad = maintenance + debtBefore;
      initialReqWad = initial + debtBefore;
      if (collateralWad >= maintenanceWad) {
        exp = { must: "AccountHealthy" };
        invariant = INV.NO_HEALTHY_LIQUIDATION;
      } else {
        const allow = ["BelowInitialMargin"];
        if (maxFraction < WAD) allow.push("FullLiquidationRequired");
        exp = { allow };
        assess = true;
      }
    }

    // What the insurance vault is owed and holds: its assets plus the pending penalties (quote-vault shares the
    // clearing holds for it), which pay bad-debt cover first.
    const claimBefore = await insuranceClaim(w.book);
    const writtenBefore = await writtenOffOf(clearing, series);
    await time.setNextBlockTimestamp(at);
    let ok: boolean;
    try {
      ok = await attempt(
        w,
        "liquidate",
        () => clearing.connect(caller).liquidate(victim.id, liquidator, maxFraction, 0n, FAR_DEADLINE),
        exp,
      );
    } catch (e) {
      if (invariant !== null) assertInvariant(invariant, false, () => `liquidate: ${(e as Error).message}`);
      throw e;
    }
    if (exp.must === "AccountHealthy") stats.healthyRefused++;
    if (!ok) return;

    // INV_INITIAL_MARGIN_AFTER_ACTION: the liquidator ends at or above its initial requirement.
    await checkInitialMargin(w, "liquidate (liquidator)", liquidator);
    const log = (w.lastReceipt?.logs ?? [])
      .map((l) => clearing.interface.parseLog(l))
      .find((l) => l !== null && l.name === "Liquidated");
    if (log === undefined || log === null) throw new Error("liquidate succeeded without a Liquidated event");
    const r = log.args.result as unknown as LiquidationResult;
    await checkLiquidationResult(
      clearing,
      `liquidate(${victim.id})`,
      r,
      maxFraction,
      { before: claimBefore, after: await insuranceClaim(w.book) },
      { before: writtenBefore, after: await writtenOffOf(clearing, series) },
    );
    await checkAuctionClock(
      clearing,
      w.book.breaker,
      `liquidate(${victim.id})`,
      victim.id,
      r.discountWad,
      w.lastReceipt!.blockNumber,
      BigInt(at),
    );
    if (!assess) return;

    // The mark liability L recomputed with the calculator at this block: what closing the account costs now.
    const vol = (await clearing.riskParams(w.weth)).volWad;
    const all = held.map((x) => x.position);
    const shorts = all.filter((x) => BigInt(x.amount) < 0n);
    const [valueWad, markWad] = all.length > 0 ? await calculator.mark(all, w.spot, vol, at) : [0n, 0n];
    const markShortsWad = shorts.length > 0 ? await calculator.markLiability(shorts, w.spot, vol, at) : 0n;
    const model = badDebt({
      collateralWad,
      // The liquidation nets the positions' value against the debt when they are net long.
      liabilityWad: liquidationLiabilityWad([{ valueWad, liabilityWad: markWad }], debtBefore),
      shortsLiabilityWad: markShortsWad,
      discountWad: r.discountWad,
      claimAssets: claimBefore,
    });
    if (collateralWad >= model.owedWad) {
      // Solvent: only as far as needed; the seized value is the owed value of the fraction taken; no bad debt.
      stats.liquidations.solvent++;
      expect(r.coveredWad + r.socialisedWad, "no bad debt on a solvent account").to.equal(0n);
      expect(r.seizedValueWad, "seized value").to.equal(mulWadDown(model.owedWad, r.fractionWad));
      // Only as far as needed: f = (I - C) / (I - owed - (1 - owed / C)·D) rounded up (D the correlated
      // collateral's fall; docs/liquidation.md), capped at 1 and at the liquidator's maximum.
      const neededWad = neededFraction(
        collateralWad,
        initialReqWad,
        model.owedWad,
        correlatedFallWad,
        maxFraction,
      ).fractionWad;
      expect(r.fractionWad, "the smallest fraction that restores the initial requirement").to.equal(
        neededWad,
      );
      if (r.fractionWad < maxFraction) {
        const after = await clearing.health(victim.id);
        expect(
          after.collateralValueWad >= after.maintenanceWad,
          `account ${victim.id} left below maintenance by a partial liquidation: ${after.collateralValueWad} < ${after.maintenanceWad}`,
        ).to.equal(true);
      }
      return;
    }
    // Insolvent: the whole account; insurance covers first, the rest is written off the shorts (socialised).
    stats.liquidations.insolvent++;
    if (r.coveredWad > 0n) stats.liquidations.insuranceDrawn++;
    // The cover is deposited with depositCover, which the DEPOSIT pause does not stop (docs/liquidation.md).
    if (r.coveredWad > 0n && tripped.has("DEPOSIT")) stats.inc(stats.ok, "insuranceDrawnWhileDepositPaused");
    if (r.socialisedWad > 0n) stats.liquidations.socialised++;
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      r.fractionWad === WAD &&
        r.seizedValueWad === collateralWad &&
        r.coveredWad === model.coverWad &&
        r.socialisedWad === model.socialisedWad,
      () =>
        `account ${victim.id}: collateral ${collateralWad}, owed ${model.owedWad}, deficit ${model.deficitWad}; ` +
        `expected cover ${model.coverWad} and socialised ${model.socialisedWad}, got fraction ${r.fractionWad}, ` +
        `seized ${r.seizedValueWad}, cover ${r.coveredWad}, socialised ${r.socialisedWad}`,
    );
    // insurance drawn + socialised == deficit, unless less than one unit of USDC is left (dust the liquidator absorbs)
    // or the account's shorts are worth less than what is left (its liability is settlement debt: the liquidator's
    // limit decides, docs/liquidation.md).
    assertInvariant(
      INV.BAD_DEBT_ACCOUNTED,
      r.coveredWad + r.socialisedWad === model.deficitWad ||
        (r.socialisedWad === 0n && model.remainingWad < QUOTE_TO_WAD) ||
        model.shortsOwedWad < model.remainingWad,
      () => `cover ${r.coveredWad} + socialised ${r.socialisedWad} != deficit ${model.deficitWad}`,
    );
  },
};
