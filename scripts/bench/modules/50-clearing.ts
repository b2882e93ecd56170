import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { BenchRow } from "../types";
import { deploySystem, DAY, USDC_UNIT } from "../../../test/shared/fixtures/system";

const WAD = 10n ** 18n;
const WRITE_BUDGET = 200_000n;

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
 * and 8 series; the per-series slope is the difference divided by the series added.
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
  const margin1 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  for (let i = 1; i < 4; i++) await clearing.connect(alice).write(account, series[i], WAD, bob.address);
  const margin4 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  for (let i = 4; i < 8; i++) await clearing.connect(alice).write(account, series[i], WAD, bob.address);
  const margin8 = await gasOf(clearing.connect(alice).withdrawCollateral(account, vault, 1n, alice.address));
  const write8 = await gasOf(clearing.connect(alice).write(account, series[7], WAD, bob.address));

  await time.increaseTo(expiry + 60);
  await sys.setSpot(await sys.weth.getAddress(), 2500n * WAD);
  const settle = await gasOf(clearing.settle(series[0]));
  await clearing.settle(series[1]);
  const settleAccount = await gasOf(clearing.settleAccount(account));
  const exercise = await gasOf(clearing.connect(bob).exercise(series[0], WAD / 2n, bob.address));
  const exerciseAgain = await gasOf(clearing.connect(bob).exercise(series[1], WAD / 2n, bob.address));

  const slope = (margin8 - margin4) / 4n;
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
      note: "incl. live 3-source oracle median; see docs/options.md",
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
    { module: m, operation: "settle", gas: settle, note: "O(1)" },
    { module: m, operation: "settleAccount (8 series, 2 settled)", gas: settleAccount },
    { module: m, operation: "exercise (first payout of the series)", gas: exercise, note: "O(1)" },
    { module: m, operation: "exercise (another series)", gas: exerciseAgain, note: "O(1)" },
    {
      module: m,
      operation: "oracle getPrice (3 sources), for scale",
      gas: await sys.oracle.getPrice.estimateGas(await sys.weth.getAddress()),
      note: "estimateGas: includes the gas the aggregator must forward to each source",
    },
  ];
}
