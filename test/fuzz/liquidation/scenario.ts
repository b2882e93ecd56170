/**
 * The liquidation fuzz's scenario: the random market (an insurance fund, four portfolios of USDC and WETH collateral,
 * naked shorts, spreads and hedges, some withdrawn to just above their initial requirement) and the random price
 * path run against it (moves within the band, gaps and crashes beyond it, time, owners topping up and withdrawing,
 * expiry and settlement), with the ghost state the keeper's checks read.
 */
import { expect } from "chai";
import fc from "fast-check";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Scopes } from "../../../scripts/lib/scopes";
import { WAD } from "../../../scripts/lib/math/wad";
import { boundedFallbackPrice, seriesSettlementRounds } from "../../../scripts/lib/settlement/rounds";
import { attempt } from "../../shared/campaign/harness";
import { QUOTE_TO_WAD, perLongPayout, type BookUnderCheck } from "../../shared/campaign/checks";
import { predictBreach, readBand } from "../../shared/campaign/oracle";
import { USDC_UNIT } from "../../shared/fixtures/system";
import type { LiquidationBook } from "../../shared/fixtures/liquidation";

export const FAR = 2n ** 63n;
const FEED_UNIT = 10n ** 10n; // the feeds carry 8 decimals
const SPOT_MIN = 20n * WAD;
const SPOT_MAX = 50_000n * WAD;
/** Seconds of uncertainty in the next block's time (the in-process node follows the wall clock). */
export const TIME_SLACK_SECONDS = 120;

// ------------------------------------------------------------------------------------------------- scenario

export interface Leg {
  series: number; // 0..7
  short: boolean;
  permille: number; // size, as a share of what fits
}
export interface Portfolio {
  usdc: number; // whole USDC (0 .. 60,000)
  weth: number; // tenths of WETH (0 .. 150)
  legs: Leg[];
  /** Withdraw down to initial × (1 + edge / 100) after writing; -1: keep everything. */
  edge: number;
}
export type Keeper = { mode: "full" } | { mode: "partial"; permille: number } | { mode: "flag" };
export type Step =
  | { kind: "move"; pct: number }
  | { kind: "gap"; pct: number }
  | { kind: "time"; seconds: number }
  | { kind: "topup"; account: number }
  | { kind: "withdraw"; account: number; permille: number }
  | { kind: "expire" };
export interface Scenario {
  insuranceUsdc: number;
  portfolios: Portfolio[];
  steps: { step: Step; keeper: Keeper }[];
  /** During a trip, owners of accounts under water top up (front-run) with this chance, in permille. */
  topUpDuringTripPermille: number;
}

const legArb: fc.Arbitrary<Leg> = fc.record({
  series: fc.integer({ min: 0, max: 7 }),
  short: fc.boolean(),
  permille: fc.integer({ min: 50, max: 1000 }),
});
const portfolioArb: fc.Arbitrary<Portfolio> = fc.record({
  usdc: fc.oneof(fc.constant(0), fc.integer({ min: 500, max: 60_000 })),
  weth: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 150 })),
  legs: fc
    .array(legArb, { minLength: 1, maxLength: 5 })
    .map(([first, ...rest]) => [{ ...first, short: true }, ...rest]),
  edge: fc.oneof(
    { weight: 1, arbitrary: fc.constant(-1) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 15 }) },
  ),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("move" as const), pct: fc.integer({ min: -25, max: 25 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("gap" as const),
      pct: fc.oneof(fc.integer({ min: -90, max: -30 }), fc.integer({ min: 30, max: 150 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("time" as const),
      seconds: fc.integer({ min: 60, max: 3 * 3600 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("topup" as const), account: fc.integer({ min: 0, max: 3 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      account: fc.integer({ min: 0, max: 3 }),
      permille: fc.integer({ min: 1, max: 1000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const) }) },
);
const keeperArb: fc.Arbitrary<Keeper> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ mode: "full" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      mode: fc.constant("partial" as const),
      permille: fc.integer({ min: 50, max: 950 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ mode: "flag" as const }) },
);
export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  insuranceUsdc: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 2_000 }),
    fc.integer({ min: 2_000, max: 200_000 }),
  ),
  portfolios: fc.array(portfolioArb, { minLength: 4, maxLength: 4 }),
  steps: fc.array(fc.record({ step: stepArb, keeper: keeperArb }), { minLength: 4, maxLength: 12 }),
  topUpDuringTripPermille: fc.integer({ min: 0, max: 1000 }),
});

