/**
 * The README's "Trading on a local node" block as a person runs it, on a fresh `npx hardhat node` and on a fresh anvil
 * (the block's "(or anvil)"): each line a separate process, in its order (`npm run deploy`, the `SERIES=$(...)` line in
 * a shell), with `--network localhost` pointed at the test's node. Before the first listing, `health` on an account
 * that does not exist and `series` on none listed answer in one line; after the block, a bad input exits non-zero
 * with one line naming it (no stack trace) and changes nothing on-chain.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { ERC20__factory, OptionsClearing__factory } from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import {
  ANVIL_BIN,
  runCommand,
  runHardhat,
  startNode,
  type CommandResult,
  type LocalNode,
  type NodeKind,
} from "../shared/localNode";
import { hardhatCommand, readmeBlock } from "../shared/readme";

const WAD = 10n ** 18n;
const ROOT = join(__dirname, "..", "..");
/** Default development accounts #4 (writer) and #5 (holder). */
const WRITER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const HOLDER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const IGNITION_DIR = join(ROOT, "ignition", "deployments");
const NODE_NAME: Record<NodeKind, string> = { hardhat: "npx hardhat node", anvil: "anvil" };
/** The whole suite through Ignition: minutes on a loaded machine. */
const DEPLOY_TIMEOUT_MS = 600_000;

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

describe("e2e/TraderNode (the README's trading block as processes, on npx hardhat node and on anvil)", function () {
  let work: string;
  const ids: string[] = [];
  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-trader-"));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const id of ids) rmSync(join(IGNITION_DIR, id), { recursive: true, force: true });
  });

  it("`npx anvil` (the README's command) runs the binary the tests start as anvil", () => {
    expect(realpathSync(join(ROOT, "node_modules", ".bin", "anvil"))).to.equal(realpathSync(ANVIL_BIN));
  });

  for (const kind of ["hardhat", "anvil"] as const) {
    it(`on ${NODE_NAME[kind]}: runs the README's trading block in its order on a fresh node; a bad input exits non-zero in one line`, async function () {
      this.timeout(1_800_000);
      const id = `e2e-trader-${kind}-${process.pid}`;
      ids.push(id);
      let node: LocalNode | undefined;
      try {
        node = await startNode(kind);
        await tradingBlock(node, join(work, `${id}.json`), id);
      } finally {
        await node?.stop();
      }
    });
  }
});

