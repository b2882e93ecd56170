/** Act 9: Bob and Dave burn their puts for the payout. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { contracts, formatUnits } from "../narrator";
import type { Series } from "./writing";

export interface Exercise {
  holder: string;
  amount: bigint;
  paidUsdc: bigint;
}

export async function exerciseAct(ctx: LifecycleContext, { seriesId }: Series): Promise<Exercise[]> {
  const { n, clearing, usdc } = ctx;
  const { bob, dave } = ctx.cast;
  n.step("Exercise: Bob and Dave burn their puts for the payout");
  const exercises: Exercise[] = [];
  const holders: [string, HardhatEthersSigner][] = [
    ["Bob", bob],
    ["Dave", dave],
  ];
  for (const [i, [name, who]] of holders.entries()) {
    const amount = await clearing.balanceOf(who.address, seriesId);
    const before = await usdc.balanceOf(who.address);
    await wait(clearing.connect(who).exercise(seriesId, amount, who.address));
    const paid = (await usdc.balanceOf(who.address)) - before;
    check((await clearing.balanceOf(who.address, seriesId)) === 0n, `${name}'s longs should be burnt`);
    exercises.push({ holder: name, amount, paidUsdc: paid });
    n.progress(
      "exercising",
      i + 1,
      holders.length,
      `${name}: ${contracts(amount)} puts -> ${formatUnits(paid, 6)} USDC`,
    );
  }

  await ctx.showWallets(seriesId);
  return exercises;
}
