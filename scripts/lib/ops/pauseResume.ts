/**
 * The guardian's pause and the governed resume, for the operator tasks. The guardian pauses at once; a resume is a
 * timelock operation (`breaker.resume(scope)` scheduled by a proposer, executed after the delay by an executor, or
 * anyone when the executor role is open) and the breaker itself refuses it before the cooldown since the trip.
 *
 * When the timelock's proposer is the governance Safe, the resume is proposed as a Safe transaction instead
 * (`proposeResume`, then safe-sign and safe-execute: scripts/lib/ops/safeGovernance.ts); execute-resume is the same.
 *
 * The operation's salt is derived from the scope and its trip time, so `execute-resume` finds the operation that
 * `queue-resume` scheduled for the same trip without being told, and a later trip of the scope gets a new one.
 */
import { AbiCoder, keccak256, ZeroHash, type Signer } from "ethers";
import type { SafeL2 } from "../../../typechain-types/safe";
import { OperatorError } from "../operator/errors";
import type { Protocol } from "../operator/protocol";
import type { SafeProposal } from "../safe/proposal";
import { proposeTimelockCall } from "./safeGovernance";
import { tripReasonName, type NamedScope } from "./scopeNames";

const iso = (t: bigint | number): string => `${new Date(Number(t) * 1000).toISOString()} (${t})`;

/** The guardian pauses `scope` with `reason` (kept in the calldata; its hash is the Tripped event's detail). */
export async function pauseScope(
  p: Protocol,
  guardian: Signer,
  scope: NamedScope,
  reason: string,
): Promise<{ tx: string; alreadyTripped: boolean; trippedAt: bigint }> {
  if (reason.trim() === "") throw new OperatorError('a pause needs a reason (--reason "...")');
  const before = await p.breaker.scopeState(scope.id);
  const receipt = await (await p.breaker.connect(guardian).pause(scope.id, reason)).wait();
  const after = await p.breaker.scopeState(scope.id);
  return { tx: receipt?.hash ?? "", alreadyTripped: before.reason !== 0n, trippedAt: after.trippedAt };
}

export interface ResumeOperation {
  target: string;
  data: string;
  predecessor: string;
  salt: string;
  id: string;
  /** When the breaker allows the resume (trip + cooldown). */
  resumableAt: bigint;
}

/** The timelock operation that resumes `scope` for its current trip. */
export async function resumeOperation(p: Protocol, scope: NamedScope): Promise<ResumeOperation> {
  const state = await p.breaker.scopeState(scope.id);
  if (state.reason === 0n) throw new OperatorError(`scope ${scope.label} is not tripped: nothing to resume`);
  const target = await p.breaker.getAddress();
  const data = p.breaker.interface.encodeFunctionData("resume", [scope.id]);
  const salt = keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["string", "bytes32", "uint64"],
      ["optiq.resume", scope.id, state.trippedAt],
    ),
  );
  const id = await p.timelock.hashOperation(target, 0n, data, ZeroHash, salt);
  return {
    target,
    data,
    predecessor: ZeroHash,
    salt,
    id,
    resumableAt: await p.breaker.resumableAt(scope.id),
  };
}

/** Schedule the resume of `scope` through the timelock with its minimum delay. */
export async function queueResume(
  p: Protocol,
  proposer: Signer,
  scope: NamedScope,
): Promise<ResumeOperation & { tx: string; readyAt: bigint; reason: string }> {
  const op = await resumeOperation(p, scope);
  if (await p.timelock.isOperation(op.id)) {
    throw new OperatorError(
      `the resume of ${scope.label} is already scheduled (operation ${op.id}, ready at ${iso(await p.timelock.getTimestamp(op.id))})`,
    );
  }
  const delay = await p.timelock.getMinDelay();
  const receipt = await (
    await p.timelock.connect(proposer).schedule(op.target, 0n, op.data, op.predecessor, op.salt, delay)
  ).wait();
  const state = await p.breaker.scopeState(scope.id);
  return {
    ...op,
    tx: receipt?.hash ?? "",
    readyAt: await p.timelock.getTimestamp(op.id),
    reason: tripReasonName(state.reason),
  };
}

/** The Safe transaction that schedules the resume of `scope` (with the salt execute-resume looks for), unsigned. */
export async function proposeResume(p: Protocol, safe: SafeL2, scope: NamedScope): Promise<SafeProposal> {
  const op = await resumeOperation(p, scope);
  if (await p.timelock.isOperation(op.id)) {
    throw new OperatorError(
      `the resume of ${scope.label} is already scheduled (operation ${op.id}, ready at ${iso(await p.timelock.getTimestamp(op.id))})`,
    );
  }
  return proposeTimelockCall(p, safe, {
    target: op.target,
    data: op.data,
    salt: op.salt,
    description: `resume ${scope.label} (breaker.resume(${scope.id}))`,
  });
}

/** Execute the scheduled resume of `scope` once the timelock delay (and the breaker's cooldown) have passed. */
export async function executeResume(
  p: Protocol,
  executor: Signer,
  scope: NamedScope,
): Promise<{ tx: string; graceEndsAt: bigint }> {
  const op = await resumeOperation(p, scope);
  if (!(await p.timelock.isOperation(op.id))) {
    throw new OperatorError(
      `no resume of ${scope.label} is scheduled for its current trip: run queue-resume first`,
    );
  }
  if (!(await p.timelock.isOperationReady(op.id))) {
    throw new OperatorError(
      `the resume of ${scope.label} is not ready: the timelock allows it from ${iso(await p.timelock.getTimestamp(op.id))}`,
    );
  }
  const latest = await executor.provider?.getBlock("latest");
  if (latest !== null && latest !== undefined && BigInt(latest.timestamp) < op.resumableAt) {
    throw new OperatorError(
      `the breaker's cooldown of ${scope.label} runs until ${iso(op.resumableAt)} (now ${iso(latest.timestamp)})`,
    );
  }
  const receipt = await (
    await p.timelock.connect(executor).execute(op.target, 0n, op.data, op.predecessor, op.salt)
  ).wait();
  return { tx: receipt?.hash ?? "", graceEndsAt: await p.breaker.graceEndsAt(scope.id) };
}
