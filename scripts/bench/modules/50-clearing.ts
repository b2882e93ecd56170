import { network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { BenchRow } from "../types";
import { deploySystem, DAY, USDC_UNIT } from "../../../test/shared/fixtures/system";

const WAD = 10n ** 18n;
const WRITE_BUDGET = 200_000n;
const LIQUIDATION_BUDGET = 400_000n;
const FAR = 2n ** 63n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

/**
 * OptionsClearing on the real suite (oracle with three Chainlink-style sources, breaker, vaults): every figure is a
 * transaction's gasUsed, 21,000 intrinsic included. "first" touches fresh storage (new account slot, new series in
 * the account, first mint of the series); "steady" repeats the action on warm-in-state (non-zero) slots.
 * The margin check is measured as `withdrawCollateral` of one share, which runs it once, for accounts holding 1, 4
 * and 8 series; the per-series slope is the difference divided by the series added. The first account's USDC covers
 * the unpriced bound of its requirement (a cash-secured writer: the check prices nothing); the leveraged writer's
 * rows measure the same checks priced.
 */
export async function bench(): Promise<BenchRow[]> {
  const sys = await deploySystem();
  const { clearing, alice, bob, usdcVault } = sys;
  const vault = await usdcVault.getAddress();
  const expiry = (await time.latest()) + 30 * DAY;
  const strikes = Array.from({ length: 8 }, (_, i) => (2100n + 100n * BigInt(i)) * WAD);
  const series: bigint[] = [];
  for (const k of strikes) series.push(await sys.list(k, expiry, true));

  const account = await sys.fundAccount(alice, "usdc", 1_000_000n * USDC_UNIT);
  const shares = await sys.fundVaultShares(alice, "usdc", 1_000n * USDC_UNIT);
  const depositFirst = await gasOf(clearing.connect(alice).depositCollateral(account, vault, shares / 2n));
  const depositSteady = await gasOf(clearing.connect(alice).depositCollateral(account, vault, shares / 2n));

  const writeFirst = await gasOf(clearing.connect(alice).write(account, series[0], WAD, bob.address));
  const writeSteady = await gasOf(clearing.connect(alice).write(account, series[0], WAD, bob.address));
  const closeSteady = await gasOf(clearing.connect(bob).close(account, series[0], WAD / 2n));
  await sys.refreshPrices();
  const margin1 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  for (let i = 1; i < 4; i++) await clearing.connect(alice).write(account, series[i], WAD, bob.address);
  await sys.refreshPrices();
  const margin4 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  for (let i = 4; i < 8; i++) await clearing.connect(alice).write(account, series[i], WAD, bob.address);
  await sys.refreshPrices();
  const margin8 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  await sys.refreshPrices();
  const write8 = await gasOf(clearing.connect(alice).write(account, series[7], WAD, bob.address));

  // The same checks for a leveraged writer (each measured right after a poke, as the rows above are after the
  // deployment's), whose collateral stays below the unpriced bound (about 3,144 USDC a
  // short call here) and above the priced requirement: each check prices the grid of every series.
  const beforeLean = (await network.provider.send("evm_snapshot", [])) as string;
  const lean = await sys.fundAccount(alice, "usdc", 3_000n * USDC_UNIT);
  const leanShares = await sys.fundVaultShares(alice, "usdc", 8_000n * USDC_UNIT);
  await clearing.connect(alice).write(lean, series[0], WAD, bob.address);
  await sys.refreshPrices();
  const leanWrite = await gasOf(clearing.connect(alice).write(lean, series[0], WAD / 100n, bob.address));
  await sys.refreshPrices();
  const priced1 = await gasOf(clearing.connect(alice).withdrawCollateral(lean, vault, 1n, alice.address));
  await clearing.connect(alice).depositCollateral(lean, vault, leanShares / 4n);
  for (let i = 1; i < 4; i++) await clearing.connect(alice).write(lean, series[i], WAD, bob.address);
  await sys.refreshPrices();
  const priced4 = await gasOf(clearing.connect(alice).withdrawCollateral(lean, vault, 1n, alice.address));
  await clearing.connect(alice).depositCollateral(lean, vault, (leanShares * 3n) / 4n);
  for (let i = 4; i < 8; i++) await clearing.connect(alice).write(lean, series[i], WAD, bob.address);
  await sys.refreshPrices();
  const priced8 = await gasOf(clearing.connect(alice).withdrawCollateral(lean, vault, 1n, alice.address));
  // Back to the state without the leveraged writer, so the rows below measure what they did before it.
  await network.provider.send("evm_revert", [beforeLean]);

  await time.increaseTo(expiry + 60);
  await sys.setSpot(await sys.weth.getAddress(), 2500n * WAD);
  const settle = await gasOf(clearing.settle(series[0]));
  await clearing.settle(series[1]);
  const settleAccount = await gasOf(clearing.settleAccount(account));
  const exercise = await gasOf(clearing.connect(bob).exercise(series[0], WAD / 2n, bob.address));
  const exerciseAgain = await gasOf(clearing.connect(bob).exercise(series[1], WAD / 2n, bob.address));

  const slope = (margin8 - margin4) / 4n;
  const [liquidate1, liquidate8, payPenalties] = await liquidations();
  const m = "options";
  return [
    { module: m, operation: "depositCollateral (first)", gas: depositFirst },
    { module: m, operation: "depositCollateral (steady)", gas: depositSteady },
    { module: m, operation: "write, 1-series account (first)", gas: writeFirst, note: "fresh slots" },
    {
      module: m,
      operation: "write, 1-series account (steady)",
      gas: writeSteady,
      budget: WRITE_BUDGET,
      note: "oracle round confirmed by a poke within 60 s (getRecentPrice); see docs/options.md",
    },
    { module: m, operation: "write, 8-series account (steady)", gas: write8 },
    { module: m, operation: "close (steady)", gas: closeSteady },
    { module: m, operation: "margin check via withdrawCollateral, 1 series", gas: margin1 },
    { module: m, operation: "margin check via withdrawCollateral, 4 series", gas: margin4 },
    {
      module: m,
      operation: "margin check via withdrawCollateral, 8 series",
      gas: margin8,
      note: `slope ${slope.toLocaleString("en-US")} gas per series`,
    },
    {
      module: m,
      operation: "write, 1-series account (steady), leveraged writer",
      gas: leanWrite,
      reference: "write, 1-series account (steady)",
      referenceGas: writeSteady,
      note: "collateral below the unpriced bound: the margin check prices the grid",
    },
    { module: m, operation: "priced margin check via withdrawCollateral, 1 series", gas: priced1 },
    { module: m, operation: "priced margin check via withdrawCollateral, 4 series", gas: priced4 },
    {
      module: m,
      operation: "priced margin check via withdrawCollateral, 8 series",
      gas: priced8,
      note: `slope ${((priced8 - priced4) / 4n).toLocaleString("en-US")} gas per series`,
    },
    { module: m, operation: "settle", gas: settle, note: "O(1)" },
    { module: m, operation: "settleAccount (8 series, 2 settled)", gas: settleAccount },
    { module: m, operation: "exercise (first payout of the series)", gas: exercise, note: "O(1)" },
    { module: m, operation: "exercise (another series)", gas: exerciseAgain, note: "O(1)" },
    {
      module: m,
      operation: "liquidate, 1-series account (partial)",
      gas: liquidate1,
      budget: LIQUIDATION_BUDGET,
    },
    { module: m, operation: "liquidate, 8-series account (partial)", gas: liquidate8 },
    {
      module: m,
      operation: "payPenalties (two liquidations' penalties)",
      gas: payPenalties,
      note: "one quote-vault redeem + insurance payPenalty",
    },
    {
      module: m,
      operation: "oracle getPrice (3 sources), for scale",
      gas: await sys.oracle.getPrice.estimateGas(await sys.weth.getAddress()),
      note: "estimateGas: includes the gas the aggregator must forward to each source",
    },
  ];
}

/** Partial liquidations of a 1-series and an 8-series account pushed below maintenance by a price rise. */
async function liquidations(): Promise<[bigint, bigint, bigint]> {
  const sys = await deploySystem();
  const { clearing, alice, bob, carol } = sys;
  const expiry = (await time.latest()) + 7 * DAY;
  const one = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
  const first = await sys.list(2200n * WAD, expiry, true);
  await clearing.connect(alice).write(one, first, 2n * WAD, carol.address);
  const eight = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
  for (let i = 0; i < 8; i++) {
    const id = i === 0 ? first : await sys.list((2200n + 50n * BigInt(i)) * WAD, expiry, true);
    await clearing.connect(alice).write(eight, id, WAD / 4n, carol.address);
  }
  // Withdraw down to 5% above the initial requirement, so the price rise below leaves both under maintenance.
  const vault = await sys.usdcVault.getAddress();
  for (const account of [one, eight]) {
    const h = await clearing.health(account);
    const excessWad = h.collateralValueWad - (h.initialWad * 105n) / 100n;
    const shares = await sys.usdcVault.convertToShares(excessWad / 10n ** 12n);
    await clearing.connect(alice).withdrawCollateral(account, vault, shares, alice.address);
  }
  const keeper = await sys.fundAccount(bob, "usdc", 1_000_000n * USDC_UNIT);
  const keeper2 = await sys.fundAccount(bob, "usdc", 1_000_000n * USDC_UNIT);
  await sys.setSpot(await sys.weth.getAddress(), 2300n * WAD);
  const g1 = await gasOf(clearing.connect(bob).liquidate(one, keeper, WAD, 0, FAR));
  const g8 = await gasOf(clearing.connect(bob).liquidate(eight, keeper2, WAD, 0, FAR));
  const pay = await gasOf(clearing.connect(bob).payPenalties());
  return [g1, g8, pay];
}
