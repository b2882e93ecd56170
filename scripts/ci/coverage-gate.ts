/**
 * Coverage gate: fails when the production contracts (contracts/, test-only mocks excluded by .solcover.js)
 * fall below the thresholds. Reads coverage/coverage-summary.json written by `hardhat coverage`.
 */
import { readFileSync } from "node:fs";

const MIN_LINES_PCT = Number(process.env.MIN_LINES_PCT ?? 95);
const MIN_BRANCHES_PCT = Number(process.env.MIN_BRANCHES_PCT ?? 90);

interface Metric {
  total: number;
  covered: number;
  pct: number;
}
type Summary = Record<string, { lines: Metric; branches: Metric }>;

const summary = JSON.parse(readFileSync("coverage/coverage-summary.json", "utf8")) as Summary;
const total = summary["total"];
if (total === undefined) throw new Error("coverage-summary.json has no total");

const rows = Object.entries(summary)
  .filter(([file]) => file !== "total")
  .map(
    ([file, m]) =>
      `${m.lines.pct.toFixed(1).padStart(6)}% lines ${m.branches.pct.toFixed(1).padStart(6)}% branches  ${file}`,
  );
console.log(rows.join("\n"));
console.log(`total: ${total.lines.pct}% lines, ${total.branches.pct}% branches`);

const failures: string[] = [];
if (total.lines.pct < MIN_LINES_PCT) failures.push(`lines ${total.lines.pct}% < ${MIN_LINES_PCT}%`);
if (total.branches.pct < MIN_BRANCHES_PCT)
  failures.push(`branches ${total.branches.pct}% < ${MIN_BRANCHES_PCT}%`);
if (failures.length > 0) {
  console.error(`coverage gate FAILED: ${failures.join(", ")}`);
  process.exit(1);
}
console.log(`coverage gate passed (>= ${MIN_LINES_PCT}% lines, >= ${MIN_BRANCHES_PCT}% branches)`);
