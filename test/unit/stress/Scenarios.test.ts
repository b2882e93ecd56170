/** The stress simulation's parameter file (scripts/stress/scenarios.ts): what it accepts and how it names problems. */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { StressConfigError, validateStressConfig } from "../../../scripts/stress/scenarios";

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

  it("refuses more agents than the Hardhat network has signers", () => {
    const raw = shipped();
    raw.agents.buyers = 20;
    expect(problemsOf(raw)).to.deep.equal(["agents: 32 signers needed, the Hardhat network has 20"]);
  });
});
