/**
 * How the invariant campaign's handlers state what a transaction must do, and the per-action checks they share:
 * INV_BREAKER_GUARDS for guarded and risk-reducing calls, INV_INITIAL_MARGIN_AFTER_ACTION, INV_NO_TRIPPED_PRICE;
 * plus the helpers that aim a step's raw inputs at a state where the action can succeed.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { attempt as attemptTx } from "../../shared/campaign/harness";
import { checkInitialMargin as checkInitial } from "../../shared/campaign/checks";
import { INV, assertInvariant } from "../../shared/invariants";
import { PERMILLE, stats, type ScopeName, type World } from "./world";
import type { Params } from "./handlers/handler";

export interface Expectation {
  /** The call must succeed, or must revert with this error. */
  must?: "succeed" | string;
  /** Errors accepted as no-ops (the handler could not predict them exactly). */
  allow?: readonly string[];
}

/** Send one transaction; returns whether it succeeded. Unexpected outcomes throw. */
export async function attempt(
  w: World,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
  exp: Expectation,
): Promise<boolean> {
  const out = await attemptTx(w, label, send, exp.must ?? exp.allow ?? []);
  if (out.ok) {
    w.lastReceipt = out.receipt!;
    stats.inc(stats.ok, label);
    return true;
  }
  stats.inc(stats.reverts, `${label}:${out.error}`);
  w.lastRevert = out.error!;
  return false;
}

export const anyOf = (t: Set<ScopeName>, ...names: ScopeName[]): boolean => names.some((n) => t.has(n));

/** INV_BREAKER_GUARDS: a guarded call while its scope is tripped must revert with ScopeTripped. */
export async function guarded(
  w: World,
  label: string,
  blocked: boolean,
  send: () => Promise<ContractTransactionResponse>,
  exp: Expectation,
): Promise<boolean> {
  if (!blocked) return attempt(w, label, send, exp);
  let ok: boolean;
  try {
    ok = await attempt(w, label, send, { must: "ScopeTripped" });
  } catch (e) {
    assertInvariant(INV.BREAKER_GUARDS, false, () => `${label} while tripped: ${(e as Error).message}`);
    throw e;
  }
  stats.guardBlocked++;
  return ok;
}

/** INV_BREAKER_GUARDS: a risk-reducing call must succeed whatever is tripped. */
export async function riskReducing(
  w: World,
  label: string,
  tripped: Set<ScopeName>,
  send: () => Promise<ContractTransactionResponse>,
): Promise<void> {
  try {
    await attempt(w, label, send, { must: "succeed" });
  } catch (e) {
    assertInvariant(
      INV.BREAKER_GUARDS,
      tripped.size === 0,
      () => `${label} blocked: ${(e as Error).message}`,
    );
    throw e;
  }
  if (tripped.size > 0) stats.riskReducingWhileTripped++;
}

/** INV_INITIAL_MARGIN_AFTER_ACTION, read at the state (and timestamp) the action left; counted. */
export async function checkInitialMargin(w: World, label: string, accountId: bigint): Promise<void> {
  await checkInitial(w.book.clearing, label, accountId);
  stats.marginChecks++;
}

/**
 * INV_NO_TRIPPED_PRICE, after a risk-adding action succeeded while WETH's scope was tripped: the account must not be
 * valued at WETH's price (no unsettled position, no WETH collateral), or carry no requirement at all.
 */
export async function assertNotPricedAtTrip(w: World, label: string, accountId: bigint): Promise<void> {
  const { clearing } = w.book;
  const ids = await clearing.seriesOf(accountId);
  let priced = (await clearing.collateralOf(accountId, w.vaults.weth)) > 0n;
  for (const id of ids) if (!(await clearing.series(id)).settled) priced = true;
  const requirement = ids.length > 0 || (await clearing.debtOf(accountId)) > 0n;
  assertInvariant(
    INV.NO_TRIPPED_PRICE,
    !(requirement && priced),
    () => `${label} succeeded while WETH was tripped, for account ${accountId} valued at WETH's price`,
  );
}

export async function isAuthorised(
  w: World,
  accountIdx: number,
  caller: HardhatEthersSigner,
): Promise<boolean> {
  const owner = w.book.accounts[accountIdx].owner;
  return (
    owner.address === caller.address || (await w.book.clearing.isOperator(owner.address, caller.address))
  );
}

export const frac = (x: bigint, permille: number): bigint => (x * BigInt(permille)) / PERMILLE;

/** The caller for an owner-only action: usually the owner (or its operator), sometimes an arbitrary actor. */
export function callerFor(w: World, p: Params): HardhatEthersSigner {
  const account = w.book.accounts[p.account];
  if (p.flag === 0) return w.book.actors[p.other];
  // carol is bob's operator: let her act for bob's account half the time.
  if (account.owner.address === w.book.bob.address && p.actor === 2) return w.book.carol;
  return account.owner;
}

/**
 * The first index from `start` (cyclically) in [0, n) that satisfies `pred`, or `start` if none does: handlers aim at
 * a state where the action can succeed, unless the step asks for a miss (flag 0).
 */
export async function pick(n: number, start: number, pred: (i: number) => Promise<boolean>): Promise<number> {
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (await pred(i)) return i;
  }
  return start;
}

/** The step's series, or (unless it asks for a miss) the first from it where `pred` holds. */
export function aim(w: World, p: Params, pred: (j: number) => Promise<boolean>): Promise<number> {
  return p.flag === 0 ? Promise.resolve(p.series) : pick(w.book.series.length, p.series, pred);
}
