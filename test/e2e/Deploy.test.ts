/**
 * The deploy script's logic (scripts/lib/deploy/suite.ts, which runs the Ignition module) on the in-process
 * network with config/local.json: the wiring equals the TypeScript deployment of test/shared/fixtures/system.ts,
 * the deployer keeps nothing, governance goes through the timelock, and a user can trade on the result.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import {
  AggregatorV3Facade__factory,
  CircuitBreaker__factory,
  CollateralVault__factory,
  InsuranceVault__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OptionsExchange__factory,
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  ProtocolTimelock__factory,
  VaultFactory__factory,
} from "../../typechain-types";
import { DeployError, deploySuite, type DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { Roles } from "../../scripts/lib/roles";
import { sendAsSafe } from "../../scripts/lib/safe/execute";
import { SafeL2__factory } from "../../typechain-types/safe";
import { Scopes } from "../../scripts/lib/scopes";
import { deployExchangeSystem } from "../shared/fixtures/exchange";

const LOCAL_CONFIG = "config/local.json";
const WAD = 10n ** 18n;
const HOUR = 3600n;

async function deployLocal() {
  const dir = mkdtempSync(join(tmpdir(), "optiq-deploy-"));
  const recordPath = join(dir, "record.json");
  try {
    const record = await deploySuite(hre, {
      configPath: LOCAL_CONFIG,
      recordPath,
      deploymentId: "test-inprocess",
    });
    const written = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
    return { record, written, ...(await bind(record)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Typed bindings of a deployment record, and the development accounts config/local.json names. */
async function bind(record: DeploymentRecord) {
  const signers = await ethers.getSigners();
  const [deployer, owner, guardian, lister, alice, bob, stranger] = signers;
  const c = record.contracts;
  return {
    deployer,
    /** Two of the governance Safe's owners (config/local.json: #1, #9 and #10, threshold 2). */
    owners: [owner, signers[9]],
    safe: SafeL2__factory.connect(c.GovernanceSafe, deployer),
    guardian,
    lister,
    alice,
    bob,
    stranger,
    manager: ProtocolAccessManager__factory.connect(c.ProtocolAccessManager, deployer),
    timelock: ProtocolTimelock__factory.connect(c.ProtocolTimelock, deployer),
    breaker: CircuitBreaker__factory.connect(c.CircuitBreaker, deployer),
    oracle: OracleAggregator__factory.connect(c.OracleAggregator, deployer),
    factory: VaultFactory__factory.connect(c.VaultFactory, deployer),
    insurance: InsuranceVault__factory.connect(c.InsuranceVault, deployer),
    clearing: OptionsClearing__factory.connect(c.OptionsClearing, deployer),
    exchange: OptionsExchange__factory.connect(c.OptionsExchange, deployer),
    usdcVault: CollateralVault__factory.connect(c["CollateralVault.USDC"], deployer),
    wethVault: CollateralVault__factory.connect(c["CollateralVault.WETH"], deployer),
    wethFacade: AggregatorV3Facade__factory.connect(c["AggregatorV3Facade.WETH"], deployer),
    usdc: MockERC20__factory.connect(record.tokens.USDC, deployer),
    weth: MockERC20__factory.connect(record.tokens.WETH, deployer),
  };
}

/** Role of every state-changing function of `target` in `manager`, by signature. */
async function functionRoles(
  manager: { getTargetFunctionRole(target: string, selector: string): Promise<bigint> },
  target: BaseContract,
): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  const address = await target.getAddress();
  for (const fragment of target.interface.fragments) {
    if (fragment.type !== "function") continue;
    const fn = target.interface.getFunction(fragment.format("sighash"));
    if (fn === null || fn.stateMutability === "view" || fn.stateMutability === "pure") continue;
    out[fn.format("sighash")] = await manager.getTargetFunctionRole(address, fn.selector);
  }
  return out;
}

