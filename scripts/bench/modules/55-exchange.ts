import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BenchRow } from "../types";
import { Side } from "../../../src/exchange/order";
import { deployExchangeSystem, TAKER_FEE } from "../../../test/shared/fixtures/exchange";
import { USDC_UNIT } from "../../../test/shared/fixtures/system";

const WAD = 10n ** 18n;
const FILL_BUDGET = 230_000n;
const MATCH_BUDGET = 300_000n;
const EXTRA_MAKER_BUDGET = 120_000n;

async function measure(tx: () => Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx()).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

/**
 * OptionsExchange on the real suite, beside the plain `write` of the same run: every figure is a transaction's
 * gasUsed, 21,000 intrinsic and the calldata included. "steady": the accounts already hold the series (warm-in-state
 * position and collateral slots); each fill is of a fresh signed order (its fill-state slot is new, as in use).
 * The seller writes a put against USDC collateral, the buyer receives the long in its account and pays the premium
 * and the taker fee; the seller pays the maker fee from the premium. The writers hold collateral that covers the
 * unpriced bound of their requirement (PortfolioMargin.initialUpperBound), as a cash-secured writer does, except the
 * leveraged seller's row, whose margin check prices the grid.
 */
export async function bench(): Promise<BenchRow[]> {
  const sys = await deployExchangeSystem();
  /** Measure `tx` right after a poke, as every clearing row is (the margin check reads the confirmed round). */
  const gasOf = async (tx: () => Promise<ContractTransactionResponse>): Promise<bigint> => {
    await sys.refreshPrices();
    return measure(tx);
  };
  const { exchange, clearing, alice, bob, carol, keeper, put, aliceAccount, bobAccount, carolAccount } = sys;
  const ask = async (owner: HardhatEthersSigner, account: bigint, price = 40n * USDC_UNIT) =>
    sys.order(owner, account, { side: Side.Sell, amount: 10n * WAD, limitPremiumPerContract: price });

  const writer = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
  const writeFirst = await gasOf(() => clearing.connect(alice).write(writer, sys.call, WAD, bob.address));
  const writeSteady = await gasOf(() => clearing.connect(alice).write(writer, sys.call, WAD, bob.address));

  const first = await ask(alice, aliceAccount);
  const fillFirst = await gasOf(() =>
    exchange.connect(bob).fill(first.order, first.signature, WAD, bobAccount, TAKER_FEE),
  );
  const steady = await ask(alice, aliceAccount);
  const fillSteady = await gasOf(() =>
    exchange.connect(bob).fill(steady.order, steady.signature, WAD, bobAccount, TAKER_FEE),
  );
  const again = await gasOf(() =>
    exchange.connect(bob).fill(steady.order, steady.signature, WAD, bobAccount, TAKER_FEE),
  );

  // A leveraged writer: 2,000 USDC against puts struck at 1,800, so its collateral does not cover the unpriced bound
  // (about 2,184 USDC a contract) and every margin check prices the scenario grid.
  const lean = await sys.fundAccount(carol, "usdc", 2_000n * USDC_UNIT);
  const leanFirst = await ask(carol, lean);
  await exchange.connect(bob).fill(leanFirst.order, leanFirst.signature, WAD, bobAccount, TAKER_FEE);
  const leanSteady = await ask(carol, lean);
  const fillPriced = await gasOf(() =>
    exchange.connect(bob).fill(leanSteady.order, leanSteady.signature, WAD, bobAccount, TAKER_FEE),
  );

  // Longs change hands: bob (long only) sells to carol's resting bid; neither side opens a short.
  const bid = await sys.order(carol, carolAccount, { side: Side.Buy, amount: 10n * WAD });
  await exchange.connect(bob).fill(bid.order, bid.signature, WAD / 10n, bobAccount, TAKER_FEE);
  const bid2 = await sys.order(carol, carolAccount, { side: Side.Buy, amount: 10n * WAD });
  const fillLongs = await gasOf(() =>
    exchange.connect(bob).fill(bid2.order, bid2.signature, WAD / 10n, bobAccount, TAKER_FEE),
  );

  // Asks: four writing makers (alice's and carol's accounts, two each, already short the put); bob's long-only
  // account buys. Bids: four long-only bidders (already long the put); a writer's account (already short) sells.
  const alice2 = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
  const carol2 = await sys.fundAccount(carol, "usdc", 100_000n * USDC_UNIT);
  const asks: Array<[HardhatEthersSigner, bigint]> = [
    [alice, aliceAccount],
    [carol, carolAccount],
    [alice, alice2],
    [carol, carol2],
  ];
  const bids: Array<[HardhatEthersSigner, bigint]> = [];
  for (const owner of [alice, carol, alice, carol])
    bids.push([owner, await sys.fundAccount(owner, "usdc", 100_000n * USDC_UNIT)]);
  const seller = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
  for (const [owner, account] of asks.slice(1)) {
    const o = await ask(owner, account);
    await exchange.connect(bob).fill(o.order, o.signature, WAD, bobAccount, TAKER_FEE);
  }
  for (const [owner, account] of bids) {
    const o = await sys.order(bob, seller, { side: Side.Sell, amount: WAD });
    await exchange.connect(owner).fill(o.order, o.signature, WAD / 10n, account, TAKER_FEE);
  }
  /** The taker crosses `k` makers: asks (each maker writes: one margin check each) or bids (the taker writes). */
  const match = async (k: number, takerSide: Side): Promise<bigint> => {
    const buys = takerSide === Side.Buy;
    const orders = await Promise.all(
      (buys ? asks : bids).slice(0, k).map(([owner, account]) =>
        sys.order(owner, account, {
          side: buys ? Side.Sell : Side.Buy,
          amount: 10n * WAD,
          limitPremiumPerContract: 40n * USDC_UNIT,
        }),
      ),
    );
    const taker = await sys.order(bob, buys ? bobAccount : seller, {
      side: takerSide,
      amount: (BigInt(k) * WAD) / 10n,
      limitPremiumPerContract: buys ? 41n * USDC_UNIT : 39n * USDC_UNIT,
    });
    return gasOf(() =>
      exchange.connect(keeper).matchOrders(
        taker.order,
        taker.signature,
        orders.map((o) => o.order),
        orders.map((o) => o.signature),
        orders.map(() => WAD / 10n),
      ),
    );
  };
  const buy1 = await match(1, Side.Buy);
  const buy4 = await match(4, Side.Buy);
  const sell1 = await match(1, Side.Sell);
  const sell4 = await match(4, Side.Sell);
  const m = "exchange";
  return [
    { module: m, operation: "write, 1-series account (first), for scale", gas: writeFirst },
    { module: m, operation: "write, 1-series account (steady), for scale", gas: writeSteady },
    { module: m, operation: "fill (first: fresh position slots)", gas: fillFirst },
    {
      module: m,
      operation: "fill (steady)",
      gas: fillSteady,
      reference: "plain write (steady), same run",
      referenceGas: writeSteady,
      budget: FILL_BUDGET,
      note: "the seller writes: signature, fill state, position, premium and fees in shares, the seller's margin check",
    },
    { module: m, operation: "fill (steady, order already part-filled)", gas: again },
    {
      module: m,
      operation: "fill (steady), leveraged seller",
      gas: fillPriced,
      reference: "fill (steady)",
      referenceGas: fillSteady,
      note: "collateral below the unpriced bound: the seller's margin check prices the scenario grid",
    },
    {
      module: m,
      operation: "fill (steady), longs change hands",
      gas: fillLongs,
      budget: FILL_BUDGET,
      note: "a long-only seller sells to a long-only buyer: no short opened, no margin to price",
    },
    {
      module: m,
      operation: "matchOrders, taker buys from 1 ask (steady)",
      gas: buy1,
      budget: MATCH_BUDGET,
      note: "the maker writes: one margin check",
    },
    {
      module: m,
      operation: "matchOrders, taker buys from 4 asks (steady)",
      gas: buy4,
      note: "four writing makers: four margin checks",
    },
    {
      module: m,
      operation: "matchOrders, each extra ask",
      gas: (buy4 - buy1) / 3n,
      budget: EXTRA_MAKER_BUDGET,
      note: "(4 asks − 1 ask) / 3",
    },
    {
      module: m,
      operation: "matchOrders, taker sells into 1 bid (steady)",
      gas: sell1,
      budget: MATCH_BUDGET,
      note: "the taker writes: one margin check",
    },
    {
      module: m,
      operation: "matchOrders, taker sells into 4 bids (steady)",
      gas: sell4,
      note: "still one margin check (the taker's): the bidders hold longs only",
    },
    {
      module: m,
      operation: "matchOrders, each extra bid",
      gas: (sell4 - sell1) / 3n,
      budget: EXTRA_MAKER_BUDGET,
      note: "(4 bids − 1 bid) / 3",
    },
  ];
}
