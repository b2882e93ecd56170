/** Act 5: the proposer schedules breaker.resume(WETH) through the timelock; the grace period follows the resume. */
import { id, ZeroHash } from "ethers";
import type { ICircuitBreaker } from "../../../../typechain-types";
import { WAD } from "../../math/wad";
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { chainTime, formatUnits } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Crash } from "./crash";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

/** Progress bars per wait (the timelock delay, the grace period). */
const WAIT_STEPS = 4;

export interface Resume {
  resumableAt: number;
  /** The WETH scope's state right after the resume. */
  resumed: ICircuitBreaker.ScopeStateStructOutput;
  graceEndsAt: number;
}

export async function resumeAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount }: Accounts,
  { expiry }: Series,
  { state }: Crash,
): Promise<Resume> {
  const { n, clearing, breaker, timelock, usdcVault, usdc, market, wethScope, record } = ctx;
  const { proposer, alice, bob, carol } = ctx.cast;
  const c = record.contracts;
  n.step("Governed resume: the proposer schedules breaker.resume(WETH) through the timelock");
  const delay = await timelock.getMinDelay();
  const resumeData = breaker.interface.encodeFunctionData("resume", [wethScope]);
  const salt = id(`lifecycle resume ${state.trippedAt}`);
  await wait(timelock.connect(proposer).schedule(c.CircuitBreaker, 0, resumeData, ZeroHash, salt, delay));
  const resumableAt = Number(await breaker.resumableAt(wethScope));
  n.line(
    `timelock delay ${delay} s; breaker cooldown ${await breaker.cooldownSeconds()} s: resumable at ${chainTime(resumableAt)}`,
  );
  await ctx.refuse(
    "anyone executes the resume before the timelock delay",
    () => timelock.connect(bob).execute.staticCall(c.CircuitBreaker, 0, resumeData, ZeroHash, salt),
    "TimelockUnexpectedOperationState",
  );
  for (let i = 1; i <= WAIT_STEPS; i++) {
    await market.advance(Math.ceil(Number(delay) / WAIT_STEPS));
    n.progress(
      "waiting out the timelock delay and the cooldown",
      i,
      WAIT_STEPS,
      `chain time ${chainTime(await market.now())}`,
    );
  }
  check((await market.now()) >= resumableAt, "the cooldown should have elapsed with the timelock delay");
  await wait(timelock.connect(bob).execute(c.CircuitBreaker, 0, resumeData, ZeroHash, salt));
  const resumed = await breaker.scopeState(wethScope);
  const graceEndsAt = Number(await breaker.graceEndsAt(wethScope));
  check(!(await breaker.isTripped(wethScope)), "the WETH scope should be resumed");
  n.line(`resumed at ${chainTime(resumed.resumedAt)}; grace period until ${chainTime(graceEndsAt)}`);
  await ctx.refuse(
    "Carol liquidates Alice during the grace period",
    () => clearing.connect(carol).liquidate.staticCall(aliceAccount, carolAccount, WAD, 0, expiry),
    "ScopeInGracePeriod",
  );
  // Risk-reducing actions stay open: Alice tops up (not enough to be safe).
  const topUp = await ctx.fund("Alice", alice, usdcVault, usdc, S.aliceTopUpUsdc);
  await wait(clearing.connect(alice).depositCollateral(aliceAccount, c["CollateralVault.USDC"], topUp));
  n.line(`Alice tops up ${formatUnits(S.aliceTopUpUsdc, 6)} USDC during the grace period (allowed)`);
  await ctx.showHealth("Alice", aliceAccount);
  const afterTopUp = await clearing.health(aliceAccount);
  check(afterTopUp.collateralValueWad < afterTopUp.maintenanceWad, "Alice should still be liquidatable");
  for (let i = 1; i <= WAIT_STEPS; i++) {
    await market.advance(Math.ceil((graceEndsAt - (await market.now()) + 1) / (WAIT_STEPS - i + 1)));
    n.progress("waiting out the grace period", i, WAIT_STEPS);
  }
  check((await market.now()) > graceEndsAt, "the grace period should be over");
  return { resumableAt, resumed, graceEndsAt };
}
