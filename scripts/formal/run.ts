/**
 * Formal checks: the SMTChecker (CHC engine, z3 through solc-js's SMT callback) over the spec contracts in
 * test/formal, which state the pure libraries' properties as assertions. Prints per target proved / refuted (the
 * violated assertions; solc-js's callback yields no counterexample model) / unknown (with the reason: the resource
 * limit, and what the SMTChecker abstracts under the target), writes docs/formal.md, and exits non-zero on a refuted
 * target that is not an explained false positive.
 *
 *   npm run verify:formal                      # every target
 *   FORMAL_ONLY=RateLimitSpec npm run verify:formal
 *   FORMAL_RLIMIT=50000000 npm run verify:formal    # z3's resource limit per query (default 20,000,000)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const smtchecker = require("solc/smtchecker");

const ROOT = path.resolve(__dirname, "..", "..");
const SPEC_DIR = "test/formal";
/** z3's resource limit per query: deterministic, so a verdict does not depend on the machine's load. */
const RLIMIT = Number(process.env.FORMAL_RLIMIT ?? 20_000_000);
/** Specs whose queries need more (measured: RateLimitSpec proves capacityWithinLiquidity at 100,000,000, not at 20,000,000). */
const RLIMIT_OF: Record<string, number> = { RateLimitSpec: 100_000_000 };
let rlimit = RLIMIT;
/** Wall-clock bound per query (a query past it is answered unknown). */
const QUERY_TIMEOUT_MS = Number(process.env.FORMAL_QUERY_TIMEOUT_MS ?? 300_000);
/** solc's own z3 options for CHC queries (solc/smtsolver.js), beside the resource limit. */
const Z3_OPTIONS = [
  "rewriter.pull_cheap_ite=true",
  "fp.spacer.q3.use_qgen=true",
  "fp.spacer.mbqi=false",
  "fp.spacer.ground_pobs=false",
];
/** Codes of the SMTChecker's warnings that something under a target is abstracted or unsupported. */
const ABSTRACTION_CODES: Record<string, string> = {
  "5188": "an operator it does not implement",
  "8364": "a type it does not implement",
  "7650": "an expression it does not support",
  "6031": "an internal error on an expression",
  "7737": "inline assembly",
};

type Verdict = "proved" | "refuted" | "unknown";

interface Result {
  spec: string;
  target: string;
  verdict: Verdict;
  detail: string;
  seconds: number;
}

/**
 * Refutations explained as spurious, with the evidence. Key: `Spec.function`. The runner prints the SMTChecker's
 * "not yet implemented" warnings of the code under each target, which is where the evidence comes from.
 */
const FALSE_POSITIVES: Record<string, string> = {
  "PortfolioMarginSpec.validatedWithinBounds":
    "each assertion is the negation of a condition on which `PortfolioMargin.validate` reverts with a custom error; " +
    'the SMTChecker reports warning 8364 ("does not yet implement type error") at every one of those `revert ' +
    "InvalidX(...)` statements and does not model them as reverts, so execution continues past them; the bounds are " +
    "tested in test/unit/libraries/PortfolioMargin.test.ts",
  "WadMathSpec.toWadExact":
    '`WadMath._scale` multiplies by `10 ** (toDecimals - fromDecimals)`; the SMTChecker reports warning 5188 ("does ' +
    'not yet implement this operator") on that exponentiation in WadMath.sol and abstracts its value, so the product ' +
    "is unconstrained; the exact scaling is covered by test/fuzz/WadMath.fuzz.test.ts",
};

interface SolcError {
  severity: string;
  formattedMessage?: string;
  errorCode?: string;
  message: string;
  sourceLocation?: { file: string; start: number; end: number };
}