// ------------------------------------------------------------------------------------------------- counters

/** Counters printed at the end: proof of depth. */
export class Stats {
  scenarios = 0;
  steps = 0;
  liquidations = 0;
  partial = 0;
  full = 0;
  cappedByLiquidator = 0;
  insolvent = 0;
  badDebtEvents = 0;
  insuranceDraws = 0;
  socialisedEvents = 0;
  contractsWrittenOff = 0n;
  unsocialisable = 0;
  badDebtAgainstLongs = 0;
  debtOnlyLiquidations = 0;
  healthyRefused = 0;
  boundary = 0;
  fullRequired = 0;
  flagged = 0;
  frontRun = 0;
  trips = 0;
  blockedTripped = 0;
  blockedGrace = 0;
  resumes = 0;
  settled = 0;
  settledAccounts = 0;
  quotesMatched = 0;
  maxDiscount = 0n;
  maxGapPct = 0;
}
export const stats = new Stats();

// ------------------------------------------------------------------------------------------------- world

export interface World {
  book: LiquidationBook;
  weth: string;
  vaults: { usdc: string; weth: string };
  clearingAddress: string;
  assetScope: string;
  accounts: bigint[]; // the four portfolios
  allAccounts: bigint[]; // portfolios, maker, liquidator
  holders: string[]; // every wallet that can hold long tokens
  spot: bigint;
  /** Spot when each portfolio was last seen healthy (collateral >= maintenance). */
  lastHealthySpot: Map<bigint, bigint>;
  /** Per settled series id: what one long receives, fixed at settlement (scaled by written-off shorts). */
  longPayout: Map<bigint, bigint>;
  scenario: Scenario;
  rng: number; // a cursor into scenario-provided randomness for minor choices
}

export async function newWorld(book: LiquidationBook, scenario: Scenario): Promise<World> {
  const weth = await book.weth.getAddress();
  return {
    book,
    weth,
    vaults: { usdc: await book.usdcVault.getAddress(), weth: await book.wethVault.getAddress() },
    clearingAddress: await book.clearing.getAddress(),
    assetScope: Scopes.asset(weth),
    accounts: book.portfolios,
    allAccounts: [...book.portfolios, book.makerAccount, book.liquidatorAccount],
    holders: [
      book.maker.address,
      book.bob.address,
      ...book.owners.map((o: HardhatEthersSigner) => o.address),
    ],
    spot: (await book.oracle.getPrice(weth))[0],
    lastHealthySpot: new Map(),
    longPayout: new Map(),
    scenario,
    rng: 0,
  };
}

/** The world as the shared book checks sum over it: portfolios, maker and liquidator, every wallet. */
export function underCheck(w: World): BookUnderCheck {
  return {
    book: w.book,
    clearingAddress: w.clearingAddress,
    vaults: w.vaults,
    series: w.book.series,
    accounts: w.allAccounts,
    holders: w.holders,
    longPayout: w.longPayout,
  };
}

/** Record every portfolio seen healthy at the current spot (the keeper's bad-debt check measures moves from it). */
export async function noteHealthy(w: World): Promise<void> {
  for (const a of w.accounts) {
    const h = await w.book.clearing.health(a);
    if (h.collateralValueWad >= h.maintenanceWad) w.lastHealthySpot.set(a, w.spot);
  }
}

// ------------------------------------------------------------------------------------------------- market

/** Report the feeds at `priceWad` and poke; predict and check whether the move trips WETH's price scope. */
async function setSpot(w: World, target: bigint): Promise<boolean> {
  const { oracle, breaker } = w.book;
  let next = target < SPOT_MIN ? SPOT_MIN : target > SPOT_MAX ? SPOT_MAX : target;
  next = (next / FEED_UNIT) * FEED_UNIT;
  const band = await readBand(oracle, w.weth);
  const tPoke = (await time.latest()) + 4; // three feed reports, then the poke
  const predicted = predictBreach(band, next, tPoke - TIME_SLACK_SECONDS, tPoke + TIME_SLACK_SECONDS);
  const wasTripped = await breaker.isTripped(w.assetScope);
  await w.book.setSpot(w.weth, next);
  w.spot = next;
  const tripped = await breaker.isTripped(w.assetScope);
  if (!wasTripped && predicted !== undefined) {
    expect(tripped, `band breach prediction for ${band.referenceWad} -> ${next}`).to.equal(predicted);
  }
  if (tripped && !wasTripped) stats.trips++;
  return tripped;
}

