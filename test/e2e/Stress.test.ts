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
  archetypeScenarios,
  loadStressConfig,
  validateStressConfig,
  StressConfigError,
  type ScenarioSpec,
  type StressConfig,
} from "../../scripts/stress/scenarios";
import { marketPath } from "../../scripts/stress/paths";
import { runScenario } from "../../scripts/stress/simulate";
import { reportHtml, summaryLine } from "../../scripts/stress/report";
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

/** The config's wrong-way archetype (WETH-backed puts) alone, its 45% crash cut to six steps (crash at step 2). */
function archetypeCrash(config: StressConfig): ScenarioSpec {
  const archetype = config.sweep.archetypes?.find((a) => a.name === "weth-puts");
  if (archetype === undefined) throw new Error("config/stress.json: no weth-puts archetype");
  const short = { ...config, sweep: { ...config.sweep, drops: [0.45], at: 2 } };
  return { ...archetypeScenarios(short, archetype)[0], steps: 6 };
}

describe("e2e: economic stress simulation (scripts/stress)", function () {
  let config: StressConfig;
  let suite: Suite;
  let first: ScenarioResult;
  let second: ScenarioResult;
  let archetype: ScenarioResult;
  let fromBlock: number;
  let liquidated: { count: number; coveredWad: bigint };
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
    // A snapshot is consumed by its revert: take it again for the archetype's run.
    const again = (await hre.network.provider.send("evm_snapshot", [])) as string;
    second = await runScenario(suite, config, smallCrash(config));
    // Read the second run's events before the archetype's run re-mines these block numbers.
    const events = await suite.clearing.queryFilter(
      suite.clearing.filters.Liquidated(),
      fromBlock,
      await hre.ethers.provider.getBlockNumber(),
    );
    liquidated = {
      count: events.length,
      coveredWad: events.reduce((s, e) => s + e.args.result.coveredWad, 0n),
    };
    await hre.network.provider.send("evm_revert", [again]);
    archetype = await runScenario(suite, config, archetypeCrash(config));
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

  it("the liquidation count equals the Liquidated events on chain", function () {
    expect(second.summary.liquidations.count).to.equal(liquidated.count);
    expect(liquidated.coveredWad).to.equal(BigInt(second.summary.exact.coveredWad));
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

  it("the report reads gas as gas and its bad debt as the sum of the two parts it shows", function () {
    const s = first.summary;
    const plain = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 0 });
    const cents = (figure: string): number => Math.round(Number(figure.replace(/,/g, "")) * 100);
    const line = summaryLine(first, 1_000);
    expect(line).to.contain(`keepers used ${plain(s.gas.keeper)} gas in ${s.gas.keeperTxs} transactions`);
    const html = reportHtml([first], [], { configPath: CONFIG, generatedBy: "test" });
    expect(html).to.contain(`<td>${plain(s.gas.keeper)} gas (${s.gas.keeperTxs} txs)</td>`);
    expect(html).to.contain(`by the oracle pokes ${plain(s.gas.oracle)} gas.`);
    for (const l of first.liquidations) expect(html).to.contain(`<td>${plain(l.gas)} gas</td></tr>`);
    // "bad debt X = insurance Y + socialised Z" in the console line and the scenario's paragraph: X = Y + Z to the
    // cent as shown, and X the measured bad debt to within the cent each part is rounded to.
    const sums = [line, html].map((text) => {
      const m = /bad debt ([\d,.]+) = insurance ([\d,.]+) \+ socialised ([\d,.]+)/.exec(text);
      expect(m, text.slice(0, 400)).to.not.equal(null);
      return m!.slice(1).map(cents);
    });
    for (const [total, insurance, socialised] of sums) {
      expect(total).to.equal(insurance + socialised);
      expect(Math.abs(total - s.badDebt * 100)).to.be.at.most(1.01);
      expect(total, "the crash leaves bad debt").to.be.greaterThan(0);
    }
  });

  it("is reproducible: a second run from the same snapshot gives the same metrics", function () {
    expect(JSON.stringify(second)).to.equal(JSON.stringify(first));
  });

  it("an archetype's sweep point runs its writer alone, sized by the margin to the configured leverage", function () {
    const spec = config.sweep.archetypes?.find((a) => a.name === "weth-puts")?.writer;
    expect(archetype.books.map((b) => b.writer)).to.deep.equal(["weth-puts"]);
    for (const s of archetype.trace) expect(s.accounts).to.have.length(1 + config.agents.keepers.length);
    const [book] = archetype.books;
    // 50 WETH at 2,000 after the 20% haircut (config/local.json), the initial requirement at the configured leverage.
    expect(book.collateral).to.equal("WETH");
    expect(book.collateralValue).to.be.closeTo(50 * 2000 * 0.8, 1e-6);
    expect(book.initial / book.collateralValue).to.be.within(
      (spec?.leverage ?? 0) - 0.01,
      spec?.leverage ?? 0,
    );
    expect(book.legs).to.have.length(1);
    expect(book.legs[0].series).to.equal("put 1800");
    expect(book.legs[0].contracts).to.be.greaterThan(0);
    // 45% down is beyond the margin shock: the account is taken whole at a loss, and the accounting adds up.
    expect(archetype.summary.liquidations.insolvent).to.equal(1);
    expect(archetype.summary.badDebt).to.be.greaterThan(0);
    for (const c of archetype.checks) expect(c.ok, `${c.name}: ${c.detail}`).to.equal(true);
  });

  it("an up archetype's sweep is a rally of the same size", function () {
    const up = config.sweep.archetypes?.find((a) => a.direction === "up");
    expect(up, "an up archetype in config/stress.json").to.not.equal(undefined);
    if (up === undefined) return;
    const [first] = archetypeScenarios(config, up);
    const path = marketPath(first.path, first.steps, config.stepSeconds, first.seed);
    // The sweep's noise is 0: flat, then 1 + size from the crash step on.
    expect(path[config.sweep.at - 1]).to.equal(1);
    expect(path[config.sweep.at]).to.be.closeTo(1 + config.sweep.drops[0], 1e-12);
    expect(path[first.steps]).to.be.closeTo(1 + config.sweep.drops[0], 1e-12);
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
