/** Collateral vault shares in and out of accounts: depositCollateral (never guarded) and withdrawCollateral. */
import { USDC_UNIT } from "../../../shared/fixtures/system";
import { WAD } from "../../../../scripts/lib/math/wad";
import {
  anyOf,
  assertNotPricedAtTrip,
  callerFor,
  checkInitialMargin,
  frac,
  guarded,
  isAuthorised,
  riskReducing,
} from "../expectations";
import { oracleDown, trippedNow } from "../model";
import type { Handler } from "./handler";

export const deposit: Handler = {
  kind: "deposit",
  weight: 2,
  async run(w, p) {
    const { clearing, actors, accounts } = w.book;
    const who = actors[p.actor];
    const which = p.vault === 0 ? "usdc" : "weth";
    const vault = w.book.vaultOf(which);
    let wallet = await vault.balanceOf(who.address);
    const tripped = await trippedNow(w);
    if (wallet === 0n && !tripped.has("DEPOSIT")) {
      await w.book.fundVaultShares(who, which, which === "usdc" ? 10_000n * USDC_UNIT : 5n * WAD);
      wallet = await vault.balanceOf(who.address);
    }
    const shares = frac(wallet, p.permille) || wallet;
    if (shares === 0n) return;
    // Anyone may top up any account; never guarded.
    await riskReducing(w, "depositCollateral", tripped, () =>
      clearing.connect(who).depositCollateral(accounts[p.account].id, w.vaults[which], shares),
    );
  },
};

export const withdraw: Handler = {
  kind: "withdraw",
  weight: 3,
  async run(w, p) {
    const { clearing, accounts } = w.book;
    const account = accounts[p.account];
    const caller = callerFor(w, p);
    const which = p.vault === 0 ? "usdc" : "weth";
    const balance = await clearing.collateralOf(account.id, w.vaults[which]);
    const over = p.flag === 1;
    const shares = over ? balance + 1n : frac(balance, p.permille) || 1n;
    const tripped = await trippedNow(w);
    const authorised = await isAuthorised(w, p.account, caller);
    const allow = ["BelowInitialMargin"];
    // Without quorum, valuing WETH collateral or positions fails with the oracle's named error.
    if (oracleDown(w)) allow.push("QuorumNotMet");
    // Lazy settlement may credit quote shares first, so a withdrawal beyond the stored balance can still pass; it
    // may also repay settlement debt (stored, or from a settled short) from them first, leaving less than asked.
    let repays = which === "usdc" && (await clearing.debtOf(account.id)) > 0n;
    for (const id of await clearing.seriesOf(account.id)) {
      if ((await clearing.series(id)).settled && (await clearing.positionOf(account.id, id)) < 0n)
        repays = true;
    }
    if (shares > balance || (repays && which === "usdc")) allow.push("InsufficientCollateral");
    // INV_NO_TRIPPED_PRICE: refused while WETH is tripped if the account is still valued at WETH's price after it.
    const assetTripped = anyOf(tripped, "ASSET");
    if (assetTripped) allow.push("ScopeTripped");
    const ok = await guarded(
      w,
      "withdrawCollateral",
      anyOf(tripped, "WITHDRAW", "GLOBAL"),
      () => clearing.connect(caller).withdrawCollateral(account.id, w.vaults[which], shares, caller.address),
      authorised ? { allow } : { must: "NotOwnerOrOperator" },
    );
    if (ok && assetTripped) await assertNotPricedAtTrip(w, "withdrawCollateral", account.id);
    if (ok) await checkInitialMargin(w, "withdrawCollateral", account.id);
  },
};
