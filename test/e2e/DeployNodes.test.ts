/**
 * End to end against real JSON-RPC nodes on loopback: `npx hardhat node` and anvil each start on a free port of
 * 127.0.0.1, `npx hardhat run scripts/deploy.ts --network e2e` deploys config/local.json on them as a child
 * process, and the results are checked on-chain through a plain JSON-RPC provider. A re-run sends nothing. Bad
 * input (a broken config, an RPC that is down) makes the script exit non-zero with a clear message. Every node is
 * stopped (its process group killed) whatever happens.
 *
 * On anvil the same deployment then serves the keeper script's end-to-end run (test/shared/keeperOnNode.ts): a
 * prepared unhealthy account liquidated on-chain by `scripts/keeper.ts` run once as a child process, one that a
 * competitor liquidated first skipped cleanly; and the keeper exits non-zero with a clear error when its RPC is down.
 * The README's trading block runs on anvil in test/e2e/TraderNode.test.ts, its devnet with the reporter in
 * test/e2e/Devnet.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import {
  AggregatorV3Facade__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  ProtocolTimelock__factory,
} from "../../typechain-types";
import { SafeL2__factory } from "../../typechain-types/safe";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { Roles } from "../../scripts/lib/roles";
import { freePort, runHardhat, startNode, type CommandResult, type LocalNode } from "../shared/localNode";
import { keeperRoundTrip, runKeeperScript } from "../shared/keeperOnNode";
import { devKey, governanceRoundTrip } from "../shared/safeOnNode";

const WAD = 10n ** 18n;
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const IGNITION_DIR = join(__dirname, "..", "..", "ignition", "deployments");

/** Run the deploy script against `url` with its own record file and Ignition deployment id. */
function deployTo(
  url: string,
  work: string,
  id: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  // The whole suite through Ignition: minutes on a loaded machine.
  return runHardhat(
    ["run", "scripts/deploy.ts", "--network", "e2e"],
    {
      E2E_RPC_URL: url,
      DEPLOY_CONFIG: "config/local.json",
      DEPLOY_RECORD: join(work, `${id}.json`),
      DEPLOYMENT_ID: id,
      ...extra,
    },
    600_000,
  );
}

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

/** On-chain checks of a deployment record through a plain provider. */
async function checkOnChain(url: string, record: DeploymentRecord): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    expect(record.chainId).to.equal(Number((await provider.getNetwork()).chainId));
    expect(record.blockNumber).to.be.at.most(await provider.getBlockNumber());
    const addresses = [
      ...Object.values(record.contracts),
      ...Object.values(record.tokens),
      ...Object.values(record.feeds).flat(),
    ];
    // 29 protocol contracts (governance 2, the Safe with its singleton, proxy factory and fallback handler, breaker,
    // aggregator, 5 adapters, 2 signed report sources, 2 facades, factory, insurance, 3 vaults, calculator, 4 logic
    // libraries, clearing, exchange), 3 tokens and 5 feeds of config/local.json.
    expect(addresses.length).to.equal(29 + 3 + 5);
    for (const address of addresses) expect(await provider.getCode(address), address).to.not.equal("0x");

    const c = record.contracts;
    const manager = ProtocolAccessManager__factory.connect(c.ProtocolAccessManager, provider);
    const clearing = OptionsClearing__factory.connect(c.OptionsClearing, provider);
    const oracle = OracleAggregator__factory.connect(c.OracleAggregator, provider);
    // The clearing is wired: its dependencies, its roles, its collateral.
    expect(await clearing.authority()).to.equal(c.ProtocolAccessManager);
    expect(await clearing.QUOTE_VAULT()).to.equal(c["CollateralVault.USDC"]);
    expect(await clearing.BREAKER()).to.equal(c.CircuitBreaker);
    const listSeries = clearing.interface.getFunction("listSeries").selector;
    expect(await manager.getTargetFunctionRole(c.OptionsClearing, listSeries)).to.equal(Roles.LISTER_ROLE);
    expect((await manager.hasRole(Roles.CLEARING_ROLE, c.OptionsClearing))[0]).to.equal(true);
    expect((await clearing.collateralConfig(c["CollateralVault.WETH"])).approved).to.equal(true);
    // The exchange settles through the clearing's trade and opened no account at deployment.
    expect((await manager.hasRole(Roles.EXCHANGE_ROLE, c.OptionsExchange))[0]).to.equal(true);
    expect(await clearing.accountCount()).to.equal(0n);
    // Nobody but the timelock administers; the deployer holds nothing.
    expect((await manager.hasRole(Roles.ADMIN_ROLE, c.ProtocolTimelock))[0]).to.equal(true);
    expect((await manager.hasRole(Roles.ADMIN_ROLE, DEPLOYER))[0]).to.equal(false);
    expect((await manager.hasRole(Roles.GOVERNOR_ROLE, DEPLOYER))[0]).to.equal(false);
    // The timelock's proposer is the 2-of-3 governance Safe the record lists.
    const safe = SafeL2__factory.connect(c.GovernanceSafe, provider);
    expect(await safe.getThreshold()).to.equal(2n);
    expect(await safe.getOwners()).to.deep.equal(record.governance?.safe?.owners);
    const timelock = ProtocolTimelock__factory.connect(c.ProtocolTimelock, provider);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), c.GovernanceSafe)).to.equal(true);
    // The oracle serves the configured prices, also through the Chainlink-compatible facade.
    expect((await oracle.getPrice(record.tokens.WETH))[0]).to.equal(2000n * WAD);
    expect((await oracle.getPrice(record.tokens.WBTC))[0]).to.equal(60_000n * WAD);
    const [, answer] = await AggregatorV3Facade__factory.connect(
      c["AggregatorV3Facade.WETH"],
      provider,
    ).latestRoundData();
    expect(answer).to.equal(2000n * WAD);
  } finally {
    provider.destroy();
  }
}

