/**
 * Fuzzed liquidation scenarios on the whole suite (real oracle, breaker, vaults, insurance, calculator, clearing).
 *
 * Each run draws, with fast-check, a portfolio for each of four accounts (USDC and/or WETH collateral; short and
 * long calls and puts on eight series, so naked shorts, spreads and hedges; some accounts withdrawn down to just
 * above their initial requirement), an insurance fund (often empty) and a price path: moves within the oracle's
 * band, gaps and crashes of 30-90% (and jumps up of 30-150%) in one step, time passing, owners topping up
 * (front-running the keeper), owners withdrawing, expiry and settlement. After every step a keeper goes through
 * every account: it settles an account with pending lazy settlement, quotes it (`liquidationQuote`) and
 * liquidates it with a full appetite, a partial one, or only flags it to let the auction discount grow.
 *
 * A gap beyond the oracle's band (50% here) trips WETH's price scope: the harness predicts the trip from the
 * oracle's band state, asserts that every liquidation attempt reverts `ScopeTripped`, waits out the cooldown with
 * fresh feed reports, has the governor resume, asserts `ScopeInGracePeriod` during the grace period, then goes on.
 *
 * Checked after every liquidation: INV_NO_HEALTHY_LIQUIDATION (health recomputed in TypeScript from the margin
 * reference and the vaults: an account healthy by it must revert AccountHealthy, one clearly under must be
 * liquidated); INV_LIQUIDATION_IMPROVES (the account ends fully closed or with a better collateral/maintenance
 * ratio); INV_INITIAL_MARGIN_AFTER_ACTION for the liquidator; the quote equals what the liquidation did;
 * INV_BAD_DEBT_ACCOUNTED (insurance drawn + socialised == deficit, the deficit recomputed from the reference mark
 * liability; the insurance vault paid exactly what was booked; write-offs only with a socialised loss; bad debt
 * only after a move larger than the margin grid covers since the account was last healthy). After every step:
 * INV_OPEN_INTEREST (longTokens + longsInAccounts == shorts + writtenOff, and the totals recomputed from every
 * account and wallet) and INV_SOLVENCY.
 *
 * Layout: `liquidation/scenario.ts` (the random market and price path, the ghost state, the counters) and
 * `liquidation/keeper.ts` (the keeper's pass and what every liquidation must do); the book checks after every step
 * are the invariant campaign's, shared through test/shared/campaign/ (which also adds per-series solvency and the
 * series lists here).
 *
 * Runs: `npm test` runs DEFAULT_RUNS scenarios (a fixed count, no time limit). A scenario costs
 * seconds, not milliseconds, so `FUZZ_RUNS=n` (npm run test:fuzz: 2,000) runs n / FUZZ_RUNS_DIVISOR scenarios;
 * `LIQ_FUZZ_RUNS=n` sets the number of scenarios exactly. Replay: `FUZZ_SEED=<seed> [FUZZ_PATH=<path>]`.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { boundedShrink, fuzzParams } from "../shared/fuzz";
import { checkBook } from "../shared/campaign/checks";
import { deployLiquidationBook } from "../shared/fixtures/liquidation";
import { keeperRound, recover } from "./liquidation/keeper";
import {
  applyStep,
  buildMarket,
  newWorld,
  noteHealthy,
  scenarioArb,
  stats,
  underCheck,
  type Scenario,
  type World,
} from "./liquidation/scenario";

/** Scenarios of the bounded campaign (`npm test`). */
const DEFAULT_RUNS = 8;
/**
 * Scenarios under `npm run coverage` (`fuzzParams`'s coverage runs). One: an instrumented scenario takes
 * minutes, and the unit tests reach LiquidationLogic's branches; the campaign's checks run in `npm test`.
 */
const COVERAGE_RUNS = 1;
/** Under `FUZZ_RUNS` (the long campaign), scenarios = FUZZ_RUNS / FUZZ_RUNS_DIVISOR (a scenario is ~100 txs). */
const FUZZ_RUNS_DIVISOR = 10;

/** The checks after every step: the shared book invariants, then which portfolios are healthy at this spot. */
async function checkAfter(w: World, where: string): Promise<void> {
  await checkBook(underCheck(w), where);
  await noteHealthy(w);
}

describe("fuzz/Liquidation scenarios (random portfolios, price gaps, breaker trips)", () => {
  after(() => {
    const s = stats;
    console.log(
      `    scenarios: ${s.scenarios} (shrinking included), ${s.steps} steps; liquidations ${s.liquidations} ` +
        `(partial ${s.partial}, full ${s.full}, capped by the liquidator ${s.cappedByLiquidator}, debt-only ${s.debtOnlyLiquidations}); quotes matched ${s.quotesMatched}`,
    );
    console.log(
      `    insolvent ${s.insolvent}, bad-debt events ${s.badDebtEvents}, insurance draws ${s.insuranceDraws}, ` +
        `socialised ${s.socialisedEvents} (${Number(s.contractsWrittenOff) / 1e18} contracts written off), unsocialisable remainders ${s.unsocialisable}, ` +
        `bad debt beside pending settled longs ${s.badDebtAgainstLongs}`,
    );
    console.log(
      `    refused healthy ${s.healthyRefused}, FullLiquidationRequired ${s.fullRequired}, flagged ${s.flagged}, top-ups ${s.frontRun}, ` +
        `boundary cases ${s.boundary}, max discount ${Number(s.maxDiscount) / 1e16}%, largest gap ${s.maxGapPct}%`,
    );
    console.log(
      `    breaker: ${s.trips} trips, ${s.blockedTripped} attempts refused while tripped, ${s.blockedGrace} in grace, ${s.resumes} resumes; ` +
        `${s.settled} series settled, ${s.settledAccounts} accounts settled by the keeper`,
    );
  });

  it("liquidates only unhealthy accounts, improves them, conserves open interest, stays solvent, accounts for bad debt", async function () {
    const base = fuzzParams<[Scenario]>(DEFAULT_RUNS, COVERAGE_RUNS);
    const exact = process.env.LIQ_FUZZ_RUNS;
    // The long campaign (and its shrinking) may take longer than mocha's default timeout.
    if (exact !== undefined || process.env.FUZZ_RUNS !== undefined) this.timeout(0);
    const params: fc.Parameters<[Scenario]> =
      exact !== undefined
        ? { ...base, numRuns: Number(exact) }
        : process.env.FUZZ_RUNS !== undefined
          ? { ...base, numRuns: Math.max(1, Math.ceil(Number(process.env.FUZZ_RUNS) / FUZZ_RUNS_DIVISOR)) }
          : base;
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        boundedShrink("liquidation fuzz", async (scenario: Scenario) => {
          const book = await loadFixture(deployLiquidationBook);
          stats.scenarios++;
          const w = await newWorld(book, scenario);
          // Re-report the fixture's price (an EVM snapshot revert does not reset the fixture's JS state).
          await book.setSpot(w.weth, w.spot);
          await buildMarket(w);
          await checkAfter(w, "setup");
          for (let i = 0; i < scenario.steps.length; i++) {
            const { step, keeper } = scenario.steps[i];
            const where = `step ${i} ${JSON.stringify(step)} keeper ${JSON.stringify(keeper)}`;
            stats.steps++;
            if (await applyStep(w, step)) await recover(w, keeper, where);
            else await keeperRound(w, keeper, "open", where);
            await checkAfter(w, where);
          }
        }),
      ),
      params,
    );
    expect(stats.scenarios).to.be.greaterThan(0);
  });
});
