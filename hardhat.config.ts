import { join } from "node:path";
import { subtask, task } from "hardhat/config";
import { TASK_COMPILE, TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
// Operator tasks (status, health, pause, queue-resume, execute-resume, keeper-fund, keeper, report-prices).
import "./tasks/operator";
// Trader tasks (series, list-series, open-account, deposit, withdraw, write, close, deposit-longs, withdraw-longs,
// exercise, account).
import "./tasks/trader";
import "./tasks/exchange";
// Governance tasks through the Safe (safe-propose, safe-sign, safe-execute, timelock-execute).
import "./tasks/governance";
import "./tasks/devnet";
import "./tasks/book";
import { generateSafeTypes } from "./scripts/lib/safe/artifacts";

/**
 * The compiler comes from the npm `solc` package (WebAssembly), never from a
 * download: no build machine can reach the compiler host. Any contract that asks
 * for another version fails loudly, naming the pinned one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const solcPackage = require("solc/package.json") as { version: string };
export const PINNED_SOLC_VERSION = solcPackage.version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  if (args.solcVersion !== PINNED_SOLC_VERSION) {
    throw new Error(
      `Solidity ${args.solcVersion} was requested, but this project compiles offline with the ` +
        `npm package solc@${PINNED_SOLC_VERSION} only. Set the pragma and hardhat.config.ts to ${PINNED_SOLC_VERSION}.`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      {
        version: PINNED_SOLC_VERSION,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
        },
      },
    ],
    overrides: {
      // The clearing contract is the largest; fewer optimizer runs keep it well under EIP-170 (24,576 bytes) at a
      // small cost per call. Its heavy logic lives in the linked libraries, which keep 200 runs.
      "contracts/options/OptionsClearing.sol": {
        version: PINNED_SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 1 }, evmVersion: "cancun" },
      },
    },
  },
  networks: {
    hardhat: {
      // Deterministic accounts and chain id for tests and the main job.
      chainId: 31337,
    },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
    // Any JSON-RPC node given by the environment (the end-to-end tests start one on a free loopback port).
    e2e: { url: process.env.E2E_RPC_URL ?? "http://127.0.0.1:8545" },
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS !== undefined,
    outputFile: process.env.REPORT_GAS_FILE ?? "gas-report.txt",
    noColors: true,
    offline: true,
    showMethodSig: false,
    excludeContracts: ["mocks/"],
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  mocha: {
    timeout: 600_000,
  },
};

/** After every compile: the typed bindings of the shipped Safe v1.4.1 artifacts (typechain-types/safe), never recompiled. */
task(TASK_COMPILE, async (args, hre, runSuper) => {
  const result: unknown = await runSuper(args);
  await generateSafeTypes(hre.config.paths.root, join(hre.config.typechain.outDir, "safe"));
  return result;
});

export default config;
