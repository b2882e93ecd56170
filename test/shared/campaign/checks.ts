/**
 * The book checks both stateful campaigns run after every step (test/invariant/Clearing.invariant.test.ts and
 * test/fuzz/Liquidation.fuzz.test.ts): INV_OPEN_INTEREST (with written-off shorts), INV_SOLVENCY per vault and for
 * the quote vault's payouts, INV_SERIES_SOLVENCY per settled series, each recomputed from scratch in TypeScript from
 * every account's position and every holder's ERC-1155 balance; and INV_INITIAL_MARGIN_AFTER_ACTION.
 */
import { expect } from "chai";
import type { CollateralVault, OptionsClearing } from "../../../typechain-types";
import { WAD, divUp, mulWadDown } from "../../../scripts/lib/math/wad";
import { toAssets } from "../../../scripts/lib/math/erc4626";
import { INV, assertInvariant } from "../invariants";

/** USDC, the quote asset of the system fixture, has 6 decimals. */
export const QUOTE_TO_WAD = 10n ** 12n;

/** The contracts the book checks read. */
export interface BookContracts {
  clearing: OptionsClearing;
  usdcVault: CollateralVault;
  wethVault: CollateralVault;
}

/** What the book checks sum over: the campaign's whole population, and its ghost record of settlements. */
export interface BookUnderCheck {
  book: BookContracts;
  clearingAddress: string;
  vaults: { usdc: string; weth: string };
  series: readonly { id: bigint }[];
  /** Every account that can hold collateral, positions or debt. */
  accounts: readonly bigint[];
  /** Every wallet that can hold long tokens. */
  holders: readonly string[];
  /** Per settled series id: what one long receives, fixed at settlement (`perLongPayout`). */
  longPayout: ReadonlyMap<bigint, bigint>;
}

/**
 * What one long of a series just settled receives: the payout scaled by shorts / (shorts + written off), fixed at
 * settlement (docs/liquidation.md). Read right after the settlement, before any later write-off.
 */
export async function perLongPayout(clearing: OptionsClearing, seriesId: bigint): Promise<bigint> {
  const info = await clearing.series(seriesId);
  expect(info.settled, `series ${seriesId} settled`).to.equal(true);
  const [shorts] = await clearing.openInterest(seriesId);
  const writtenOff = await clearing.writtenOff(seriesId);
  const payout = info.payoutPerContractWad;
  return writtenOff === 0n ? payout : (payout * shorts) / (shorts + writtenOff);
}

/**
 * INV_SOLVENCY per collateral vault: `totalCollateral` is the sum of the accounts' balances, and the clearing holds
 * at least what it owes in shares (the accounts' balances, plus the pending liquidation penalties owed to the
 * insurance vault for the quote vault). Returns, per vault, the shares held and the shares owed.
 */
export async function checkVaultSolvency(
  c: BookUnderCheck,
  at: () => string,
): Promise<{ held: Record<"usdc" | "weth", bigint>; owed: Record<"usdc" | "weth", bigint> }> {
  const { clearing } = c.book;
  const held = { usdc: 0n, weth: 0n };
  const owed = { usdc: 0n, weth: 0n };
  for (const [name, vault] of [
    ["usdc", c.book.usdcVault],
    ["weth", c.book.wethVault],
  ] as const) {
    const address = c.vaults[name];
    let sum = 0n;
    for (const id of c.accounts) sum += await clearing.collateralOf(id, address);
    held[name] = await vault.balanceOf(c.clearingAddress);
    const total = await clearing.totalCollateral(address);
    assertInvariant(
      INV.SOLVENCY,
      total === sum,
      () => `${at()}: ${name} totalCollateral ${total} != sum of accounts ${sum}`,
    );
    owed[name] = total + (name === "usdc" ? await clearing.pendingPenaltyShares() : 0n);
    assertInvariant(
      INV.SOLVENCY,
      held[name] >= owed[name],
      () => `${at()}: ${name} shares held ${held[name]} < owed to accounts and insurance ${owed[name]}`,
    );
  }
  return { held, owed };
}

/**
 * INV_OPEN_INTEREST, INV_SOLVENCY and INV_SERIES_SOLVENCY, recomputed from scratch: every position of every account,
 * every holder's ERC-1155 balance, every account's collateral and debt, the clearing's vault shares and the series'
 * pools. After a socialised loss (docs/liquidation.md) a series' longs exceed its shorts by the written-off shorts,
 * and each long is owed the payout scaled by shorts / (shorts + written off), fixed at settlement.
 */
