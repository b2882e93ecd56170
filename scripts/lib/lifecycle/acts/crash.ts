/** Act 4: every WETH feed crashes beyond the oracle's band; a keeper's poke trips the WETH scope. */
import type { ICircuitBreaker, IOptionsClearing } from "../../../../typechain-types";
import { TripReason } from "../../breaker/tripReason";
import { WAD } from "../../math/wad";
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { chainTime, usd } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

export interface Crash {
  /** The WETH scope's state right after the trip. */
  state: ICircuitBreaker.ScopeStateStructOutput;
  priceAfterCrashWad: bigint;
  /** Alice's health right after the crash, before her top-up. */
  aliceHealth: IOptionsClearing.HealthStructOutput;
}

export async function crashAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount }: Accounts,
  { seriesId, expiry }: Series,
): Promise<Crash> {
  const { n, clearing, breaker, oracle, market, wethAddress, wethScope } = ctx;
  const { guardian, alice, bob, carol } = ctx.cast;
  n.step(`Crash: every WETH feed drops to ${usd(S.crashWad)} (-52.5%, band 50%); a keeper pokes the oracle`);
  await market.setPrice("WETH", S.crashWad);
  const outcome = await oracle.poke.staticCall(wethAddress);
  check(outcome === 3n, `poke would return outcome ${outcome}, expected PriceBandBreachReported (3)`);
  await wait(oracle.connect(carol).poke(wethAddress));
  const state = await breaker.scopeState(wethScope);
  check(
    (await breaker.isTripped(wethScope)) && state.reason === TripReason.PriceBand,
    `the WETH scope is not tripped by the band (reason ${state.reason})`,
  );
  const priceAfterCrash = await ctx.priceOf();
  check(priceAfterCrash === S.crashWad, `after the crash the oracle serves ${usd(priceAfterCrash)}`);
  n.line(
    `oracle reported a band breach: WETH scope tripped at ${chainTime(state.trippedAt)} (reason PriceBand)`,
  );
  const crashHealth = await clearing.health(aliceAccount);
  check(
    crashHealth.collateralValueWad < crashHealth.maintenanceWad,
    "Alice should be below maintenance after the crash",
  );
  await ctx.showHealth("Alice", aliceAccount);
  await ctx.showHealth("Carol", carolAccount);
  await ctx.refuse(
    "Alice writes more puts while WETH is tripped",
    () => clearing.connect(alice).write.staticCall(aliceAccount, seriesId, WAD / 10n, bob.address),
    "ScopeTripped",
  );
  await ctx.refuse(
    "Carol liquidates Alice while WETH is tripped",
    () => clearing.connect(carol).liquidate.staticCall(aliceAccount, carolAccount, WAD, 0, expiry),
    "ScopeTripped",
  );
  await ctx.refuse(
    "the guardian resumes the scope itself",
    () => breaker.connect(guardian).resume.staticCall(wethScope),
    "AccessManagedUnauthorized",
  );
  return { state, priceAfterCrashWad: priceAfterCrash, aliceHealth: crashHealth };
}
