/**
 * The economic stress simulation (scripts/stress, `npm run stress`) on one small scenario: the suite deployed with
 * the real deploy path, a crash beyond the margin shocks, keepers liquidating insolvent accounts. The metrics must
 * add up (insurance drawn + socialised == bad debt measured from the views before each liquidation), the keepers'
 * count must equal the Liquidated events on chain, and a second run from the same snapshot must give the same
 * numbers. The config file's validation and the seeded paths are checked too.
 */
import { expect } from "chai";
import hre from "hardhat";
import {
  loadStressConfig,
  validateStressConfig,
  StressConfigError,
  type ScenarioSpec,
  type StressConfig,
} from "../../scripts/stress/scenarios";
import { marketPath } from "../../scripts/stress/paths";
import { runScenario } from "../../scripts/stress/simulate";
import { deployForStress, type Suite } from "../../scripts/stress/suite";
import type { ScenarioResult } from "../../scripts/stress/metrics";

const CONFIG = "config/stress.json";

/** Seven steps: -20% then -25% at steps 3 and 4 (beyond the -30% margin shock, inside the 50% oracle band). */
function smallCrash(config: StressConfig): ScenarioSpec {
  return {
    name: "test-crash",
    description: "test: -40% in two steps",
    steps: 7,
    seed: 4242,
    path: { kind: "crash", at: 3, drops: [0.2, 0.25], noise: 0.5 },
    guardian: { ...config.agents.guardian, enabled: false },
  };
}

describe("e2e: economic stress simulation (scripts/stress)", function () {
  let config: StressConfig;
  let suite: Suite;
  let first: ScenarioResult;
  let second: ScenarioResult;
  let fromBlock: number;
  let clean: string;

  before(async function () {
    // The scenarios move the chain to config.startTime (2030): leave the shared test chain as it was found.
    clean = (await hre.network.provider.send("evm_snapshot", [])) as string;
    config = loadStressConfig(CONFIG);
    console.log(`      stress test scenario seed ${smallCrash(config).seed}`);
    suite = await deployForStress(hre, config);
    const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
    fromBlock = (await hre.ethers.provider.getBlockNumber()) + 1;
    first = await runScenario(suite, config, smallCrash(config));
    await hre.network.provider.send("evm_revert", [snapshot]);
    second = await runScenario(suite, config, smallCrash(config));
  });

  after(async function () {
    await hre.network.provider.send("evm_revert", [clean]);
  });

  it("the crash produces insolvent liquidations, so the accounting below is exercised", function () {
    expect(first.summary.liquidations.count).to.be.greaterThan(0);
    expect(first.summary.liquidations.insolvent).to.be.greaterThan(0);
    expect(first.summary.badDebt).to.be.greaterThan(0);
  });

  it("insurance drawn + socialised == bad debt (from health and the calculator's mark before each liquidation), to the wei less dust", function () {
    const { badDebtWad, coveredWad, socialisedWad } = first.summary.exact;
    // Exact, except that a remainder under one USDC unit (1e12 WAD) per liquidation is absorbed by the liquidator.
    const gap = BigInt(badDebtWad) - BigInt(coveredWad) - BigInt(socialisedWad);
    expect(gap >= 0n && gap < BigInt(first.liquidations.length) * 10n ** 12n, `gap ${gap}`).to.equal(true);
    for (const l of first.liquidations) {
      // Per liquidation, in quote units rounded to the micro-unit.
      expect(l.covered + l.socialised).to.be.closeTo(l.deficit, 2e-6);
      if (l.deficit > 0) expect(l.fraction).to.equal(1); // an insolvent account is taken whole
    }
  });

  it("the liquidation count equals the Liquidated events on chain", async function () {
    const events = await suite.clearing.queryFilter(suite.clearing.filters.Liquidated(), fromBlock, "latest");
    expect(second.summary.liquidations.count).to.equal(events.length);
    const covered = events.reduce((s, e) => s + e.args.result.coveredWad, 0n);
    expect(covered).to.equal(BigInt(second.summary.exact.coveredWad));
  });

  it("every consistency check of the run passes (insurance vault events and balance, written-off contracts)", function () {
    for (const c of first.checks) expect(c.ok, `${c.name}: ${c.detail}`).to.equal(true);
    expect(first.checks.map((c) => c.name)).to.include.members([
      "insurance drawn + socialised == bad debt (less dust under one quote unit)",
      "insurance drawn == InsuranceVault BadDebtCovered + pending penalties used as cover",
      "insurance assets: start + staked + penalties paid - drawn == end; penalties taken all accounted for",
      "liquidation count == Liquidated events",
    ]);
  });

  it("the trace has one record per step with every account's collateralisation", function () {
    expect(first.trace).to.have.length(7);
    for (const s of first.trace)
      expect(s.accounts).to.have.length(config.agents.writers.length + config.agents.keepers.length);
    // The crash makes accounts unhealthy: the first unhealthy step is the crash's (step 3) or later.
    expect(first.summary.unhealthy.firstStep).to.be.at.least(3);
    expect(first.summary.gas.keeper).to.be.greaterThan(0);
  });

  it("is reproducible: a second run from the same snapshot gives the same metrics", function () {
    expect(JSON.stringify(second)).to.equal(JSON.stringify(first));
  });

  it("seeded paths: the same seed gives the same path, another seed another", function () {
    const spec = config.scenarios[0].path;
    expect(marketPath(spec, 20, 900, 7)).to.deep.equal(marketPath(spec, 20, 900, 7));
    expect(marketPath(spec, 20, 900, 7)).to.not.deep.equal(marketPath(spec, 20, 900, 8));
  });

  it("a bad config is refused with every problem named", function () {
    const bad = JSON.parse(JSON.stringify(config)) as StressConfig;
    bad.agents.writers[0].leverage = 1.5;
    bad.scenarios[1].name = bad.scenarios[0].name;
    bad.stepSeconds = 5;
    let error: unknown;
    try {
      validateStressConfig(bad, "bad.json");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StressConfigError);
    const problems = (error as StressConfigError).problems.join("\n");
    expect(problems).to.contain("agents.writers[0].leverage");
    expect(problems).to.contain(`scenarios[1].name: '${bad.scenarios[0].name}' used twice`);
    expect(problems).to.contain("stepSeconds");
  });
});
