/**
 * `npm run stress`: deploy the suite on the in-process Hardhat network with the real deploy path
 * (scripts/lib/deploy/suite.ts, config/local.json), then run every scenario of config/stress.json and the crash
 * sweep, each from the same post-deployment snapshot. Writes reports/stress/<scenario>.json, sweep.json, the
 * self-contained HTML report reports/stress/index.html and the main chart alone in reports/stress/main.html.
 *
 * Environment: STRESS_CONFIG (default config/stress.json), STRESS_ONLY (comma-separated scenario names; "sweep"
 * for the sweep of the default agents, "archetypes" for every archetype's sweep, or an archetype's name; default
 * all), STRESS_OUT (default reports/stress), STRESS_RENDER=1 (only rebuild the HTML from the
 * JSON results already in STRESS_OUT), STRESS_BASELINE (another run's sweep.json: its archetype sweeps drawn dashed
 * beside this run's, e.g. the contracts before a change).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { archetypeScenarios, loadStressConfig, sweepScenarios, type ScenarioSpec } from "./scenarios";
import type { ScenarioResult } from "./metrics";
import { mainChartHtml, reportHtml, summaryLine, type ArchetypeSweep, type SweepPoint } from "./report";
import { runScenario } from "./simulate";
import { deployForStress } from "./suite";

function json(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

async function main(): Promise<void> {
  const configPath = process.env.STRESS_CONFIG ?? "config/stress.json";
  const outDir = process.env.STRESS_OUT ?? join("reports", "stress");
  const only = process.env.STRESS_ONLY?.split(",").map((x) => x.trim());
  const config = loadStressConfig(configPath);
  const wanted = (name: string) => only === undefined || only.includes(name);
  mkdirSync(outDir, { recursive: true });
  if (process.env.STRESS_RENDER === "1") {
    render(
      outDir,
      configPath,
      config.scenarios.map((s) => s.name),
    );
    return;
  }

  console.log(
    `stress: config ${configPath}; step ${config.stepSeconds} s; deploying from ${config.deployConfig}`,
  );
  const started = Date.now();
  const suite = await deployForStress(hre, config, (l) => console.log(`  ${l}`));
  const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
  let current = snapshot;
  const revert = async () => {
    await hre.network.provider.send("evm_revert", [current]);
    current = (await hre.network.provider.send("evm_snapshot", [])) as string;
  };

  const results: ScenarioResult[] = [];
  for (const scenario of config.scenarios.filter((s) => wanted(s.name))) {
    await revert();
    const t = Date.now();
    const r = await runScenario(suite, config, scenario, (l) => console.log(l));
    results.push(r);
    writeFileSync(join(outDir, `${r.scenario}.json`), json(r));
    printSummary(r, Date.now() - t);
  }

  const runSweep = async (scenarios: ScenarioSpec[]): Promise<SweepPoint[]> => {
    const points: SweepPoint[] = [];
    for (const scenario of scenarios) {
      await revert();
      const r = await runScenario(suite, config, scenario);
      writeFileSync(join(outDir, `${r.scenario}.json`), json(r));
      const point = sweepPoint(scenario, r);
      points.push(point);
      const insolvent = point.insolventAccounts.join(", ") || "none";
      console.log(
        `  ${r.scenario}: ${point.liquidations} liquidations (${point.insolvent} insolvent: ${insolvent}), ` +
          `bad debt ${point.badDebt.toFixed(0)}, insurance ${point.insuranceDrawn.toFixed(0)}, ` +
          `socialised ${point.socialised.toFixed(0)}, discount paid ${point.discountPaid.toFixed(0)}` +
          `${point.tripped ? ", breaker tripped" : ""}`,
      );
    }
    return points;
  };

  let sweep: SweepPoint[] = [];
  if (wanted("sweep")) {
    console.log(`sweep: crash sizes ${config.sweep.drops.join(", ")}; seed ${config.sweep.seed}`);
    sweep = await runSweep(sweepScenarios(config));
  }
  const archetypes: ArchetypeSweep[] = [];
  for (const a of config.sweep.archetypes ?? []) {
    if (!wanted("archetypes") && !wanted(a.name)) continue;
    console.log(`sweep of ${a.name} alone (${a.direction}): sizes ${config.sweep.drops.join(", ")}`);
    const points = await runSweep(archetypeScenarios(config, a));
    archetypes.push({ name: a.name, description: a.description, direction: a.direction, points });
  }
  if (sweep.length > 0 || archetypes.length > 0)
    writeFileSync(join(outDir, "sweep.json"), json({ seed: config.sweep.seed, points: sweep, archetypes }));

  writeReport(outDir, configPath, results, sweep, archetypes);
  const swept = [...sweep, ...archetypes.flatMap((a) => a.points)];
  const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.scenario}: ${c.name}`));
  console.log(
    `stress: ${results.length} scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s; report ${join(outDir, "index.html")}`,
  );
  for (const p of swept.filter((x) => !x.checksOk)) failed.push(`${p.scenario}: a consistency check`);
  if (failed.length > 0) {
    console.error(`stress: checks failed:\n  ${failed.join("\n  ")}`);
    process.exitCode = 1;
  }
}

/** The scenario shown in the README's figure. */
const MAIN_SCENARIO = "crash-trips-breaker";

