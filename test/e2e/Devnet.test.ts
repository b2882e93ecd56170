/**
 * `npm run devnet` as a person runs it, on each node the README names (`npx hardhat node`, and anvil with
 * `DEVNET_NODE=anvil`): one process that starts the node, deploys, seeds series and positions at several leverages and
 * keeps the feeds moving until stopped; the README's second-terminal commands run against it (a price move, the keeper
 * liquidating, the reporter relaying); Ctrl-C (SIGINT to its process group) stops it and the node it started. Bad
 * options are refused by name before anything starts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import {
  OptionsClearing__factory,
  OracleAggregator__factory,
  SignedReportSource__factory,
} from "../../typechain-types";
import { readDeploymentRecord } from "../../scripts/lib/operator/record";
import {
  freePort,
  launch,
  portInUse,
  rpcReady,
  runHardhat,
  stopGroup,
  type CommandResult,
  type NodeKind,
} from "../shared/localNode";
import { hardhatCommand, readmeBlock, words } from "../shared/readme";

const WAD = 10n ** 18n;
const IGNITION_DIR = join(__dirname, "..", "..", "ignition", "deployments");
/** Development account #8: config/local.json's reporter, which the README's reporter line signs with. */
const REPORTER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";
const DEVNET_SECTION = "## A local market that stays alive";
/** What each node answers to `web3_clientVersion`. */
const CLIENT_VERSION: Record<NodeKind, RegExp> = { hardhat: /^HardhatNetwork\//, anvil: /^anvil\// };
const NODE_NAME: Record<NodeKind, string> = { hardhat: "npx hardhat node", anvil: "anvil" };

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function devnet(env: NodeJS.ProcessEnv): Run {
  const child = launch("npm", ["run", "--silent", "devnet"], env);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exit };
}

/**
 * The README's command that starts the devnet on `kind` (`npm run devnet`, the node chosen by `DEVNET_NODE`), as the
 * environment it sets.
 */
function readmeDevnetEnv(kind: NodeKind): NodeJS.ProcessEnv {
  const found = readmeBlock(DEVNET_SECTION)
    .map((line) => ({ line, parts: words(line) }))
    .filter(({ parts }) => {
      const env = parts.filter((w) => /^[A-Z_]+=/.test(w));
      const rest = parts.slice(env.length);
      const node = env.find((w) => w.startsWith("DEVNET_NODE="))?.slice("DEVNET_NODE=".length) ?? "hardhat";
      return rest.join(" ") === "npm run devnet" && node === kind;
    });
  if (found.length !== 1)
    throw new Error(`README.md's devnet block has no single 'npm run devnet' line for ${kind}`);
  return Object.fromEntries(
    found[0].parts
      .filter((w) => /^[A-Z_]+=/.test(w))
      .map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]),
  );
}

/** Wait until `predicate` holds on the output, or fail after `ms` showing it. */
async function until(
  run: Run,
  predicate: (output: string) => boolean,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate(run.output())) {
    if (run.child.exitCode !== null)
      throw new Error(`devnet exited (${run.child.exitCode}) before ${what}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A node's answer to `web3_clientVersion` ("HardhatNetwork/2.x/...", "anvil/v1.7.1"). */
async function clientVersion(url: string): Promise<string> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    return (await provider.send("web3_clientVersion", [])) as string;
  } finally {
    provider.destroy();
  }
}

const ticks = (output: string): { weth: bigint }[] =>
  [...output.matchAll(/market: tick \d+: WETH ([\d,]+)\.(\d{2}),/g)].map((m) => ({
    weth: BigInt(m[1].replace(/,/g, "")) * 100n + BigInt(m[2]),
  }));

describe("e2e/Devnet (npm run devnet as a process, on npx hardhat node and on anvil)", function () {
  let work: string;
  const ports: number[] = [];
  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-devnet-"));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const port of ports) rmSync(join(IGNITION_DIR, `devnet-${port}`), { recursive: true, force: true });
  });

  it("refuses bad options by name, starting nothing", async function () {
    this.timeout(120_000);
    const run = devnet({
      DEVNET_PORT: "http",
      DEVNET_NODE: "ganache",
      DEVNET_TICK_MS: "5",
      DEVNET_RECORD: join(work, "bad.json"),
    });
    expect(await run.exit).to.not.equal(0);
    expect(run.output()).to.contain("DEVNET_PORT");
    expect(run.output()).to.contain("DEVNET_NODE");
    expect(run.output()).to.contain("DEVNET_TICK_MS");
    expect(run.output()).to.not.contain("starting");
  });

  for (const kind of ["hardhat", "anvil"] as const) {
    it(`on ${NODE_NAME[kind]}: deploys, seeds positions at several leverages, moves the feeds, runs the README's second terminal, and stops with its node on Ctrl-C`, async function () {
      // A loaded machine: minutes for the hardhat node's deployment and seeding; anvil takes a few.
      this.timeout(1_200_000);
      await devnetCase(kind, work, ports);
    });
  }
});

