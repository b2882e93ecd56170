/**
 * Fail on compiler warnings (`npm run lint`, after `hardhat compile --quiet`).
 *
 * Hardhat prints solc's warnings but still exits 0, so a warning would pass CI unnoticed. This check reads the
 * compiler output Hardhat keeps in artifacts/build-info/ (no second compile: it costs a second or two) and fails if
 * any current warning is left, except the few third-party ones listed in ALLOWED with the reason.
 *
 * A build-info file can outlive the fix of a warning while other artifacts still point to it, so a warning counts
 * only if the build-info that reported it is the one the file's own artifacts were built from.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const ARTIFACTS = path.join(ROOT, "artifacts");
const BUILD_INFO = path.join(ARTIFACTS, "build-info");

interface SolcMessage {
  severity: "error" | "warning" | "info";
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

/** Known warnings in code this project does not own, each with why it is accepted. */
const ALLOWED: ReadonlyArray<{ file: string; startsWith: string; reason: string }> = [
  {
    file: "@openzeppelin/contracts/utils/TransientSlot.sol",
    startsWith: "Transient storage as defined by EIP-1153",
    reason:
      "solc flags every use of tstore; OpenZeppelin's ReentrancyGuardTransient clears its slot at the end of each call, the safe use the warning itself names",
  },
];

/** source file -> build-info ids its artifacts were built from (from the artifacts' .dbg.json files). */
function builtFrom(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== BUILD_INFO) walk(full);
      } else if (entry.name.endsWith(".dbg.json")) {
        const dbg = JSON.parse(fs.readFileSync(full, "utf8")) as { buildInfo: string };
        const id = path.basename(dbg.buildInfo, ".json");
        const source = path.relative(ARTIFACTS, path.dirname(full)).split(path.sep).join("/");
        if (!out.has(source)) out.set(source, new Set());
        out.get(source)?.add(id);
      }
    }
  };
  walk(ARTIFACTS);
  return out;
}

function main(): void {
  if (!fs.existsSync(BUILD_INFO)) throw new Error("no artifacts/build-info: run `hardhat compile` first");
  const sources = builtFrom();
  const seen = new Set<string>();
  const failing: string[] = [];
  const allowed: string[] = [];
  for (const name of fs.readdirSync(BUILD_INFO).filter((f) => f.endsWith(".json"))) {
    const id = path.basename(name, ".json");
    const info = JSON.parse(fs.readFileSync(path.join(BUILD_INFO, name), "utf8")) as {
      output: { errors?: SolcMessage[] };
    };
    for (const m of info.output.errors ?? []) {
      if (m.severity !== "warning" && m.severity !== "error") continue;
      const file = m.sourceLocation?.file ?? "";
      const current = file === "" || !sources.has(file) || (sources.get(file)?.has(id) ?? false);
      const text = m.formattedMessage ?? m.message;
      if (!current || seen.has(text)) continue;
      seen.add(text);
      const ok = ALLOWED.find((a) => a.file === file && m.message.startsWith(a.startsWith));
      if (ok !== undefined) allowed.push(`${file}: ${m.message.slice(0, 60)}... (allowed: ${ok.reason})`);
      else failing.push(text);
    }
  }
  for (const a of allowed) console.log(`compiler warnings: ${a}`);
  if (failing.length > 0) {
    console.error(`compiler warnings: ${failing.length} warning(s) must be fixed:\n\n${failing.join("\n")}`);
    process.exitCode = 1;
    return;
  }
  console.log("compiler warnings: none");
}

main();
