/**
 * Moving the devnet's market by hand and the ticker around it (tasks/devnet.ts `move-price`, scripts/lib/devnet/ticker.ts)
 * on the in-process network against config/local.json: a move reaches the oracle at once and the keeper liquidates
 * the account it took below maintenance; the ticker carries on from the moved price, writes the reporter's price
 * document of each move, and survives an oracle that refuses the asset. Bad input is refused by name.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import {
  MockChainlinkFeed__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  SignedReportSource__factory,
} from "../../../typechain-types";
import type { PriceMove } from "../../../scripts/lib/devnet/price";
import type { PassSummary } from "../../../scripts/lib/keeper/keeper";
import { formatTick, priceDocument, Ticker } from "../../../scripts/lib/devnet/ticker";
import { bindProtocol } from "../../../scripts/lib/operator/protocol";
import { parsePrices } from "../../../scripts/lib/reporter/prices";
import { reportDomain, signReport, toCalldata } from "../../../scripts/lib/signing";
import { seedMarket } from "../../../scripts/lib/devnet/seed";
import { SIGNER, deployedBook, deployedLocal } from "../../shared/fixtures/deployed";
import { runTask as run } from "../../shared/runTask";

const WAD = 10n ** 18n;

/** The devnet's opening book (scripts/lib/devnet/seed.ts) on a fresh deployment. */
async function devnetBook() {
  const base = await deployedLocal();
  const signers = await ethers.getSigners();
  const market = await seedMarket(bindProtocol(base.record, signers[0]), signers, () => undefined);
  return { ...base, market };
}

