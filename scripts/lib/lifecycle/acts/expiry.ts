/** Act 7: a week passes to the expiry; Alice may not withdraw while short; WETH recovers within the band. */
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { chainTime, usd } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

/** Progress bars on the way to the expiry. */
const DAYS = 7;

export async function expiryAct(
  ctx: LifecycleContext,
  { aliceAccount }: Accounts,
  { expiry }: Series,
): Promise<void> {
  const { n, clearing, oracle, market, wethAddress, record } = ctx;
  const { alice, carol } = ctx.cast;
  const c = record.contracts;
  n.step(`Expiry: a week passes; WETH recovers to ${usd(S.settlementWad)}`);
  for (let i = 1; i <= DAYS; i++) {
    const remaining = expiry - (await market.now());
    if (remaining > 0) await market.advance(Math.ceil(remaining / (DAYS - i + 1)));
    n.progress("time to expiry", i, DAYS, `${Math.max(0, expiry - (await market.now()))} s left`);
  }
  await ctx.refuse(
    "Alice withdraws all her collateral while still short",
    async () =>
      clearing
        .connect(alice)
        .withdrawCollateral.staticCall(
          aliceAccount,
          c["CollateralVault.USDC"],
          await clearing.collateralOf(aliceAccount, c["CollateralVault.USDC"]),
          alice.address,
        ),
    "BelowInitialMargin",
  );
  await market.setPrice("WETH", S.settlementWad);
  const recovery = await oracle.poke.staticCall(wethAddress);
  check(
    recovery === 0n,
    `poking the recovery would return ${recovery}, not Recorded (0): it must stay in band`,
  );
  await wait(oracle.connect(carol).poke(wethAddress));
  n.line(
    `oracle round recorded at ${usd(await ctx.priceOf())} USDC; chain time ${chainTime(await market.now())}, expiry ${chainTime(expiry)}`,
  );
}
