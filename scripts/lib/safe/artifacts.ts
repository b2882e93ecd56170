/**
 * The Safe v1.4.1 contracts as compiled and shipped by the npm package `@safe-global/safe-contracts` (solc 0.7.6):
 * their Hardhat artifacts (ABI and bytecode, deployed as they are, never recompiled) and the TypeChain bindings
 * generated from them into typechain-types/safe by the compile task (hardhat.config.ts). Nothing here loads the
 * package's JavaScript, which depends on ethers v5.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The Safe contracts the governance deploys, by artifact name. */
export const SAFE_CONTRACTS = {
  SafeL2: "SafeL2.sol/SafeL2.json",
  SafeProxyFactory: "proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
  CompatibilityFallbackHandler: "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json",
} as const;

export type SafeContractName = keyof typeof SAFE_CONTRACTS;

/** The version of the Safe contracts the project deploys (`VERSION()` of the singleton). */
export const SAFE_VERSION = "1.4.1";

/** The shipped artifact as Hardhat and Ignition read it. */
export interface SafeArtifact {
  _format: string;
  contractName: string;
  sourceName: string;
  abi: readonly unknown[];
  bytecode: string;
  deployedBytecode: string;
  linkReferences: Record<string, Record<string, Array<{ length: number; start: number }>>>;
  deployedLinkReferences: Record<string, Record<string, Array<{ length: number; start: number }>>>;
}

/** The folder of the package's contract artifacts. */
export function safeArtifactsDir(): string {
  const pkg = require.resolve("@safe-global/safe-contracts/package.json");
  return join(dirname(pkg), "build", "artifacts", "contracts");
}

export function safeArtifactPath(name: SafeContractName): string {
  return join(safeArtifactsDir(), SAFE_CONTRACTS[name]);
}

/** The shipped artifact of `name`; fails with the path when the package is missing or carries no bytecode. */
export function safeArtifact(name: SafeContractName): SafeArtifact {
  const path = safeArtifactPath(name);
  const artifact = JSON.parse(readFileSync(path, "utf8")) as SafeArtifact;
  if (artifact.contractName !== name || !/^0x[0-9a-fA-F]{2,}$/.test(artifact.bytecode)) {
    throw new Error(`${path} is not the compiled artifact of ${name}`);
  }
  return artifact;
}

/** The file in a bindings folder that records the SHA-256 of the artifacts they were generated from. */
const SAFE_TYPES_STAMP = ".artifacts.sha256";

/**
 * Generate the TypeChain (ethers v6) bindings of the Safe contracts into `outDir` (typechain-types/safe), unless
 * the bindings there were generated from the same artifacts (every compile, even one with nothing to do, calls this).
 */
export async function generateSafeTypes(root: string, outDir: string): Promise<void> {
  const files = (Object.keys(SAFE_CONTRACTS) as SafeContractName[]).map(safeArtifactPath);
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update(readFileSync(file));
  const digest = hash.digest("hex");
  const stamp = join(outDir, SAFE_TYPES_STAMP);
  if (existsSync(join(outDir, "index.ts")) && existsSync(stamp) && readFileSync(stamp, "utf8") === digest)
    return;
  // Loaded here so that reading this module (hardhat.config.ts does) stays cheap.
  const { runTypeChain } = await import("typechain");
  await runTypeChain({
    cwd: root,
    filesToProcess: files,
    allFiles: files,
    outDir,
    target: "ethers-v6",
  });
  writeFileSync(stamp, digest);
}
