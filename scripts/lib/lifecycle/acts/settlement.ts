/** Act 8: Bob settles the series from the oracle; the short accounts are settled lazily. */
import type { IOptionsClearing } from "../../../../typechain-types";
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { usd } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

/** The settled series. */
export async function settlementAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount }: Accounts,
  { seriesId }: Series,
): Promise<IOptionsClearing.SeriesStructOutput> {
  const { n, clearing } = ctx;
  const { bob } = ctx.cast;
  n.step("Settlement: Bob settles the series from the oracle; the short accounts are settled lazily");
  await wait(clearing.connect(bob).settle(seriesId));
  const settled = await clearing.series(seriesId);
  check(
    settled.settled && settled.settlementPriceWad === S.settlementWad,
    "the series should settle at the oracle",
  );
  n.line(
    `settled at ${usd(settled.settlementPriceWad)}: payout ${usd(settled.payoutPerContractWad)} USDC per put`,
  );
  await wait(clearing.settleAccount(aliceAccount));
  await wait(clearing.settleAccount(carolAccount));
  await ctx.showHealth("Alice", aliceAccount);
  await ctx.showHealth("Carol", carolAccount);
  return settled;
}
