/**
 * Random fills of signed orders on the whole suite (real oracle, breaker, vaults, calculator, clearing, exchange).
 *
 * Each run draws a sequence of trades between four accounts of three owners (two of them thinly collateralised, so
 * margin checks fail now and then): a maker order (side, series, amount, price, reduce-only or not) taken either by
 * `fill` or by the matcher against a taker order at a limit at least as good, for a random part of it. A trade may
 * revert (margin, reduce-only, collateral): then nothing changes. After a trade that goes through:
 *
 * - INV_EXCHANGE_PREMIUM: in quote-vault shares, the buyer's debit equals the seller's credit plus the fee
 *   account's; the clearing's total quote collateral is unchanged; the buyer paid at least, and the seller received
 *   at most, what the maker's price (plus or less each side's fee) is worth.
 * - INV_OPEN_INTEREST: for both series, shorts == longs in accounts + long tokens, and equal to the sums over every
 *   account's position.
 * - INV_INITIAL_MARGIN_AFTER_ACTION: every account whose position in the series grew is at or above initial margin.
 * - INV_EXCHANGE_FILL_BOUNDS: no order is filled beyond its amount.
 *
 * Replay: FUZZ_SEED=<seed> [FUZZ_PATH=<path>].
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Side, OrderFlags } from "../../scripts/lib/exchange/order";
import { WAD } from "../../scripts/lib/math/wad";
import { boundedShrink, fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { USDC_UNIT } from "../shared/fixtures/system";
import { deployExchangeSystem, MAKER_FEE, TAKER_FEE, type ExchangeSystem } from "../shared/fixtures/exchange";

const DEFAULT_RUNS = 12;

async function fuzzBook() {
  const sys = await deployExchangeSystem();
  // Two thin accounts: 1,500 USDC (alice) and 600 USDC (carol), so larger writes fail their margin check.
  const thinAlice = await sys.fundAccount(sys.alice, "usdc", 1_500n * USDC_UNIT);
  const thinCarol = await sys.fundAccount(sys.carol, "usdc", 600n * USDC_UNIT);
  const accounts: Array<{ id: bigint; owner: HardhatEthersSigner }> = [
    { id: sys.aliceAccount, owner: sys.alice },
    { id: sys.bobAccount, owner: sys.bob },
    { id: thinAlice, owner: sys.alice },
    { id: thinCarol, owner: sys.carol },
  ];
  return { ...sys, accounts };
}

type Book = Awaited<ReturnType<typeof fuzzBook>>;

interface TradeDraw {
  maker: number;
  taker: number;
  makerSells: boolean;
  onCall: boolean;
  amountMilli: number;
  fillPermille: number;
  priceCents: number;
  reduceOnly: boolean;
  viaMatcher: boolean;
}

const tradeArb: fc.Arbitrary<TradeDraw> = fc.record({
  maker: fc.integer({ min: 0, max: 3 }),
  taker: fc.integer({ min: 0, max: 3 }),
  makerSells: fc.boolean(),
  onCall: fc.boolean(),
  amountMilli: fc.integer({ min: 1, max: 6_000 }),
  fillPermille: fc.integer({ min: 1, max: 1_000 }),
  priceCents: fc.integer({ min: 1, max: 40_000 }),
  reduceOnly: fc.boolean(),
  viaMatcher: fc.boolean(),
});

async function snapshot(book: Book, vault: string) {
  const rows = [];
  for (const a of [...book.accounts.map((x) => x.id), book.feeAccount]) {
    rows.push({
      id: a,
      shares: await book.clearing.collateralOf(a, vault),
      put: await book.clearing.positionOf(a, book.put),
      call: await book.clearing.positionOf(a, book.call),
    });
  }
  return rows;
}

async function checkOpenInterest(book: Book): Promise<void> {
  for (const series of [book.put, book.call]) {
    const [shorts, longsInAccounts, longTokens] = await book.clearing.openInterest(series);
    let sumShorts = 0n;
    let sumLongs = 0n;
    for (const a of [...book.accounts.map((x) => x.id), book.feeAccount]) {
      const p = await book.clearing.positionOf(a, series);
      if (p < 0n) sumShorts -= p;
      else sumLongs += p;
    }
    assertInvariant(
      INV.OPEN_INTEREST,
      shorts === longsInAccounts + longTokens && shorts === sumShorts && longsInAccounts === sumLongs,
      () =>
        `series ${series}: shorts ${shorts}, longs ${longsInAccounts} + ${longTokens}, sums ${sumShorts}/${sumLongs}`,
    );
  }
}

async function runTrade(book: Book, d: TradeDraw, vault: string, hashes: Map<string, bigint>): Promise<void> {
  const maker = book.accounts[d.maker];
  const taker = book.accounts[d.taker];
  if (maker.owner.address === taker.owner.address) return;
  const series = d.onCall ? book.call : book.put;
  const amount = BigInt(d.amountMilli) * 10n ** 15n;
  const fillAmount = (amount * BigInt(d.fillPermille) + 999n) / 1000n;
  const price = BigInt(d.priceCents) * (USDC_UNIT / 100n);
  await book.refreshPrices();
  const m = await book.order(maker.owner, maker.id, {
    side: d.makerSells ? Side.Sell : Side.Buy,
    seriesId: series,
    amount,
    limitPremiumPerContract: price,
    maxFeePerContract: MAKER_FEE,
    flags: d.reduceOnly ? OrderFlags.REDUCE_ONLY : 0,
  });
  const before = await snapshot(book, vault);
  const totalBefore = await book.clearing.totalCollateral(vault);
  let sent: Promise<unknown>;
  if (d.viaMatcher) {
    const t = await book.order(taker.owner, taker.id, {
      side: d.makerSells ? Side.Buy : Side.Sell,
      seriesId: series,
      amount: fillAmount,
      limitPremiumPerContract: price,
    });
    hashes.set(t.hash, fillAmount);
    sent = book.exchange
      .connect(book.keeper)
      .matchOrders(t.order, t.signature, [m.order], [m.signature], [fillAmount]);
  } else {
    sent = book.exchange.connect(taker.owner).fill(m.order, m.signature, fillAmount, taker.id, TAKER_FEE);
  }
  hashes.set(m.hash, amount);
  let ok = true;
  try {
    await (await (sent as Promise<{ wait: () => Promise<unknown> }>)).wait();
  } catch {
    ok = false;
  }
  const after = await snapshot(book, vault);
  if (!ok) {
    expect(JSON.stringify(after, big)).to.equal(JSON.stringify(before, big));
    expect(await book.exchange.filled(m.hash)).to.equal(0n);
    return;
  }
  const sellerId = d.makerSells ? maker.id : taker.id;
  const buyerId = d.makerSells ? taker.id : maker.id;
  const delta = (id: bigint): bigint => {
    const i = after.findIndex((r) => r.id === id);
    return after[i].shares - before[i].shares;
  };
  const paid = -delta(buyerId);
  const received = delta(sellerId);
  const fees = delta(book.feeAccount);
  const sellerFee = d.makerSells ? MAKER_FEE : TAKER_FEE;
  const buyerFee = d.makerSells ? TAKER_FEE : MAKER_FEE;
  const paidAssets = await book.usdcVault.convertToAssets(paid);
  const receivedAssets = await book.usdcVault.convertToAssets(received);
  assertInvariant(
    INV.EXCHANGE_PREMIUM,
    paid === received + fees &&
      fees >= 0n &&
      (await book.clearing.totalCollateral(vault)) === totalBefore &&
      paidAssets + 1n >= (fillAmount * (price + buyerFee)) / WAD &&
      receivedAssets <= (fillAmount * (price - sellerFee)) / WAD,
    () =>
      `paid ${paid}, received ${received}, fees ${fees}; assets ${paidAssets} / ${receivedAssets} at ${price}`,
  );
  await checkOpenInterest(book);
  const key = d.onCall ? "call" : "put";
  for (const [i, row] of after.entries()) {
    const grew =
      (row[key] < 0n ? -row[key] : row[key]) > (before[i][key] < 0n ? -before[i][key] : before[i][key]);
    if (!grew) continue;
    const h = await book.clearing.health(row.id);
    assertInvariant(
      INV.INITIAL_MARGIN_AFTER_ACTION,
      h.collateralValueWad >= h.initialWad,
      () => `account ${row.id}: collateral ${h.collateralValueWad} < initial ${h.initialWad}`,
    );
  }
}

const big = (_: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

describe("fuzz/Exchange: random fills conserve the premium and open interest, and keep margin", () => {
  it("holds over random sequences of fills and matches", async () => {
    let traded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(tradeArb, { minLength: 1, maxLength: 6 }),
        boundedShrink("exchange", async (draws: TradeDraw[]) => {
          const book: ExchangeSystem & Book = await loadFixture(fuzzBook);
          const vault = await book.usdcVault.getAddress();
          const hashes = new Map<string, bigint>();
          for (const d of draws) await runTrade(book, d, vault, hashes);
          for (const [hash, amount] of hashes) {
            const filled = await book.exchange.filled(hash);
            if (filled > 0n) traded++;
            assertInvariant(
              INV.EXCHANGE_FILL_BOUNDS,
              filled <= amount,
              () => `${hash}: ${filled} > ${amount}`,
            );
          }
        }),
      ),
      fuzzParams(DEFAULT_RUNS),
    );
    // The campaign must have traded at all, or it checked nothing.
    expect(traded).to.be.greaterThan(0);
  });
});
