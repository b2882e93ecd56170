/**
 * The keeper (scripts/lib/keeper) on the in-process network against config/local.json deployed by the deploy
 * script's logic: real oracle, breaker, vaults and clearing; mocks only for the tokens and the feeds. It finds
 * accounts from events, agrees with the TypeScript margin reference, liquidates what is below maintenance through
 * its own account (and nothing else), sends nothing in dry-run mode, skips cleanly when a competitor liquidates
 * first, and settles expired series and then the accounts holding them. Its liquidation limit comes from its own
 * valuation (the TypeScript mark at the live oracle price), recomputed here from the chain and the reference: a deal
 * below the minimum profit, or a quote the valuation disagrees with, is skipped and nothing is sent.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TransactionResponse } from "ethers";
import {
  CircuitBreaker__factory,
  MockChainlinkFeed__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  type OptionsClearing,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../../../scripts/lib/deploy/suite";
import { feedAnswer } from "../../../scripts/lib/deploy/mocks";
import { liquidationLiabilityWad, mark, type Position } from "../../../scripts/lib/margin";
import { decide, type ProfitPolicy } from "../../../scripts/lib/keeper/profit";
import { Scopes } from "../../../scripts/lib/scopes";
import { accountHealth } from "../../../scripts/lib/keeper/health";
import { createLogger, type JsonLogger } from "../../../scripts/lib/operator/log";
import {
  DEFAULT_KEEPER_COMMAND,
  keeperCommandFromEnv,
  runKeeperCommand,
  type KeeperCommand,
} from "../../../scripts/lib/keeper/cli";
import { OperatorError } from "../../../scripts/lib/operator/errors";
import { loadProtocol } from "../../../scripts/lib/ops/context";
import { executeResume, resumeOperation } from "../../../scripts/lib/ops/pauseResume";
import type { KeeperHooks } from "../../../scripts/lib/keeper/keeper";
import { CRASH_PRICE, WAD, setMockPrice } from "../../shared/fixtures/book";
import { SIGNER, asGovernance, deployedBook } from "../../shared/fixtures/deployed";

type Line = Record<string, unknown> & { event: string };
type Book = Awaited<ReturnType<typeof deployedBook>>;
const BPS = 10_000n;
const ceilDiv = (a: bigint, b: bigint): bigint => (a === 0n ? 0n : (a - 1n) / b + 1n);
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

/**
 * What the keeper takes over in a full-appetite liquidation of `accountId` at block `blockTag`, recomputed here: the
 * contract's quote (a static call from the keeper's signer) for the fraction and the liability, and the reference
 * mark of the moved positions at the oracle's live median for the value. Solvent accounts without debt only (the
 * book's).
 */
async function referenceDeal(book: Book, accountId: bigint, blockTag: number) {
  const clearing: OptionsClearing = OptionsClearing__factory.connect(
    book.record.contracts.OptionsClearing,
    book.signers[SIGNER.keeper],
  );
  const oracle = OracleAggregator__factory.connect(book.record.contracts.OracleAggregator, ethers.provider);
  const at = { blockTag };
  const block = await ethers.provider.getBlock(blockTag);
  if (block === null) throw new Error(`no block ${blockTag}`);
  expect(await clearing.debtOf(accountId, at)).to.equal(0n);
  const quote = await clearing.liquidate.staticCall(accountId, book.keeperAccount, WAD, 0n, 2n ** 63n, at);
  const moved: Position[] = [];
  for (const id of await clearing.seriesOf(accountId, at)) {
    const s = await clearing.series(id, at);
    const amount = ((await clearing.positionOf(accountId, id, at)) * quote.fractionWad) / WAD;
    moved.push({ strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount });
  }
  const [spotWad] = await oracle.getPrice(book.record.tokens.WETH, at);
  const { volWad } = await clearing.riskParams(book.record.tokens.WETH, at);
  const liabilityWad = liquidationLiabilityWad([mark(moved, spotWad, volWad, BigInt(block.timestamp))], 0n);
  return { quote, liabilityWad, spotWad };
}

/** The limit the issue asks for: (liability × (1 + bps) + absolute minimum + gas) per unit of the quote's liability. */
function expectedLimit(
  liabilityWad: bigint,
  quoteLiabilityWad: bigint,
  bps: bigint,
  plusWad: bigint,
): bigint {
  const required = ceilDiv(liabilityWad * (BPS + bps), BPS) + plusWad;
  return ceilDiv(required * WAD, quoteLiabilityWad);
}