export async function checkBook(c: BookUnderCheck, where: string): Promise<void> {
  const { clearing, usdcVault } = c.book;
  const at = () => `after ${where}`;
  const ids = c.series.map((s) => s.id);
  const info = await Promise.all(ids.map((id) => clearing.series(id)));
  const positions = await Promise.all(
    c.accounts.map((a) => Promise.all(ids.map((id) => clearing.positionOf(a, id)))),
  );
  const seriesDebts = await Promise.all(
    c.accounts.map((a) => Promise.all(ids.map((id) => clearing.seriesDebtOf(a, id)))),
  );

  // INV_OPEN_INTEREST; and, per settled series, what its longs are owed and what its shorts still owe it.
  let owedWad = 0n; // payouts owed on settled series: long tokens + in-account longs not yet credited
  let pendingDebitWad = 0n; // debits of shorts in settled series not yet applied
  const owedTo: bigint[] = ids.map(() => 0n);
  const owedBy: bigint[] = ids.map(() => 0n);
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j];
    const [shorts, inAccounts, tokens] = await clearing.openInterest(id);
    let shortsTs = 0n;
    let longsTs = 0n;
    for (let i = 0; i < c.accounts.length; i++) {
      const p = positions[i][j];
      if (p < 0n) shortsTs += -p;
      else longsTs += p;
    }
    let tokensTs = 0n;
    for (const b of await clearing.balanceOfBatch(
      [...c.holders],
      c.holders.map(() => id),
    ))
      tokensTs += b;
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === shortsTs && inAccounts === longsTs && tokens === tokensTs,
      () =>
        `${at()}: series ${j} (id ${id}) totals (${shorts}, ${inAccounts}, ${tokens}) != recomputed (${shortsTs}, ${longsTs}, ${tokensTs})`,
    );
    if (!info[j].settled) {
      const writtenOff = await clearing.writtenOff(id);
      assertInvariant(
        INV.OPEN_INTEREST,
        shorts + writtenOff === inAccounts + tokens,
        () =>
          `${at()}: series ${j} (id ${id}) shorts ${shorts} + written off ${writtenOff} != longs in accounts ${inAccounts} + tokens ${tokens}`,
      );
      continue;
    }
    const perLong = c.longPayout.get(id);
    if (perLong === undefined) throw new Error(`${at()}: series ${j} (id ${id}) settled outside the harness`);
    owedTo[j] = mulWadDown(tokensTs, perLong);
    for (let i = 0; i < c.accounts.length; i++) {
      const p = positions[i][j];
      if (p > 0n) owedTo[j] += mulWadDown(p, perLong);
      else if (p < 0n) owedBy[j] += divUp(-p * info[j].payoutPerContractWad, WAD);
    }
    owedWad += owedTo[j];
    pendingDebitWad += owedBy[j];
  }
  // Every account's series list holds exactly the series it has a position or settlement debt in.
  for (let i = 0; i < c.accounts.length; i++) {
    const listed = (await clearing.seriesOf(c.accounts[i])).map((x) => x.toString()).sort();
    const held = ids
      .filter((_, j) => positions[i][j] !== 0n || seriesDebts[i][j] !== 0n)
      .map((id) => id.toString())
      .sort();
    expect(listed, `${at()}: seriesOf(${c.accounts[i]})`).to.deep.equal(held);
  }

  // INV_SOLVENCY, per vault
  const { held, owed } = await checkVaultSolvency(c, at);
  // Quote: the free pool plus every debt (stored and pending) covers every payout still owed. A negative free pool
  // (held below owed, already refused above) is valued rounding its size up, never towards solvency.
  let debtWad = pendingDebitWad;
  for (const a of c.accounts) debtWad += await clearing.debtOf(a);
  const state = {
    supply: await usdcVault.totalSupply(),
    assets: await usdcVault.totalAssets(),
    offset: await usdcVault.DECIMALS_OFFSET(),
  };
  const free = held.usdc - owed.usdc;
  const freeWad = (free >= 0n ? toAssets(state, free, "down") : -toAssets(state, -free, "up")) * QUOTE_TO_WAD;
  assertInvariant(
    INV.SOLVENCY,
    freeWad + debtWad >= owedWad,
    () => `${at()}: free pool ${freeWad} + debts ${debtWad} < payouts owed ${owedWad} (WAD)`,
  );

  // INV_SERIES_SOLVENCY: the series' pools are held beside the accounts' balances, and each settled series' own
  // pool plus the debts still owed to it (stored and pending) covers what its longs are still owed.
  let pools = 0n;
  for (let j = 0; j < ids.length; j++) {
    const pool = await clearing.settlementPool(ids[j]);
    pools += pool;
    if (!info[j].settled) {
      assertInvariant(
        INV.SERIES_SOLVENCY,
        pool === 0n,
        () => `${at()}: series ${j} (id ${ids[j]}) unsettled with a pool ${pool}`,
      );
      continue;
    }
    let debtsJ = owedBy[j];
    for (let i = 0; i < c.accounts.length; i++) debtsJ += seriesDebts[i][j];
    const poolWad = toAssets(state, pool, "down") * QUOTE_TO_WAD;
    // One quote unit per series: the pool is in vault shares, each payment rounded to the quote's unit.
    assertInvariant(
      INV.SERIES_SOLVENCY,
      poolWad + debtsJ + QUOTE_TO_WAD >= owedTo[j],
      () =>
        `${at()}: series ${j} (id ${ids[j]}): pool ${poolWad} + debts owed to it ${debtsJ} < owed to its longs ${owedTo[j]} (WAD)`,
    );
  }
  assertInvariant(
    INV.SERIES_SOLVENCY,
    held.usdc >= owed.usdc + pools,
    () =>
      `${at()}: quote shares held ${held.usdc} < accounts and penalties ${owed.usdc} + series pools ${pools}`,
  );
}

/** INV_INITIAL_MARGIN_AFTER_ACTION, read at the state (and timestamp) the action left. */
export async function checkInitialMargin(
  clearing: OptionsClearing,
  label: string,
  accountId: bigint,
): Promise<void> {
  const h = await clearing.health(accountId);
  assertInvariant(
    INV.INITIAL_MARGIN_AFTER_ACTION,
    h.collateralValueWad >= h.initialWad,
    () => `${label} left account ${accountId} at ${h.collateralValueWad} < initial ${h.initialWad}`,
  );
}
