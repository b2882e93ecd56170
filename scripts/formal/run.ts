/**
 * Formal checks: the SMTChecker (CHC engine, z3 through solc-js's SMT callback) over the spec contracts in
 * test/formal, which state the pure libraries' properties as assertions. Prints per target proved / refuted (with the
 * counterexample) / unknown (with the reason), writes docs/formal.md, and exits non-zero on a refuted target that is
 * not an explained false positive.
 *
 *   npm run verify:formal                      # every target
 *   FORMAL_ONLY=RateLimitSpec npm run verify:formal
 *   FORMAL_TIMEOUT_MS=60000 npm run verify:formal   # per solver query (default 20 s)
 */
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const smtchecker = require("solc/smtchecker");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const smtsolver = require("solc/smtsolver");

const ROOT = path.resolve(__dirname, "..", "..");
const SPEC_DIR = "test/formal";
const TIMEOUT_MS = Number(process.env.FORMAL_TIMEOUT_MS ?? 20_000);

type Verdict = "proved" | "refuted" | "unknown";

interface Result {
  spec: string;
  target: string;
  verdict: Verdict;
  detail: string;
  seconds: number;
}

/**
 * Refutations judged spurious, with the reason. Key: `Spec.function`. Each came without a counterexample and contradicts
 * code that checks the asserted condition itself; none is confirmed by a second tool yet (see docs/formal.md).
 */
const FALSE_POSITIVES: Record<string, string> = {
  "PortfolioMarginSpec.validatedWithinBounds":
    "every assertion is the negation of a revert condition of `validate`, read from the same memory struct; the " +
    "refutation carries no counterexample (the SMTChecker loses the struct's fields across the internal call with a " +
    "dynamic array member)",
  "SortedMedianSpec.medianOfTwo":
    "no counterexample; the insertion into a memory array passed by reference is not tracked by the SMTChecker's " +
    "memory model; the median is checked against a reference in test/fuzz/OracleMedian.fuzz.test.ts",
  "SortedMedianSpec.medianOfThree": "as medianOfTwo",
  "WadMathSpec.toWadExact":
    "`_scale` multiplies by `10 ** (toDecimals - fromDecimals)`, an exponentiation with a variable exponent, which " +
    "the SMTChecker abstracts; no counterexample",
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
        timeout: TIMEOUT_MS,
        solvers: ["smtlib2"],
        showProvedSafe: true,
        showUnproved: true,
        showUnsupported: true,
      },
      outputSelection: { "*": { "": ["ast"] } },
    },
  };
  const started = Date.now();
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: findImport,
      smtSolver: smtchecker.smtCallback(smtsolver.smtSolver, smtsolver.availableSolvers[0]),
    }),
  ) as { errors?: SolcError[] };
  const seconds = (Date.now() - started) / 1000;
  const errors = output.errors ?? [];
  const fatal = errors.filter((e) => e.severity === "error");
  if (fatal.length > 0)
    throw new Error(`${spec} does not compile:\n${fatal.map((e) => e.message).join("\n")}`);
  const inSpec = errors.filter((e) => e.sourceLocation?.file === rel);
  const assemblyNote = errors.some((e) => /[Ii]nline assembly/.test(e.message))
    ? " (the code under check uses inline assembly, which the SMTChecker abstracts)"
    : "";
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
      detail = refuted.map((e) => (e.formattedMessage ?? e.message).replace(/\s+/g, " ")).join(" | ");
    } else if (unproved.length > 0 || safe.length < asserts) {
      verdict = "unknown";
      detail =
        `${safe.length} of ${asserts} assertions proved; the rest timed out or were not decided by z3 ` +
        `(${TIMEOUT_MS / 1000} s per query)${assemblyNote}`;
    } else {
      verdict = "proved";
      detail = `${asserts} assertion${asserts === 1 ? "" : "s"} proved`;
    }
    return { spec, target: name, verdict, detail, seconds };
  });
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
      "when every assertion is, **refuted** with the solver's counterexample, **unknown** when the solver did not " +
      `decide within ${TIMEOUT_MS / 1000} s per query.`,
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
    "False positives (judged spurious, each without a counterexample; not yet confirmed by a second tool):",
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