describe("unit/devnet/market (move-price and the ticker, in-process network, config/local.json)", () => {
  it("the README's devnet commands: keeper #9 funded, WETH to 1,600, Alice's account 1 liquidatable, then liquidated", async () => {
    const { recordPath, record, market } = await loadFixture(devnetBook);
    expect(market.writers[0]).to.include({ name: "Alice", accountId: 1n });
    const funded = await run<{ accountId: bigint }>("keeper-fund", {
      amount: "100000",
      signer: 9,
      record: recordPath,
    });
    expect(funded.result.accountId).to.equal(5n);
    await run("move-price", { asset: "WETH", to: "1600", record: recordPath });
    const health = await run("health", { account: "1", record: recordPath });
    expect(health.out).to.contain("LIQUIDATABLE");
    expect(health.out).to.match(/auction discount \d+(\.\d{1,2})?%/);
    const keeper = await run<PassSummary>("keeper", { once: true, signer: 9, record: recordPath });
    expect(keeper.result).to.include({ failures: 0 });
    expect(keeper.result.liquidated).to.be.at.least(1);
    const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, ethers.provider);
    const [liquidated] = await clearing.queryFilter(clearing.filters.Liquidated(1n, 5n));
    expect(liquidated, "account 1 liquidated into the keeper's account 5").to.not.equal(undefined);
  });

  it("move-price: every WETH feed and the oracle at 1,600 at once; the keeper then liquidates the thin shorts", async () => {
    const book = await loadFixture(deployedBook);
    const oracle = OracleAggregator__factory.connect(book.record.contracts.OracleAggregator, ethers.provider);
    const clearing = OptionsClearing__factory.connect(book.record.contracts.OptionsClearing, ethers.provider);
    const { result, out } = await run<PriceMove>("move-price", {
      asset: "WETH",
      to: "1600",
      record: book.recordPath,
    });
    expect(result).to.include({ symbol: "WETH", fromWad: 2000n * WAD, toWad: 1600n * WAD, feeds: 3 });
    expect(out).to.equal("WETH: 3 mock feeds 2,000 -> 1,600; oracle poke: Recorded");
    expect((await oracle.getPrice(book.record.tokens.WETH))[0]).to.equal(1600n * WAD);
    const [, round] = await oracle.latestRound(book.record.tokens.WETH);
    expect(round).to.equal(1600n * WAD);
    const h = await clearing.health(book.victim);
    expect(h.collateralValueWad < h.maintenanceWad).to.equal(true);
    const keeper = await run<PassSummary>("keeper", {
      once: true,
      signer: SIGNER.keeper,
      record: book.recordPath,
    });
    expect(keeper.result).to.include({ liquidatable: 2, liquidated: 2, failures: 0 });
    const after = await clearing.health(book.victim);
    expect(after.collateralValueWad >= after.maintenanceWad).to.equal(true);
  });

  it("move-price refuses an asset without mock feeds and a price that is not a number, changing nothing", async () => {
    const book = await loadFixture(deployedBook);
    const feed = MockChainlinkFeed__factory.connect(book.record.mocks.feeds.WETH[0], ethers.provider);
    const before = await feed.latestRoundData();
    await expect(run("move-price", { asset: "USDC", to: "1", record: book.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "move-price failed: no mock feeds for 'USDC' (mocked: WETH, WBTC)",
    );
    await expect(
      run("move-price", { asset: "WETH", to: "cheap", record: book.recordPath }),
    ).to.be.rejectedWith(HardhatPluginError, "move-price failed: --to: 'cheap' is not a decimal number");
    await expect(run("move-price", { asset: "WETH", to: "0", record: book.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "move-price failed: --to must be a positive price",
    );
    expect(await feed.latestRoundData()).to.deep.equal(before);
  });

  it("the ticker steps from a price moved by hand and writes the reporter's price document of the move", async () => {
    const book = await loadFixture(deployedBook);
    const signer = book.signers[SIGNER.deployer];
    await run("move-price", { asset: "WETH", to: "1900", record: book.recordPath });
    // No volatility: the step keeps the price, so the move by hand must be where the ticker starts from.
    const ticker = new Ticker(bindProtocol(book.record, signer), signer, 1, 0);
    const tick = await ticker.tick();
    expect(tick.prices.map((p) => [p.symbol, p.priceWad, p.oracleWad])).to.deep.equal([
      ["WETH", 1900n * WAD, 1900n * WAD],
      ["WBTC", 60_000n * WAD, 60_000n * WAD],
    ]);
    // Every feed reported at the tick's time, which the price document carries.
    const feed = MockChainlinkFeed__factory.connect(book.record.mocks.feeds.WETH[2], ethers.provider);
    expect((await feed.latestRoundData())[3]).to.equal(tick.observedAt);
    expect(parsePrices(priceDocument(tick), "devnet")).to.deep.equal({
      pricesWad: { WETH: 1900n * WAD, WBTC: 60_000n * WAD },
      observedAt: tick.observedAt,
      source: "devnet",
    });
    expect(formatTick(tick, "USDC")).to.equal("tick 1: WETH 1,900.00, WBTC 60,000.00 USDC");
  });

  it("the ticker goes on when the oracle refuses an asset (a signed report 5% off the feeds), naming the refusal", async () => {
    const book = await loadFixture(deployedBook);
    const signer = book.signers[SIGNER.deployer];
    const address = book.record.contracts["SignedReportSource.WETH"];
    const domain = reportDomain((await ethers.provider.getNetwork()).chainId, address);
    const signed = await signReport(book.signers[8], domain, {
      asset: book.record.tokens.WETH,
      priceWad: 2100n * WAD,
      observedAt: BigInt(await time.latest()),
    });
    await SignedReportSource__factory.connect(address, signer).submit(toCalldata([signed]));
    const tick = await new Ticker(bindProtocol(book.record, signer), signer, 1, 0).tick();
    const weth = tick.prices.find((p) => p.symbol === "WETH");
    expect(weth?.priceWad).to.equal(2000n * WAD);
    expect(weth?.oracleWad).to.have.property("refused").that.contains("SpreadTooWide");
    expect(formatTick(tick, "USDC")).to.match(
      /^tick 1: WETH feeds 2,000\.00 \(oracle refuses: SpreadTooWide\(.*\)\), WBTC 60,000\.00 USDC$/,
    );
  });
});
