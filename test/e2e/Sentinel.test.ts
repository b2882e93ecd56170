/**
 * The sentinel (scripts/sentinel.ts, scripts/lib/sentinel): its rules file is validated with clear errors; its rule
 * engine, called as a library on a fresh deployment of config/local.json on the in-process network, stays quiet on a
 * calm chain and pauses (or, in dry-run, only says it would) on scripted anomalies: a source that disagrees, a price
 * out of bounds, a stale source, a run on a vault, a liquidation and a large write. Then the README's sentinel block
 * runs as processes against `npx hardhat node` on loopback: deploy, the reporter beside, a quiet dry run, and the loop
 * pausing the breaker there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { JsonRpcProvider, keccak256, toUtf8Bytes } from "ethers";
import {
  CircuitBreaker__factory,
  CollateralVault__factory,
  MockChainlinkFeed__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  SignedReportSource__factory,
} from "../../typechain-types";
import { deploySuite, type DeploymentRecord } from "../../scripts/lib/deploy/suite";
import {
  loadSentinelConfig,
  SentinelConfigError,
  validateSentinelConfig,
  type SentinelConfig,
} from "../../scripts/lib/sentinel/rules";
import {
  median,
  outflowUsedWad,
  runSentinel,
  runSentinelPass,
  spreadWad,
  type Decision,
} from "../../scripts/lib/sentinel/engine";
import { SentinelSetupError, setUpSentinel } from "../../scripts/lib/sentinel/cli";
import { Scopes } from "../../scripts/lib/scopes";
import { TripReason } from "../../scripts/lib/breaker/tripReason";
import type { ChildProcess } from "node:child_process";
import {
  launch,
  runHardhat,
  startNode,
  stopGroup,
  type CommandResult,
  type LocalNode,
} from "../shared/localNode";
import { hardhatCommand, readmeBlock } from "../shared/readme";
import { reportDomain, signReport, toCalldata } from "../../scripts/lib/signing";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
const HOUR = 3600;
const SHIPPED = "config/sentinel.json";
const KNOWN = { assets: ["WETH", "WBTC"], tokens: ["USDC", "WETH", "WBTC"] };

async function deployed() {
  const dir = mkdtempSync(join(tmpdir(), "optiq-sentinel-"));
  try {
    const record = await deploySuite(hre, {
      configPath: "config/local.json",
      recordPath: join(dir, "record.json"),
      deploymentId: `sentinel-${process.pid}`,
    });
    const [deployer, , guardian, lister, alice, bob, carol] = await ethers.getSigners();
    const c = record.contracts;
    return {
      record,
      deployer,
      guardian,
      lister,
      alice,
      bob,
      carol,
      breaker: CircuitBreaker__factory.connect(c.CircuitBreaker, deployer),
      clearing: OptionsClearing__factory.connect(c.OptionsClearing, deployer),
      oracle: OracleAggregator__factory.connect(c.OracleAggregator, deployer),
      usdcVault: CollateralVault__factory.connect(c["CollateralVault.USDC"], deployer),
      usdc: MockERC20__factory.connect(record.tokens.USDC, deployer),
      wethFeed: (i: number) => MockChainlinkFeed__factory.connect(record.mocks.feeds.WETH[i], deployer),
      wbtcFeed: (i: number) => MockChainlinkFeed__factory.connect(record.mocks.feeds.WBTC[i], deployer),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
type Deployed = Awaited<ReturnType<typeof deployed>>;

const rules = (...list: object[]): SentinelConfig =>
  validateSentinelConfig({ rules: list }, "test rules", KNOWN);

async function pass(d: Deployed, config: SentinelConfig, dryRun = false): Promise<Decision[]> {
  return runSentinelPass({ provider: ethers.provider, record: d.record, guardian: d.guardian }, config, {
    dryRun,
  });
}

const byRule = (decisions: Decision[], id: string): Decision => {
  const found = decisions.find((x) => x.rule === id);
  if (found === undefined) throw new Error(`no decision for ${id}`);
  return found;
};

/** Reporter #8 (config/local.json) relays a WETH report at `priceWad`, observed now, to the WETH SignedReportSource. */
async function reportWeth(d: Deployed, priceWad: bigint): Promise<void> {
  const address = d.record.contracts["SignedReportSource.WETH"];
  const reporter = (await ethers.getSigners())[8];
  const domain = reportDomain((await ethers.provider.getNetwork()).chainId, address);
  const report = { asset: d.record.tokens.WETH, priceWad, observedAt: BigInt(await time.latest()) };
  const signed = await signReport(reporter, domain, report);
  await SignedReportSource__factory.connect(address, d.deployer).submit(toCalldata([signed]));
}