/** One devnet on `kind`, started by the README's command for it, through to Ctrl-C. */
async function devnetCase(kind: NodeKind, work: string, ports: number[]): Promise<void> {
  const port = await freePort();
  ports.push(port);
  const on = `devnet on ${NODE_NAME[kind]}`;
  const record = join(work, `devnet-${kind}.json`);
  const prices = join(work, `devnet-${kind}-prices.json`);
  const url = `http://127.0.0.1:${port}`;
  const run = devnet({
    ...readmeDevnetEnv(kind),
    DEVNET_PORT: String(port),
    DEVNET_TICK_MS: "1000",
    DEVNET_SEED: "7",
    DEVNET_RECORD: record,
    DEVNET_PRICES: prices,
  });
  try {
    await until(run, (o) => ticks(o).length >= 3, 840_000, `three moves of the feeds (${on})`);
    expect(run.output(), on).to.contain(`devnet: starting ${NODE_NAME[kind]} on ${url}`);
    const version = await clientVersion(url);
    expect(CLIENT_VERSION[kind].test(version), `${on}: the node answers as ${version}`).to.equal(true);

    // A second devnet on the same port is refused while the first runs.
    const second = devnet({ DEVNET_PORT: String(port), DEVNET_RECORD: join(work, `second-${kind}.json`) });
    expect(await second.exit, on).to.not.equal(0);
    expect(second.output(), on).to.contain(`a node already answers on ${url}`);

    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const r = readDeploymentRecord(record);
      const clearing = OptionsClearing__factory.connect(r.contracts.OptionsClearing, provider);
      const oracle = OracleAggregator__factory.connect(r.contracts.OracleAggregator, provider);
      expect((await clearing.queryFilter(clearing.filters.SeriesListed())).length, on).to.be.at.least(10);
      expect(await clearing.accountCount(), on).to.equal(4n);
      // Every writer is short and healthy, its initial margin a different share of its collateral.
      const usage: bigint[] = [];
      for (let id = 1n; id <= 4n; id++) {
        const h = await clearing.health(id);
        expect(h.collateralValueWad >= h.initialWad, `${on}: account ${id} healthy`).to.equal(true);
        const [seriesId] = await clearing.seriesOf(id);
        expect(await clearing.positionOf(id, seriesId), `${on}: account ${id} short`).to.be.lessThan(0n);
        usage.push((h.initialWad * 100n) / h.collateralValueWad);
      }
      // Seeded at 95%, 70%, 50% and 25% of each account's capacity; the feeds have moved since.
      const falling = usage.every((u, i) => i === 0 || u < usage[i - 1]);
      expect(
        falling && usage[0] >= 75n && usage[3] <= 40n,
        `${on}: margin usage ${usage.join(", ")}`,
      ).to.equal(true);
      // The feeds moved away from the configured 2,000 and the oracle serves a price the devnet printed.
      const printed = ticks(run.output()).map((t) => t.weth);
      expect(
        printed.some((p) => p !== 200_000n),
        on,
      ).to.equal(true);
      // A move may be under way while the oracle is read (its line not printed yet): wait for the next line.
      const [priceWad] = await oracle.getPrice(r.tokens.WETH);
      const cents = (priceWad * 100n + WAD / 2n) / WAD;
      const seen = ticks(run.output()).length;
      await until(run, (o) => ticks(o).length > seen, 240_000, `the next move (${on})`);
      expect(
        ticks(run.output()).map((t) => t.weth),
        on,
      ).to.include(cents);
    } finally {
      provider.destroy();
    }

    // The README's second terminal, each line a process against the running devnet: the keeper's account, WETH
    // moved to 1,600, Alice's account 1 liquidatable, one keeper pass liquidating it, the reporter relaying the move.
    const ran = new Map<string, CommandResult>();
    for (const line of readmeBlock(DEVNET_SECTION, "In a second terminal")) {
      const command = hardhatCommand(line);
      const args = command.args.map((a) => (a === "localhost" ? "e2e" : a));
      const env: NodeJS.ProcessEnv = { ...command.env, E2E_RPC_URL: url };
      if (args[0] === "run") Object.assign(env, { KEEPER_RECORD: record, REPORTER_RECORD: record });
      else args.push("--record", record);
      if (env.REPORTER_PRICES === "reports/devnet-prices.json") env.REPORTER_PRICES = prices;
      const r = await runHardhat(args, env);
      expect(r.code, `${on}: ${line}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`).to.equal(0);
      ran.set(line, r);
    }
    const out = (prefix: string): string => {
      const found = [...ran.entries()].filter(([line]) => line.includes(prefix));
      expect(found, `${on}: no command like '${prefix}' ran`).to.have.length(1);
      return found[0][1].stdout;
    };
    const json = (stdout: string): Record<string, unknown>[] =>
      stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out("health --account 1"), on).to.contain("LIQUIDATABLE");
    expect(out("health --account 1"), on).to.match(/auction discount \d+(\.\d{1,2})?%/);
    const liquidated = json(out("KEEPER_ONCE=1")).filter((l) => l.event === "liquidated");
    expect(
      liquidated.map((l) => l.accountId),
      on,
    ).to.include("1");
    const reported = json(out("REPORTER_PRICES=")).filter((l) => l.event === "reported");
    const weth = reported.find((l) => l.asset === "WETH");
    expect(weth, `${on}: no WETH report relayed`).to.not.equal(undefined);
    // The relayed report is on-chain: #8's report at the WETH SignedReportSource, as the reporter logged it.
    const reader = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const address = readDeploymentRecord(record).contracts["SignedReportSource.WETH"];
      const [priceWad, observedAt] = await SignedReportSource__factory.connect(address, reader).reportOf(
        REPORTER,
      );
      expect({ priceWad: priceWad.toString(), observedAt: observedAt.toString() }, on).to.deep.equal({
        priceWad: weth?.priceWad,
        observedAt: weth?.observedAt,
      });
    } finally {
      reader.destroy();
    }

    // Ctrl-C: the terminal signals the whole foreground group; npm re-raises the signal after its child exits.
    process.kill(-(run.child.pid ?? 0), "SIGINT");
    const code = await run.exit;
    // 130 is a shell's code for a SIGINT exit, which npm may report instead of dying by the signal.
    const clean = code === 0 || code === 130 || run.child.signalCode === "SIGINT";
    expect(clean, `${on}: exit ${code} ${run.child.signalCode}`).to.equal(true);
    expect(run.output(), on).to.contain("devnet: stopped (node and market)");
    expect(await rpcReady(url), `${on}: the node still answers after Ctrl-C`).to.equal(false);
    expect(await portInUse(port), `${on}: the port is still taken after Ctrl-C`).to.equal(false);
  } finally {
    await stopGroup(run.child);
  }
}