export async function refresh(w: World): Promise<void> {
  await w.book.refreshPrices();
}

/** Pin the next block's time so that views called on the pending block see exactly what the next tx will. */
export async function pinNextBlock(): Promise<number> {
  const at = (await time.latest()) + 3;
  await time.setNextBlockTimestamp(at);
  return at;
}

/** The owner of portfolio `i` deposits USDC worth `shortfallWad` and 20% more. */
export async function topUp(w: World, i: number, shortfallWad: bigint): Promise<void> {
  const { clearing, usdcVault } = w.book;
  const owner = w.book.owners[i];
  const assets = (shortfallWad * 12n) / 10n / QUOTE_TO_WAD + USDC_UNIT;
  const shares = await usdcVault.convertToShares(assets);
  await attempt(
    w,
    "topUp",
    () => clearing.connect(owner).depositCollateral(w.accounts[i], w.vaults.usdc, shares),
    "succeed",
  );
  stats.frontRun++;
}

// ------------------------------------------------------------------------------------------------- steps

/**
 * Run one step of the price path or of the owners; returns whether it tripped WETH's price scope (the keeper then
 * goes through the trip, its cooldown, the resume and the grace period before the next step).
 */
export async function applyStep(w: World, step: Step): Promise<boolean> {
  const { clearing, governor } = w.book;
  switch (step.kind) {
    case "move":
    case "gap": {
      const target = (w.spot * BigInt(100 + step.pct)) / 100n;
      const tripped = await setSpot(w, target);
      if (step.kind === "gap" && Math.abs(step.pct) > stats.maxGapPct) stats.maxGapPct = Math.abs(step.pct);
      return tripped;
    }
    case "time":
      await time.increase(step.seconds);
      await refresh(w);
      return false;
    case "topup": {
      // Front-run: the owner of an account under water tops up before the keeper comes.
      const account = w.accounts[step.account];
      const q = await clearing.liquidationQuote(account);
      if (q.belowMaintenance) {
        await topUp(w, step.account, q.maintenanceWad - q.collateralValueWad);
        await pinNextBlock();
        const again = await clearing.liquidationQuote(account, { blockTag: "pending" });
        if (!again.belowMaintenance && !again.settlementPending) {
          await attempt(
            w,
            "liquidate after top-up",
            () => clearing.connect(w.book.bob).liquidate(account, w.book.liquidatorAccount, WAD, 0, FAR),
            "AccountHealthy",
          );
        }
      }
      return false;
    }
    case "withdraw": {
      const owner = w.book.owners[step.account];
      const account = w.accounts[step.account];
      const balance = await clearing.collateralOf(account, w.vaults.usdc);
      const shares = (balance * BigInt(step.permille)) / 1000n;
      if (shares > 0n) {
        await attempt(
          w,
          "withdrawCollateral",
          () => clearing.connect(owner).withdrawCollateral(account, w.vaults.usdc, shares, owner.address),
          // INV_NO_TRIPPED_PRICE: an account valued at a tripped price withdraws nothing.
          (await w.book.breaker.isTripped(w.assetScope))
            ? ["BelowInitialMargin", "InsufficientCollateral", "ScopeTripped"]
            : ["BelowInitialMargin", "InsufficientCollateral"],
        );
      }
      return false;
    }
    case "expire": {
      // Jump to the next expiry not yet settled (if none has passed), report, settle every expired series.
      const now = await time.latest();
      const open = [];
      for (const s of w.book.series) if (!(await clearing.series(s.id)).settled) open.push(s);
      if (open.length === 0) return false;
      const next = Math.min(...open.map((s) => s.expiry));
      if (next > now) await time.increaseTo(next + 60);
      await refresh(w);
      const windowSeconds = Number(await clearing.SETTLEMENT_WINDOW_SECONDS());
      for (const s of open) {
        const t = await time.latest();
        if (s.expiry > t) continue;
        const windowEnd = s.expiry + windowSeconds;
        if (t + 1 + TIME_SLACK_SECONDS < windowEnd) {
          await attempt(w, "settle", () => clearing.settle(s.id), "succeed");
        } else {
          if (t + 1 <= windowEnd) {
            await time.increaseTo(windowEnd + 1);
            await refresh(w);
          }
          // After the window: the first round recorded in it, else governance's bounded fallback.
          const rounds = await seriesSettlementRounds(clearing, w.book.oracle, BigInt(s.id));
          if (rounds.firstInWindow !== null) {
            const roundId = rounds.firstInWindow;
            const tripped = await w.book.breaker.isTripped(w.assetScope);
            await attempt(
              w,
              "settleFromRound",
              () => clearing.settleFromRound(s.id, roundId),
              tripped ? "ScopeTripped" : "succeed",
            );
            if (tripped) continue;
          } else {
            const deviation = await clearing.FALLBACK_MAX_DEVIATION_WAD();
            const price = boundedFallbackPrice(w.spot, rounds.referencePriceWad, deviation);
            await attempt(
              w,
              "settleWithFallbackPrice",
              () => clearing.connect(governor).settleWithFallbackPrice(s.id, price, rounds.referenceRoundId),
              "succeed",
            );
          }
        }
        w.longPayout.set(s.id, await perLongPayout(clearing, s.id));
        stats.settled++;
      }
      return false;
    }
  }
}

