/**
 * Mutation check (`npm run mutation`): apply each mutant of scripts/mutation/mutants.ts, one at a time, to a
 * temporary copy of the repository, run the targeted test files of the mutated contract, and report which mutants
 * the tests kill. Writes docs/mutation.md (and docs/mutation-results.json, which a run over a subset updates).
 *
 * The real tree is never mutated: the copy lives under the system's temp directory (or $MUTATION_DIR), with
 * node_modules symlinked and the compile cache carried over, and every mutated file is restored in `finally`.
 *
 * Environment:
 *   MUTANTS=id1,id2   run only these mutants (the report keeps the other entries from the last run)
 *   MUTATION_DIR=dir  where to make the copy (default: a fresh directory under os.tmpdir())
 *   MUTATION_KEEP=1   keep the copy afterwards
 *   MUTATION_TIMEOUT_MINUTES  per mutant (default 25); a timeout counts as killed (the tests did not pass)
 *   MUTATION_REPORT_ONLY=1    only re-render docs/mutation.md from docs/mutation-results.json
 *
 * Not part of `npm test` or CI: a full run takes about half an hour on two cores.
 */
import { spawn, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTRACT_TESTS, MUTANTS, type Mutant } from "./mutants";

const ROOT = path.resolve(__dirname, "../..");
const RESULTS_JSON = path.join(ROOT, "docs/mutation-results.json");
const REPORT_MD = path.join(ROOT, "docs/mutation.md");

type Outcome = "killed" | "survived" | "equivalent" | "stillborn" | "timeout";

interface Result {
  id: string;
  file: string;
  description: string;
  tests: string[];
  outcome: Outcome;
  /** The first failing test (killed), the compiler error (stillborn) or the equivalence reason. */
  detail: string;
  seconds: number;
  ranAt: string;
}