function findImport(importPath: string): { contents: string } | { error: string } {
  for (const base of [ROOT, path.join(ROOT, "node_modules")]) {
    const file = path.join(base, importPath.replace(/^solady\//, "solady/"));
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
  }
  return { error: `not found: ${importPath}` };
}

/** The external functions of a spec contract and their source ranges (each is one target). */
function functionsOf(source: string): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const re = /function (\w+)\([^)]*\)[^{;]*external[^{;]*\{/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) {
    let depth = 1;
    let i = re.lastIndex;
    while (depth > 0 && i < source.length) {
      if (source[i] === "{") depth++;
      else if (source[i] === "}") depth--;
      i++;
    }
    out.push({ name: m[1], start: m.index, end: i });
  }
  return out;
}

function checkSpec(file: string): Result[] {
  const spec = path.basename(file, ".sol");
  const rel = `${SPEC_DIR}/${path.basename(file)}`;
  const source = fs.readFileSync(file, "utf8");
  const input = {
    language: "Solidity",
    sources: { [rel]: { content: source } },
    settings: {
      remappings: ["@openzeppelin/=node_modules/@openzeppelin/", "solady/=node_modules/solady/"],
      evmVersion: "cancun",
      modelChecker: {
        engine: "chc",
        contracts: { [rel]: [spec] },
        targets: ["assert"],
        solvers: ["smtlib2"],
        showProvedSafe: true,
        showUnproved: true,
        showUnsupported: true,
      },
      outputSelection: { "*": { "": ["ast"] } },
    },
  };
  rlimit = process.env.FORMAL_RLIMIT === undefined ? (RLIMIT_OF[spec] ?? RLIMIT) : RLIMIT;
  const started = Date.now();
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: findImport,
      smtSolver: smtchecker.smtCallback(solveWithZ3, undefined),
    }),
  ) as { errors?: SolcError[] };
  const seconds = (Date.now() - started) / 1000;
  const errors = output.errors ?? [];
  const fatal = errors.filter((e) => e.severity === "error");
  if (fatal.length > 0)
    throw new Error(`${spec} does not compile:\n${fatal.map((e) => e.message).join("\n")}`);
  const inSpec = errors.filter((e) => e.sourceLocation?.file === rel);
  const abstracted = new Map<string, Set<string>>();
  for (const e of errors) {
    const what = e.errorCode === undefined ? undefined : ABSTRACTION_CODES[e.errorCode];
    if (what === undefined || e.sourceLocation === undefined) continue;
    if (!abstracted.has(what)) abstracted.set(what, new Set());
    abstracted.get(what)!.add(path.basename(e.sourceLocation.file));
  }
  const noSolver = errors.some((e) => /No Horn solver was available/.test(e.message));
  const assemblyNote =
    (abstracted.size === 0
      ? ""
      : ` (the SMTChecker abstracts ${[...abstracted].map(([w, f]) => `${w} in ${[...f].join(", ")}`).join("; ")})`) +
    (noSolver ? " (a query failed in z3)" : "");
  return functionsOf(source).map(({ name, start, end }) => {
    const own = inSpec.filter((e) => e.sourceLocation!.start >= start && e.sourceLocation!.end <= end);
    const asserts = (source.slice(start, end).match(/\bassert\(/g) ?? []).length;
    const refuted = own.filter((e) => /Assertion violation happens here/.test(e.message));
    const unproved = own.filter((e) => /Assertion violation might happen here/.test(e.message));
    const safe = own.filter((e) => /Assertion violation check is safe/.test(e.message));
    let verdict: Verdict;
    let detail: string;
    if (refuted.length > 0) {
      verdict = "refuted";
      detail =
        refuted.map((e) => (e.formattedMessage ?? e.message).replace(/\s+/g, " ")).join(" | ") +
        " (no counterexample: solc-js's SMT callback returns the verdict only)" +
        assemblyNote;
    } else if (unproved.length > 0 || safe.length < asserts) {
      verdict = "unknown";
      detail =
        `${safe.length} of ${asserts} assertions proved; z3 decided no more within its resource limit ` +
        `(rlimit ${rlimit})${assemblyNote}`;
    } else {
      verdict = "proved";
      detail = `${asserts} assertion${asserts === 1 ? "" : "s"} proved`;
    }
    return { spec, target: name, verdict, detail, seconds };
  });
}