/** A sweep scenario's point: its size (negative for a rally) and what it cost. */
function sweepPoint(scenario: ScenarioSpec, r: ScenarioResult): SweepPoint {
  const drop = scenario.path.kind === "crash" ? scenario.path.drops[0] : 0;
  return {
    scenario: r.scenario,
    drop: Math.abs(drop),
    badDebt: r.summary.badDebt,
    insuranceDrawn: r.summary.insuranceDrawn,
    socialised: r.summary.socialised,
    liquidations: r.summary.liquidations.count,
    insolvent: r.summary.liquidations.insolvent,
    insolventAccounts: r.liquidations.filter((l) => l.deficit > 0).map((l) => l.account),
    discountPaid: r.summary.liquidations.discountPaid,
    tripped: r.summary.breaker.trips > 0,
    checksOk: r.checks.every((c) => c.ok),
    books: r.books,
  };
}

function writeReport(
  outDir: string,
  configPath: string,
  results: ScenarioResult[],
  sweep: SweepPoint[],
  archetypes: ArchetypeSweep[],
): void {
  const meta = { configPath, generatedBy: "npm run stress" };
  const baselinePath = process.env.STRESS_BASELINE;
  const baseline =
    baselinePath === undefined
      ? []
      : ((JSON.parse(readFileSync(baselinePath, "utf8")) as { archetypes?: ArchetypeSweep[] }).archetypes ??
        []);
  writeFileSync(join(outDir, "index.html"), reportHtml(results, sweep, meta, archetypes, baseline));
  const main = results.find((r) => r.scenario === MAIN_SCENARIO) ?? results[0];
  if (main !== undefined) writeFileSync(join(outDir, "main.html"), mainChartHtml(main, sweep));
}

/** STRESS_RENDER=1: rebuild the HTML from the JSON results of an earlier run, without running anything. */
function render(outDir: string, configPath: string, names: string[]): void {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(outDir, file), "utf8"));
  const results = names
    .filter((n) => existsSync(join(outDir, `${n}.json`)))
    .map((n) => read(`${n}.json`) as ScenarioResult);
  const saved = existsSync(join(outDir, "sweep.json"))
    ? (read("sweep.json") as { points: SweepPoint[]; archetypes?: ArchetypeSweep[] })
    : { points: [], archetypes: [] };
  const archetypes = saved.archetypes ?? [];
  writeReport(outDir, configPath, results, saved.points, archetypes);
  console.log(
    `stress: rendered ${results.length} scenarios, ${saved.points.length} sweep points and ` +
      `${archetypes.length} archetype sweeps into ${outDir}`,
  );
}

function printSummary(r: ScenarioResult, ms: number): void {
  console.log(summaryLine(r, ms));
  for (const c of r.checks) console.log(`  [${c.ok ? "ok" : "FAIL"}] ${c.name}: ${c.detail}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
