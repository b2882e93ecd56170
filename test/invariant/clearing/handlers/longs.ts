/** Long tokens: depositLongs into an account (never guarded), withdrawLongs (guarded, margin-checked), transfers. */
import { ethers } from "hardhat";
import type { OptionsClearing } from "../../../../typechain-types";
import {
  aim,
  anyOf,
  assertNotPricedAtTrip,
  attempt,
  callerFor,
  checkInitialMargin,
  frac,
  guarded,
  isAuthorised,
  riskReducing,
  type Expectation,
} from "../expectations";
import { oracleDown, trippedNow } from "../model";
import type { Handler } from "./handler";

export const depositLongs: Handler = {
  kind: "depositLongs",
  weight: 2,
  async run(w, p) {
    const { clearing, accounts, actors, series } = w.book;
    const who = actors[p.actor];
    const account = accounts[p.account];
    const s =
      series[
        await aim(
          w,
          p,
          async (j) =>
            !(await clearing.series(series[j].id)).settled &&
            (await clearing.balanceOf(who.address, series[j].id)) > 0n,
        )
      ];
    const settled = (await clearing.series(s.id)).settled;
    const balance = await clearing.balanceOf(who.address, s.id);
    const tripped = await trippedNow(w);
    // Only the account's owner or operator deposits longs into it (no one fills another's series slots).
    if (!(await isAuthorised(w, p.account, who))) {
      await attempt(
        w,
        "depositLongs",
        () => clearing.connect(who).depositLongs(account.id, s.id, balance || 1n),
        { must: "NotOwnerOrOperator" },
      );
      return;
    }
    if (settled) {
      await attempt(
        w,
        "depositLongs",
        () => clearing.connect(who).depositLongs(account.id, s.id, balance || 1n),
        {
          must: "SeriesAlreadySettled",
        },
      );
      return;
    }
    if (balance === 0n) {
      await attempt(w, "depositLongs", () => clearing.connect(who).depositLongs(account.id, s.id, 1n), {
        must: "ERC1155InsufficientBalance",
      });
      return;
    }
    const amount = frac(balance, p.permille) || balance;
    await riskReducing(w, "depositLongs", tripped, () =>
      clearing.connect(who).depositLongs(account.id, s.id, amount),
    );
  },
};

/**
 * The account's position in `seriesId` once its settled series are settled into it, as every account action does
 * first: a settled long is credited and closed, unless its series' pool cannot pay it yet (it then stays, pending).
 * Read by settling on a snapshot that is then reverted.
 */
async function positionAfterSettlement(
  clearing: OptionsClearing,
  accountId: bigint,
  seriesId: bigint,
): Promise<bigint> {
  const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
  try {
    await (await clearing.settleAccount(accountId)).wait();
    return await clearing.positionOf(accountId, seriesId);
  } finally {
    await ethers.provider.send("evm_revert", [snapshot]);
  }
}

const positive = (position: bigint): bigint => (position > 0n ? position : 0n);

export const withdrawLongs: Handler = {
  kind: "withdrawLongs",
  weight: 2,
  async run(w, p) {
    const { clearing, accounts, actors, series } = w.book;
    const account = accounts[p.account];
    const s =
      series[await aim(w, p, async (j) => (await clearing.positionOf(account.id, series[j].id)) > 0n)];
    const caller = callerFor(w, p);
    const to = actors[p.other];
    const settled = (await clearing.series(s.id)).settled;
    const position = await clearing.positionOf(account.id, s.id);
    const longs = positive(position);
    const amount = longs === 0n || p.flag === 1 ? longs + 1n : frac(longs, p.permille) || longs;
    const tripped = await trippedNow(w);
    const authorised = await isAuthorised(w, p.account, caller);
    const assetTripped = anyOf(tripped, "ASSET");
    const allow = ["BelowInitialMargin"];
    if (oracleDown(w)) allow.push("QuorumNotMet");
    // INV_NO_TRIPPED_PRICE: refused while WETH is tripped if the account is still valued at WETH's price after it.
    if (assetTripped) allow.push("ScopeTripped");
    let exp: Expectation;
    if (!authorised) exp = { must: "NotOwnerOrOperator" };
    else if (amount > (settled ? positive(await positionAfterSettlement(clearing, account.id, s.id)) : longs))
      exp = { must: "InsufficientLongs" };
    else exp = { allow };
    const ok = await guarded(
      w,
      "withdrawLongs",
      anyOf(tripped, "WITHDRAW", "GLOBAL"),
      () => clearing.connect(caller).withdrawLongs(account.id, s.id, amount, to.address),
      exp,
    );
    if (ok && assetTripped) await assertNotPricedAtTrip(w, "withdrawLongs", account.id);
    if (ok) await checkInitialMargin(w, "withdrawLongs", account.id);
  },
};

export const transfer: Handler = {
  kind: "transfer",
  weight: 2,
  async run(w, p) {
    const { clearing, actors, series } = w.book;
    const from = actors[p.actor];
    const to = actors[p.other];
    const s =
      series[await aim(w, p, async (j) => (await clearing.balanceOf(from.address, series[j].id)) > 0n)];
    const balance = await clearing.balanceOf(from.address, s.id);
    if (balance === 0n) return;
    const amount = frac(balance, p.permille) || balance;
    await attempt(
      w,
      "transfer1155",
      () => clearing.connect(from).safeTransferFrom(from.address, to.address, s.id, amount, "0x"),
      { must: "succeed" },
    );
  },
};
