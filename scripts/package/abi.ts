/**
 * Write abi/<Contract>.json, the ABI of every protocol contract and interface compiled from contracts/ (test-only
 * mocks excluded), for integrators who do not use the TypeChain bindings. Part of `npm run build:package`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const ROOT = join(__dirname, "..", "..");
const ARTIFACTS = join(ROOT, "artifacts", "contracts");
const OUT = join(ROOT, "abi");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function main(): void {
  let files: string[];
  try {
    files = walk(ARTIFACTS);
  } catch {
    throw new Error(`no artifacts in ${ARTIFACTS}: run \`npx hardhat compile\` first`);
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const written = new Map<string, string>();
  for (const file of files) {
    const rel = relative(ARTIFACTS, file);
    if (!file.endsWith(".json") || file.endsWith(".dbg.json") || rel.split(sep)[0] === "mocks") continue;
    const artifact = JSON.parse(readFileSync(file, "utf8")) as { contractName: string; abi: unknown[] };
    const previous = written.get(artifact.contractName);
    if (previous !== undefined)
      throw new Error(`two contracts named ${artifact.contractName}: ${previous}, ${rel}`);
    written.set(artifact.contractName, rel);
    writeFileSync(join(OUT, `${artifact.contractName}.json`), `${JSON.stringify(artifact.abi, null, 2)}\n`);
  }
  console.log(`abi: ${written.size} ABIs in ${relative(ROOT, OUT)}/`);
}

main();
