/**
 * Governance through the Safe, for the operator tasks: a timelock `schedule` built as a Safe transaction and written
 * to a proposal file (propose), owners' EIP-712 signatures added to it one by one (sign), `execTransaction` once the
 * threshold is met (execute), then the timelock operation itself once its delay has passed. The proposal carries the
 * chain id, the Safe and its nonce, so a signature for anything else is refused before it is added.
 */
import { getAddress, id, Interface, isAddress, ZeroHash, type Signer } from "ethers";
import { SafeL2__factory, type SafeL2 } from "../../../typechain-types/safe";
import { OperatorError } from "../operator/errors";
import type { Protocol } from "../operator/protocol";
import {
  checkOwnerSignature,
  executeSafeTx,
  safeState,
  signingOwners,
  type SafeState,
} from "../safe/execute";
import { PROPOSAL_FORMAT, type SafeProposal, type TimelockCall } from "../safe/proposal";
import { signSafeTx, type OwnerSignature } from "../safe/signatures";
import { safeCall, safeTxHash } from "../safe/transaction";

/** A call the timelock is to make: what a proposal schedules. */
export interface GovernedCall {
  target: string;
  data: string;
  /** Default: derived from the Safe and its nonce, so each proposal is a distinct timelock operation. */
  salt?: string;
  description: string;
}

/** The deployment's governance Safe when it holds the timelock's PROPOSER_ROLE; undefined otherwise. */
export async function proposerSafe(p: Protocol): Promise<SafeL2 | undefined> {
  const address = p.record.governance?.safe?.address;
  if (address === undefined) return undefined;
  if (!(await p.timelock.hasRole(await p.timelock.PROPOSER_ROLE(), address))) return undefined;
  return SafeL2__factory.connect(address, p.timelock.runner);
}

/** The governance Safe of the deployment; an operator error when the record names none. */
export async function requireProposerSafe(p: Protocol): Promise<SafeL2> {
  const safe = await proposerSafe(p);
  if (safe === undefined) {
    throw new OperatorError(
      "the deployment record names no governance Safe holding the timelock's PROPOSER_ROLE: use queue-resume from a proposer account",
    );
  }
  return safe;
}

/** `signature(args)` on a record contract (by record name, e.g. CircuitBreaker) or an address. */
export function encodeGovernedCall(
  p: Protocol,
  target: string,
  signature: string,
  args: readonly unknown[],
): GovernedCall {
  const address = p.record.contracts[target] ?? (isAddress(target) ? getAddress(target) : undefined);
  if (address === undefined) {
    throw new OperatorError(
      `--target ${target} is neither a contract of the deployment record nor an address`,
    );
  }
  let iface: Interface;
  try {
    iface = new Interface([`function ${signature}`]);
  } catch {
    throw new OperatorError(`--call ${signature} is not a function signature such as "setCooldown(uint64)"`);
  }
  const fragment = iface.fragments[0];
  if (fragment === undefined || fragment.type !== "function") {
    throw new OperatorError(`--call ${signature} is not a function signature`);
  }
  let data: string;
  try {
    data = iface.encodeFunctionData(signature, [...args]);
  } catch (error) {
    throw new OperatorError(`--args do not fit ${signature}: ${(error as Error).message}`);
  }
  return { target: address, data, description: `${target}.${signature} with ${JSON.stringify(args)}` };
}

/** Refuse a proposal that is not for this chain, this Safe, or a nonce still to come. */
export function checkProposalFor(state: SafeState, proposal: SafeProposal): void {
  if (proposal.chainId !== state.chainId) {
    throw new OperatorError(
      `the proposal is for chain ${proposal.chainId}, but this network is chain ${state.chainId}`,
    );
  }
  if (proposal.safe !== state.address) {
    throw new OperatorError(
      `the proposal is for the Safe ${proposal.safe}, not the deployment's Safe ${state.address}`,
    );
  }
  if (proposal.tx.nonce < state.nonce) {
    throw new OperatorError(
      `the proposal's Safe nonce ${proposal.tx.nonce} was already used (the Safe is at nonce ${state.nonce}): propose it again`,
    );
  }
}

/** Build the Safe transaction that schedules `call` on the timelock with its minimum delay, unsigned. */
export async function proposeTimelockCall(
  p: Protocol,
  safe: SafeL2,
  call: GovernedCall,
  nonce?: bigint,
): Promise<SafeProposal> {
  const state = await safeState(safe);
  const safeNonce = nonce ?? state.nonce;
  if (safeNonce < state.nonce) {
    throw new OperatorError(`Safe nonce ${safeNonce} was already used (the Safe is at nonce ${state.nonce})`);
  }
  const salt = call.salt ?? id(`optiq.safe-proposal ${state.address} ${safeNonce}`);
  const timelock = getAddress(await p.timelock.getAddress());
  const operationId = await p.timelock.hashOperation(call.target, 0n, call.data, ZeroHash, salt);
  if (await p.timelock.isOperation(operationId)) {
    throw new OperatorError(`the timelock operation ${operationId} is already scheduled`);
  }
  const delaySeconds = await p.timelock.getMinDelay();
  const timelockCall: TimelockCall = {
    timelock,
    target: getAddress(call.target),
    value: 0n,
    data: call.data,
    predecessor: ZeroHash,
    salt,
    delaySeconds,
    operationId,
  };
  const schedule = p.timelock.interface.encodeFunctionData("schedule", [
    timelockCall.target,
    0n,
    call.data,
    ZeroHash,
    salt,
    delaySeconds,
  ]);
  const tx = safeCall(timelock, schedule, safeNonce);
  return {
    format: PROPOSAL_FORMAT,
    description: call.description,
    chainId: state.chainId,
    safe: state.address,
    safeTxHash: safeTxHash(state.chainId, state.address, tx),
    tx,
    timelockCall,
    signatures: [],
  };
}

