/**
 * The README's "Operating the protocol" block as a person runs it: every command of its ```sh block, in its order,
 * as a separate process against a fresh `npx hardhat node` on loopback after the deploy script deployed
 * config/local.json there. `npm run <script> -- ...` lines run the package.json script's Hardhat command, `echo ... >
 * file` writes the file, `--network localhost` becomes the loopback node (network `e2e`) with the test's record.
 * Only the keeper's endless loop (`--interval`, stopped by Ctrl-C) is left out: its single pass runs just before it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import {
  CircuitBreaker__factory,
  OptionsClearing__factory,
  SignedReportSource__factory,
} from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { Scopes } from "../../scripts/lib/scopes";
import { runHardhat, startNode, type CommandResult, type LocalNode } from "../shared/localNode";
import { hardhatCommand, readmeBlock } from "../shared/readme";

const WAD = 10n ** 18n;
const ROOT = join(__dirname, "..", "..");
const IGNITION_DIR = join(ROOT, "ignition", "deployments");
/** Development account #8: config/local.json's reporter. */
const REPORTER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

type Line = Record<string, unknown> & { event: string };
const jsonLines = (stdout: string): Line[] =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);

describe("e2e/OperatorNode (the README's operator block as processes against npx hardhat node)", function () {
  let work: string;
  const id = `e2e-operator-${process.pid}`;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-operator-"));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(join(IGNITION_DIR, id), { recursive: true, force: true });
  });

  it("runs every command in its order on a fresh node: status, keeper, reporter, Safe governance, pause and resume", async function () {
    this.timeout(3_000_000);
    let node: LocalNode | undefined;
    let provider: JsonRpcProvider | undefined;
    try {
      node = await startNode("hardhat");
      const recordPath = join(work, `${id}.json`);
      const base = { E2E_RPC_URL: node.url };
      const outputs = new Map<string, string>();
      const inWork = (file: string): string => join(work, file);

      for (const line of readmeBlock("## Operating the protocol")) {
        if (line.startsWith("npx hardhat node")) continue;
        const echo = /^echo '(.*)' > (\S+)$/.exec(line);
        if (echo !== null) {
          writeFileSync(inWork(echo[2]), `${echo[1]}\n`);
          continue;
        }
        const command = hardhatCommand(line);
        const env: NodeJS.ProcessEnv = { ...base, ...command.env };
        let args = command.args;
        if (args.includes("--interval")) continue; // the endless loop; its single pass ran above
        args = args.map((a) => (a === "localhost" ? "e2e" : a));
        for (const flag of ["--out", "--proposal"]) {
          const i = args.indexOf(flag);
          if (i >= 0) args[i + 1] = inWork(args[i + 1]);
        }
        for (const key of ["REPORTER_PRICES"]) if (env[key] !== undefined) env[key] = inWork(env[key]!);
        if (args[0] === "run" && args[1] === "scripts/deploy.ts") {
          Object.assign(env, {
            DEPLOY_CONFIG: "config/local.json",
            DEPLOY_RECORD: recordPath,
            DEPLOYMENT_ID: id,
          });
        } else if (args[0] === "run") {
          Object.assign(env, { KEEPER_RECORD: recordPath, REPORTER_RECORD: recordPath });
        } else {
          args.push("--record", recordPath);
        }
        const r = await runHardhat(args, env, 600_000);
        expect(r.code, `${line}\n${explain(r)}`).to.equal(0);
        outputs.set(line, r.stdout);
      }

      const out = (prefix: string): string => {
        const found = [...outputs.entries()].filter(([line]) => line.includes(prefix));
        expect(found, `no command like '${prefix}' ran`).to.have.length.greaterThan(0);
        return found.map(([, stdout]) => stdout).join("\n");
      };
      const record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
      provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });

      // The keeper's account is account 1, funded with 100,000 USDC, healthy; one pass reads it in USDC.
      expect(out("health --account 1")).to.contain("healthy");
      expect(out("health --account 1")).to.contain("collateral value 100,000 USDC");
      const pass = jsonLines(out("KEEPER_ONCE=1"));
      expect(pass.find((l) => l.event === "keeper-account")).to.include({
        keeperAccountId: "1",
        collateralValueFormatted: "100,000 USDC",
      });
      expect(pass.find((l) => l.event === "pass")).to.include({ failures: 0 });
      // Every keeper pass names the blocks it scanned as a forward range (issue 18: never fromBlock above toBlock).
      const scans = jsonLines(out("keeper")).filter((l) => l.event === "scan");
      expect(scans).to.have.length.greaterThan(0);
      for (const scan of scans) {
        const { fromBlock, toBlock, newBlocks } = scan as unknown as Record<string, number>;
        expect(toBlock - fromBlock + 1, JSON.stringify(scan)).to.equal(newBlocks);
        expect(newBlocks, JSON.stringify(scan)).to.be.greaterThan(0);
      }

      // The reporter signed 2,001.5 with account #8 and relayed it to the WETH SignedReportSource.
      const reported = jsonLines(out("REPORTER_PRICES=")).find((l) => l.event === "reported");
      expect(reported).to.include({ asset: "WETH", priceFormatted: "2,001.5 USDC/WETH" });
      expect(reported?.signers).to.deep.equal([REPORTER]);
      const source = SignedReportSource__factory.connect(
        record.contracts["SignedReportSource.WETH"],
        provider,
      );
      expect((await source.reportOf(REPORTER))[0]).to.equal(20_015n * (WAD / 10n));

      // Governance: the Safe's proposal went through the timelock; the guardian's pause was resumed.
      const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, provider);
      expect(await breaker.cooldownSeconds()).to.equal(7200n);
      expect(await breaker.isTripped(Scopes.WITHDRAW)).to.equal(false);
      const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, provider);
      expect(await clearing.accountCount()).to.equal(1n);
    } finally {
      provider?.destroy();
      await node?.stop();
    }
  });
});
