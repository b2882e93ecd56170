/**
 * The keeper (scripts/lib/keeper) on the in-process network against config/local.json deployed by the deploy
 * script's logic: real oracle, breaker, vaults and clearing; mocks only for the tokens and the feeds. It finds
 * accounts from events, agrees with the TypeScript margin reference, liquidates what is below maintenance through
 * its own account (and nothing else), sends nothing in dry-run mode, skips cleanly when a competitor liquidates
 * first, and settles expired series and then the accounts holding them.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  CircuitBreaker__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
} from "../../../typechain-types";
import { Scopes } from "../../../scripts/lib/scopes";
import { accountHealth } from "../../../scripts/lib/keeper/health";
import { createLogger, type JsonLogger } from "../../../scripts/lib/keeper/log";
import {
  DEFAULT_KEEPER_COMMAND,
  keeperCommandFromEnv,
  runKeeperCommand,
  type KeeperCommand,
} from "../../../scripts/lib/keeper/cli";
import { OperatorError } from "../../../scripts/lib/keeper/record";
import type { KeeperHooks } from "../../../scripts/lib/keeper/keeper";
import { CRASH_PRICE, WAD, setMockPrice } from "../../shared/fixtures/book";
import { SIGNER, deployedBook } from "../../shared/fixtures/deployed";

type Line = Record<string, unknown> & { event: string };
const parse = (log: JsonLogger): Line[] => log.lines.map((l) => JSON.parse(l) as Line);
const quietLog = (): JsonLogger => createLogger({}, () => undefined);

async function crashedBook() {
  const book = await loadFixture(deployedBook);
  await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
  return book;
}

async function keep(
  recordPath: string,
  overrides: Partial<KeeperCommand> = {},
  hooks?: KeeperHooks,
): Promise<{ lines: Line[]; summary: NonNullable<Awaited<ReturnType<typeof runKeeperCommand>>["summary"]> }> {
  const log = quietLog();
  const run = await runKeeperCommand(
    hre,
    { ...DEFAULT_KEEPER_COMMAND, once: true, record: recordPath, signerIndex: SIGNER.keeper, ...overrides },
    { log, hooks },
  );
  if (run.summary === undefined) throw new Error("no summary");
  return { lines: parse(log), summary: run.summary };
}

describe("unit/ops/Keeper (in-process network, config/local.json)", () => {
  it("leaves a healthy book alone and agrees with the TypeScript margin reference", async () => {
    const book = await loadFixture(deployedBook);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary.accounts).to.equal(4);
    expect(summary.liquidatable).to.equal(0);
    expect(summary.disagreements).to.equal(0);
    const healthy = lines.filter((l) => l.event === "healthy").map((l) => l.accountId);
    expect(healthy).to.deep.equal(["1", "2", "3", "4"]);
    expect(lines.find((l) => l.event === "keeper-account")?.keeperAccountId).to.equal(
      String(book.keeperAccount),
    );
  });

  it("in dry-run mode quotes the liquidations it would send and sends nothing", async () => {
    const book = await crashedBook();
    const keeper = book.signers[SIGNER.keeper];
    const nonce = await ethers.provider.getTransactionCount(keeper.address);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const { lines, summary } = await keep(book.recordPath, { dryRun: true });
    expect(summary.liquidatable).to.equal(2);
    expect(summary.liquidated).to.equal(0);
    const would = lines.filter((l) => l.event === "would-liquidate");
    expect(would.map((l) => l.accountId)).to.deep.equal([String(book.victim), String(book.second)]);
    for (const l of would) {
      expect(BigInt(l.fractionWad as string) > 0n && BigInt(l.fractionWad as string) <= WAD).to.equal(true);
      // The limit is what the liquidator receives per unit of liability (seized less the insurance penalty) less
      // 50 bps; received = liability x (1 + discount x (1 - penalty share 50%)) at the starting discount of 2%.
      const liability = BigInt(l.liabilityWad as string);
      const received = BigInt(l.receivedValueWad as string);
      expect(received < BigInt(l.seizedValueWad as string)).to.equal(true);
      const expected = liability + (liability * WAD) / 100n / WAD;
      // (the penalty is paid in whole USDC units: 1e12 in WAD).
      const diff = received > expected ? received - expected : expected - received;
      expect(diff <= 10n ** 12n, `${received} vs ${expected}`).to.equal(true);
      const perLiability = (received * WAD) / liability;
      expect(BigInt(l.minSeizedPerLiabilityWad as string)).to.equal((perLiability * 9950n) / 10_000n);
    }
    expect(await ethers.provider.getTransactionCount(keeper.address)).to.equal(nonce);
    expect(await clearing.positionOf(book.victim, book.seriesId)).to.equal(-2n * WAD);
  });

  it("liquidates every account below maintenance through its own account, as far as needed", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const before = await clearing.health(book.victim);
    expect(before.collateralValueWad < before.maintenanceWad).to.equal(true);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary).to.include({ liquidatable: 2, liquidated: 2, failures: 0, disagreements: 0 });
    for (const id of [book.victim, book.second]) {
      const after = await clearing.health(id);
      expect(after.collateralValueWad >= after.maintenanceWad, `account ${id} still unhealthy`).to.equal(
        true,
      );
      const events = await clearing.queryFilter(clearing.filters.Liquidated(id, book.keeperAccount));
      expect(events.length).to.equal(1);
      const line = lines.find((l) => l.event === "liquidated" && l.accountId === String(id));
      expect(line?.tx).to.equal(events[0].transactionHash);
    }
    // The keeper's account took the moved shorts and is above its initial requirement.
    const shortTaken = -(await clearing.positionOf(book.keeperAccount, book.seriesId));
    expect(shortTaken > 0n).to.equal(true);
    const k = await clearing.health(book.keeperAccount);
    expect(k.collateralValueWad >= k.initialWad).to.equal(true);
    // The penalties of both liquidations were paid to the insurance vault in one transaction at the pass's end.
    const penalties = (await clearing.queryFilter(clearing.filters.Liquidated())).reduce(
      (sum, e) => sum + e.args.result.penaltyWad,
      0n,
    );
    const paid = await clearing.queryFilter(clearing.filters.PenaltiesPaid());
    expect(paid.length).to.equal(1);
    expect(penalties > 0n).to.equal(true);
    // Each penalty is reported rounded up to a USDC unit and booked as shares worth at least that.
    expect(paid[0].args.assets * 10n ** 12n >= penalties - 2n * 10n ** 12n).to.equal(true);
    expect(await clearing.pendingPenaltyShares()).to.equal(0n);
    expect(lines.some((l) => l.event === "penalties-paid")).to.equal(true);
    // A second pass finds nothing left to do.
    const again = await keep(book.recordPath);
    expect(again.summary).to.include({ liquidatable: 0, liquidated: 0 });
  });

  it("skips an account a competitor liquidated first: at the quote, and at the send (AccountHealthy)", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(
      book.record.contracts.OptionsClearing,
      book.signers[SIGNER.competitor],
    );
    // The competitor takes the first account before the keeper's pass ...
    await clearing.liquidate(book.victim, book.competitorAccount, WAD, 0n, 2n ** 63n);
    // ... and the second between the keeper's last check and its transaction.
    const hooks: KeeperHooks = {
      beforeLiquidationSend: async (id) => {
        if (id === book.second)
          await clearing.liquidate(book.second, book.competitorAccount, WAD, 0n, 2n ** 63n);
      },
    };
    const { lines, summary } = await keep(book.recordPath, {}, hooks);
    expect(summary).to.include({ liquidatable: 1, liquidated: 0, failures: 0 });
    const skipped = lines.filter((l) => l.event === "liquidation-skipped");
    expect(skipped.map((l) => l.accountId)).to.deep.equal([String(book.second)]);
    expect(skipped[0].reason).to.match(/^liquidated or topped up first: AccountHealthy\(/);
    expect(lines.find((l) => l.accountId === String(book.victim))?.event).to.equal("healthy");
    expect(
      await clearing.queryFilter(clearing.filters.Liquidated(undefined, book.keeperAccount)),
    ).to.have.length(0);
  });

  it("while the LIQUIDATE scope is paused, skips with the breaker's reason and sends nothing", async () => {
    const book = await crashedBook();
    const breaker = CircuitBreaker__factory.connect(
      book.record.contracts.CircuitBreaker,
      book.signers[SIGNER.guardian],
    );
    await breaker.pause(Scopes.LIQUIDATE, "drill");
    const keeper = book.signers[SIGNER.keeper].address;
    const nonce = await ethers.provider.getTransactionCount(keeper);
    const { lines, summary } = await keep(book.recordPath);
    expect(await ethers.provider.getTransactionCount(keeper)).to.equal(nonce);
    expect(summary).to.include({ liquidatable: 2, liquidated: 0, failures: 0, skipped: 2 });
    const reasons = lines.filter((l) => l.event === "liquidation-skipped").map((l) => l.reason as string);
    expect(reasons).to.have.length(2);
    for (const r of reasons) expect(r).to.match(/^not liquidatable by this keeper now: ScopeTripped\(/);
  });

  it("without a clearing account of its own, logs why and liquidates nothing", async () => {
    const book = await crashedBook();
    const { lines, summary } = await keep(book.recordPath, { signerIndex: 9 });
    expect(summary).to.include({ liquidatable: 2, liquidated: 0 });
    expect(lines.find((l) => l.event === "keeper-account")?.level).to.equal("warn");
    expect(lines.filter((l) => l.event === "liquidation-skipped").map((l) => l.reason)).to.deep.equal([
      "no keeper account",
      "no keeper account",
    ]);
  });

  it("settles an expired series from a fresh oracle price, then the accounts that hold it", async () => {
    const book = await loadFixture(deployedBook);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    await time.increaseTo(book.expiry + 60n);
    // The feeds went stale past their heartbeat: until a fresh round arrives the keeper waits, and says why.
    const early = await keep(book.recordPath);
    expect(early.lines.find((l) => l.event === "settle-skipped")?.reason).to.match(/^QuorumNotMet\(/);
    // Accounts whose valuation needs the refused price are reported, not guessed at.
    const unavailable = early.lines.filter((l) => l.event === "health-unavailable");
    expect(unavailable.map((l) => l.accountId)).to.deep.equal([String(book.victim), String(book.second)]);
    expect(unavailable[0].reason).to.match(/^QuorumNotMet\(/);
    expect((await clearing.series(book.seriesId)).settled).to.equal(false);

    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary.settledSeries).to.equal(1);
    const s = await clearing.series(book.seriesId);
    expect(s.settled).to.equal(true);
    expect(s.settlementPriceWad).to.equal(CRASH_PRICE);
    // A put struck at 1,800 settled at 1,600 pays 200 per contract.
    expect(s.payoutPerContractWad).to.equal(200n * WAD);
    expect(lines.find((l) => l.event === "settled")?.priceWad).to.equal(String(CRASH_PRICE));
    // Both short accounts were settled lazily: no position left in the series.
    expect(summary.settledAccounts).to.equal(2);
    for (const id of [book.victim, book.second])
      expect(await clearing.positionOf(id, book.seriesId)).to.equal(0n);
  });

  it("cross-checks health against the reference: agrees at the block's time, flags a model at another time", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const oracle = OracleAggregator__factory.connect(book.record.contracts.OracleAggregator, ethers.provider);
    const block = await ethers.provider.getBlock("latest");
    if (block === null) throw new Error("no block");
    const right = await accountHealth(clearing, oracle, book.victim, block);
    expect(right.reference?.agrees).to.equal(true);
    expect(right.reference!.toleranceWad > 0n).to.equal(true);
    expect(right).to.include({ liquidatable: true, positions: 1, pendingSettlement: 0 });
    // The same positions valued a day closer to expiry: the reference moves by far more than the tolerance.
    const wrong = await accountHealth(clearing, oracle, book.victim, {
      ...block,
      timestamp: block.timestamp + 86_400,
    });
    expect(wrong.onChain).to.deep.equal(right.onChain);
    expect(wrong.reference?.agrees).to.equal(false);
    expect(wrong.reference!.differenceWad > wrong.reference!.toleranceWad).to.equal(true);
  });

  it("in a loop, runs passes until it is stopped, scanning only new blocks", async () => {
    const book = await loadFixture(deployedBook);
    const controller = new AbortController();
    let passes = 0;
    const log = createLogger({}, (line) => {
      if (line.includes('"event":"pass"') && ++passes === 2) controller.abort();
    });
    await runKeeperCommand(
      hre,
      {
        ...DEFAULT_KEEPER_COMMAND,
        once: false,
        intervalSeconds: 1,
        record: book.recordPath,
        signerIndex: SIGNER.keeper,
      },
      { log, signal: controller.signal },
    );
    const lines = parse(log);
    expect(lines.filter((l) => l.event === "pass")).to.have.length(2);
    expect(lines.at(-1)?.event).to.equal("stopped");
    const scans = lines.filter((l) => l.event === "scan");
    expect(scans[1].fromBlock).to.equal((scans[0].toBlock as number) + 1);
    expect(scans[1].newAccounts).to.equal(0);
  });

  describe("bad input", () => {
    it("refuses malformed settings by name", () => {
      expect(() => keeperCommandFromEnv({ KEEPER_SLIPPAGE_BPS: "abc" })).to.throw(
        OperatorError,
        "KEEPER_SLIPPAGE_BPS must be an integer >= 0, got 'abc'",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_MAX_FRACTION: "150%" })).to.throw(
        OperatorError,
        "KEEPER_MAX_FRACTION must be in (0, 100%], got '150%'",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_INTERVAL: "0" })).to.throw(OperatorError, "KEEPER_INTERVAL");
      const c = keeperCommandFromEnv({
        KEEPER_ONCE: "1",
        KEEPER_DRY_RUN: "true",
        KEEPER_MAX_FRACTION: "50%",
      });
      expect(c).to.include({ once: true, dryRun: true, maxFractionWad: WAD / 2n });
    });

    it("fails with a clear error on a missing record or a record of another chain", async () => {
      await expect(keep("/nonexistent/record.json")).to.be.rejectedWith(
        OperatorError,
        "no deployment record at /nonexistent/record.json",
      );
      const book = await loadFixture(deployedBook);
      const other = join(mkdtempSync(join(tmpdir(), "optiq-keeper-")), "record.json");
      writeFileSync(other, JSON.stringify({ ...book.record, chainId: 1 }));
      await expect(keep(other)).to.be.rejectedWith(
        OperatorError,
        "the deployment record is for chain 1, but network 'hardhat' is chain 31337",
      );
    });
  });
});
