/**
 * Stateful invariant campaign of OptionsClearing on the whole suite (real oracle, breaker, vaults, calculator).
 *
 * fast-check generates sequences of actions (`fc.commands`, run by `fc.asyncModelRun`) from three actors over four
 * accounts and four series: collateral deposits and withdrawals in both vaults, write, close, depositLongs,
 * withdrawLongs, ERC-1155 transfers, price moves within the oracle's band, time passing, expiry and settlement
 * (oracle or governance fallback), settleAccount, exercise, guardian pauses and governance resumes. Every run
 * starts from the same populated book (`deployClearingBook`, reset with loadFixture).
 *
 * Each handler predicts the outcome it can predict (which scope is tripped, who is authorised, what was settled)
 * and accepts only the named custom errors it expects; anything else (another error, a panic, a success where a
 * revert was required) fails the run. After every step `checkInvariants` recomputes the book from scratch in
 * TypeScript and checks INV_OPEN_INTEREST and INV_SOLVENCY; the handlers check INV_INITIAL_MARGIN_AFTER_ACTION and
 * INV_BREAKER_GUARDS where they apply.
 *
 * Replay: the seed is printed (`FUZZ_SEED=<seed>`); a failure prints the seed, the path and the shrunk command list
 * (`FUZZ_SEED=<seed> FUZZ_PATH=<path>` replays it). `FUZZ_RUNS` scales the number of runs.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Interface, type ContractTransactionResponse } from "ethers";
import { Scopes } from "../../scripts/lib/scopes";
import { WAD, divUp } from "../../scripts/lib/math/wad";
import { toAssets } from "../../scripts/lib/math/erc4626";
import { fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { HOUR, USDC_UNIT } from "../shared/fixtures/system";
import { deployClearingBook, type ClearingBook } from "../shared/fixtures/clearing";

/** Runs and commands per run of the bounded campaign (`npm test`); FUZZ_RUNS overrides the runs. */
const DEFAULT_RUNS = 10;
const MAX_COMMANDS = 50;
/** Wall-clock budget of the bounded campaign including shrinking (only without FUZZ_RUNS). */
const DEFAULT_TIME_LIMIT_MS = 150_000;
/** Spot is kept in [SPOT_MIN, SPOT_MAX]: the largest move between any two prices (48%) stays inside the 50% band. */
const SPOT_MIN = 1650n * WAD;
const SPOT_MAX = 2450n * WAD;
/** Near a time boundary (expiry, window end, cooldown) the next block's timestamp is not exactly predictable. */
const TIME_SLACK_SECONDS = 120;
const PERMILLE = 1000n;
const QUOTE_TO_WAD = 10n ** 12n; // USDC has 6 decimals
const VAULT_DECIMALS_OFFSET = 6n;

const SCOPE_NAMES = ["WRITE", "WITHDRAW", "SETTLE", "DEPOSIT", "GLOBAL", "ASSET"] as const;
type ScopeName = (typeof SCOPE_NAMES)[number];

/** Counters printed at the end: proof of depth. */
class Stats {
  runs = 0;
  steps = 0;
  ok: Record<string, number> = {};
  reverts: Record<string, number> = {};
  guardBlocked = 0;
  riskReducingWhileTripped = 0;
  marginChecks = 0;
  inc(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }
}
const stats = new Stats();

/** The harness's view of the world during one run. */
interface World {
  book: ClearingBook;
  vaults: { usdc: string; weth: string };
  weth: string;
  clearingAddress: string;
  spot: bigint;
  /** Scopes this run tripped (cross-checked against the breaker: nothing else may trip one). */
  tripped: Set<ScopeName>;
}

type Model = { step: number };

function scopeId(w: World, name: ScopeName): string {
  return name === "ASSET" ? Scopes.asset(w.weth) : Scopes[name];
}