/**
 * Add an owner's signature to `proposal` after checking it against the Safe as deployed: it must recover to an
 * owner over this proposal's hash (a signature for another nonce, chain or Safe does not). An owner who signed
 * already is not added twice.
 */
export async function addSignature(
  safe: SafeL2,
  proposal: SafeProposal,
  signature: OwnerSignature,
): Promise<{ proposal: SafeProposal; added: boolean; owner: string }> {
  const state = await safeState(safe);
  checkProposalFor(state, proposal);
  let owner: string;
  try {
    owner = checkOwnerSignature(state, proposal.tx, signature);
  } catch (error) {
    throw new OperatorError((error as Error).message);
  }
  if (proposal.signatures.some((s) => getAddress(s.signer) === owner))
    return { proposal, added: false, owner };
  return {
    proposal: { ...proposal, signatures: [...proposal.signatures, { signer: owner, data: signature.data }] },
    added: true,
    owner,
  };
}

/** `signer` (an owner) signs the proposal's Safe transaction and adds the signature. */
export async function signProposal(
  safe: SafeL2,
  proposal: SafeProposal,
  signer: Signer,
): Promise<{ proposal: SafeProposal; added: boolean; owner: string }> {
  const state = await safeState(safe);
  checkProposalFor(state, proposal);
  const address = getAddress(await signer.getAddress());
  if (!state.owners.includes(address)) {
    throw new OperatorError(
      `${address} is not an owner of the Safe ${state.address} (owners: ${state.owners.join(", ")})`,
    );
  }
  return addSignature(safe, proposal, await signSafeTx(signer, state.chainId, state.address, proposal.tx));
}

/** How far the proposal is from the threshold. */
export async function signatureStatus(
  safe: SafeL2,
  proposal: SafeProposal,
): Promise<{ owners: string[]; threshold: bigint; nonce: bigint }> {
  const state = await safeState(safe);
  checkProposalFor(state, proposal);
  let owners: string[];
  try {
    owners = signingOwners(state, proposal.tx, proposal.signatures);
  } catch (error) {
    throw new OperatorError((error as Error).message);
  }
  return { owners, threshold: state.threshold, nonce: state.nonce };
}

/** Submit the Safe transaction (any account may send it) once the owners' signatures meet the threshold. */
export async function executeProposal(
  p: Protocol,
  safe: SafeL2,
  proposal: SafeProposal,
  sender: Signer,
): Promise<{ txHash: string; operationId: string; readyAt: bigint }> {
  const status = await signatureStatus(safe, proposal);
  if (BigInt(status.owners.length) < status.threshold) {
    throw new OperatorError(
      `${status.owners.length} of the ${status.threshold} owner signatures the Safe requires (signed: ${status.owners.join(", ") || "none"})`,
    );
  }
  if (proposal.tx.nonce !== status.nonce) {
    throw new OperatorError(
      `the proposal is for Safe nonce ${proposal.tx.nonce}, but the Safe is at nonce ${status.nonce}: execute the earlier proposals first`,
    );
  }
  const { txHash } = await executeSafeTx(safe, sender, proposal.tx, proposal.signatures);
  const op = proposal.timelockCall.operationId;
  return { txHash, operationId: op, readyAt: await p.timelock.getTimestamp(op) };
}

/** Execute the timelock operation a proposal scheduled, once its delay has passed (executors, or anyone). */
export async function executeTimelockCall(
  p: Protocol,
  proposal: SafeProposal,
  executor: Signer,
): Promise<{ txHash: string }> {
  const c = proposal.timelockCall;
  if (getAddress(await p.timelock.getAddress()) !== c.timelock) {
    throw new OperatorError(`the proposal schedules on the timelock ${c.timelock}, not the deployment's`);
  }
  if (!(await p.timelock.isOperation(c.operationId))) {
    throw new OperatorError(`timelock operation ${c.operationId} is not scheduled: run safe-execute first`);
  }
  if (await p.timelock.isOperationDone(c.operationId)) {
    throw new OperatorError(`timelock operation ${c.operationId} was already executed`);
  }
  if (!(await p.timelock.isOperationReady(c.operationId))) {
    const at = await p.timelock.getTimestamp(c.operationId);
    throw new OperatorError(
      `timelock operation ${c.operationId} is not ready: its delay ends at ${new Date(Number(at) * 1000).toISOString()} (${at})`,
    );
  }
  const receipt = await (
    await p.timelock.connect(executor).execute(c.target, c.value, c.data, c.predecessor, c.salt)
  ).wait();
  return { txHash: receipt?.hash ?? "" };
}
