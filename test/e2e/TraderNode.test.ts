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
import { OptionsClearing__factory } from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { runHardhat, startNode, type CommandResult, type LocalNode } from "../shared/localNode";

const WAD = 10n ** 18n;
/** Default development accounts #4 (writer) and #5 (holder). */
const WRITER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const HOLDER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const IGNITION_DIR = join(__dirname, "..", "..", "ignition", "deployments");

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

  it("lists, funds, writes and shows an account in the README's order; a bad input exits non-zero in one line", async function () {
    this.timeout(600_000);
    let node: LocalNode | undefined;
    try {
      node = await startNode("hardhat");
      const recordPath = join(work, `${id}.json`);
      const env = { E2E_RPC_URL: node.url };
      const deployed = await runHardhat(["run", "scripts/deploy.ts", "--network", "e2e"], {
        ...env,
        DEPLOY_CONFIG: "config/local.json",
        DEPLOY_RECORD: recordPath,
        DEPLOYMENT_ID: id,
      });
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
        expect(r.stderr, explain(r)).to.contain(message);
        expect(r.stderr, explain(r)).to.not.match(/^\s+at /m);
      };

      await fails("account 1 does not exist: no account is open yet", "health", "--account", "1");
      expect(await ok("series")).to.contain("no series listed yet");
      const listed = await ok(
        "list-series",
        "--underlying",
        "WETH",
        "--strike",
        "1800",
        "--expiry",
        "30d",
        "--type",
        "put",
      );
      const name = /listed (WETH-1800-P-\d{4}-\d{2}-\d{2}) \(id (\d+)\)/.exec(listed);
      expect(name, listed).to.not.equal(null);
      const [, seriesName, seriesId] = name as RegExpExecArray;
      expect(await ok("series")).to.contain(seriesName);
      expect(await ok("open-account", "--signer", "4")).to.contain(`opened account 1 for ${WRITER}`);
      expect(
        await ok(
          "deposit",
          "--account",
          "1",
          "--asset",
          "USDC",
          "--amount",
          "20000",
          "--mint",
          "--signer",
          "4",
        ),
      ).to.contain("deposited 20000 USDC into account 1");
      expect(
        await ok(
          "write",
          "--account",
          "1",
          "--series",
          seriesName,
          "--amount",
          "2",
          "--to",
          HOLDER,
          "--signer",
          "4",
        ),
      ).to.contain(`account 1 wrote 2 contracts of ${seriesName}`);
      const shown = await ok("account", "--account", "1");
      expect(shown).to.match(new RegExp(`${seriesName} +short 2 contracts`));
      expect(shown).to.contain("20000 USDC");
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
      expect(await clearing.positionOf(1n, BigInt(seriesId))).to.equal(-2n * WAD);
      expect(await clearing.balanceOf(HOLDER, BigInt(seriesId))).to.equal(2n * WAD);
      expect(await clearing.accountCount()).to.equal(1n);
      provider.destroy();
    } finally {
      await node?.stop();
    }
  });
});