// ------------------------------------------------------------------------------------------------- setup

/** Fund and build the scenario's insurance and its four portfolios. */
export async function buildMarket(w: World): Promise<void> {
  const { book, scenario } = w;
  if (scenario.insuranceUsdc > 0) {
    await book.insurance
      .connect(book.staker)
      .deposit(BigInt(scenario.insuranceUsdc) * USDC_UNIT, book.staker.address);
  }
  const { clearing, maker, makerAccount, series } = book;
  for (let i = 0; i < w.accounts.length; i++) {
    const p = scenario.portfolios[i];
    const owner = book.owners[i];
    const account = w.accounts[i];
    let usdc = BigInt(p.usdc) * USDC_UNIT;
    const weth = (BigInt(p.weth) * WAD) / 10n;
    if (usdc === 0n && weth === 0n) usdc = 1_000n * USDC_UNIT;
    if (usdc > 0n) {
      const shares = await book.usdcVault.convertToShares(usdc);
      await attempt(
        w,
        "deposit",
        () => clearing.connect(owner).depositCollateral(account, w.vaults.usdc, shares),
        "succeed",
      );
    }
    if (weth > 0n) {
      const shares = await book.wethVault.convertToShares(weth);
      await attempt(
        w,
        "deposit",
        () => clearing.connect(owner).depositCollateral(account, w.vaults.weth, shares),
        "succeed",
      );
    }
    for (const leg of p.legs) {
      const s = series[leg.series];
      if (leg.short) {
        // About 0.45 × spot of initial margin per naked short: size up to ~1.3× what fits.
        const h = await clearing.health(account);
        const free = h.collateralValueWad > h.initialWad ? h.collateralValueWad - h.initialWad : 0n;
        let amount = (free * WAD * 3n * BigInt(leg.permille)) / (w.spot * 1000n);
        if (amount === 0n) amount = WAD / 100n;
        await attempt(w, "write", () => clearing.connect(owner).write(account, s.id, amount, maker.address), [
          "BelowInitialMargin",
          "RequirementRoundsToZero",
        ]);
      } else {
        // A long from the market maker, netted into the account (spreads and hedges).
        const amount = (WAD * 5n * BigInt(leg.permille)) / 1000n;
        await attempt(
          w,
          "write (maker)",
          () => clearing.connect(maker).write(makerAccount, s.id, amount, owner.address),
          "succeed",
        );
        await attempt(
          w,
          "depositLongs",
          () => clearing.connect(owner).depositLongs(account, s.id, amount),
          "succeed",
        );
      }
    }
    if (p.edge >= 0) {
      // Withdraw USDC down to just above the initial requirement: a marginal account.
      const h = await clearing.health(account);
      const keep = (h.initialWad * BigInt(100 + p.edge)) / 100n;
      if (h.collateralValueWad > keep) {
        const balance = await clearing.collateralOf(account, w.vaults.usdc);
        let shares = await book.usdcVault.convertToShares((h.collateralValueWad - keep) / QUOTE_TO_WAD);
        if (shares > balance) shares = balance;
        if (shares > 0n) {
          await attempt(
            w,
            "withdrawCollateral",
            () => clearing.connect(owner).withdrawCollateral(account, w.vaults.usdc, shares, owner.address),
            ["BelowInitialMargin"],
          );
        }
      }
    }
  }
}
