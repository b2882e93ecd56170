/**
 * The operator tasks (tasks/operator.ts) on the in-process network against config/local.json deployed by the
 * deploy script's logic: `status`, `health`, `pause` (guardian), `queue-resume` and `execute-resume` (timelock),
 * `keeper-fund`, `keeper`. Each runs through `hre.run` exactly as `npx hardhat <task>` runs it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import { CircuitBreaker__factory, OptionsClearing__factory } from "../../../typechain-types";
import type { ProtocolStatus } from "../../../scripts/lib/ops/status";
import type { AccountHealth } from "../../../scripts/lib/keeper/health";
import type { FundResult } from "../../../scripts/lib/ops/fund";
import type { PassSummary } from "../../../scripts/lib/keeper/keeper";
import { Scopes } from "../../../scripts/lib/scopes";
import { CRASH_PRICE, USDC, WAD, setMockPrice } from "../../shared/fixtures/book";
import { SIGNER, deployedBook } from "../../shared/fixtures/deployed";
import { runTask as run } from "../../shared/runTask";

const HOUR = 3600;

describe("unit/ops/Tasks (operator tasks, in-process network, config/local.json)", () => {
  it("status: prices through the aggregator, every scope untripped, outflow capacity, insurance balance", async () => {
    const { recordPath, record } = await loadFixture(deployedBook);
    const { result, out } = await run<ProtocolStatus>("status", { record: recordPath });
    expect(result.prices.map((p) => [p.symbol, p.priceWad])).to.deep.equal([
      ["WETH", 2000n * WAD],
      ["WBTC", 60_000n * WAD],
    ]);
    expect(result.scopes.map((s) => s.label)).to.deep.equal([
      "DEPOSIT",
      "WITHDRAW",
      "WRITE",
      "LIQUIDATE",
      "SETTLE",
      "GLOBAL",
      "price:WETH",
      "price:WBTC",
    ]);
    expect(result.scopes.every((s) => !s.tripped && s.reason === "None")).to.equal(true);
    expect(result.outflows.map((o) => [o.symbol, o.maxOutflowBps])).to.deep.equal([
      ["USDC", 10_000n],
      ["WETH", 10_000n],
      ["WBTC", 10_000n],
    ]);
    expect(result.insurance).to.include({ totalAssets: 0n, symbol: "USDC", decimals: 6 });
    expect(out).to.contain("WETH     2000.0");
    expect(out).to.contain("GLOBAL         ok");
    // A deposit shows in the tracked liquidity and, with a 100% limit, in the capacity.
    const [, , , , , , , , , alice] = await ethers.getSigners();
    const { openFundedAccount } = await import("../../shared/fixtures/book");
    const usdcBefore = result.outflows[0];
    await openFundedAccount(record, alice, 5_000n * USDC);
    const again = await run<ProtocolStatus>("status", { record: recordPath, json: true });
    expect(again.result.outflows[0].trackedLiquidity).to.equal(usdcBefore.trackedLiquidity + 5_000n * USDC);
    expect(again.result.outflows[0].capacity).to.equal(usdcBefore.capacity + 5_000n * USDC);
    expect(JSON.parse(again.out).outflows[0].trackedLiquidity).to.equal(
      String(usdcBefore.trackedLiquidity + 5_000n * USDC),
    );
  });

  it("status: an oracle refusal is shown with its reason, not as a price", async () => {
    const { recordPath } = await loadFixture(deployedBook);
    await time.increase(2 * HOUR); // past the feeds' 1 h heartbeat
    const { result, out } = await run<ProtocolStatus>("status", { record: recordPath });
    expect(result.prices[0].priceWad).to.equal(undefined);
    expect(result.prices[0].error).to.match(/^QuorumNotMet\(/);
    expect(out).to.contain("WETH     refused: QuorumNotMet(");
  });

  it("pause, queue-resume, execute-resume: the guardian pauses at once, the timelock resumes after its delay", async () => {
    const { recordPath, record } = await loadFixture(deployedBook);
    const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, ethers.provider);
    const paused = await run<{ tx: string }>("pause", {
      scope: "withdraw",
      reason: "drill: suspicious outflow",
      record: recordPath,
    });
    expect(paused.out).to.contain(
      'paused WITHDRAW by 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC: "drill: suspicious outflow"',
    );
    expect(await breaker.isTripped(Scopes.WITHDRAW)).to.equal(true);
    const status = await run<ProtocolStatus>("status", { record: recordPath });
    const withdraw = status.result.scopes.find((s) => s.label === "WITHDRAW");
    expect(withdraw).to.include({
      tripped: true,
      reason: "GuardianPause",
      note: "drill: suspicious outflow",
    });
    expect(status.out).to.contain('WITHDRAW       TRIPPED (GuardianPause: "drill: suspicious outflow")');

    // The timelock's proposer is the 2-of-3 Safe: queue-resume writes its proposal, two owners sign, any account
    // submits it, and the timelock holds the resume for its delay.
    const proposal = join(mkdtempSync(join(tmpdir(), "optiq-resume-")), "resume.json");
    const queued = await run<{ path: string }>("queue-resume", {
      scope: "WITHDRAW",
      out: proposal,
      record: recordPath,
    });
    expect(queued.out).to.contain(`the timelock's proposer is the Safe ${record.governance?.safe?.address}`);
    expect(queued.out).to.contain(`wrote the resume of WITHDRAW as proposal ${proposal}`);
    for (const signer of [SIGNER.safeOwners[0], SIGNER.safeOwners[1]]) {
      await run("safe-sign", { proposal, signer, record: recordPath });
    }
    const scheduled = await run<{ readyAt: bigint }>("safe-execute", { proposal, record: recordPath });
    expect(scheduled.out).to.contain("scheduled timelock operation");
    // Not before the timelock's delay (1 h in config/local.json): refused by name, nothing executed.
    await expect(run("execute-resume", { scope: "WITHDRAW", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "execute-resume failed: the resume of WITHDRAW is not ready",
    );
    // Scheduling the same resume twice is refused.
    await expect(run("queue-resume", { scope: "WITHDRAW", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "queue-resume failed: the resume of WITHDRAW is already scheduled",
    );
    await time.increaseTo(scheduled.result.readyAt);
    const resumed = await run<{ graceEndsAt: bigint }>("execute-resume", {
      scope: "WITHDRAW",
      record: recordPath,
    });
    expect(await breaker.isTripped(Scopes.WITHDRAW)).to.equal(false);
    expect(resumed.result.graceEndsAt).to.equal(BigInt(await time.latest()) + BigInt(HOUR));
    expect(resumed.out).to.contain("resumed WITHDRAW");
  });

  it("pause: a price scope by asset symbol; refuses an unknown scope, an empty reason and a non-guardian", async () => {
    const { recordPath, record } = await loadFixture(deployedBook);
    const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, ethers.provider);
    await expect(run("pause", { scope: "FOO", reason: "x", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "pause failed: unknown scope 'FOO': use one of DEPOSIT, WITHDRAW, WRITE, LIQUIDATE, SETTLE, GLOBAL, an asset symbol (WETH, WBTC)",
    );
    await expect(run("pause", { scope: "WETH", reason: " ", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "pause failed: a pause needs a reason",
    );
    const [deployer] = await ethers.getSigners();
    await expect(
      run("pause", { scope: "WETH", reason: "x", from: deployer.address, record: recordPath }),
    ).to.be.rejectedWith(
      HardhatPluginError,
      `pause failed: ${deployer.address} is not a guardian (GUARDIAN_ROLE)`,
    );
    expect(await breaker.trippedScopeCount()).to.equal(0n);
    await expect(run("queue-resume", { scope: "WETH", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "queue-resume failed: scope price:WETH is not tripped: nothing to resume",
    );
    await run("pause", { scope: "WETH", reason: "feed incident", record: recordPath });
    expect(await breaker.isTripped(Scopes.asset(record.tokens.WETH))).to.equal(true);
  });

  it("health: on-chain figures beside the margin reference; refuses an unknown account", async () => {
    const book = await loadFixture(deployedBook);
    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const { result, out } = await run<AccountHealth>("health", {
      account: String(book.victim),
      record: book.recordPath,
    });
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const h = await clearing.health(book.victim);
    expect(result.onChain.maintenanceWad).to.equal(h.maintenanceWad);
    expect(result.liquidatable).to.equal(true);
    expect(result.reference?.agrees).to.equal(true);
    expect(out).to.contain(`account ${book.victim} `);
    expect(out).to.contain("LIQUIDATABLE");
    // Figures in USDC with thousands separators, cut (not rounded) to USDC's 6 decimals; the auction discount of a
    // liquidatable account is shown as a percentage.
    const shown = /collateral value ([\d,]+(?:\.\d{1,6})?) USDC/.exec(out);
    expect(shown, out).to.not.equal(null);
    const shownWad = ethers.parseUnits(shown![1].replace(/,/g, ""), 18);
    expect(h.collateralValueWad - shownWad).to.be.within(0n, 10n ** 12n - 1n);
    expect(out).to.match(/auction discount \d+(\.\d{1,2})?%/);
    // A healthy account: 100,000 USDC deposited by the competitor at no haircut, and no auction discount.
    const healthy = await run<AccountHealth>("health", {
      account: String(book.competitorAccount),
      record: book.recordPath,
    });
    expect(healthy.out).to.contain("healthy");
    expect(healthy.out).to.contain("collateral value 100,000 USDC");
    expect(healthy.out).to.not.contain("discount");
    const json = await run<AccountHealth>("health", {
      account: String(book.competitorAccount),
      record: book.recordPath,
      json: true,
    });
    const printed = JSON.parse(json.out) as { onChain: Record<string, string>; discountWad?: string };
    expect(printed.onChain.collateralValueWad).to.equal((100_000n * WAD).toString());
    expect(printed.onChain.collateralValueFormatted).to.equal("100,000 USDC");
    expect(printed.discountWad).to.equal(undefined);
    await expect(run("health", { account: "99", record: book.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "health failed: account 99 does not exist (accounts 1..4)",
    );
    await expect(run("health", { account: "x", record: book.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "health failed: --account must be a positive integer, got 'x'",
    );
  });

  it("a protocol revert fails the task with the decoded error on one line (no stack trace)", async () => {
    const book = await loadFixture(deployedBook);
    // Every feed goes stale: the oracle refuses the price the account's valuation needs.
    await time.increase(3 * 24 * 3600);
    await expect(run("health", { account: String(book.victim), record: book.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      /^health failed: QuorumNotMet\(/,
    );
  });

  it("keeper-fund then keeper --once: opens and funds the keeper's account, which then liquidates", async () => {
    const book = await loadFixture(deployedBook);
    const signer = 10; // has no clearing account yet
    const funded = await run<FundResult>("keeper-fund", { amount: "50000", signer, record: book.recordPath });
    expect(funded.result).to.include({
      opened: true,
      minted: true,
      accountId: 5n,
      depositedAssets: 50_000n * USDC,
    });
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const [s9] = (await ethers.getSigners()).slice(signer);
    expect(await clearing.ownerOf(5n)).to.equal(s9.address);
    expect((await clearing.health(5n)).collateralValueWad).to.equal(50_000n * WAD);
    // Topping up reuses the account.
    const topUp = await run<FundResult>("keeper-fund", { amount: "1000", signer, record: book.recordPath });
    expect(topUp.result).to.include({ opened: false, accountId: 5n });

    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const pass = await run<PassSummary>("keeper", {
      once: true,
      dryRun: false,
      interval: 30,
      record: book.recordPath,
      signer,
      maxFraction: "1",
      minProfitBps: 50,
      minProfit: "0",
      toleranceBps: 10,
      deadline: 300,
      blockRange: 2000,
      noSettle: false,
    });
    expect(pass.result).to.include({ liquidated: 2, failures: 0 });
    expect(pass.out).to.contain('"event":"liquidated"');
    expect(await clearing.queryFilter(clearing.filters.Liquidated(book.victim, 5n))).to.have.length(1);
  });

  it("fails with a clear error on a missing record", async () => {
    await expect(run("status", { record: "/nonexistent.json" })).to.be.rejectedWith(
      HardhatPluginError,
      "status failed: no deployment record at /nonexistent.json",
    );
  });
});