/** The `minSeizedPerLiabilityWad` argument of a sent `liquidate` transaction. */
async function sentLimit(txHash: string): Promise<bigint> {
  const tx: TransactionResponse | null = await ethers.provider.getTransaction(txHash);
  if (tx === null) throw new Error(`no transaction ${txHash}`);
  const parsed = OptionsClearing__factory.createInterface().parseTransaction(tx);
  expect(parsed?.name).to.equal("liquidate");
  return parsed!.args.minSeizedPerLiabilityWad as bigint;
}

/** Every mock feed of `symbol` answers `priceWad` now, without a poke: the oracle's recorded round stays. */
async function moveFeedsWithoutPoke(record: DeploymentRecord, symbol: string, priceWad: bigint, book: Book) {
  const at = await time.latest();
  for (const address of Object.values(record.mocks.feeds[symbol])) {
    const feed = MockChainlinkFeed__factory.connect(address, book.signers[SIGNER.deployer]);
    await (await feed.setAnswer(feedAnswer(priceWad, Number(await feed.decimals())), at)).wait();
  }
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
    // Raw integers stay; the value in USDC goes beside. The competitor deposited 100,000 USDC at no haircut; a healthy
    // account's line carries no auction discount.
    const competitor = lines.find(
      (l) => l.event === "healthy" && l.accountId === String(book.competitorAccount),
    );
    expect(competitor).to.include({
      collateralValueWad: (100_000n * WAD).toString(),
      collateralValueFormatted: "100,000 USDC",
      debtFormatted: "0 USDC",
    });
    expect(competitor).to.not.have.any.keys("discountWad", "discountFormatted");
    expect(lines.find((l) => l.event === "keeper-account")).to.include({
      collateralValueFormatted: "100,000 USDC",
    });
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
      // The quote: what the liquidator receives (seized less the insurance penalty) is liability x (1 + discount x
      // (1 - penalty share 50%)) at the starting discount of 2%, to a USDC unit (the penalty's rounding).
      const liability = BigInt(l.liabilityWad as string);
      const received = BigInt(l.receivedValueWad as string);
      expect(received < BigInt(l.seizedValueWad as string)).to.equal(true);
      const expected = liability + (liability * WAD) / 100n / WAD;
      const diff = received > expected ? received - expected : expected - received;
      expect(diff <= 10n ** 12n, `${received} vs ${expected}`).to.equal(true);
      // The limit: at least the reference liability plus 50 bps (the default minimum profit; gas on top) per unit
      // of the quote's liability, and below what the quote gives (the deal is worth sending).
      const ref = await referenceDeal(book, BigInt(l.accountId as string), l.block as number);
      expect(BigInt(l.independentLiabilityWad as string)).to.equal(ref.liabilityWad);
      const limit = BigInt(l.minSeizedPerLiabilityWad as string);
      expect(limit >= expectedLimit(ref.liabilityWad, liability, 50n, 0n)).to.equal(true);
      expect(limit < (received * WAD) / liability).to.equal(true);
      // Beside the raw figures: the starting auction discount as a percentage, values in USDC, gas cost in USDC.
      expect(l.discountFormatted).to.equal("2%");
      expect(l.gasCostFormatted).to.match(/^[\d,]+(\.\d{1,6})? USDC$/);
      const shownLiability = ethers.parseUnits((l.liabilityFormatted as string).replace(/,|USDC| /g, ""), 18);
      expect(liability - shownLiability).to.be.within(0n, 10n ** 12n - 1n);
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
      // Gas is labelled as gas, grouped by thousands.
      const gasUsed = (await ethers.provider.getTransactionReceipt(events[0].transactionHash))!.gasUsed;
      expect(line?.gasUsed).to.equal(gasUsed.toString());
      expect((line?.gasUsedFormatted as string).replace(/,/g, "")).to.equal(`${gasUsed} gas`);
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

  it("sends the limit of its own valuation: reference liability plus the minimum profit, per quoted liability", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const minProfitWad = WAD / 2n; // 0.5 USDC on top of the bps
    const { summary } = await keep(book.recordPath, { minProfitBps: 30n, minProfitWad, gasAsset: "none" });
    expect(summary).to.include({ liquidated: 2, failures: 0 });
    for (const id of [book.victim, book.second]) {
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(id, book.keeperAccount));
      const receipt = await event.getTransactionReceipt();
      // The keeper read the chain at the block before its transaction (it sends nothing in between).
      const ref = await referenceDeal(book, id, receipt.blockNumber - 1);
      const limit = await sentLimit(event.transactionHash);
      expect(limit).to.equal(expectedLimit(ref.liabilityWad, ref.quote.liabilityWad, 30n, minProfitWad));
      // Not the quote's own ratio less a slippage: 0.3% + 0.5 USDC over the reference, where the quote gives ~1%.
      const r = event.args.result;
      const quotedPerLiability = ((r.seizedValueWad - r.penaltyWad + r.coveredWad) * WAD) / r.liabilityWad;
      expect(limit < quotedPerLiability).to.equal(true);
      const q = ref.quote.liabilityWad;
      expect((limit * q) / WAD >= (ref.liabilityWad * 10_030n) / BPS + minProfitWad).to.equal(true);
    }
  });

  it("counts the estimated gas in the limit (valued at the gas asset's oracle price)", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const { summary } = await keep(book.recordPath);
    expect(summary).to.include({ liquidated: 2, failures: 0 });
    for (const id of [book.victim, book.second]) {
      const [event] = await clearing.queryFilter(clearing.filters.Liquidated(id, book.keeperAccount));
      const receipt = await event.getTransactionReceipt();
      const ref = await referenceDeal(book, id, receipt.blockNumber - 1);
      const limit = await sentLimit(event.transactionHash);
      // The estimate is at least the gas used, at a fee cap at least the price paid: a lower bound of the cost.
      const paidWad = (receipt.gasUsed * receipt.gasPrice * ref.spotWad) / WAD;
      expect(paidWad > 0n).to.equal(true);
      expect(limit >= expectedLimit(ref.liabilityWad, ref.quote.liabilityWad, 50n, paidWad)).to.equal(true);
      expect(limit > expectedLimit(ref.liabilityWad, ref.quote.liabilityWad, 50n, 0n)).to.equal(true);
    }
  });

  it("skips a liquidation below its minimum profit by its own valuation, and only flags the account", async () => {
    const book = await crashedBook();
    const keeper = book.signers[SIGNER.keeper].address;
    const nonce = await ethers.provider.getTransactionCount(keeper);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    // At the auction's starting discount of 2% the liquidator keeps 1% (half goes to insurance): below 2%.
    const { lines, summary } = await keep(book.recordPath, { minProfitBps: 200n });
    expect(summary).to.include({ liquidatable: 2, liquidated: 0, skipped: 2, failures: 0 });
    // It sends one flagLiquidatable per account (keeping their auctions alive) and no liquidation.
    expect(await ethers.provider.getTransactionCount(keeper)).to.equal(nonce + 2);
    expect(await clearing.queryFilter(clearing.filters.Liquidated())).to.have.length(0);
    const flagged = lines.filter((l) => l.event === "auction-flagged").map((l) => l.accountId);
    expect(flagged).to.deep.equal([String(book.victim), String(book.second)]);
    for (const id of [book.victim, book.second]) {
      expect(await clearing.queryFilter(clearing.filters.LiquidationFlagged(id))).to.have.length(1);
    }
    const skipped = lines.filter((l) => l.event === "liquidation-unprofitable");
    expect(skipped.map((l) => l.accountId)).to.deep.equal([String(book.victim), String(book.second)]);
    for (const l of skipped) {
      const ref = await referenceDeal(book, BigInt(l.accountId as string), l.block as number);
      expect(BigInt(l.independentLiabilityWad as string)).to.equal(ref.liabilityWad);
      const received = BigInt(l.independentReceivedWad as string);
      expect(received > ref.liabilityWad, "a profit, but a small one").to.equal(true);
      expect(received < (ref.liabilityWad * 10_200n) / BPS).to.equal(true);
      expect(BigInt(l.requiredReceivedWad as string) >= (ref.liabilityWad * 10_200n) / BPS).to.equal(true);
    }
    // The same book at the default 50 bps is worth it.
    expect((await keep(book.recordPath)).summary).to.include({ liquidated: 2 });
  });

  it("skips when its valuation and the quote disagree beyond the tolerance, naming both figures", async () => {
    const book = await crashedBook();
    const keeper = book.signers[SIGNER.keeper].address;
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    // The feeds fall on to 1,500 within the minute after the poke: the clearing still values the recorded round of
    // 1,600, the keeper the live median.
    await moveFeedsWithoutPoke(book.record, "WETH", 1500n * WAD, book);
    const nonce = await ethers.provider.getTransactionCount(keeper);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary).to.include({ liquidatable: 2, liquidated: 0, skipped: 2, failures: 0 });
    expect(await ethers.provider.getTransactionCount(keeper)).to.equal(nonce);
    expect(await clearing.queryFilter(clearing.filters.Liquidated())).to.have.length(0);
    const warned = lines.filter((l) => l.event === "valuation-disagreement");
    expect(warned.map((l) => l.accountId)).to.deep.equal([String(book.victim), String(book.second)]);
    for (const l of warned) {
      expect(l).to.include({ level: "warn", liabilityAgrees: false, toleranceBps: "10" });
      const ref = await referenceDeal(book, BigInt(l.accountId as string), l.block as number);
      expect(ref.spotWad).to.equal(1500n * WAD);
      expect(BigInt(l.liabilityWad as string)).to.equal(ref.quote.liabilityWad);
      expect(BigInt(l.independentLiabilityWad as string)).to.equal(ref.liabilityWad);
      // The puts 100 deeper in the money: the keeper's liability is well above the quote's, beyond 10 bps.
      expect(ref.liabilityWad * BPS > ref.quote.liabilityWad * (BPS + 10n)).to.equal(true);
    }
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

  it("with an appetite below the fraction needed, values and takes exactly its cap, not the full quote", async () => {
    const book = await crashedBook();
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const full = await clearing.liquidationQuote(book.victim);
    const cap = full.result.fractionWad / 2n;
    expect(cap > 0n).to.equal(true);
    const settings = { maxFractionWad: cap, gasAsset: "none" };
    const dry = await keep(book.recordPath, { ...settings, dryRun: true });
    const quoted = dry.lines.find(
      (l) => l.event === "would-liquidate" && l.accountId === String(book.victim),
    );
    expect(quoted?.fractionWad).to.equal(String(cap));
    const { summary } = await keep(book.recordPath, settings);
    expect(summary).to.include({ failures: 0, disagreements: 0 });
    const [event] = await clearing.queryFilter(clearing.filters.Liquidated(book.victim, book.keeperAccount));
    expect(event.args.result.fractionWad).to.equal(cap);
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
    const settledLine = lines.find((l) => l.event === "settled");
    expect(settledLine?.priceWad).to.equal(String(CRASH_PRICE));
    // The raw id, and beside it the series' name: underlying, strike, P, expiry date in UTC.
    expect(settledLine?.seriesId).to.equal(String(book.seriesId));
    const day = new Date(Number(book.expiry) * 1000).toISOString().slice(0, 10);
    expect(settledLine?.series).to.equal(`WETH-1800-P-${day}`);
    // Both short accounts were settled lazily: no position left in the series.
    expect(summary.settledAccounts).to.equal(2);
    for (const id of [book.victim, book.second])
      expect(await clearing.positionOf(id, book.seriesId)).to.equal(0n);
  });

  it("after the window, settles from the first oracle round recorded in it (settleFromRound)", async () => {
    const book = await loadFixture(deployedBook);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const oracle = OracleAggregator__factory.connect(book.record.contracts.OracleAggregator, ethers.provider);
    await time.increaseTo(book.expiry + 60n);
    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const [round] = await oracle.latestRound(book.record.tokens.WETH);
    await setMockPrice(book.record, "WETH", CRASH_PRICE + 50n * WAD, book.signers[SIGNER.deployer]);
    // Nobody settled within the window; the live price is refused after it, the recorded round is not.
    await time.increaseTo(book.expiry + (await clearing.SETTLEMENT_WINDOW_SECONDS()) + 60n);
    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary.settledSeries).to.equal(1);
    const settled = lines.find((l) => l.event === "settled");
    expect(settled?.roundId).to.equal(String(round));
    const s = await clearing.series(book.seriesId);
    expect(s.settlementPriceWad).to.equal(CRASH_PRICE);
    expect(s.payoutPerContractWad).to.equal(200n * WAD);
  });

  it("records an oracle round when SETTLE is tripped in the window, and settles from it after the window", async () => {
    const book = await loadFixture(deployedBook);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const oracle = OracleAggregator__factory.connect(book.record.contracts.OracleAggregator, ethers.provider);
    const breaker = CircuitBreaker__factory.connect(
      book.record.contracts.CircuitBreaker,
      book.signers[SIGNER.guardian],
    );
    await breaker.pause(Scopes.SETTLE, "drill");
    await time.increaseTo(book.expiry + 60n);
    // The feeds answer at expiry + 60 but nobody poked: the keeper's poke records the round.
    const [before] = await oracle.latestRound(book.record.tokens.WETH);
    await moveFeedsWithoutPoke(book.record, "WETH", CRASH_PRICE, book);
    const tripped = await keep(book.recordPath);
    expect(tripped.lines.find((l) => l.event === "settle-skipped")?.reason).to.match(/^ScopeTripped\(/);
    const poked = tripped.lines.find((l) => l.event === "poked");
    expect(poked?.roundId).to.equal(String(before + 1n));
    expect((await clearing.series(book.seriesId)).settled).to.equal(false);
    expect(BigInt(poked!.updatedAt as string) >= book.expiry).to.equal(true);
    const resumableAt = await breaker.resumableAt(Scopes.SETTLE);
    const windowEnd = book.expiry + (await clearing.SETTLEMENT_WINDOW_SECONDS());
    await time.increaseTo((resumableAt > windowEnd ? resumableAt : windowEnd) + 60n);
    // Governance resumes SETTLE through the timelock (the Safe schedules, anyone executes after the delay).
    const protocol = await loadProtocol(hre, book.recordPath);
    const scope = { id: Scopes.SETTLE, label: "SETTLE" };
    const op = await resumeOperation(protocol, scope);
    await asGovernance(
      book.record,
      await protocol.timelock.getAddress(),
      protocol.timelock.interface.encodeFunctionData("schedule", [
        op.target,
        0n,
        op.data,
        op.predecessor,
        op.salt,
        await protocol.timelock.getMinDelay(),
      ]),
    );
    await time.increaseTo((await protocol.timelock.getTimestamp(op.id)) + 1n);
    await executeResume(protocol, book.signers[SIGNER.keeper], scope);
    expect(await breaker.isTripped(Scopes.SETTLE)).to.equal(false);
    await setMockPrice(book.record, "WETH", CRASH_PRICE + 300n * WAD, book.signers[SIGNER.deployer]);
    const { lines, summary } = await keep(book.recordPath);
    expect(summary.settledSeries).to.equal(1);
    expect(lines.find((l) => l.event === "settled")?.roundId).to.equal(String(before + 1n));
    expect((await clearing.series(book.seriesId)).settlementPriceWad).to.equal(CRASH_PRICE);
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
    // The second pass scans only the blocks after the first's, if any; a range never runs backwards.
    const [first, second] = scans as unknown as { fromBlock?: number; toBlock: number; newBlocks: number }[];
    if (second.newBlocks === 0) {
      expect(second.toBlock).to.equal(first.toBlock);
      expect(second).to.not.have.property("fromBlock");
    } else {
      expect(second.fromBlock).to.equal(first.toBlock + 1);
      expect(second.toBlock - (second.fromBlock ?? 0) + 1).to.equal(second.newBlocks);
    }
    expect(scans[1].newAccounts).to.equal(0);
  });

  describe("the profit rule (scripts/lib/keeper/profit.ts)", () => {
    const policy: ProfitPolicy = { minProfitBps: 50n, minProfitWad: 0n, toleranceBps: 10n };
    const quote = (liabilityWad: bigint, seizedValueWad: bigint) => ({
      fractionWad: WAD,
      liabilityWad,
      seizedValueWad,
      discountWad: WAD / 50n,
      penaltyWad: 0n,
      coveredWad: 0n,
      socialisedWad: 0n,
    });

    it("sends at (liability x 1.005 + gas) per quoted liability, rounded up", () => {
      // 1,000 of liability valued alike; 1,020 received; 3 of gas: 1,008 required, 1.008 per unit.
      const d = decide(
        quote(1000n * WAD, 1020n * WAD),
        { liabilityWad: 1000n * WAD, receivedWad: 1020n * WAD },
        policy,
        3n * WAD,
      );
      expect(d).to.deep.equal({
        kind: "send",
        requiredWad: 1008n * WAD,
        profitWad: 20n * WAD,
        minSeizedPerLiabilityWad: (1008n * WAD) / 1000n,
      });
      // The quote's liability 0.05% lower (within 10 bps): the limit per its unit is higher, 1,008 / 999.5.
      const lower = decide(
        quote(9995n * 10n ** 17n, 1020n * WAD),
        { liabilityWad: 1000n * WAD, receivedWad: 1020n * WAD },
        policy,
        3n * WAD,
      );
      expect(lower.kind === "send" && lower.minSeizedPerLiabilityWad).to.equal(
        ceilDiv(1008n * WAD * WAD, 9995n * 10n ** 17n),
      );
    });

    it("refuses below the minimum profit, and on a disagreement of either figure", () => {
      expect(
        decide(
          quote(1000n * WAD, 1004n * WAD),
          { liabilityWad: 1000n * WAD, receivedWad: 1004n * WAD },
          policy,
          0n,
        ),
      ).to.include({ kind: "unprofitable" });
      expect(
        decide(
          quote(1000n * WAD, 1020n * WAD),
          { liabilityWad: 1002n * WAD, receivedWad: 1020n * WAD },
          policy,
          0n,
        ),
      ).to.deep.equal({ kind: "disagreement", liabilityAgrees: false, receivedAgrees: true });
      expect(
        decide(
          quote(1000n * WAD, 1020n * WAD),
          { liabilityWad: 1000n * WAD, receivedWad: 1010n * WAD },
          policy,
          0n,
        ),
      ).to.deep.equal({ kind: "disagreement", liabilityAgrees: true, receivedAgrees: false });
    });
  });

  describe("bad input", () => {
    it("refuses malformed settings by name", () => {
      expect(() => keeperCommandFromEnv({ KEEPER_MIN_PROFIT_BPS: "abc" })).to.throw(
        OperatorError,
        "KEEPER_MIN_PROFIT_BPS must be an integer >= 0, got 'abc'",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_MIN_PROFIT_BPS: "20000" })).to.throw(
        OperatorError,
        "KEEPER_MIN_PROFIT_BPS must be in [0, 10000], got 20000",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_MIN_PROFIT: "-1" })).to.throw(
        OperatorError,
        "KEEPER_MIN_PROFIT must not be negative, got '-1'",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_MIN_PROFIT: "two" })).to.throw(
        OperatorError,
        "KEEPER_MIN_PROFIT must be an amount of quote units (e.g. 2.5), got 'two'",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_VALUATION_TOLERANCE_BPS: "5000" })).to.throw(
        OperatorError,
        "KEEPER_VALUATION_TOLERANCE_BPS must be in [0, 1000], got 5000",
      );
      expect(() => keeperCommandFromEnv({ KEEPER_GAS_ASSET: "W ETH" })).to.throw(
        OperatorError,
        "KEEPER_GAS_ASSET must be a token symbol or 'none', got 'W ETH'",
      );
      // The setting the valuation replaced is refused, not silently ignored.
      expect(() => keeperCommandFromEnv({ KEEPER_SLIPPAGE_BPS: "50" })).to.throw(
        OperatorError,
        "KEEPER_SLIPPAGE_BPS is no longer read",
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
      expect(c).to.include({ minProfitBps: 50n, minProfitWad: 0n, toleranceBps: 10n });
      expect(c.gasAsset).to.equal(undefined);
      const p = keeperCommandFromEnv({
        KEEPER_MIN_PROFIT_BPS: "75",
        KEEPER_MIN_PROFIT: "2.5",
        KEEPER_VALUATION_TOLERANCE_BPS: "0",
        KEEPER_GAS_ASSET: "none",
      });
      expect(p).to.include({
        minProfitBps: 75n,
        minProfitWad: 25n * 10n ** 17n,
        toleranceBps: 0n,
        gasAsset: "none",
      });
    });

    it("refuses a gas asset the deployment does not have, by name", async () => {
      const book = await loadFixture(deployedBook);
      await expect(keep(book.recordPath, { gasAsset: "DOGE" })).to.be.rejectedWith(
        OperatorError,
        "the gas asset 'DOGE' is not a token of the deployment",
      );
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
