/**
 * The trader tasks as a person runs them: separate `npx hardhat <task>` processes against a real `npx hardhat node`
 * on loopback, after the deploy script deployed config/local.json there. The README's "Trading on a local node"
 * sequence works in its order on a fresh node, and a bad input exits non-zero with one line naming it (no stack
 * trace) and changes nothing on-chain.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { ERC20__factory, OptionsClearing__factory } from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { runHardhat, startNode, type CommandResult, type LocalNode } from "../shared/localNode";

const WAD = 10n ** 18n;
/** Default development accounts #4 (writer) and #5 (holder). */
const WRITER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const HOLDER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const IGNITION_DIR = join(__dirname, "..", "..", "ignition", "deployments");

/** The `npx hardhat` commands of the README's "Trading on a local node" block, after the node and the deploy. */
function readmeTradingCommands(): string[] {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Trading on a local node"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error("README.md has no ```sh block under 'Trading on a local node'");
  return block[1]
    .split("\n")
    .map((l) => l.trim())
    .filter(
      (l) => (l.startsWith("npx hardhat ") && !l.startsWith("npx hardhat node")) || l.startsWith("SERIES="),
    );
}

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

describe("e2e/TraderNode (trader tasks as processes against npx hardhat node)", function () {
  let work: string;
  const id = `e2e-trader-${process.pid}`;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-trader-"));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(join(IGNITION_DIR, id), { recursive: true, force: true });
  });

  it("runs the README's trading sequence in its order on a fresh node; a bad input exits non-zero in one line", async function () {
    this.timeout(1_800_000);
    let node: LocalNode | undefined;
    try {
      node = await startNode("hardhat");
      const recordPath = join(work, `${id}.json`);
      const env = { E2E_RPC_URL: node.url };
      // The whole suite through Ignition: minutes on a loaded machine.
      const deployed = await runHardhat(
        ["run", "scripts/deploy.ts", "--network", "e2e"],
        { ...env, DEPLOY_CONFIG: "config/local.json", DEPLOY_RECORD: recordPath, DEPLOYMENT_ID: id },
        600_000,
      );
      expect(deployed.code, explain(deployed)).to.equal(0);
      const record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
      const task = (...args: string[]) =>
        runHardhat([...args, "--network", "e2e", "--record", recordPath], env);
      const ok = async (...args: string[]): Promise<string> => {
        const r = await task(...args);
        expect(r.code, explain(r)).to.equal(0);
        return r.stdout;
      };
      const fails = async (message: string, ...args: string[]): Promise<void> => {
        const r = await task(...args);
        expect(r.code, explain(r)).to.not.equal(0);
        // One line: the message, no stack trace (even where Hardhat shows them by default).
        const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
        expect(lines, explain(r)).to.have.length(1);
        expect(lines[0], explain(r)).to.contain(message);
      };

      await fails("account 1 does not exist: no account is open yet", "health", "--account", "1");
      expect(await ok("series")).to.contain("no series listed yet");

      // The README's trading sequence, command by command, on this node.
      let seriesName = "";
      const outputs: string[] = [];
      for (const line of readmeTradingCommands()) {
        if (line.startsWith("SERIES=")) {
          const rows = JSON.parse(await ok("series", "--json")) as { name: string; id: string }[];
          seriesName = rows[0].name;
          continue;
        }
        const args = line
          .replace(/^npx hardhat /, "")
          .replace(/\$SERIES/g, seriesName)
          .replace(/ --network localhost$/, "")
          .split(/\s+/);
        if (args[0] === "exercise") {
          // Not before expiry and settlement: refused by name.
          await fails(`exercise failed: ${seriesName} is not settled: it expires on`, ...args);
          continue;
        }
        outputs.push(await ok(...args));
      }
      expect(seriesName).to.match(/^WETH-1800-P-\d{4}-\d{2}-\d{2}$/);
      const text = outputs.join("\n");
      expect(text).to.contain(`listed ${seriesName} (id `);
      expect(text).to.contain(`opened account 1 for ${WRITER}`);
      expect(text).to.contain("deposited 20000 USDC into account 1 (minted from the mock faucet first)");
      expect(text).to.contain(`account 1 wrote 2 contracts of ${seriesName}; the longs went to ${HOLDER}`);
      expect(text).to.match(new RegExp(`${seriesName} +short 2 contracts`));
      expect(text).to.contain(`closed 1 contract of ${seriesName} in account 1`);
      expect(text).to.contain(`withdrew 1000 USDC from account 1 to ${WRITER}`);
      expect(await ok("health", "--account", "1")).to.contain("healthy");

      await fails(
        `unknown series 'WETH-9999-P-2030-01-01' (listed: ${seriesName})`,
        "write",
        "--account",
        "1",
        "--series",
        "WETH-9999-P-2030-01-01",
        "--amount",
        "1",
        "--signer",
        "4",
      );
      await fails(
        "--amount must be a positive number of contracts, got 'two'",
        "write",
        "--account",
        "1",
        "--series",
        seriesName,
        "--amount",
        "two",
        "--signer",
        "4",
      );
      await fails(
        `is not the owner of account 1`,
        "write",
        "--account",
        "1",
        "--series",
        seriesName,
        "--amount",
        "1",
        "--signer",
        "6",
      );

      const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, provider);
      const [listed] = await clearing.queryFilter(clearing.filters.SeriesListed());
      const seriesId = listed.args.seriesId;
      // Wrote 2, the holder closed 1 with its longs; its account 2 took 1 long in and out again.
      expect(await clearing.positionOf(1n, seriesId)).to.equal(-1n * WAD);
      expect(await clearing.positionOf(2n, seriesId)).to.equal(0n);
      expect(await clearing.balanceOf(HOLDER, seriesId)).to.equal(1n * WAD);
      expect(await clearing.accountCount()).to.equal(2n);
      const usdc = ERC20__factory.connect(record.tokens.USDC, provider);
      expect(await usdc.balanceOf(WRITER)).to.equal(1000n * 10n ** 6n);
      provider.destroy();
    } finally {
      await node?.stop();
    }
  });
});