function log(msg: string): void {
  console.log(`[mutation ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

function testsOf(m: Mutant): string[] {
  const tests = m.tests ?? CONTRACT_TESTS[m.file];
  if (tests === undefined || tests.length === 0) throw new Error(`${m.id}: no tests mapped for ${m.file}`);
  return tests;
}

/** Replace the nth occurrence of `from`; throws unless it occurs exactly once (or at least nth times with nth). */
export function applyMutant(source: string, m: Mutant): string {
  const hits: number[] = [];
  for (let i = source.indexOf(m.from); i !== -1; i = source.indexOf(m.from, i + 1)) hits.push(i);
  if (m.nth === undefined && hits.length !== 1) {
    throw new Error(`${m.id}: expected exactly one occurrence in ${m.file}, found ${hits.length}`);
  }
  const at = hits[(m.nth ?? 1) - 1];
  if (at === undefined) throw new Error(`${m.id}: occurrence ${m.nth} not found in ${m.file}`);
  return source.slice(0, at) + m.to + source.slice(at + m.from.length);
}

/** Copy the working tree's tracked and unignored files, link node_modules, carry over the compile cache. */
function makeCopy(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
  for (const f of new Set(files)) {
    const to = path.join(dir, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), to);
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const d of ["artifacts", "cache", "typechain-types"]) {
    if (fs.existsSync(path.join(ROOT, d)))
      fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  }
  // Hardhat's file cache is keyed by absolute path: point it at the copy so only mutated files recompile.
  const cacheFile = path.join(dir, "cache/solidity-files-cache.json");
  if (fs.existsSync(cacheFile)) {
    const text = fs.readFileSync(cacheFile, "utf8");
    fs.writeFileSync(cacheFile, text.split(ROOT + "/").join(dir + "/"));
  }
}

interface RunOutput {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function run(cwd: string, args: string[], timeoutMs: number, logFile: string): Promise<RunOutput> {
  return new Promise((resolve) => {
    const child = spawn("nice", ["-n", "10", "npx", ...args], {
      cwd,
      detached: true,
      env: { ...process.env, CI: "true", TS_NODE_TRANSPILE_ONLY: "true", FORCE_COLOR: "0" },
    });
    const out = fs.createWriteStream(logFile);
    let output = "";
    const take = (b: Buffer) => {
      output += b.toString();
      out.write(b);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      out.end();
      resolve({ code, output, timedOut });
    });
  });
}

/** The first failing test's title from mocha's summary, or the compiler's first error line. */
function firstFailure(output: string): string {
  const compile = output.match(/(DeclarationError|TypeError|ParserError|CompilerError)[^\n]*/);
  if (compile) return compile[0].slice(0, 160);
  const summary = output.split(/\n\s*\d+ failing/)[1] ?? output;
  const m = summary.match(/\n\s*1\) ([^\n]+)\n\s*([^\n]+)/);
  const reason = summary.match(/\n\s*(Error|AssertionError)[^\n]*/);
  if (m)
    return `${m[1].trim()} > ${m[2].trim().replace(/:$/, "")}${reason ? ` (${reason[0].trim().slice(0, 140)})` : ""}`;
  return output.trim().split("\n").slice(-3).join(" ").slice(0, 200);
}

function loadResults(): Record<string, Result> {
  if (!fs.existsSync(RESULTS_JSON)) return {};
  return JSON.parse(fs.readFileSync(RESULTS_JSON, "utf8")) as Record<string, Result>;
}

function writeReport(results: Record<string, Result>): void {
  const ordered = MUTANTS.map((m) => results[m.id]).filter((r): r is Result => r !== undefined);
  fs.writeFileSync(
    RESULTS_JSON,
    JSON.stringify(Object.fromEntries(ordered.map((r) => [r.id, r])), null, 2) + "\n",
  );
  const count = (o: Outcome) => ordered.filter((r) => r.outcome === o).length;
  const killed = count("killed") + count("timeout");
  const scored = killed + count("survived");
  const score = scored === 0 ? 0 : Math.round((1000 * killed) / scored) / 10;
  const rows = ordered.map(
    (r) =>
      `| \`${r.id}\` | ${path.basename(r.file)} | ${r.description} | **${r.outcome}** | ${r.detail.replace(/\|/g, "\\|")} | ${r.seconds} |`,
  );
  const missing = MUTANTS.filter((m) => results[m.id] === undefined).map((m) => `\`${m.id}\``);
  const md = `# Mutation check

\`npm run mutation\` (scripts/mutation/run.ts) applies each mutant of \`scripts/mutation/mutants.ts\` (a small, named
edit of \`contracts/\`: a flipped comparison, a dropped check, rounding Up↔Down, an off-by-one on a bound, min↔max)
one at a time to a temporary copy of the repository (node_modules symlinked; the real tree is never touched), runs
the targeted test files of the mutated contract (\`CONTRACT_TESTS\` in the same file, unit tests then fuzz tests, with
\`CI=true\` so fuzz seeds are fixed, \`--bail\`), and records whether a test failed (**killed**) or all passed
(**survived**). A mutant marked **equivalent** does not change behaviour (reason given) and is not scored;
**stillborn** means the mutant does not compile. \`MUTANTS=id1,id2 npm run mutation\` reruns a subset and updates
this page (results in \`docs/mutation-results.json\`).

Not part of \`npm test\` or CI: a full run took 29 minutes on the shared 2-core machine (each mutant recompiles the
mutated contract and its dependents, then runs one to three test files; the copy reuses the compile cache).

## Score

**${killed} killed / ${scored} scored = ${score}%** (${count("survived")} survived, ${count("equivalent")} equivalent, ${count("stillborn")} stillborn${missing.length > 0 ? `; not yet run: ${missing.join(", ")}` : ""}).

## Mutants

| id | contract | mutation | outcome | killed by / reason | seconds |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

## Survivors

${SURVIVOR_NOTES}
`;
  fs.writeFileSync(REPORT_MD, md);
}