/** solc's SMT callback: one CHC query through z3 (a failure or a timeout answers unknown). */
function solveWithZ3(query: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "formal-"));
  const file = path.join(dir, "query.smt2");
  fs.writeFileSync(file, query);
  try {
    return execFileSync("z3", ["-smt2", `rlimit=${rlimit}`, ...Z3_OPTIONS, file], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      timeout: QUERY_TIMEOUT_MS,
    });
  } catch (e) {
    const out = String((e as { stdout?: unknown }).stdout ?? "");
    return /^(sat|unsat|unknown)/.test(out) ? out : "unknown\n";
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function z3Version(): string {
  try {
    return execFileSync("z3", ["--version"]).toString().trim();
  } catch {
    return "";
  }
}

function writeDoc(results: Result[], z3: string): void {
  const rows = results.map(
    (r) =>
      `| \`${r.spec}.${r.target}\` | ${r.verdict}${FALSE_POSITIVES[`${r.spec}.${r.target}`] ? " (false positive)" : ""} | ${r.detail.replace(/\|/g, "\\|")} |`,
  );
  const doc = [
    "# Formal checks",
    "",
    "Generated by `npm run verify:formal` (scripts/formal/run.ts): solc's SMTChecker (CHC engine) with " +
      `${z3 || "z3"} over the spec contracts in \`test/formal/\`. Each spec states a property of a pure library (or of ` +
      "the vaults' conversion formula) as assertions over all inputs within the stated bounds; a target is **proved** " +
      "when every assertion is, **refuted** when z3 finds a violation reachable (solc-js's SMT callback passes on the " +
      "verdict, not the model, so no counterexample is printed), **unknown** when the solver did not " +
      `decide within its resource limit (rlimit ${RLIMIT} per query by default, ` +
      `${Object.entries(RLIMIT_OF)
        .map(([k, v]) => `${v} for ${k}`)
        .join(", ")}; deterministic, so independent of load).`,
    "",
    "| target | verdict | detail |",
    "| --- | --- | --- |",
    ...rows,
    "",
    "What is not proved here: anything with inline assembly under it (OpenZeppelin's `Math.mulDiv` under WadMath's " +
      "mul/div, Solady's `expWad`/`lnWad` under NormalCdf and BlackScholes) is abstracted by the SMTChecker, so those " +
      "targets stay unknown; their properties are covered by the fuzz suites (`test/fuzz/WadMath.fuzz.test.ts`, " +
      "`test/fuzz/BlackScholes.fuzz.test.ts`) and, for the vaults, by the forge campaign (`INV_VAULT_ROUNDING` checks " +
      "the deployed previews against the formula proved here after every call).",
    "",
    "Refutations explained as false positives (the runner exits non-zero on any other refutation):",
    "",
    ...Object.entries(FALSE_POSITIVES).map(([k, why]) => `- \`${k}\`: ${why}.`),
    "",
  ].join("\n");
  fs.writeFileSync(path.join(ROOT, "docs", "formal.md"), doc);
}

function main(): void {
  const z3 = z3Version();
  if (z3 === "") {
    console.error("z3 is not on PATH: install it (apt-get install -y z3); .ci/run does on CI.");
    process.exit(2);
  }
  const only = process.env.FORMAL_ONLY;
  const files = fs
    .readdirSync(path.join(ROOT, SPEC_DIR))
    .filter((f) => f.endsWith("Spec.sol") && (only === undefined || f.startsWith(only)))
    .sort()
    .map((f) => path.join(ROOT, SPEC_DIR, f));
  const results: Result[] = [];
  for (const file of files) {
    for (const r of checkSpec(file)) {
      results.push(r);
      console.log(`${r.verdict.padEnd(8)} ${r.spec}.${r.target} (${r.seconds.toFixed(1)} s): ${r.detail}`);
    }
  }
  if (only === undefined) writeDoc(results, z3);
  const bad = results.filter(
    (r) => r.verdict === "refuted" && FALSE_POSITIVES[`${r.spec}.${r.target}`] === undefined,
  );
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  console.log(`\n${count("proved")} proved, ${count("refuted")} refuted, ${count("unknown")} unknown`);
  if (bad.length > 0) {
    console.error(`refuted: ${bad.map((r) => `${r.spec}.${r.target}`).join(", ")}`);
    process.exit(1);
  }
}

main();