/** The README's trading block on `node` (fresh), the deployment recorded at `recordPath` under Ignition id `id`. */
async function tradingBlock(node: LocalNode, recordPath: string, id: string): Promise<void> {
  const on = NODE_NAME[node.kind];
  const env = { E2E_RPC_URL: node.url };
  const onNode = (args: string[]): string[] => args.map((a) => (a === "localhost" ? "e2e" : a));
  // A README line names its network (localhost); the test's own commands run on the node too.
  const task = (...args: string[]) => {
    const network = args.includes("--network") ? [] : ["--network", "e2e"];
    return runHardhat([...onNode(args), ...network, "--record", recordPath], env);
  };
  const ok = async (...args: string[]): Promise<string> => {
    const r = await task(...args);
    expect(r.code, `${on}: ${args.join(" ")}\n${explain(r)}`).to.equal(0);
    return r.stdout;
  };
  const fails = async (message: string, ...args: string[]): Promise<void> => {
    const r = await task(...args);
    const what = `${on}: ${args.join(" ")}\n${explain(r)}`;
    expect(r.code, what).to.not.equal(0);
    // One line: the message, no stack trace (even where Hardhat shows them by default).
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines, what).to.have.length(1);
    expect(lines[0], what).to.contain(message);
  };

  let series = "";
  const outputs: string[] = [];
  for (const line of readmeBlock("## Trading on a local node")) {
    // The node is the test's, on a free port: `npx hardhat node &` (or anvil) already runs.
    if (/^npx hardhat node\b/.test(line)) continue;
    if (line.startsWith("SERIES=$(")) {
      // As the shell runs it: the command substitution, its pipe into node, the variable read back.
      const onTestNode = line.replace(/--network localhost\b/g, `--network e2e --record '${recordPath}'`);
      const script = `${onTestNode}\nprintf '%s' "$SERIES"`;
      const r = await runCommand("bash", ["-c", script], env);
      expect(r.code, `${on}: ${line}\n${explain(r)}`).to.equal(0);
      series = r.stdout;
      continue;
    }
    const command = hardhatCommand(line.replace(/\$SERIES\b/g, series));
    if (command.args[0] === "run" && command.args[1] === "scripts/deploy.ts") {
      const deployed = await runHardhat(
        onNode(command.args),
        { ...env, ...command.env, DEPLOY_RECORD: recordPath, DEPLOYMENT_ID: id },
        DEPLOY_TIMEOUT_MS,
      );
      expect(deployed.code, `${on}: ${line}\n${explain(deployed)}`).to.equal(0);
      // A fresh deployment: no account to show, no series to list, each said in one line (read-only: at once).
      const [, empty] = await Promise.all([
        fails("account 1 does not exist: no account is open yet", "health", "--account", "1"),
        ok("series"),
      ]);
      expect(empty, on).to.contain("no series listed yet");
      continue;
    }
    if (command.args[0] === "exercise") {
      // Not before expiry and settlement: refused by name.
      await fails(`exercise failed: ${series} is not settled: it expires on`, ...command.args);
      continue;
    }
    outputs.push(await ok(...command.args));
  }
  expect(series, on).to.match(/^WETH-1800-P-\d{4}-\d{2}-\d{2}$/);
  const text = outputs.join("\n");
  expect(text, on).to.contain(`listed ${series} (id `);
  expect(text, on).to.contain(`opened account 1 for ${WRITER}`);
  expect(text, on).to.contain("deposited 20000 USDC into account 1 (minted from the mock faucet first)");
  expect(text, on).to.contain(`account 1 wrote 2 contracts of ${series}; the longs went to ${HOLDER}`);
  expect(text, on).to.match(new RegExp(`${series} +short 2 contracts`));
  expect(text, on).to.contain(`closed 1 contract of ${series} in account 1`);
  expect(text, on).to.contain(`withdrew 1000 USDC from account 1 to ${WRITER}`);
  // The account's health and three bad inputs, none of which sends anything: at once.
  const [health] = await Promise.all([
    ok("health", "--account", "1"),
    fails(
      `unknown series 'WETH-9999-P-2030-01-01' (listed: ${series})`,
      "write",
      "--account",
      "1",
      "--series",
      "WETH-9999-P-2030-01-01",
      "--amount",
      "1",
      "--signer",
      "4",
    ),
    fails(
      "--amount must be a positive number of contracts, got 'two'",
      "write",
      "--account",
      "1",
      "--series",
      series,
      "--amount",
      "two",
      "--signer",
      "4",
    ),
    fails(
      `is not the owner of account 1`,
      "write",
      "--account",
      "1",
      "--series",
      series,
      "--amount",
      "1",
      "--signer",
      "6",
    ),
  ]);
  expect(health, on).to.contain("healthy");

  const record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
  const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
  try {
    const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, provider);
    const [listed] = await clearing.queryFilter(clearing.filters.SeriesListed());
    const seriesId = listed.args.seriesId;
    // Wrote 2, the holder closed 1 with its longs; its account 2 took 1 long in and out again; the bad inputs above
    // changed nothing.
    expect(await clearing.positionOf(1n, seriesId), on).to.equal(-1n * WAD);
    expect(await clearing.positionOf(2n, seriesId), on).to.equal(0n);
    expect(await clearing.balanceOf(HOLDER, seriesId), on).to.equal(1n * WAD);
    expect(await clearing.accountCount(), on).to.equal(2n);
    const usdc = ERC20__factory.connect(record.tokens.USDC, provider);
    expect(await usdc.balanceOf(WRITER), on).to.equal(1000n * 10n ** 6n);
  } finally {
    provider.destroy();
  }
}
