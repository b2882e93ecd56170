/** Shorts: write (guarded, margin-checked), close by any holder of longs (never guarded), and bob's operator. */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../../scripts/lib/math/wad";
import {
  aim,
  anyOf,
  attempt,
  callerFor,
  checkInitialMargin,
  frac,
  guarded,
  isAuthorised,
  pick,
  riskReducing,
  type Expectation,
} from "../expectations";
import { healthOf, oracleDown, trippedNow } from "../model";
import { PERMILLE, TIME_SLACK_SECONDS } from "../world";
import type { Handler } from "./handler";

export const write: Handler = {
  kind: "write",
  weight: 6,
  async run(w, p) {
    const { clearing, accounts, actors, series } = w.book;
    const account = accounts[p.account];
    const latest = await time.latest();
    const s = series[await aim(w, p, async (j) => series[j].expiry > latest + TIME_SLACK_SECONDS)];
    const caller = callerFor(w, p);
    const recipient = actors[p.other];
    const h = await healthOf(w, account.id);
    const free = h !== null && h.collateralValueWad > h.initialWad ? h.collateralValueWad - h.initialWad : 0n;
    // About 0.45 x spot of initial margin per naked contract: permille 1..1000 maps to 0..~1.3x of what fits, so
    // most writes pass and some hit BelowInitialMargin. flag 1: a tiny amount (a few wei).
    let amount =
      p.flag === 1 ? BigInt(p.permille) : (free * WAD * 3n * BigInt(p.permille)) / (w.spot * PERMILLE);
    if (amount === 0n) amount = WAD / 1000n;
    const tripped = await trippedNow(w);
    const authorised = await isAuthorised(w, p.account, caller);
    const next = (await time.latest()) + 1;
    const allow = ["BelowInitialMargin", "RequirementRoundsToZero"];
    const writtenOff = await clearing.writtenOff(s.id);
    // Writing against a held long nets it away and mints it: a withdrawal of longs, refused while WITHDRAW is.
    if (anyOf(tripped, "WITHDRAW") && (await clearing.positionOf(account.id, s.id)) > 0n)
      allow.push("ScopeTripped");
    let exp: Expectation;
    if (!authorised) exp = { must: "NotOwnerOrOperator" };
    else if (next >= s.expiry) exp = { must: "SeriesExpired" };
    // A series with written-off shorts only winds down: new longs would share the loss.
    else if (writtenOff > 0n) exp = { must: "SeriesImpaired" };
    else if (s.expiry - next <= TIME_SLACK_SECONDS)
      exp = { allow: [...allow, "SeriesExpired", "QuorumNotMet"] };
    // Without quorum the margin check cannot price the position: the oracle's named error surfaces.
    else if (oracleDown(w)) exp = { must: "QuorumNotMet" };
    else exp = { allow };
    const ok = await guarded(
      w,
      "write",
      anyOf(tripped, "WRITE", "ASSET", "GLOBAL"),
      () => clearing.connect(caller).write(account.id, s.id, amount, recipient.address),
      exp,
    );
    if (ok) await checkInitialMargin(w, "write", account.id);
  },
};

export const close: Handler = {
  kind: "close",
  weight: 3,
  async run(w, p) {
    // Any account's short, the keeper's (taken over in liquidations) included.
    const { clearing, actors, series } = w.book;
    const accounts = w.accounts;
    const who = actors[p.actor];
    let target = p.series * accounts.length + p.account;
    if (p.flag !== 0) {
      target = await pick(series.length * accounts.length, target, async (k) => {
        const sid = series[Math.floor(k / accounts.length)].id;
        return (
          (await clearing.positionOf(accounts[k % accounts.length].id, sid)) < 0n &&
          (await clearing.balanceOf(who.address, sid)) > 0n
        );
      });
    }
    const account = accounts[target % accounts.length];
    const s = series[Math.floor(target / accounts.length)];
    const settled = (await clearing.series(s.id)).settled;
    const position = await clearing.positionOf(account.id, s.id);
    const short = position < 0n ? -position : 0n;
    const balance = await clearing.balanceOf(who.address, s.id);
    const closable = short < balance ? short : balance;
    const tripped = await trippedNow(w);
    if (settled) {
      // Lazy settlement removes the position first: nothing left to close.
      await attempt(w, "close", () => clearing.connect(who).close(account.id, s.id, closable || 1n), {
        must: "CloseExceedsShort",
      });
      return;
    }
    if (closable === 0n) {
      const must = short === 0n ? "CloseExceedsShort" : "ERC1155InsufficientBalance";
      await attempt(w, "close", () => clearing.connect(who).close(account.id, s.id, 1n), { must });
      return;
    }
    const amount = frac(closable, p.permille) || closable;
    // Anyone holding longs may close any account's short; never guarded.
    await riskReducing(w, "close", tripped, () => clearing.connect(who).close(account.id, s.id, amount));
  },
};

export const operator: Handler = {
  kind: "operator",
  weight: 1,
  async run(w, p) {
    // bob grants or revokes carol.
    const approve = p.permille % 2 === 0;
    await attempt(
      w,
      "setOperator",
      () => w.book.clearing.connect(w.book.bob).setOperator(w.book.carol.address, approve),
      {
        must: "succeed",
      },
    );
  },
};
