import fc from "fast-check";
import hre from "hardhat";

/**
 * Settings shared by every fast-check property and campaign.
 *
 * - `FUZZ_SEED` replays a run: every failure prints `seed` and `path` (and the shrunk counterexample);
 *   rerun with `FUZZ_SEED=<seed> FUZZ_PATH=<path> npm test` to get the same counterexample back.
 * - Under `CI=true` the default seed is fixed (`CI_DEFAULT_SEED`), so CI is reproducible; elsewhere every run
 *   draws a new seed and prints it, so local runs keep exploring.
 * - `FUZZ_RUNS` scales the campaign: `npm test` uses each property's bounded default,
 *   `npm run test:fuzz` a long one.
 * - Under `npm run coverage` (`UNDER_COVERAGE`) every property runs at most `COVERAGE_RUNS` runs: coverage measures
 *   which contract code the suites reach, the deep search belongs to `npm test` and `npm run test:fuzz`.
 */
const envSeed = process.env.FUZZ_SEED;
/** The seed CI uses when none is given, so a CI run is reproducible; local runs explore a new seed each time. */
export const CI_DEFAULT_SEED = 20_261_122;
export const FUZZ_SEED: number =
  envSeed !== undefined
    ? Number(envSeed)
    : process.env.CI === "true"
      ? CI_DEFAULT_SEED
      : Date.now() ^ (Math.random() * 0x7fffffff);

/**
 * Whether the suite runs under solidity-coverage (`npm run coverage`), whose instrumented contracts run many times
 * slower. Every property then runs a small fixed number of runs (`fuzzRuns`), and the stateful campaigns a small fixed
 * number of scenarios with no time limit: deterministic for the fixed CI seed, and never interrupted before their
 * first run on a slow or busy machine.
 */
export const UNDER_COVERAGE =
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

/**
 * Runs of each property under coverage (fewer when its bounded default is smaller). Instrumented contracts run
 * 30-40 times slower (test/fuzz/ClearingMargin: 4.5 s in `npm test`, 158 s instrumented at 40 runs), and the unit
 * suites reach the contracts' branches on purpose: a few runs per property keep the fuzz suites' own paths in
 * the measurement without repeating them. `FUZZ_RUNS`, when set, still wins.
 */
export const COVERAGE_RUNS = 5;

let announced = false;

/**
 * Runs of a property whose bounded campaign (`npm test`) is `defaultRuns`: FUZZ_RUNS, else at most `coverageRuns`
 * under coverage (a stateful campaign whose runs cost minutes instrumented passes fewer).
 */
export function fuzzRuns(defaultRuns: number, coverageRuns = COVERAGE_RUNS): number {
  if (process.env.FUZZ_RUNS !== undefined) return Number(process.env.FUZZ_RUNS);
  return UNDER_COVERAGE ? Math.min(defaultRuns, coverageRuns) : defaultRuns;
}

/**
 * fast-check parameters for a property whose bounded campaign (`npm test`) is `defaultRuns` runs (`fuzzRuns`). No
 * time limit, ever: fast-check abandons an async run at its limit without stopping it.
 */
export function fuzzParams<T>(defaultRuns: number, coverageRuns = COVERAGE_RUNS): fc.Parameters<T> {
  if (!announced) {
    // Printed once so that even a passing run can be replayed.
    console.log(`    fuzz seed: ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED})`);
    announced = true;
  }
  return {
    seed: FUZZ_SEED,
    path: process.env.FUZZ_PATH,
    numRuns: fuzzRuns(defaultRuns, coverageRuns),
    verbose: fc.VerbosityLevel.Verbose,
    endOnFailure: false,
  };
}

/**
 * Failing runs a campaign executes while shrinking, after the first failure (`FUZZ_MAX_SHRINKS`, default 12): an
 * instrumented or long stateful run can take seconds, and fast-check's shrinker has no budget of its own.
 */
export const MAX_SHRINK_FAILURES = Number(process.env.FUZZ_MAX_SHRINKS ?? 12);

/**
 * Wrap a stateful campaign's property so that a failure never looks like a hang: the first failure prints its
 * counterexample, error and replay command at once; shrinking then executes at most MAX_SHRINK_FAILURES further
 * failing runs, after which every remaining candidate is skipped without running (counted as passing), so fast-check
 * ends at once with the smallest counterexample found so far (printed with its seed and path, as always).
 */
export function boundedShrink<T extends unknown[]>(
  label: string,
  body: (...args: T) => Promise<void>,
): (...args: T) => Promise<void> {
  let runs = 0;
  let failures = 0;
  return async (...args: T) => {
    if (failures > MAX_SHRINK_FAILURES) return;
    const run = runs++;
    try {
      await body(...args);
    } catch (e) {
      failures++;
      if (failures === 1) {
        const path = process.env.FUZZ_PATH ?? String(run);
        console.log(`    ${label}: counterexample at run ${run}: ${fc.stringify(args)}`);
        console.log(`    ${label}: ${(e as Error).message}`);
        console.log(`    ${label}: replay it with FUZZ_SEED=${FUZZ_SEED} FUZZ_PATH=${path}`);
        console.log(`    ${label}: shrinking, at most ${MAX_SHRINK_FAILURES} more failing runs`);
      } else if (failures > MAX_SHRINK_FAILURES) {
        console.log(
          `    ${label}: shrink budget spent; the smallest counterexample so far is reported below`,
        );
      }
      throw e;
    }
  };
}
