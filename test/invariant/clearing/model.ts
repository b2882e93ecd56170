/**
 * The invariant campaign's model of the suite: which scopes are tripped and by whom (cross-checked with the
 * breaker), whether the oracle has quorum, what a keeper's price report does to the band, what a settled series'
 * longs receive, and the book checks run after every step (the shared INV_OPEN_INTEREST, INV_SOLVENCY and
 * INV_SERIES_SOLVENCY of test/shared/campaign/checks.ts).
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import { Scopes } from "../../../scripts/lib/scopes";
import type { PositionStruct } from "../../../typechain-types/contracts/interfaces/IMarginCalculator";
import { errorName } from "../../shared/campaign/harness";
import { checkBook, perLongPayout } from "../../shared/campaign/checks";
import { predictBreach, readBand } from "../../shared/campaign/oracle";
import { INV, assertInvariant } from "../../shared/invariants";
import { attempt } from "./expectations";
import {
  SCOPE_NAMES,
  TIME_SLACK_SECONDS,
  TRIP_REASON,
  stats,
  underCheck,
  type ScopeName,
  type TripCause,
  type World,
} from "./world";

/** With fewer fresh sources than the quorum the oracle refuses every price. */
export const oracleDown = (w: World): boolean => w.sources - w.failed.size < w.quorum;

export function scopeId(w: World, name: ScopeName): string {
  return name === "ASSET" ? Scopes.asset(w.weth) : Scopes[name];
}

export async function trippedNow(w: World): Promise<Set<ScopeName>> {
  const out = new Set<ScopeName>();
  for (const n of SCOPE_NAMES) if (await w.book.breaker.isTripped(scopeId(w, n))) out.add(n);
  // Only the guardian's pauses and the oracle's reports (a jump beyond the band, a lost quorum) trip scopes, and the
  // harness predicts each: anything else is a bug in the harness, the oracle or the breaker.
  expect([...out].sort()).to.deep.equal(
    [...w.tripped.keys()].sort(),
    "breaker state differs from the scopes tripped",
  );
  // The first cause is kept: the breaker's reason must be the one the harness recorded.
  for (const [name, cause] of w.tripped) {
    const state = await w.book.breaker.scopeState(scopeId(w, name));
    expect(state.reason, `trip reason of ${name}`).to.equal(TRIP_REASON[cause]);
  }
  return out;
}

/** Record a trip; a scope already tripped keeps its first cause (the breaker ignores the second trip). */
export function noteTrip(w: World, name: ScopeName, cause: TripCause): void {
  if (w.tripped.has(name)) return;
  w.tripped.set(name, cause);
  stats.trips[cause]++;
}

/** `clearing.health`, or null when the oracle has lost quorum and the valuation needs a price. */
export async function healthOf(w: World, accountId: bigint) {
  try {
    return await w.book.clearing.health(accountId);
  } catch (e) {
    if (oracleDown(w) && errorName(w, e) === "QuorumNotMet") return null;
    throw e;
  }
}

/** The names of the events `contract` emitted in the last successful attempt's receipt. */
export function emitted(w: World, contract: { interface: Interface }, address: string): string[] {
  const out: string[] = [];
  for (const log of w.lastReceipt?.logs ?? []) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed !== null) out.push(parsed.name);
  }
  return out;
}

/**
 * Keepers report `price` on every source (failed sources come back) and poke the oracle. The harness predicts from
 * the oracle's band state whether the poke reports a jump beyond the band, which trips the asset's scope.
 */
export async function report(w: World, priceWad: bigint): Promise<void> {
  const { oracle, feeds, keeper } = w.book;
  const price = (priceWad / 10n ** 10n) * 10n ** 10n; // the feeds carry 8 decimals
  for (const [i, kind] of w.failed) if (kind === "revert") await feeds[i].setMode(0);
  w.failed.clear();
  const at = await time.latest();
  for (const feed of feeds) await feed.setAnswer(price / 10n ** 10n, at);
  const band = await readBand(oracle, w.weth);
  const next = (await time.latest()) + 1;
  const predicted = predictBreach(band, price, next, next + TIME_SLACK_SECONDS);
  await attempt(w, "poke", () => oracle.connect(keeper).poke(w.weth), { must: "succeed" });
  const events = emitted(w, oracle, await oracle.getAddress());
  const breached = events.includes("PriceBandBreachReported");
  if (predicted !== undefined) {
    expect(breached, `poke at ${price} against band ${band.referenceWad}/${band.lastPriceWad}`).to.equal(
      predicted,
    );
  }
  if (breached) {
    noteTrip(w, "ASSET", "band");
    stats.inc(stats.ok, "bandBreachReported");
  }
  // Fresh sources in agreement: the oracle serves the reported price (INV_ORACLE_PRICE_VALIDITY).
  const [served] = await oracle.getPrice(w.weth);
  assertInvariant(
    INV.ORACLE_PRICE_VALIDITY,
    served === price,
    () => `served ${served} after reporting ${price}`,
  );
  w.spot = price;
}

/** After series `j` settles: fix what one long receives (scaled by the shorts written off, docs/liquidation.md). */
export async function noteSettled(w: World, j: number, byFallback: boolean): Promise<void> {
  const id = w.book.series[j].id;
  w.longPayout.set(id, await perLongPayout(w.book.clearing, id));
  if (byFallback) stats.settlements.fallback++;
  else stats.settlements.oracle++;
}

/** The account's positions as the margin calculator takes them (settled series included, as liquidation does). */
export async function positionsOf(w: World, accountId: bigint) {
  const { clearing } = w.book;
  const ids = await clearing.seriesOf(accountId);
  const out: { position: PositionStruct; settled: boolean; payoutWad: bigint }[] = [];
  for (const id of ids) {
    const s = await clearing.series(id);
    out.push({
      position: {
        strikeWad: s.strikeWad,
        expiry: s.expiry,
        isCall: s.isCall,
        amount: await clearing.positionOf(accountId, id),
      },
      settled: s.settled,
      payoutWad: s.payoutPerContractWad,
    });
  }
  return out;
}

/** The checks after every step: the shared book checks over every account and every actor's wallet. */
export function checkInvariants(w: World, where: string): Promise<void> {
  return checkBook(underCheck(w), where);
}
