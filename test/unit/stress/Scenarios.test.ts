/** The stress simulation's parameter file (scripts/stress/scenarios.ts): what it accepts and how it names problems. */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import {
  archetypeScenarios,
  StressConfigError,
  validateStressConfig,
} from "../../../scripts/stress/scenarios";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const shipped = (): Json => JSON.parse(readFileSync("config/stress.json", "utf8")) as Json;

/** The problems `validateStressConfig` reports for `raw` (fails the test if it accepts it). */
function problemsOf(raw: unknown): string[] {
  try {
    validateStressConfig(raw, "test.json");
  } catch (error) {
    expect(error).to.be.instanceOf(StressConfigError);
    return (error as StressConfigError).problems;
  }
  expect.fail("the config was accepted");
}

describe("unit/stress/Scenarios (config/stress.json schema)", () => {
  it("accepts config/stress.json as written, faults and top-ups included", () => {
    const c = validateStressConfig(shipped(), "config/stress.json");
    expect(c.scenarios.map((s) => s.name)).to.include.members([
      "gbm-jumps",
      "oracle-rogue",
      "crash-trips-breaker",
    ]);
    expect(c.agents.writers.find((w) => w.name === "balanced")?.topUp).to.deep.equal({
      below: 1.05,
      amount: 20_000,
      max: 2,
    });
    expect(c.scenarios.find((s) => s.name === "oracle-rogue")?.faults?.[0]).to.deep.equal({
      feed: 2,
      from: 5,
      to: 16,
      kind: "rogue",
      factor: 1.015,
    });
  });

  it("checks what a scenario overrides: its guardian fields, its keepers and its fault windows", () => {
    const raw = shipped();
    raw.scenarios[0].guardian = { maxStepMove: "25%" };
    raw.scenarios[1].keepers = [{ name: "lazy", latencySteps: -1, deposit: 1 }];
    raw.scenarios[2].faults = [{ feed: 0, from: "soon", kind: "stale" }];
    raw.agents.writers[0].name = 7;
    expect(problemsOf(raw)).to.have.members([
      "scenarios[0].guardian.maxStepMove: a number, got '25%'",
      "scenarios[1].keepers[0].latencySteps: a non-negative integer, got -1",
      "scenarios[2].faults[0].from: a step, got 'soon'",
      "agents.writers[0].name: a name, got 7",
    ]);
  });

  it("names every problem with its path, all at once", () => {
    const raw = shipped();
    raw.stepSeconds = 5;
    raw.agents.writers[0].leverage = 1.5;
    raw.scenarios[1].name = raw.scenarios[0].name;
    raw.scenarios[2].path = { kind: "zigzag" };
    raw.sweep.at = 99;
    delete raw.agents.governance;
    expect(problemsOf(raw)).to.have.members([
      "stepSeconds: an integer in [60, 86400], got 5",
      "agents.writers[0].leverage: in (0, 1), got 1.5",
      "agents.governance: missing",
      `scenarios[1].name: '${raw.scenarios[0].name as string}' used twice`,
      "scenarios[2].path.kind: gbm, flash-crash, bleed or crash",
      "sweep.at: 99 is not before steps 24",
    ]);
    expect(problemsOf([])).to.deep.equal(["not a JSON object"]);
  });

  it("accepts the sweep's writer archetypes: the four of issue 19, each one writer", () => {
    const c = validateStressConfig(shipped(), "config/stress.json");
    const archetypes = c.sweep.archetypes ?? [];
    const byName = new Map(archetypes.map((a) => [a.name, a]));
    expect(byName.get("usdc-puts")?.writer).to.include({ collateral: "USDC" });
    expect(byName.get("usdc-calls")?.direction).to.equal("up");
    expect(byName.get("weth-puts")?.writer.legs).to.deep.equal([{ type: "put", strike: 0.9, weight: 1 }]);
    expect(byName.get("covered-calls")?.writer).to.include({ collateral: "WETH", deposit: 50 });
    expect(byName.get("covered-calls")?.writer.legs[0].type).to.equal("call");
    // From inside the -30% margin shock to beyond the oracle's 50% band.
    expect(Math.min(...c.sweep.drops)).to.be.below(0.3);
    expect(Math.max(...c.sweep.drops)).to.be.above(0.5);
  });

  it("an archetype's sweep: one scenario per size, its writer alone, a rally when it sweeps up", () => {
    const raw = shipped();
    raw.sweep.drops = [0.25, 0.55];
    raw.sweep.archetypes = [
      {
        name: "calls",
        description: "calls",
        direction: "up",
        writer: {
          name: "w",
          collateral: "USDC",
          deposit: 1000,
          leverage: 0.5,
          legs: [{ type: "call", strike: 1.1, weight: 1 }],
        },
      },
      {
        name: "puts",
        description: "puts",
        direction: "down",
        writer: {
          name: "v",
          collateral: "WETH",
          deposit: 1,
          leverage: 0.5,
          legs: [{ type: "put", strike: 0.9, weight: 1 }],
        },
      },
    ];
    const c = validateStressConfig(raw, "test.json");
    const [calls, puts] = (c.sweep.archetypes ?? []).map((a) => archetypeScenarios(c, a));
    expect(calls.map((s) => s.name)).to.deep.equal(["sweep-calls-25", "sweep-calls-55"]);
    expect(calls.map((s) => (s.path.kind === "crash" ? s.path.drops : []))).to.deep.equal([[-0.25], [-0.55]]);
    expect(puts.map((s) => (s.path.kind === "crash" ? s.path.drops : []))).to.deep.equal([[0.25], [0.55]]);
    expect(puts[1].writers?.map((w) => w.name)).to.deep.equal(["v"]);
    expect(puts[1]).to.include({ steps: raw.sweep.steps, seed: raw.sweep.seed });
  });

  it("names every problem of the archetypes and of a scenario's writers", () => {
    const raw = shipped();
    raw.sweep.archetypes[0].direction = "sideways";
    raw.sweep.archetypes[1].name = raw.sweep.archetypes[0].name;
    raw.sweep.archetypes[2].writer.leverage = 0;
    raw.sweep.archetypes[3].name = "Covered Calls";
    delete raw.sweep.archetypes[3].description;
    raw.scenarios[0].writers = [];
    raw.scenarios[1].writers = [{ ...raw.agents.writers[0], collateral: "DAI" }];
    expect(problemsOf(raw)).to.have.members([
      "sweep.archetypes[0].direction: down or up, got 'sideways'",
      `sweep.archetypes[1].name: '${raw.sweep.archetypes[0].name as string}' used twice`,
      "sweep.archetypes[2].writer.leverage: in (0, 1), got 0",
      "sweep.archetypes[3].name: lower-case letters, digits and dashes",
      "sweep.archetypes[3].description: a description, got undefined",
      "scenarios[0].writers: a non-empty list when given",
      "scenarios[1].writers[0].collateral: USDC or WETH, got 'DAI'",
    ]);
    raw.sweep.archetypes = "all";
    expect(problemsOf(raw)).to.include("sweep.archetypes: a list of archetypes");
  });

  it("refuses more agents than the Hardhat network has signers", () => {
    const raw = shipped();
    raw.agents.buyers = 20;
    expect(problemsOf(raw)).to.deep.equal(["agents: 32 signers needed, the Hardhat network has 20"]);
  });
});