describe("e2e/Deploy (in-process network, config/local.json)", () => {
  it("writes a record with every contract, the config used, the chain id and the block number", async () => {
    const { record, written } = await loadFixture(deployLocal);
    expect(written).to.deep.equal(JSON.parse(JSON.stringify(record)));
    expect(written.chainId).to.equal(31337);
    expect(written.complete).to.equal(true);
    expect(written.blockNumber).to.equal(await ethers.provider.getBlockNumber());
    expect(written.config).to.deep.equal(JSON.parse(readFileSync(LOCAL_CONFIG, "utf8")));
    const expected = [
      "ProtocolAccessManager",
      "ProtocolTimelock",
      "CircuitBreaker",
      "OracleAggregator",
      "VaultFactory",
      "InsuranceVault",
      "MarginCalculator",
      "MarginLogic",
      "LiquidationLogic",
      "SettlementLogic",
      "TradeLogic",
      "OptionsClearing",
      "OptionsExchange",
      "CollateralVault.USDC",
      "CollateralVault.WETH",
      "CollateralVault.WBTC",
      "AggregatorV3Facade.WETH",
      "AggregatorV3Facade.WBTC",
      "ChainlinkFeedAdapter.WETH.0",
      "ChainlinkFeedAdapter.WETH.1",
      "ChainlinkFeedAdapter.WETH.2",
      "ChainlinkFeedAdapter.WBTC.0",
      "ChainlinkFeedAdapter.WBTC.1",
      "SignedReportSource.WETH",
      "SignedReportSource.WBTC",
      "GovernanceSafe",
      "SafeL2",
      "SafeProxyFactory",
      "CompatibilityFallbackHandler",
    ];
    expect(Object.keys(written.contracts).sort()).to.deep.equal([...expected].sort());
    const addresses = [
      ...Object.values(written.contracts),
      ...Object.values(written.tokens),
      ...Object.values(written.feeds).flat(),
    ];
    expect(new Set(addresses).size).to.equal(addresses.length);
    for (const address of addresses) expect(await ethers.provider.getCode(address)).to.not.equal("0x");
    expect(Object.keys(written.mocks.tokens).sort()).to.deep.equal(["USDC", "WBTC", "WETH"]);
  });

  it("leaves the deployer with no role and the timelock with the admin and governor roles", async () => {
    const d = await loadFixture(deployLocal);
    for (const [name, role] of Object.entries(Roles)) {
      if (name === "PUBLIC_ROLE") continue;
      const [isMember] = await d.manager.hasRole(role, d.deployer.address);
      expect(isMember, `deployer holds ${name}`).to.equal(false);
    }
    const timelock = await d.timelock.getAddress();
    expect((await d.manager.hasRole(Roles.ADMIN_ROLE, timelock))[0]).to.equal(true);
    expect((await d.manager.hasRole(Roles.GOVERNOR_ROLE, timelock))[0]).to.equal(true);
    expect(await d.manager.hasRole(Roles.GUARDIAN_ROLE, d.guardian.address)).to.deep.equal([true, 0n]);
    expect(await d.manager.hasRole(Roles.LISTER_ROLE, d.lister.address)).to.deep.equal([true, 0n]);
    // No EOA can act on the timelock's own roles: it administers itself.
    const adminRole = await d.timelock.DEFAULT_ADMIN_ROLE();
    for (const signer of [d.deployer, ...d.owners, d.guardian, d.lister]) {
      expect(await d.timelock.hasRole(adminRole, signer.address)).to.equal(false);
    }
    expect(await d.timelock.hasRole(adminRole, timelock)).to.equal(true);
    // The governance Safe alone proposes and cancels; none of its owners, nor the deployer, does.
    const safe = await d.safe.getAddress();
    expect(await d.timelock.hasRole(await d.timelock.PROPOSER_ROLE(), safe)).to.equal(true);
    expect(await d.timelock.hasRole(await d.timelock.CANCELLER_ROLE(), safe)).to.equal(true);
    for (const signer of [d.deployer, ...d.owners]) {
      expect(await d.timelock.hasRole(await d.timelock.PROPOSER_ROLE(), signer.address)).to.equal(false);
      expect(await d.timelock.hasRole(await d.timelock.CANCELLER_ROLE(), signer.address)).to.equal(false);
    }
    expect(await d.safe.getThreshold()).to.equal(2n);
    expect(await d.safe.isOwner(d.deployer.address)).to.equal(false);
    expect(await d.timelock.getMinDelay()).to.equal(HOUR);
    // The modules hold the roles they call each other with.
    expect((await d.manager.hasRole(Roles.ORACLE_ROLE, await d.oracle.getAddress()))[0]).to.equal(true);
    expect((await d.manager.hasRole(Roles.CLEARING_ROLE, await d.clearing.getAddress()))[0]).to.equal(true);
    expect((await d.manager.hasRole(Roles.EXCHANGE_ROLE, await d.exchange.getAddress()))[0]).to.equal(true);
    expect(await d.exchange.CLEARING()).to.equal(await d.clearing.getAddress());
    expect((await d.exchange.feeSchedule()).recipient).to.equal(await d.timelock.getAddress());
    for (const vault of [d.usdcVault, d.wethVault]) {
      expect((await d.manager.hasRole(Roles.VAULT_ROLE, await vault.getAddress()))[0]).to.equal(true);
    }
  });

  it("maps every function of every module to the same role as the TypeScript deployment (fixtures/exchange.ts)", async () => {
    const d = await loadFixture(deployLocal);
    const s = await deployExchangeSystem();
    const pairs: [string, BaseContract, BaseContract][] = [
      ["CircuitBreaker", d.breaker, s.breaker],
      ["OracleAggregator", d.oracle, s.oracle],
      ["VaultFactory", d.factory, s.factory],
      ["CollateralVault (quote)", d.usdcVault, s.usdcVault],
      ["CollateralVault (WETH)", d.wethVault, s.wethVault],
      ["InsuranceVault", d.insurance, s.insurance],
      ["OptionsClearing", d.clearing, s.clearing],
      ["OptionsExchange", d.exchange, s.exchange],
    ];
    for (const [name, deployed, reference] of pairs) {
      const got = await functionRoles(d.manager, deployed);
      const want = await functionRoles(s.manager, reference);
      expect(got, name).to.deep.equal(want);
      expect(
        Object.values(got).some((role) => role !== Roles.ADMIN_ROLE),
        `${name} has restricted functions`,
      ).to.equal(true);
    }
  });

  it("applies the config's parameters", async () => {
    const d = await loadFixture(deployLocal);
    expect(await d.breaker.cooldownSeconds()).to.equal(HOUR);
    expect(await d.breaker.gracePeriodSeconds()).to.equal(HOUR);
    expect(await d.breaker.outflowLimit(await d.usdc.getAddress())).to.deep.equal([10_000n, 24n * HOUR]);
    const [params, sources] = await d.oracle.assetConfig(await d.weth.getAddress());
    expect(params).to.deep.equal([2n, WAD / 50n, WAD / 2n, HOUR]);
    expect(sources.map((x) => x.source)).to.deep.equal([
      ...[0, 1, 2].map((i) => d.record.contracts[`ChainlinkFeedAdapter.WETH.${i}`]),
      d.record.contracts["SignedReportSource.WETH"],
    ]);
    expect((await d.clearing.collateralConfig(await d.wethVault.getAddress())).haircutWad).to.equal(WAD / 5n);
    expect((await d.clearing.collateralConfig(await d.usdcVault.getAddress())).haircutWad).to.equal(0n);
    const wbtcVault = CollateralVault__factory.connect(
      d.record.contracts["CollateralVault.WBTC"],
      d.deployer,
    );
    expect(await wbtcVault.maxDeposit(d.alice.address)).to.equal(1000n * 10n ** 8n);
    const listing = await d.clearing.underlyingConfig(await d.weth.getAddress());
    expect(listing).to.deep.equal([true, 100n * WAD, 100_000n * WAD, HOUR, 365n * 24n * HOUR]);
    expect((await d.clearing.riskParams(await d.weth.getAddress())).volWad).to.equal((8n * WAD) / 10n);
    expect(await d.insurance.cooldownSeconds()).to.equal(7n * 24n * HOUR);
    expect(await d.insurance.windowSeconds()).to.equal(2n * 24n * HOUR);
    expect(await d.clearing.QUOTE_VAULT()).to.equal(await d.usdcVault.getAddress());
  });

  it("serves the initial prices through the aggregator and the Chainlink-compatible facade", async () => {
    const d = await loadFixture(deployLocal);
    const [priceWad] = await d.oracle.getPrice(await d.weth.getAddress());
    expect(priceWad).to.equal(2000n * WAD);
    const [roundId, answer] = await d.wethFacade.latestRoundData();
    expect(roundId).to.equal(1n);
    expect(answer * 10n ** (18n - (await d.wethFacade.decimals()))).to.equal(2000n * WAD);
  });

  it("lets the guardian pause and nobody else configure", async () => {
    const d = await loadFixture(deployLocal);
    await d.breaker.connect(d.guardian).pause(Scopes.WRITE, "drill");
    expect(await d.breaker.isTripped(Scopes.WRITE)).to.equal(true);
    await expect(d.breaker.connect(d.guardian).setCooldown(2n * HOUR))
      .to.be.revertedWithCustomError(d.breaker, "AccessManagedUnauthorized")
      .withArgs(d.guardian.address);
    for (const caller of [d.stranger, d.deployer]) {
      await expect(d.clearing.connect(caller).configureCollateral(await d.wethVault.getAddress(), true, 0))
        .to.be.revertedWithCustomError(d.clearing, "AccessManagedUnauthorized")
        .withArgs(caller.address);
      await expect(d.breaker.connect(caller).pause(Scopes.GLOBAL, "x"))
        .to.be.revertedWithCustomError(d.breaker, "AccessManagedUnauthorized")
        .withArgs(caller.address);
      await expect(d.manager.connect(caller).grantRole(Roles.GOVERNOR_ROLE, caller.address, 0))
        .to.be.revertedWithCustomError(d.manager, "AccessManagerUnauthorizedAccount")
        .withArgs(caller.address, Roles.ADMIN_ROLE);
    }
    await expect(d.factory.connect(d.deployer).createVault(await d.usdc.getAddress(), "x", "x", 1n, false))
      .to.be.revertedWithCustomError(d.factory, "AccessManagedUnauthorized")
      .withArgs(d.deployer.address);
  });

  it("changes a parameter only through the timelock, after its delay", async () => {
    const d = await loadFixture(deployLocal);
    const data = d.breaker.interface.encodeFunctionData("setCooldown", [2n * HOUR]);
    const target = await d.breaker.getAddress();
    const salt = ethers.ZeroHash;
    await expect(d.timelock.connect(d.stranger).schedule(target, 0, data, ethers.ZeroHash, salt, HOUR)).to.be
      .reverted;
    // The governance Safe schedules, with two owners' signatures.
    const schedule = d.timelock.interface.encodeFunctionData("schedule", [
      target,
      0,
      data,
      ethers.ZeroHash,
      salt,
      HOUR,
    ]);
    await expect(
      sendAsSafe(d.safe, [d.owners[0]], d.stranger, await d.timelock.getAddress(), schedule),
    ).to.be.rejectedWith("1 owner signature(s) of 2 required");
    await (await sendAsSafe(d.safe, d.owners, d.stranger, await d.timelock.getAddress(), schedule)).wait();
    await expect(
      d.timelock.connect(d.stranger).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(d.timelock, "TimelockUnexpectedOperationState");
    await time.increase(HOUR);
    // Executors: none listed, so anyone may execute a ready operation.
    await d.timelock.connect(d.stranger).execute(target, 0, data, ethers.ZeroHash, salt);
    expect(await d.breaker.cooldownSeconds()).to.equal(2n * HOUR);
  });

  it("lets a user open an account, deposit and write through the deployed clearing", async () => {
    const d = await loadFixture(deployLocal);
    const weth = await d.weth.getAddress();
    const amount = 10n * WAD;
    await d.weth.connect(d.alice).mint(d.alice.address, amount);
    await d.weth.connect(d.alice).approve(await d.wethVault.getAddress(), amount);
    await d.wethVault.connect(d.alice).deposit(amount, d.alice.address);
    const shares = await d.wethVault.balanceOf(d.alice.address);
    await d.wethVault.connect(d.alice).approve(await d.clearing.getAddress(), shares);
    await d.clearing.connect(d.alice).openAccount();
    const accountId = await d.clearing.accountCount();
    await d.clearing.connect(d.alice).depositCollateral(accountId, await d.wethVault.getAddress(), shares);

    const expiry = BigInt(await time.latest()) + 7n * 24n * HOUR;
    const strike = 2500n * WAD;
    await d.clearing.connect(d.lister).listSeries(weth, strike, expiry, true);
    const seriesId = await d.clearing.seriesIdOf(weth, strike, expiry, true);
    await d.clearing.connect(d.alice).write(accountId, seriesId, WAD, d.bob.address);

    expect(await d.clearing.balanceOf(d.bob.address, seriesId)).to.equal(WAD);
    const [shorts, longsInAccounts, longTokens] = await d.clearing.openInterest(seriesId);
    expect([shorts, longsInAccounts, longTokens]).to.deep.equal([WAD, 0n, WAD]);
    const health = await d.clearing.health(accountId);
    // 10 WETH at 2000 with a 20% haircut.
    expect(health.collateralValueWad).to.equal(16_000n * WAD);
    expect(health.initialWad).to.be.greaterThan(0n);
    expect(health.collateralValueWad).to.be.greaterThanOrEqual(health.initialWad);
  });

  describe("an existing record", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "optiq-record-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A record of `chainId` whose contracts have no code on this chain. */
    function staleRecord(chainId: number): string {
      const path = join(dir, "record.json");
      const ghost = "0x000000000000000000000000000000000000dEaD";
      writeFileSync(
        path,
        JSON.stringify({
          chainId,
          startBlock: 0,
          contracts: { ProtocolAccessManager: ghost },
          mocks: { tokens: { USDC: ghost }, feeds: {} },
        }),
      );
      return path;
    }

    it("refuses a record of another chain", async () => {
      const recordPath = staleRecord(1);
      const run = deploySuite(hre, {
        configPath: LOCAL_CONFIG,
        recordPath,
        deploymentId: "test-other-chain",
      });
      await expect(run).to.be.rejectedWith(
        DeployError,
        `${recordPath} records a deployment on chain 1, but network 'hardhat' is chain 31337`,
      );
    });

    it("starts afresh over a record of a restarted development chain, reusing nothing", async () => {
      const recordPath = staleRecord(31337);
      const lines: string[] = [];
      const record = await deploySuite(hre, {
        configPath: LOCAL_CONFIG,
        recordPath,
        deploymentId: "test-restarted",
        log: (line) => lines.push(line),
      });
      expect(lines).to.include(
        `${recordPath} is from an earlier run of this development chain: starting afresh`,
      );
      expect(record.mocks.tokens.USDC).to.not.equal("0x000000000000000000000000000000000000dEaD");
      expect(await ethers.provider.getCode(record.contracts.ProtocolAccessManager)).to.not.equal("0x");
    });
  });
});