describe("e2e/DeployNodes (deploy script against real JSON-RPC nodes on loopback)", function () {
  let work: string;
  const ids: string[] = [];
  const newId = (label: string): string => {
    const id = `e2e-${label}-${process.pid}-${ids.length}`;
    ids.push(id);
    return id;
  };

  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-e2e-"));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const id of ids) rmSync(join(IGNITION_DIR, id), { recursive: true, force: true });
  });

  for (const kind of ["hardhat", "anvil"] as const) {
    it(`deploys config/local.json on ${kind === "hardhat" ? "npx hardhat node" : "anvil"}, checks it on-chain${kind === "hardhat" ? ", and re-runs idempotently" : ", and runs the keeper once against a prepared unhealthy account"}, then governs through the Safe`, async function () {
      // Deploy, checks and the governance round trip (six Hardhat child processes) on a shared, loaded machine.
      this.timeout(1_800_000);
      let node: LocalNode | undefined;
      try {
        node = await startNode(kind);
        const id = newId(kind);
        const first = await deployTo(node.url, work, id);
        expect(first.code, explain(first)).to.equal(0);
        expect(first.stdout).to.contain("deploy: done, OptionsClearing at");
        const record = JSON.parse(readFileSync(join(work, `${id}.json`), "utf8")) as DeploymentRecord;
        expect(record.network).to.equal("e2e");
        expect(record.complete).to.equal(true);
        await checkOnChain(node.url, record);
        if (kind === "anvil") await keeperRoundTrip(node.url, record, join(work, `${id}.json`));

        if (kind === "hardhat") {
          const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
          const nonce = await provider.getTransactionCount(DEPLOYER);
          const second = await deployTo(node.url, work, id);
          const nonceAfter = await provider.getTransactionCount(DEPLOYER);
          provider.destroy();
          expect(second.code, explain(second)).to.equal(0);
          expect(nonceAfter, "the re-run sent transactions").to.equal(nonce);
          expect(second.stdout).to.not.contain("mock token");
          const again = JSON.parse(readFileSync(join(work, `${id}.json`), "utf8")) as DeploymentRecord;
          expect(again.contracts).to.deep.equal(record.contracts);
          expect(again.mocks).to.deep.equal(record.mocks);
          expect(again.startBlock).to.equal(record.startBlock);
        }
        // Governance through the Safe: on anvil (accounts #0-#9) the third owner, #10, signs by key.
        await governanceRoundTrip(node.url, record, join(work, `${id}.json`), work, {
          secondOwner: kind === "hardhat" ? { signer: 10 } : { key: devKey(10) },
        });
      } finally {
        await node?.stop();
      }
    });
  }

  it("exits non-zero with a clear error when the RPC is down (deploy and keeper scripts)", async function () {
    this.timeout(120_000);
    const url = `http://127.0.0.1:${await freePort()}`;
    // The keeper needs a record to start from: a well-formed one (its addresses are never reached).
    const recordPath = join(work, "down-record.json");
    const somewhere = "0x000000000000000000000000000000000000dEaD";
    const names = ["OptionsClearing", "OracleAggregator", "CircuitBreaker", "ProtocolTimelock"];
    writeFileSync(
      recordPath,
      JSON.stringify({
        network: "e2e",
        chainId: 31337,
        startBlock: 0,
        complete: true,
        contracts: Object.fromEntries(names.map((n) => [n, somewhere])),
        tokens: {},
        feeds: {},
        mocks: { tokens: {}, feeds: {} },
      }),
    );
    // Both child processes at once: the time is in their start-up.
    const [result, keeper] = await Promise.all([
      deployTo(url, work, newId("down")),
      runKeeperScript(url, recordPath),
    ]);
    expect(result.code, explain(result)).to.equal(1);
    expect(result.stderr).to.contain(`deploy failed: cannot reach the RPC of network 'e2e' at ${url}`);
    expect(keeper.code, explain(keeper)).to.equal(1);
    expect(keeper.stderr).to.contain(`keeper failed: cannot reach the RPC of network 'e2e' at ${url}`);
    expect(keeper.stdout).to.not.contain('"event":"pass"');
  });

  it("exits non-zero naming every config problem, before touching the network", async function () {
    this.timeout(120_000);
    const raw = JSON.parse(readFileSync("config/local.json", "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.collateral.WETH.haircut = 1.2;
    raw.assets.WETH.sources[1].kind = "foo";
    delete raw.assets.WBTC;
    const path = join(work, "bad-config.json");
    writeFileSync(path, JSON.stringify(raw));
    // No node listens on this port: a config error must come first.
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await deployTo(url, work, newId("badconfig"), { DEPLOY_CONFIG: path });
    expect(result.code, explain(result)).to.equal(1);
    expect(result.stderr).to.contain(`deploy failed: invalid deployment config ${path}`);
    expect(result.stderr).to.contain("collateral.WETH.haircut: 1.2 is over 100%");
    expect(result.stderr).to.contain("assets.WETH.sources[1].kind: unknown source kind 'foo'");
    expect(result.stderr).to.contain("collateral.WBTC: unknown asset 'WBTC' (not in assets)");
    expect(result.stderr).to.not.contain("cannot reach the RPC");
  });
});
