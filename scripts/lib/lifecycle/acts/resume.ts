/**
 * Act 5: the governance Safe schedules breaker.resume(WETH) through the timelock: two of its three owners sign the
 * proposal (one alone is refused, by the timelock directly and by the Safe), any account submits it, anyone executes
 * it after the delay; the grace period follows the resume.
 */
import { ZeroHash } from "ethers";
import type { ICircuitBreaker } from "../../../../typechain-types";
import { SafeL2__factory } from "../../../../typechain-types/safe";
import { WAD } from "../../math/wad";
import { bindProtocol } from "../../operator/protocol";
import { proposeResume } from "../../ops/pauseResume";
import { executeProposal, signProposal } from "../../ops/safeGovernance";
import { packSignatures } from "../../safe/signatures";
import { execArgs } from "../../safe/execute";
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
  /** The Safe transaction that scheduled the resume. */
  governance: {
    safe: string;
    threshold: number;
    signers: string[];
    safeTxHash: string;
    safeNonceAfter: bigint;
  };
}

export async function resumeAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount }: Accounts,
  { expiry }: Series,
  { state }: Crash,
): Promise<Resume> {
  const { n, clearing, breaker, timelock, usdcVault, usdc, market, wethScope, record } = ctx;
  const { deployer, safeOwners, alice, bob, carol } = ctx.cast;
  const c = record.contracts;
  check(state.reason !== 0n, "the WETH scope should be tripped before its resume");
  const safeRecord = record.governance?.safe;
  check(safeRecord !== undefined, "the deployment should record its governance Safe");
  n.step(
    `Governed resume: the ${safeRecord.threshold}-of-${safeRecord.owners.length} governance Safe schedules breaker.resume(WETH) through the timelock`,
  );
  const safe = SafeL2__factory.connect(safeRecord.address, deployer);
  const p = bindProtocol(record, deployer);
  const unsigned = await proposeResume(p, safe, { id: wethScope, label: "price:WETH" });
  const { target, data: resumeData, salt } = unsigned.timelockCall;
  check(target === c.CircuitBreaker, "the proposal should call the breaker");
  n.line(`proposal: Safe nonce ${unsigned.tx.nonce}, safeTxHash ${unsigned.safeTxHash}`);
  const [first, second] = safeOwners;
  await ctx.refuse(
    "one Safe owner schedules the resume on the timelock alone",
    () =>
      timelock
        .connect(first)
        .schedule.staticCall(target, 0, resumeData, ZeroHash, salt, unsigned.timelockCall.delaySeconds),
    "AccessControlUnauthorizedAccount",
  );
  const one = (await signProposal(safe, unsigned, first)).proposal;
  const tx = one.tx;
  let single = "";
  try {
    await safe.connect(bob).execTransaction.staticCall(...execArgs(tx, packSignatures(one.signatures)));
  } catch (error) {
    single = (error as Error).message;
  }
  check(
    single.includes("GS020"),
    `the Safe should refuse one signature of ${safeRecord.threshold} (GS020), got: ${single || "success"}`,
  );
  n.line(
    `refused as expected: the Safe with ${first.address}'s signature alone -> GS020 (threshold ${safeRecord.threshold})`,
  );
  const signed = (await signProposal(safe, one, second)).proposal;
  const executed = await executeProposal(p, safe, signed, bob);
  const delay = unsigned.timelockCall.delaySeconds;
  n.line(
    `owners ${first.address} and ${second.address} signed; Bob submitted the Safe transaction (${executed.txHash})`,
  );
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
  return {
    resumableAt,
    resumed,
    graceEndsAt,
    governance: {
      safe: safeRecord.address,
      threshold: safeRecord.threshold,
      signers: signed.signatures.map((s) => s.signer),
      safeTxHash: signed.safeTxHash,
      safeNonceAfter: await safe.nonce(),
    },
  };
}