/** Error names from every contract a clearing call can revert in. */
let errorInterface: Interface | undefined;
function errorName(w: World, err: unknown): string {
  const data = (err as { data?: unknown }).data;
  if (typeof data !== "string" || !data.startsWith("0x")) throw err;
  if (data === "0x") return "EmptyRevert";
  if (data.startsWith("0x4e487b71")) return `Panic(${BigInt("0x" + data.slice(10))})`;
  if (errorInterface === undefined) {
    const fragments = [
      ...w.book.clearing.interface.fragments,
      ...w.book.breaker.interface.fragments,
      ...w.book.oracle.interface.fragments,
      ...w.book.usdcVault.interface.fragments,
    ].filter((f) => f.type === "error");
    const seen = new Set<string>();
    errorInterface = new Interface(
      fragments.filter((f) => {
        const key = f.format("sighash");
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }
  const parsed = errorInterface.parseError(data);
  return parsed === null ? `Unknown(${data.slice(0, 10)})` : parsed.name;
}

interface Expectation {
  /** The call must succeed, or must revert with this error. */
  must?: "succeed" | string;
  /** Errors accepted as no-ops (the handler could not predict them exactly). */
  allow?: readonly string[];
}

/** Send one transaction; returns whether it succeeded. Unexpected outcomes throw. */
async function attempt(
  w: World,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
  exp: Expectation,
): Promise<boolean> {
  let name: string;
  try {
    const tx = await send();
    await tx.wait();
    if (exp.must !== undefined && exp.must !== "succeed") {
      throw new Error(`${label}: expected revert ${exp.must}, but it succeeded`);
    }
    stats.inc(stats.ok, label);
    return true;
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${label}: expected revert`)) throw e;
    name = errorName(w, e);
  }
  if (exp.must === "succeed") throw new Error(`${label}: must succeed, reverted with ${name}`);
  if (exp.must !== undefined && exp.must !== name)
    throw new Error(`${label}: expected ${exp.must}, got ${name}`);
  if (exp.must === undefined && !(exp.allow ?? []).includes(name)) {
    throw new Error(
      `${label}: unexpected revert ${name} (accepted: ${(exp.allow ?? []).join(", ") || "none"})`,
    );
  }
  stats.inc(stats.reverts, `${label}:${name}`);
  return false;
}

async function trippedNow(w: World): Promise<Set<ScopeName>> {
  const out = new Set<ScopeName>();
  for (const n of SCOPE_NAMES) if (await w.book.breaker.isTripped(scopeId(w, n))) out.add(n);
  // Only this harness trips scopes (prices stay within the band and fresh): anything else is a bug in the harness
  // or in the oracle.
  expect([...out].sort()).to.deep.equal(
    [...w.tripped].sort(),
    "breaker state differs from the scopes tripped",
  );
  return out;
}

const anyOf = (t: Set<ScopeName>, ...names: ScopeName[]): boolean => names.some((n) => t.has(n));

/** INV_BREAKER_GUARDS: a guarded call while its scope is tripped must revert with ScopeTripped. */
async function guarded(
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
async function riskReducing(
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

/** INV_INITIAL_MARGIN_AFTER_ACTION, read at the state (and timestamp) the action left. */
async function checkInitialMargin(w: World, label: string, accountId: bigint): Promise<void> {
  const h = await w.book.clearing.health(accountId);
  stats.marginChecks++;
  assertInvariant(
    INV.INITIAL_MARGIN_AFTER_ACTION,
    h.collateralValueWad >= h.initialWad,
    () => `${label} left account ${accountId} at ${h.collateralValueWad} < initial ${h.initialWad}`,
  );
}

const frac = (x: bigint, permille: number): bigint => (x * BigInt(permille)) / PERMILLE;

async function isAuthorised(w: World, accountIdx: number, caller: HardhatEthersSigner): Promise<boolean> {
  const owner = w.book.accounts[accountIdx].owner;
  return (
    owner.address === caller.address || (await w.book.clearing.isOperator(owner.address, caller.address))
  );
}

// ------------------------------------------------------------------------------------------------- invariants

/**
 * INV_OPEN_INTEREST and INV_SOLVENCY, recomputed from scratch: every position of every account, every actor's
 * ERC-1155 balance, every account's collateral and debt, the clearing's vault shares.
 */
async function checkInvariants(w: World, where: string): Promise<void> {
  const { clearing, accounts, actors, series, usdcVault, wethVault } = w.book;
  const at = () => `after ${where}`;
  const settled = await Promise.all(series.map((s) => clearing.series(s.id)));
  const positions = await Promise.all(
    accounts.map((a) => Promise.all(series.map((s) => clearing.positionOf(a.id, s.id)))),
  );

  // INV_OPEN_INTEREST
  let owedWad = 0n; // payouts owed on settled series: long tokens + in-account longs not yet credited
  let pendingDebitWad = 0n; // debits of shorts in settled series not yet applied
  for (let j = 0; j < series.length; j++) {
    const id = series[j].id;
    const [shorts, inAccounts, tokens] = await clearing.openInterest(id);
    let shortsTs = 0n;
    let longsTs = 0n;
    for (let i = 0; i < accounts.length; i++) {
      const p = positions[i][j];
      if (p < 0n) shortsTs += -p;
      else longsTs += p;
    }
    let tokensTs = 0n;
    for (const a of actors) tokensTs += await clearing.balanceOf(a.address, id);
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === shortsTs && inAccounts === longsTs && tokens === tokensTs,
      () =>
        `${at()}: series ${j} totals (${shorts}, ${inAccounts}, ${tokens}) != recomputed (${shortsTs}, ${longsTs}, ${tokensTs})`,
    );
    const s = settled[j];
    if (!s.settled) {
      assertInvariant(
        INV.OPEN_INTEREST,
        shorts === inAccounts + tokens,
        () => `${at()}: series ${j} shorts ${shorts} != longs in accounts ${inAccounts} + tokens ${tokens}`,
      );
    } else {
      const payout = s.payoutPerContractWad;
      owedWad += (tokensTs * payout) / WAD;
      for (let i = 0; i < accounts.length; i++) {
        const p = positions[i][j];
        if (p > 0n) owedWad += (p * payout) / WAD;
        else if (p < 0n) pendingDebitWad += divUp(-p * payout, WAD);
      }
    }
  }
  // Every account's series list holds exactly the series it has a position in.
  for (let i = 0; i < accounts.length; i++) {
    const listed = (await clearing.seriesOf(accounts[i].id)).map((x) => x.toString()).sort();
    const held = series
      .filter((_, j) => positions[i][j] !== 0n)
      .map((s) => s.id.toString())
      .sort();
    expect(listed, `${at()}: seriesOf(${accounts[i].id})`).to.deep.equal(held);
  }

  // INV_SOLVENCY, per vault
  const held: Record<string, bigint> = {};
  const total: Record<string, bigint> = {};
  for (const [name, vault] of [
    ["usdc", usdcVault],
    ["weth", wethVault],
  ] as const) {
    const address = w.vaults[name];
    let sum = 0n;
    for (const a of accounts) sum += await clearing.collateralOf(a.id, address);
    held[name] = await vault.balanceOf(w.clearingAddress);
    total[name] = await clearing.totalCollateral(address);
    assertInvariant(
      INV.SOLVENCY,
      total[name] === sum,
      () => `${at()}: ${name} totalCollateral ${total[name]} != sum of accounts ${sum}`,
    );
    assertInvariant(
      INV.SOLVENCY,
      held[name] >= total[name],
      () => `${at()}: ${name} shares held ${held[name]} < owed to accounts ${total[name]}`,
    );
  }
  // Quote: the free pool plus every debt (stored and pending) covers every payout still owed.
  let debtWad = pendingDebitWad;
  for (const a of accounts) debtWad += await clearing.debtOf(a.id);
  const state = {
    supply: await usdcVault.totalSupply(),
    assets: await usdcVault.totalAssets(),
    offset: VAULT_DECIMALS_OFFSET,
  };
  const free = held.usdc - total.usdc;
  const freeWad = (free >= 0n ? toAssets(state, free, "down") : -toAssets(state, -free, "up")) * QUOTE_TO_WAD;
  assertInvariant(
    INV.SOLVENCY,
    freeWad + debtWad >= owedWad,
    () => `${at()}: free pool ${freeWad} + debts ${debtWad} < payouts owed ${owedWad} (WAD)`,
  );
}

// ------------------------------------------------------------------------------------------------- actions

type Kind =
  | "deposit"
  | "withdraw"
  | "write"
  | "close"
  | "depositLongs"
  | "withdrawLongs"
  | "transfer"
  | "spot"
  | "time"
  | "settle"
  | "settleAccount"
  | "exercise"
  | "pause"
  | "resume"
  | "operator";

/** Raw random inputs; each handler maps them into meaningful ranges at run time. */
interface Params {
  actor: number; // 0..2
  other: number; // 0..2 (recipient / counterparty)
  account: number; // 0..3
  series: number; // 0..3
  vault: number; // 0..1
  permille: number; // 1..1000: a fraction of what the state allows
  flag: number; // 0..9: 0 picks an out-of-range or unauthorised variant, 1 picks "tiny"
  scope: number; // index into SCOPE_NAMES
}

class Step implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly kind: Kind,
    readonly p: Params,
  ) {}
  check(): boolean {
    return true;
  }
  toString(): string {
    const p = this.p;
    return `${this.kind}(actor=${p.actor},other=${p.other},acct=${p.account},series=${p.series},vault=${p.vault},pm=${p.permille},flag=${p.flag},scope=${SCOPE_NAMES[p.scope]})`;
  }
  async run(m: Model, w: World): Promise<void> {
    m.step++;
    stats.steps++;
    await HANDLERS[this.kind](w, this.p);
    await checkInvariants(w, `step ${m.step} ${this.toString()}`);
  }
}

/** The caller for an owner-only action: usually the owner (or its operator), sometimes an arbitrary actor. */
function callerFor(w: World, p: Params): HardhatEthersSigner {
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
async function pick(n: number, start: number, pred: (i: number) => Promise<boolean>): Promise<number> {
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (await pred(i)) return i;
  }
  return start;
}

/** The step's series, or (unless it asks for a miss) the first from it where `pred` holds. */
function aim(w: World, p: Params, pred: (j: number) => Promise<boolean>): Promise<number> {
  return p.flag === 0 ? Promise.resolve(p.series) : pick(w.book.series.length, p.series, pred);
}

const HANDLERS: Record<Kind, (w: World, p: Params) => Promise<void>> = {
  async deposit(w, p) {
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

  async withdraw(w, p) {
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
    // Lazy settlement may credit quote shares first, so a withdrawal beyond the stored balance can still pass.
    if (shares > balance) allow.push("InsufficientCollateral");
    const ok = await guarded(
      w,
      "withdrawCollateral",
      anyOf(tripped, "WITHDRAW", "GLOBAL"),
      () => clearing.connect(caller).withdrawCollateral(account.id, w.vaults[which], shares, caller.address),
      authorised ? { allow } : { must: "NotOwnerOrOperator" },
    );
    if (ok) await checkInitialMargin(w, "withdrawCollateral", account.id);
  },

  async write(w, p) {
    const { clearing, accounts, actors, series } = w.book;
    const account = accounts[p.account];
    const latest = await time.latest();
    const s = series[await aim(w, p, async (j) => series[j].expiry > latest + TIME_SLACK_SECONDS)];
    const caller = callerFor(w, p);
    const recipient = actors[p.other];
    const h = await clearing.health(account.id);
    const free = h.collateralValueWad > h.initialWad ? h.collateralValueWad - h.initialWad : 0n;
    // About 0.45 x spot of initial margin per naked contract: permille 1..1000 maps to 0..~1.3x of what fits, so
    // most writes pass and some hit BelowInitialMargin. flag 1: a tiny amount (a few wei).
    let amount =
      p.flag === 1 ? BigInt(p.permille) : (free * WAD * 3n * BigInt(p.permille)) / (w.spot * PERMILLE);
    if (amount === 0n) amount = WAD / 1000n;
    const tripped = await trippedNow(w);
    const authorised = await isAuthorised(w, p.account, caller);
    const next = (await time.latest()) + 1;
    const allow = ["BelowInitialMargin", "RequirementRoundsToZero"];
    let exp: Expectation;
    if (!authorised) exp = { must: "NotOwnerOrOperator" };
    else if (next >= s.expiry) exp = { must: "SeriesExpired" };
    else if (s.expiry - next <= TIME_SLACK_SECONDS) exp = { allow: [...allow, "SeriesExpired"] };
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

  async close(w, p) {
    const { clearing, accounts, actors, series } = w.book;
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

  async depositLongs(w, p) {
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

  async withdrawLongs(w, p) {
    const { clearing, accounts, actors, series } = w.book;
    const account = accounts[p.account];
    const s =
      series[await aim(w, p, async (j) => (await clearing.positionOf(account.id, series[j].id)) > 0n)];
    const caller = callerFor(w, p);
    const to = actors[p.other];
    const settled = (await clearing.series(s.id)).settled;
    const position = await clearing.positionOf(account.id, s.id);
    const longs = position > 0n ? position : 0n;
    const amount = longs === 0n || p.flag === 1 ? longs + 1n : frac(longs, p.permille) || longs;
    const tripped = await trippedNow(w);
    const authorised = await isAuthorised(w, p.account, caller);
    let exp: Expectation;
    if (!authorised) exp = { must: "NotOwnerOrOperator" };
    else if (settled || amount > longs) exp = { must: "InsufficientLongs" };
    else exp = { allow: ["BelowInitialMargin"] };
    const ok = await guarded(
      w,
      "withdrawLongs",
      anyOf(tripped, "WITHDRAW", "GLOBAL"),
      () => clearing.connect(caller).withdrawLongs(account.id, s.id, amount, to.address),
      exp,
    );
    if (ok) await checkInitialMargin(w, "withdrawLongs", account.id);
  },

  async transfer(w, p) {
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

  async spot(w, p) {
    // A move of -15% .. +15%, kept within [SPOT_MIN, SPOT_MAX] (never a band breach).
    const moveWad = ((BigInt(p.permille) - 500n) * 3n * WAD) / 10_000n;
    let next = (w.spot * (WAD + moveWad)) / WAD;
    next = next < SPOT_MIN ? SPOT_MIN : next > SPOT_MAX ? SPOT_MAX : next;
    next = (next / 10n ** 10n) * 10n ** 10n; // the feeds carry 8 decimals
    await w.book.setSpot(w.weth, next);
    w.spot = next;
    stats.inc(stats.ok, "setSpot");
  },

  async time(w, p) {
    // 10 minutes .. 10 hours; keepers re-report the price afterwards (sources have a one-hour heartbeat).
    const seconds = 600 + Math.floor(((10 * HOUR - 600) * p.permille) / 1000);
    await time.increase(seconds);
    await w.book.refreshPrices();
    stats.inc(stats.ok, "timePassed");
  },

  async settle(w, p) {
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
      await w.book.refreshPrices();
      now = await time.latest();
    }
    const tripped = await trippedNow(w);
    const blocked = anyOf(tripped, "SETTLE", "ASSET", "GLOBAL");
    if (already) {
      await guarded(w, "settle", blocked, () => clearing.settle(s.id), { must: "SeriesAlreadySettled" });
      return;
    }
    if (now + 1 + TIME_SLACK_SECONDS < windowEnd) {
      await guarded(w, "settle", blocked, () => clearing.settle(s.id), { must: "succeed" });
      return;
    }
    // At or past the window's end: the oracle path is closed; governance settles with a fallback price.
    await guarded(w, "settle", blocked, () => clearing.settle(s.id), {
      allow:
        now + 1 > windowEnd
          ? ["SettlementWindowClosed"]
          : ["SettlementWindowClosed", "SettlementPriceOutsideWindow"],
    });
    if ((await clearing.series(s.id)).settled) return;
    if (now + 1 <= windowEnd) {
      await time.increaseTo(windowEnd + 1);
      await w.book.refreshPrices();
    }
    await attempt(
      w,
      "settleWithFallbackPrice",
      () => clearing.connect(governor).settleWithFallbackPrice(s.id, w.spot),
      {
        must: "succeed",
      },
    );
  },

  async settleAccount(w, p) {
    const tripped = await trippedNow(w);
    const who = w.book.actors[p.actor];
    await riskReducing(w, "settleAccount", tripped, () =>
      w.book.clearing.connect(who).settleAccount(w.book.accounts[p.account].id),
    );
  },

  async exercise(w, p) {
    const { clearing, actors, series, usdc, usdcVault, accounts } = w.book;
    const who = actors[p.actor];
    const to = actors[p.other];
    const s =
      series[
        await aim(
          w,
          p,
          async (j) =>
            (await clearing.series(series[j].id)).settled &&
            (await clearing.balanceOf(who.address, series[j].id)) > 0n,
        )
      ];
    const info = await clearing.series(s.id);
    const balance = await clearing.balanceOf(who.address, s.id);
    if (balance === 0n && p.flag !== 0) return;
    const amount = balance === 0n ? 1n : frac(balance, p.permille) || balance;
    const tripped = await trippedNow(w);
    const paid = (amount * info.payoutPerContractWad) / WAD / QUOTE_TO_WAD;
    const predict = async (): Promise<Expectation> => {
      if (!info.settled) return { must: "SeriesNotSettled" };
      if (balance === 0n) return { must: "ERC1155InsufficientBalance" };
      if (paid === 0n) return { must: "succeed" };
      const needed = await usdcVault.previewWithdraw(paid);
      const held = await usdcVault.balanceOf(w.clearingAddress);
      const owned = await clearing.totalCollateral(w.vaults.usdc);
      const free = held > owned ? held - owned : 0n;
      if (needed > free) return { must: "InsufficientSettledFunds" };
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
      for (const a of accounts) await clearing.settleAccount(a.id);
      let debt = 0n;
      for (const a of accounts) debt += await clearing.debtOf(a.id);
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

  async pause(w, p) {
    const name = SCOPE_NAMES[p.scope];
    await attempt(
      w,
      "pause",
      () => w.book.breaker.connect(w.book.guardian).pause(scopeId(w, name), "campaign"),
      {
        must: "succeed",
      },
    );
    w.tripped.add(name);
    stats.inc(stats.ok, `trip:${name}`);
  },

  async resume(w, p) {
    const { breaker, governor } = w.book;
    // Resume a tripped scope when there is one (scope index picks among them), else try an untripped one.
    const tripped = [...(await trippedNow(w))];
    const name = tripped.length > 0 ? tripped[p.scope % tripped.length] : SCOPE_NAMES[p.scope];
    const id = scopeId(w, name);
    let exp: Expectation;
    if (tripped.length === 0) exp = { must: "ScopeNotTripped" };
    else {
      const resumable = Number(await breaker.resumableAt(id));
      const next = (await time.latest()) + 1;
      if (next < resumable - TIME_SLACK_SECONDS && p.flag !== 0) {
        // Mostly wait out the cooldown, as governance would.
        await time.increaseTo(resumable);
        await w.book.refreshPrices();
        exp = { must: "succeed" };
      } else if (next < resumable - TIME_SLACK_SECONDS) exp = { must: "CooldownNotElapsed" };
      else if (next >= resumable) exp = { must: "succeed" };
      else exp = { allow: ["CooldownNotElapsed"] };
    }
    if (await attempt(w, "resume", () => breaker.connect(governor).resume(id), exp)) w.tripped.delete(name);
  },

  async operator(w, p) {
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

// ------------------------------------------------------------------------------------------------- campaign

const paramsArb: fc.Arbitrary<Params> = fc.record({
  actor: fc.integer({ min: 0, max: 2 }),
  other: fc.integer({ min: 0, max: 2 }),
  account: fc.integer({ min: 0, max: 3 }),
  series: fc.integer({ min: 0, max: 3 }),
  vault: fc.integer({ min: 0, max: 1 }),
  permille: fc.integer({ min: 1, max: 1000 }),
  flag: fc.integer({ min: 0, max: 9 }),
  scope: fc.integer({ min: 0, max: SCOPE_NAMES.length - 1 }),
});

/** Action weights (relative frequency in the generated sequences). */
const WEIGHTS: ReadonlyArray<[Kind, number]> = [
  ["write", 5],
  ["deposit", 2],
  ["withdraw", 3],
  ["close", 3],
  ["depositLongs", 2],
  ["withdrawLongs", 2],
  ["transfer", 2],
  ["spot", 3],
  ["time", 2],
  ["settle", 2],
  ["settleAccount", 2],
  ["exercise", 3],
  ["pause", 1],
  ["resume", 1],
  ["operator", 1],
];

const commandsArb = fc.commands(
  WEIGHTS.flatMap(([kind, weight]) =>
    Array.from({ length: weight }, () => paramsArb.map((p) => new Step(kind, p))),
  ),
  { maxCommands: MAX_COMMANDS, size: "max" },
);

describe("invariant/options/OptionsClearing campaign", () => {
  after(() => {
    const sorted = (m: Record<string, number>) =>
      Object.entries(m)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
    console.log(
      `    campaign: ${stats.runs} runs (shrinking included), ${stats.steps} steps, ${stats.marginChecks} margin checks`,
    );
    console.log(`    succeeded: ${sorted(stats.ok)}`);
    console.log(`    reverted (expected): ${sorted(stats.reverts)}`);
    console.log(
      `    breaker: ${stats.guardBlocked} guarded calls blocked, ${stats.riskReducingWhileTripped} risk-reducing calls passed while tripped`,
    );
  });

  it("holds INV_OPEN_INTEREST, INV_SOLVENCY, INV_INITIAL_MARGIN_AFTER_ACTION and INV_BREAKER_GUARDS after every step", async () => {
    const base = fuzzParams<[Iterable<fc.AsyncCommand<Model, World>>]>(DEFAULT_RUNS);
    const params: fc.Parameters<[Iterable<fc.AsyncCommand<Model, World>>]> =
      process.env.FUZZ_RUNS === undefined
        ? { ...base, interruptAfterTimeLimit: DEFAULT_TIME_LIMIT_MS }
        : base;
    await fc.assert(
      fc.asyncProperty(commandsArb, async (cmds) => {
        const book = await loadFixture(deployClearingBook);
        stats.runs++;
        const world: World = {
          book,
          vaults: { usdc: await book.usdcVault.getAddress(), weth: await book.wethVault.getAddress() },
          weth: await book.weth.getAddress(),
          clearingAddress: await book.clearing.getAddress(),
          spot: (await book.oracle.getPrice(await book.weth.getAddress()))[0],
          tripped: new Set(),
        };
        // Re-report the fixture's price: the fixture's refreshPrices() remembers the last price set in JS, which an
        // EVM snapshot revert does not reset.
        await book.setSpot(world.weth, world.spot);
        await checkInvariants(world, "setup");
        await fc.asyncModelRun(() => ({ model: { step: 0 }, real: world }), cmds);
      }),
      params,
    );
    expect(stats.steps).to.be.greaterThan(0);
  });

  it("a long credited in an account before its short is debited must not take other depositors' quote shares", async () => {
    // The minimal sequence the campaign shrinks to (see the report): bob's account holds 1 long call netted in
    // from alice's write; the series settles in the money; settling bob's account first credits it quote shares
    // that no short has paid yet.
    const book = await loadFixture(deployClearingBook);
    const { clearing, usdcVault, series, accounts } = book;
    const world: World = {
      book,
      vaults: { usdc: await usdcVault.getAddress(), weth: await book.wethVault.getAddress() },
      weth: await book.weth.getAddress(),
      clearingAddress: await clearing.getAddress(),
      spot: (await book.oracle.getPrice(await book.weth.getAddress()))[0],
      tripped: new Set(),
    };
    const call1 = series[0];
    await time.increaseTo(call1.expiry + 60);
    await book.setSpot(world.weth, 2400n * WAD);
    await clearing.settle(call1.id);
    await checkInvariants(world, "settle");
    await clearing.settleAccount(accounts[2].id); // bob's account: 1 long call, credited 400 USDC in shares
    await checkInvariants(world, "settleAccount(bob)");
  });
});