/** Set every WETH feed (8, 8 and 18 decimals in config/local.json) to `priceWad` now, except `skip`. */
async function setWeth(d: Deployed, priceWad: bigint, only?: number): Promise<void> {
  const at = await time.latest();
  for (const i of [0, 1, 2]) {
    if (only !== undefined && i !== only) continue;
    const feed = d.wethFeed(i);
    const decimals = Number(await feed.decimals());
    await feed.setAnswer(priceWad / 10n ** BigInt(18 - decimals), at);
  }
}

describe("e2e/Sentinel (rules file and rule engine, in-process network)", () => {
  describe("rules file", () => {
    it("accepts the shipped config/sentinel.json", () => {
      const config = loadSentinelConfig(SHIPPED, KNOWN);
      expect(config.rules.length).to.be.greaterThan(0);
      expect(config.intervalSeconds).to.equal(15);
      const spread = config.rules.find((r) => r.kind === "spread");
      expect(spread !== undefined && spread.kind === "spread" && spread.maxSpreadWad).to.equal(
        (15n * WAD) / 1000n,
      );
    });

    it("names every problem of a bad rules file with its path", () => {
      const bad = {
        interval: "soon",
        extra: 1,
        rules: [
          { id: "a", kind: "spread", asset: "DOGE", maxSpread: "150%", action: "pause" },
          { id: "a", kind: "teleport", action: "pause" },
          { id: "b", kind: "outflow", token: "USDC", maxUsed: "50%", action: "pause" },
          { id: "c", kind: "price", asset: "WETH", min: "10", max: "5", action: "shout" },
          { id: "d", kind: "positions", window: "1h", action: "alert", scope: "asset:DOGE", maxContracts: 0 },
          { id: "e", kind: "liquidations", window: "1h", action: "alert" },
        ],
      };
      let error: unknown;
      try {
        validateSentinelConfig(bad, "bad.json", KNOWN);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(SentinelConfigError);
      const problems = (error as SentinelConfigError).problems;
      expect(problems).to.include.members([
        "extra: unknown field",
        "rules[0] (a).asset: unknown asset 'DOGE' (the deployment has WETH, WBTC)",
        "rules[0] (a).maxSpread: '150%' is over 100%",
        "rules[1].id: 'a' is used by another rule",
        "rules[2] (b).scope: a pause rule of kind outflow must name the scope it pauses",
        "rules[3] (c).action: 'shout' is not 'pause' or 'alert'",
        "rules[3] (c): min 10 must be below max 5",
        "rules[4] (d).scope: unknown asset 'DOGE' (the deployment has WETH, WBTC)",
        "rules[4] (d).maxContracts: 0 must be above zero",
        "rules[5] (e): a liquidations rule needs maxValue or maxCount",
      ]);
      expect(problems.some((p) => p.startsWith("interval: 'soon' is not a duration"))).to.equal(true);
      expect(problems.some((p) => p.startsWith("rules[1] (a).kind: unknown rule kind 'teleport'"))).to.equal(
        true,
      );
      expect((error as Error).message).to.contain("invalid sentinel config bad.json");
    });

    it("refuses an empty rule list and a file that is not JSON", () => {
      expect(() => validateSentinelConfig({ rules: [] }, "x")).to.throw(
        SentinelConfigError,
        "rules: a non-empty list",
      );
      const dir = mkdtempSync(join(tmpdir(), "optiq-sentinel-cfg-"));
      try {
        writeFileSync(join(dir, "broken.json"), "{ rules: ");
        expect(() => loadSentinelConfig(join(dir, "broken.json"))).to.throw(
          SentinelConfigError,
          "cannot read it as JSON",
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("measures", () => {
    it("takes the median and the spread as the aggregator does", () => {
      expect(median([3n, 1n, 2n])).to.equal(2n);
      expect(median([1n, 4n])).to.equal(2n); // 1 + (4 - 1) / 2 rounded down
      // (105 - 100) / 100 = 5%; rounded up.
      expect(spreadWad([100n * WAD, 105n * WAD, 101n * WAD])).to.equal((5n * WAD) / 101n + 1n);
      expect(spreadWad([100n])).to.equal(0n);
    });

    it("measures outflow against the liquidity at the start of the window", () => {
      // 10,000 at the start, 6,000 left: 60% of a 100% limit, 600% of a 10% limit.
      expect(outflowUsedWad(4_000n, 6_000n, 0n, 10_000n)).to.equal((6n * WAD) / 10n);
      expect(outflowUsedWad(4_000n, 6_000n, 0n, 1_000n)).to.equal(6n * WAD);
      // A deposit within the window is not part of the starting liquidity.
      expect(outflowUsedWad(9_000n, 1_000n, 5_000n, 10_000n)).to.equal(WAD / 5n);
    });
  });

  describe("on a deployment", () => {
    it("stays quiet on a calm chain with the shipped rules: every rule evaluated, nothing paused", async () => {
      const d = await loadFixture(deployed);
      const config = loadSentinelConfig(SHIPPED, KNOWN);
      // Calm: the reporter has relayed a WETH price in agreement with the feeds (weth-stale watches every source).
      await reportWeth(d, 2_000n * WAD);
      const decisions = await pass(d, config);
      expect(decisions.map((x) => x.rule)).to.deep.equal(config.rules.map((r) => r.id));
      for (const x of decisions) expect([x.rule, x.status, x.action]).to.deep.equal([x.rule, "ok", "none"]);
      expect(await d.breaker.trippedScopeCount()).to.equal(0n);
    });

    it("on a disagreeing source: dry-run only says it would pause; live, the guardian pauses with the reason, once", async () => {
      const d = await loadFixture(deployed);
      const config = rules({
        id: "weth-spread",
        kind: "spread",
        asset: "WETH",
        maxSpread: "1.5%",
        action: "pause",
      });
      await setWeth(d, 2_060n * WAD, 0); // one source 3% above the two others
      const scope = Scopes.asset(d.record.tokens.WETH);

      const nonce = await ethers.provider.getTransactionCount(d.guardian.address);
      const dry = byRule(await pass(d, config, true), "weth-spread");
      expect([dry.status, dry.action, dry.dryRun, dry.scope]).to.deep.equal([
        "triggered",
        "would-pause",
        true,
        "asset:WETH",
      ]);
      expect(dry.observed?.spreadWad).to.equal((60n * WAD) / 2000n); // (2060 - 2000) / 2000
      expect(dry.observed?.spreadFormatted).to.equal("3%");
      const sources = dry.observed?.sources as { priceWad?: bigint; priceFormatted?: string }[];
      expect(sources[0]).to.include({ priceWad: 2_060n * WAD, priceFormatted: "2,060 USDC/WETH" });
      // The signed source has no report yet: no price, so no formatted price either.
      expect(sources[3]).to.not.have.any.keys("priceWad", "priceFormatted");
      expect(await d.breaker.isTripped(scope)).to.equal(false);
      expect(await ethers.provider.getTransactionCount(d.guardian.address)).to.equal(nonce);

      const live = byRule(await pass(d, config), "weth-spread");
      expect([live.status, live.action]).to.deep.equal(["triggered", "pause"]);
      expect(live.reason).to.equal(
        "sentinel weth-spread: WETH sources spread 3.00% (max 1.50%) over 3 available",
      );
      const state = await d.breaker.scopeState(scope);
      expect(state.reason).to.equal(TripReason.GuardianPause);
      const [event] = await d.breaker.queryFilter(d.breaker.filters.Tripped(scope));
      expect(event.transactionHash).to.equal(live.tx);
      expect(event.args.by).to.equal(d.guardian.address);
      expect(event.args.detail).to.equal(keccak256(toUtf8Bytes(live.reason ?? "")));

      const again = byRule(await pass(d, config), "weth-spread");
      expect([again.status, again.action, again.tx]).to.deep.equal([
        "triggered",
        "already-paused",
        undefined,
      ]);
    });

    it("on a price out of bounds pauses the asset; a stale source only alerts", async () => {
      const d = await loadFixture(deployed);
      const config = rules(
        { id: "wbtc-bounds", kind: "price", asset: "WBTC", min: "5000", max: "600000", action: "pause" },
        { id: "weth-stale", kind: "price", asset: "WETH", maxAge: "1h", action: "alert" },
      );
      // Before the reporter's first report the WETH SignedReportSource (source 3) has no price: an alert.
      const unreported = byRule(await pass(d, config), "weth-stale");
      expect([unreported.status, unreported.action]).to.deep.equal(["triggered", "alert"]);
      expect(unreported.reason).to.match(/^WETH source 3 unavailable \(.*TooFewFreshReports/);
      await reportWeth(d, 2_000n * WAD);
      const calm = await pass(d, config);
      expect(calm.map((x) => x.status)).to.deep.equal(["ok", "ok"]);
      await time.increase(2 * HOUR);
      await d.wbtcFeed(1).setAnswer(4_000n * 10n ** 8n, await time.latest());
      const [bounds, stale] = await pass(d, config);
      expect([bounds.status, bounds.action, bounds.scope]).to.deep.equal([
        "triggered",
        "pause",
        "asset:WBTC",
      ]);
      expect(bounds.reason).to.contain("source 1 at 4000 below 5000");
      expect(await d.breaker.isTripped(Scopes.asset(d.record.tokens.WBTC))).to.equal(true);
      expect([stale.status, stale.action]).to.deep.equal(["triggered", "alert"]);
      expect(stale.reason).to.match(/source 0 \d+ s old \(max 3600\)/);
      expect(await d.breaker.isTripped(Scopes.asset(d.record.tokens.WETH))).to.equal(false);
    });

    it("on a run on the USDC vault pauses WITHDRAW", async () => {
      const d = await loadFixture(deployed);
      const config = rules({
        id: "usdc-outflow",
        kind: "outflow",
        token: "USDC",
        maxUsed: "50%",
        action: "pause",
        scope: "WITHDRAW",
      });
      const vault = await d.usdcVault.getAddress();
      await d.usdc.mint(d.alice.address, 10_000n * USDC);
      await d.usdc.connect(d.alice).approve(vault, 10_000n * USDC);
      await d.usdcVault.connect(d.alice).deposit(10_000n * USDC, d.alice.address);
      await time.increase(24 * HOUR + 60); // the deposit leaves the 1-day window
      await d.usdcVault.connect(d.alice).withdraw(4_000n * USDC, d.alice.address, d.alice.address);
      expect(byRule(await pass(d, config), "usdc-outflow").status).to.equal("ok"); // 40%
      await d.usdcVault.connect(d.alice).withdraw(2_000n * USDC, d.alice.address, d.alice.address);
      const x = byRule(await pass(d, config), "usdc-outflow");
      expect([x.status, x.action, x.scope]).to.deep.equal(["triggered", "pause", "WITHDRAW"]);
      expect(x.observed?.usedWad).to.equal((6n * WAD) / 10n); // 6,000 of the 10,000 at the window's start
      expect(await d.breaker.isTripped(Scopes.WITHDRAW)).to.equal(true);
    });

    it("on a liquidation and a large write: pauses LIQUIDATE and alerts on the position", async () => {
      const d = await loadFixture(deployed);
      const { clearing, usdcVault, usdc } = d;
      const config = rules(
        {
          id: "liquidations",
          kind: "liquidations",
          window: "1h",
          maxCount: 0,
          action: "pause",
          scope: "LIQUIDATE",
        },
        { id: "large", kind: "positions", window: "1h", maxContracts: "2.5", action: "alert" },
      );
      const vault = await usdcVault.getAddress();
      const fund = async (who: typeof d.alice, amount: bigint): Promise<bigint> => {
        await usdc.mint(who.address, amount);
        await usdc.connect(who).approve(vault, amount);
        await usdcVault.connect(who).deposit(amount, who.address);
        await usdcVault.connect(who).approve(await clearing.getAddress(), ethers.MaxUint256);
        await clearing.connect(who).openAccount();
        const id = await clearing.accountCount();
        await clearing.connect(who).depositCollateral(id, vault, await usdcVault.balanceOf(who.address));
        return id;
      };
      const victim = await fund(d.alice, 2_000n * USDC);
      const keeper = await fund(d.carol, 100_000n * USDC);
      const weth = d.record.tokens.WETH;
      const expiry = (await time.latest()) + 7 * 24 * HOUR;
      await clearing.connect(d.lister).listSeries(weth, 1_800n * WAD, expiry, false);
      const put = await clearing.seriesIdOf(weth, 1_800n * WAD, expiry, false);
      await clearing.connect(d.alice).write(victim, put, 3n * WAD, d.bob.address);
      expect(byRule(await pass(d, config), "large").status).to.equal("triggered");
      // -40%: within the oracle's 50% band, so no trip; Alice falls below maintenance.
      await setWeth(d, 1_200n * WAD);
      await d.oracle.poke(weth);
      await clearing.connect(d.carol).liquidate(victim, keeper, WAD, 0, expiry);
      const [liq, large] = await pass(d, config);
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(victim));
      expect([liq.status, liq.action, liq.scope]).to.deep.equal(["triggered", "pause", "LIQUIDATE"]);
      expect(liq.observed?.count).to.equal(1);
      expect(liq.observed?.seizedValueWad).to.equal(event.args.result.seizedValueWad);
      expect(await d.breaker.isTripped(Scopes.LIQUIDATE)).to.equal(true);
      expect([large.status, large.action]).to.deep.equal(["triggered", "alert"]);
      expect(large.reason).to.contain("largest Written of 3 by account");
      // The series by its human name beside its id; the seized value in USDC beside the raw WAD figure.
      const [written] = large.observed?.large as { seriesId: bigint; series: string }[];
      expect(written.seriesId).to.equal(put);
      const expiryDate = new Date(expiry * 1000).toISOString().slice(0, 10);
      expect(written.series).to.equal(`WETH-1800-P-${expiryDate}`);
      expect(liq.observed?.seizedValueFormatted).to.match(/^[\d,]+(\.\d{1,6})? USDC$/);
    });

    it("sets up from the environment: finds the guardian by role, refuses a missing record, another chain, a stranger", async () => {
      const d = await loadFixture(deployed);
      const dir = mkdtempSync(join(tmpdir(), "optiq-sentinel-setup-"));
      try {
        const recordPath = join(dir, "record.json");
        writeFileSync(recordPath, JSON.stringify(d.record));
        const setup = await setUpSentinel(hre, { SENTINEL_RECORD: recordPath, SENTINEL_ONCE: "1" });
        expect(await setup.ctx.guardian?.getAddress()).to.equal(d.guardian.address); // config/local.json: account #2
        expect([setup.once, setup.dryRun, setup.config.rules.length > 0]).to.deep.equal([true, false, true]);

        const fails = async (env: NodeJS.ProcessEnv, message: string): Promise<void> => {
          let error: unknown;
          try {
            await setUpSentinel(hre, env);
          } catch (e) {
            error = e;
          }
          expect(error).to.be.instanceOf(SentinelSetupError);
          expect((error as Error).message).to.contain(message);
        };
        await fails(
          { SENTINEL_RECORD: join(dir, "none.json") },
          `no deployment record at ${join(dir, "none.json")}`,
        );
        const other = join(dir, "other.json");
        writeFileSync(other, JSON.stringify({ ...d.record, chainId: 1 }));
        await fails(
          { SENTINEL_RECORD: other },
          `${other} is a deployment on chain 1, the RPC is chain 31337`,
        );
        await fails(
          { SENTINEL_RECORD: recordPath, SENTINEL_GUARDIAN: "0x0000000000000000000000000000000000000001" },
          "SENTINEL_GUARDIAN 0x0000000000000000000000000000000000000001 is not an account of network 'hardhat'",
        );
        const badRules = join(dir, "rules.json");
        writeFileSync(
          badRules,
          JSON.stringify({
            rules: [{ id: "x", kind: "spread", asset: "DOGE", maxSpread: "1%", action: "alert" }],
          }),
        );
        let error: unknown;
        try {
          await setUpSentinel(hre, { SENTINEL_RECORD: recordPath, SENTINEL_CONFIG: badRules });
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(SentinelConfigError);
        expect((error as Error).message).to.contain(
          "rules[0] (x).asset: unknown asset 'DOGE' (the deployment has WETH, WBTC)",
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("loops until stopped, counting the decisions that are errors", async () => {
      const d = await loadFixture(deployed);
      const config = validateSentinelConfig(
        {
          interval: "1s",
          rules: [{ id: "weth-spread", kind: "spread", asset: "WETH", maxSpread: "1%", action: "alert" }],
        },
        "loop rules",
        KNOWN,
      );
      const controller = new AbortController();
      const seen: Decision[] = [];
      const errors = await runSentinel({ provider: ethers.provider, record: d.record }, config, {
        once: false,
        dryRun: true,
        signal: controller.signal,
        onDecision: (decision) => {
          seen.push(decision);
          if (seen.length === 2) controller.abort();
        },
      });
      expect(errors).to.equal(0);
      expect(seen.map((x) => [x.rule, x.status])).to.deep.equal([
        ["weth-spread", "ok"],
        ["weth-spread", "ok"],
      ]);
    });

    it("reports a rule it cannot evaluate as an error and goes on with the others", async () => {
      const d = await loadFixture(deployed);
      const record: DeploymentRecord = {
        ...d.record,
        tokens: { ...d.record.tokens, WETH: ethers.ZeroAddress },
      };
      const config = rules(
        { id: "weth-spread", kind: "spread", asset: "WETH", maxSpread: "1%", action: "alert" },
        { id: "wbtc-spread", kind: "spread", asset: "WBTC", maxSpread: "1%", action: "alert" },
      );
      const [broken, fine] = await runSentinelPass({ provider: ethers.provider, record }, config, {
        dryRun: true,
      });
      expect([broken.status, broken.action]).to.deep.equal(["error", "none"]);
      expect(broken.error).to.contain("no sources for WETH");
      expect(fine.status).to.equal("ok");
    });
  });
});

describe("e2e/SentinelNode (the README's sentinel block as processes against npx hardhat node)", function () {
  const explain = (r: CommandResult): string =>
    `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;
  const decisions = (stdout: string): Decision[] =>
    stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Decision);
  const shipped = loadSentinelConfig(SHIPPED, KNOWN).rules.map((r) => r.id);

  /** A background process's stdout, and a wait for a line of it. */
  function background(child: ChildProcess): {
    stdout: () => string;
    until: (what: string, test: (out: string) => boolean) => Promise<void>;
  } {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return {
      stdout: () => stdout,
      until: async (what, test) => {
        const deadline = Date.now() + 300_000;
        while (!test(stdout)) {
          if (child.exitCode !== null || Date.now() > deadline) {
            throw new Error(`no ${what} (exit ${child.exitCode}):\n${stdout}\n${stderr}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
    };
  }

  it("runs the block in its order on a fresh node: the reporter beside, a quiet dry run, then the loop pauses a disagreeing WETH", async function () {
    this.timeout(1_500_000);
    const work = mkdtempSync(join(tmpdir(), "optiq-sentinel-node-"));
    const id = `e2e-sentinel-${process.pid}`;
    const recordPath = join(work, "record.json");
    let node: LocalNode | undefined;
    let provider: JsonRpcProvider | undefined;
    const started: ChildProcess[] = [];
    try {
      node = await startNode("hardhat");
      const lines = readmeBlock("## Sentinel");
      const ran = new Map<string, string>();
      let reporter: ReturnType<typeof background> | undefined;
      for (const line of lines) {
        if (line.startsWith("npx hardhat node")) continue;
        const echo = /^echo '(.*)' > (\S+)$/.exec(line);
        if (echo !== null) {
          writeFileSync(join(work, echo[2]), `${echo[1]}\n`);
          continue;
        }
        const command = hardhatCommand(line);
        const args = command.args.map((a) => (a === "localhost" ? "e2e" : a));
        const env: NodeJS.ProcessEnv = {
          ...command.env,
          E2E_RPC_URL: node.url,
          DEPLOY_CONFIG: "config/local.json",
          DEPLOY_RECORD: recordPath,
          DEPLOYMENT_ID: id,
          REPORTER_RECORD: recordPath,
          SENTINEL_RECORD: recordPath,
        };
        if (env.REPORTER_PRICES !== undefined) env.REPORTER_PRICES = join(work, env.REPORTER_PRICES);
        if (command.background) {
          // The reporter, left running: the block's next line waits for its first relay, as the README says.
          const child = launch("npx", ["hardhat", ...args], env);
          started.push(child);
          reporter = background(child);
          await reporter.until("'reported' line", (out) => out.includes('"event":"reported"'));
          continue;
        }
        if (args[1] === "scripts/sentinel.ts" && env.SENTINEL_ONCE === undefined) {
          // The loop: one WETH feed moves 5% away from the others first; the loop's first pass is read, then Ctrl-C.
          provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
          const record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
          const block = await provider.getBlock("latest");
          const feed = MockChainlinkFeed__factory.connect(
            record.mocks.feeds.WETH[0],
            await provider.getSigner(0),
          );
          await (await feed.setAnswer(2_100n * 10n ** 8n, block?.timestamp ?? 0)).wait();
          const child = launch("npx", ["hardhat", ...args], env);
          started.push(child);
          const loop = background(child);
          await loop.until("first pass", (out) => decisions(out).length >= shipped.length);
          await stopGroup(child);
          ran.set(line, loop.stdout());
          continue;
        }
        // The whole suite's deployment takes minutes on a loaded two-core machine.
        const r = await runHardhat(args, env, 600_000);
        expect(r.code, `${line}\n${explain(r)}`).to.equal(0);
        ran.set(line, r.stdout);
      }
      expect(reporter, "the block starts the reporter").to.not.equal(undefined);
      const record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
      // A fresh development chain gets the addresses of the shipped reference record (README, integrators).
      const reference = JSON.parse(readFileSync("deployments/local.json", "utf8")) as DeploymentRecord;
      // Bytecode changes move the vaults' CREATE2 addresses: `npm run record:local` regenerates the reference.
      expect(record.contracts, "deployments/local.json is stale: npm run record:local").to.deep.equal(
        reference.contracts,
      );
      expect(record.tokens).to.deep.equal(reference.tokens);
      expect(record.feeds).to.deep.equal(reference.feeds);

      const output = (prefix: string): string => {
        const found = [...ran.entries()].filter(([line]) => line.startsWith(prefix));
        expect(found, `no command like '${prefix}' ran`).to.have.length(1);
        return found[0][1];
      };
      // The dry run on the fresh deployment with the reporter beside: every shipped rule evaluated and quiet, the
      // signed WETH source among the sources the stale rule read (its 2,000 relayed by the reporter).
      const dry = decisions(output("SENTINEL_ONCE=1"));
      expect(dry.map((d) => [d.rule, d.status])).to.deep.equal(shipped.map((rule) => [rule, "ok"]));
      const stale = dry.find((d) => d.rule === "weth-stale");
      const staleSources = (stale?.observed as { sources: { source: string; priceWad?: string }[] }).sources;
      const signed = staleSources.find((x) => x.source === record.contracts["SignedReportSource.WETH"]);
      expect(signed?.priceWad, JSON.stringify(staleSources)).to.equal((2_000n * WAD).toString());

      // The loop's first pass: WETH's spread pauses the asset for real, through the guardian; the rest is quiet.
      const loop = decisions(output("npx hardhat run scripts/sentinel.ts")).slice(0, shipped.length);
      expect(loop.map((d) => [d.rule, d.status, d.action])).to.deep.equal(
        shipped.map((rule) => (rule === "weth-spread" ? [rule, "triggered", "pause"] : [rule, "ok", "none"])),
      );
      provider ??= new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, provider);
      const scope = Scopes.asset(record.tokens.WETH);
      expect(await breaker.isTripped(scope)).to.equal(true);
      expect((await breaker.scopeState(scope)).reason).to.equal(TripReason.GuardianPause);
      const paused = loop.find((d) => d.rule === "weth-spread");
      const receipt = await provider.getTransactionReceipt(paused?.tx ?? "");
      // config/local.json's guardian: development account #2.
      expect(receipt?.from).to.equal("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    } finally {
      for (const child of started) await stopGroup(child);
      provider?.destroy();
      await node?.stop();
      rmSync(work, { recursive: true, force: true });
      rmSync(join(__dirname, "..", "..", "ignition", "deployments", id), { recursive: true, force: true });
    }
  });
});