/** Hand-written notes on survivors (kept in the generated page): how each was killed or why it cannot be. */
const SURVIVOR_NOTES_FILE = path.join(__dirname, "survivors.md");
const SURVIVOR_NOTES = fs.existsSync(SURVIVOR_NOTES_FILE)
  ? fs.readFileSync(SURVIVOR_NOTES_FILE, "utf8").trim()
  : "None noted.";

async function main(): Promise<void> {
  if (process.env.MUTATION_REPORT_ONLY !== undefined) {
    // Re-render docs/mutation.md from docs/mutation-results.json (e.g. after editing survivors.md).
    writeReport(loadResults());
    return;
  }
  const only = process.env.MUTANTS?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const selected = only === undefined ? MUTANTS : MUTANTS.filter((m) => only.includes(m.id));
  if (only !== undefined) {
    const unknown = only.filter((id) => !MUTANTS.some((m) => m.id === id));
    if (unknown.length > 0) throw new Error(`unknown mutants: ${unknown.join(", ")}`);
  }
  const timeoutMs = Number(process.env.MUTATION_TIMEOUT_MINUTES ?? 25) * 60_000;
  const dir = process.env.MUTATION_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "optiq-mutation-"));
  log(`copy of ${ROOT} in ${dir}; ${selected.length} mutants`);
  makeCopy(dir);
  // Every mutant must still match the code it targets before anything runs.
  for (const m of selected) applyMutant(fs.readFileSync(path.join(dir, m.file), "utf8"), m);

  const logs = path.join(dir, "mutation-logs");
  fs.mkdirSync(logs, { recursive: true });
  log("baseline compile");
  const base = await run(dir, ["hardhat", "compile", "--quiet"], timeoutMs, path.join(logs, "baseline.log"));
  if (base.code !== 0) throw new Error(`baseline compile failed:\n${base.output.slice(-2000)}`);

  const results = only === undefined ? {} : loadResults();
  try {
    for (const [k, m] of selected.entries()) {
      const tests = testsOf(m);
      const target = path.join(dir, m.file);
      const original = fs.readFileSync(target, "utf8");
      const started = Date.now();
      let res: RunOutput;
      try {
        fs.writeFileSync(target, applyMutant(original, m));
        log(`[${k + 1}/${selected.length}] ${m.id}: ${tests.join(" ")}`);
        res = await run(
          dir,
          ["hardhat", "test", "--bail", ...tests],
          timeoutMs,
          path.join(logs, `${m.id}.log`),
        );
      } finally {
        fs.writeFileSync(target, original);
      }
      const seconds = Math.round((Date.now() - started) / 1000);
      let outcome: Outcome;
      let detail: string;
      const stillborn = /HH600|Compilation failed/.test(res.output);
      if (res.timedOut) [outcome, detail] = ["timeout", `no result within ${timeoutMs / 60_000} min`];
      else if (stillborn) [outcome, detail] = ["stillborn", firstFailure(res.output)];
      else if (res.code === 0)
        [outcome, detail] =
          m.equivalent !== undefined ? ["equivalent", m.equivalent] : ["survived", "all passed"];
      else [outcome, detail] = ["killed", firstFailure(res.output)];
      log(`${m.id}: ${outcome.toUpperCase()} in ${seconds}s (${detail})`);
      results[m.id] = {
        id: m.id,
        file: m.file,
        description: m.description,
        tests,
        outcome,
        detail,
        seconds,
        ranAt: new Date().toISOString(),
      };
      writeReport(results);
    }
  } finally {
    if (process.env.MUTATION_KEEP === undefined && process.env.MUTATION_DIR === undefined) {
      fs.rmSync(dir, { recursive: true, force: true });
    } else log(`copy kept in ${dir}`);
  }
  const all = Object.values(results);
  log(
    `done: ${all.filter((r) => r.outcome === "killed" || r.outcome === "timeout").length} killed, ` +
      `${all.filter((r) => r.outcome === "survived").length} survived, see docs/mutation.md`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
