/**
 * Expiry and settlement: settle from the oracle within the window, settleFromRound or governance's bounded fallback
 * after it; lazy settlement of accounts (never guarded); exercise, paid only from the series' own pool.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { mulWadDown } from "../../../../scripts/lib/math/wad";
import { boundedFallbackPrice, seriesSettlementRounds } from "../../../../scripts/lib/settlement/rounds";
import { QUOTE_TO_WAD } from "../../../shared/campaign/checks";
import { HOUR } from "../../../shared/fixtures/system";
import { INV, assertInvariant } from "../../../shared/invariants";
import { aim, anyOf, attempt, frac, guarded, riskReducing, type Expectation } from "../expectations";
import { noteSettled, oracleDown, report, trippedNow } from "../model";
import { KEEPER_INDEX, TIME_SLACK_SECONDS, stats } from "../world";
import type { Handler } from "./handler";

export const settle: Handler = {
  kind: "settle",
  weight: 2,
  async run(w, p) {
    const { clearing, governor } = w.book;
    const s = w.book.series[p.series];
    const already = (await clearing.series(s.id)).settled;
    const windowEnd = s.expiry + Number(await clearing.SETTLEMENT_WINDOW_SECONDS());
    let now = await time.latest();
    if (!already && p.flag === 0 && now + 1 < s.expiry - TIME_SLACK_SECONDS) {
      const tripped = await trippedNow(w);
      await guarded(w, "settle", anyOf(tripped, "SETTLE", "ASSET", "GLOBAL"), () => clearing.settle(s.id), {
        must: "SeriesNotExpired",
      });
      return;
    }
    if (now < s.expiry) {
      // Expire: jump to expiry plus 0 .. 3 hours, and have the keepers report a fresh price.
      await time.increaseTo(s.expiry + Math.floor((3 * HOUR * p.permille) / 1000));
      await report(w, w.spot);
      now = await time.latest();
    }
    const tripped = await trippedNow(w);
    const blocked = anyOf(tripped, "SETTLE", "ASSET", "GLOBAL");
    if (already) {
      await guarded(w, "settle", blocked, () => clearing.settle(s.id), { must: "SeriesAlreadySettled" });
      return;
    }
    if (now + 1 + TIME_SLACK_SECONDS < windowEnd) {
      // Without quorum there is no settlement price: the oracle's named error, never a stale price.
      const must = oracleDown(w) ? "QuorumNotMet" : "succeed";
      if (await guarded(w, "settle", blocked, () => clearing.settle(s.id), { must })) {
        await noteSettled(w, p.series, false);
      }
      return;
    }
    // At or past the window's end: the oracle path is closed; governance settles with a fallback price.
    const allow =
      now + 1 > windowEnd
        ? ["SettlementWindowClosed"]
        : ["SettlementWindowClosed", "SettlementPriceOutsideWindow"];
    if (oracleDown(w)) allow.push("QuorumNotMet");
    if (await guarded(w, "settle", blocked, () => clearing.settle(s.id), { allow })) {
      await noteSettled(w, p.series, false);
      return;
    }
    if (now + 1 <= windowEnd) {
      await time.increaseTo(windowEnd + 1);
      await report(w, w.spot);
    }
    // After the window: the first round recorded in it (guarded like settle: a trip defers it until the resume),
    // else governance's fallback within its bound around the last round before expiry.
    const rounds = await seriesSettlementRounds(clearing, w.book.oracle, BigInt(s.id));
    if (rounds.firstInWindow !== null) {
      const roundId = rounds.firstInWindow;
      const late = anyOf(await trippedNow(w), "SETTLE", "ASSET", "GLOBAL");
      if (
        await guarded(w, "settleFromRound", late, () => clearing.settleFromRound(s.id, roundId), {
          must: "succeed",
        })
      ) {
        await noteSettled(w, p.series, false);
      }
      return;
    }
    const price = boundedFallbackPrice(
      w.spot,
      rounds.referencePriceWad,
      await clearing.FALLBACK_MAX_DEVIATION_WAD(),
    );
    await attempt(
      w,
      "settleWithFallbackPrice",
      () => clearing.connect(governor).settleWithFallbackPrice(s.id, price, rounds.referenceRoundId),
      {
        must: "succeed",
      },
    );
    await noteSettled(w, p.series, true);
  },
};

export const settleAccount: Handler = {
  kind: "settleAccount",
  weight: 2,
  async run(w, p) {
    const tripped = await trippedNow(w);
    const who = w.book.actors[p.actor];
    // flag 9: the keeper's account (it holds what it took over in liquidations).
    const account = p.flag === 9 ? w.accounts[KEEPER_INDEX] : w.accounts[p.account];
    await riskReducing(w, "settleAccount", tripped, () =>
      w.book.clearing.connect(who).settleAccount(account.id),
    );
  },
};

export const exercise: Handler = {
  kind: "exercise",
  weight: 3,
  async run(w, p) {
    const { clearing, actors, series, usdc, usdcVault } = w.book;
    const who = actors[p.actor];
    const to = actors[p.other];
    const j = await aim(
      w,
      p,
      async (k) =>
        (await clearing.series(series[k].id)).settled &&
        (await clearing.balanceOf(who.address, series[k].id)) > 0n,
    );
    const s = series[j];
    const info = await clearing.series(s.id);
    const balance = await clearing.balanceOf(who.address, s.id);
    if (balance === 0n && p.flag !== 0) return;
    const amount = balance === 0n ? 1n : frac(balance, p.permille) || balance;
    const tripped = await trippedNow(w);
    // Each long receives the payout scaled by the written-off shorts (fixed at settlement), rounded down.
    const paid = info.settled ? mulWadDown(amount, w.longPayout.get(s.id) ?? 0n) / QUOTE_TO_WAD : 0n;
    const predict = async (): Promise<Expectation> => {
      if (!info.settled) return { must: "SeriesNotSettled" };
      if (balance === 0n) return { must: "ERC1155InsufficientBalance" };
      if (paid === 0n) return { must: "succeed" };
      // INV_SERIES_SOLVENCY: a long is paid from its own series' pool only.
      const needed = await usdcVault.previewWithdraw(paid);
      if (needed > (await clearing.settlementPool(s.id))) return { must: "InsufficientSettledFunds" };
      // The quote vault's own exit check (WITHDRAW) applies to the payout.
      return anyOf(tripped, "WITHDRAW") ? { must: "ScopeTripped" } : { must: "succeed" };
    };
    const blocked = anyOf(tripped, "SETTLE", "GLOBAL");
    const before = await usdc.balanceOf(to.address);
    let ok = await guarded(
      w,
      "exercise",
      blocked,
      () => clearing.connect(who).exercise(s.id, amount, to.address),
      await predict(),
    );
    if (!ok && !blocked && info.settled && balance > 0n && !anyOf(tripped, "WITHDRAW")) {
      // A holder short of settled funds settles the short accounts (permissionless), then exercises. With no
      // settlement debt left anywhere, the pool must then pay (INV_SOLVENCY).
      for (const a of w.accounts) await clearing.settleAccount(a.id);
      let debt = 0n;
      for (const a of w.accounts) debt += await clearing.debtOf(a.id);
      const exp = debt === 0n ? { must: "succeed" as const } : await predict();
      try {
        ok = await attempt(
          w,
          "exercise",
          () => clearing.connect(who).exercise(s.id, amount, to.address),
          exp,
        );
      } catch (e) {
        assertInvariant(
          INV.SOLVENCY,
          false,
          () => `exercise after settling every account: ${(e as Error).message}`,
        );
      }
    }
    if (ok) {
      stats.inc(stats.ok, paid > 0n ? "exercisePaid" : "exerciseWorthless");
      expect((await usdc.balanceOf(to.address)) - before, "exercise pays amount x payout").to.equal(paid);
    }
  },
};
