/**
 * The proposal file operators pass around (propose, sign, execute): a Safe transaction that schedules a timelock
 * operation, with everything a signer must check before signing (chain id, Safe, nonce, the EIP-712 safeTxHash, the
 * timelock call it schedules) and the owners' signatures gathered so far. JSON, with integers as decimal strings.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";
import { issueText, formatPath } from "../validation";
import { safeTxHash, type SafeTx } from "./transaction";
import type { OwnerSignature } from "./signatures";

export const PROPOSAL_FORMAT = "optiq.safe-proposal/1";

/** The timelock operation the Safe transaction schedules (and that is executed after the delay). */
export interface TimelockCall {
  timelock: string;
  target: string;
  value: bigint;
  data: string;
  predecessor: string;
  salt: string;
  delaySeconds: bigint;
  /** `hashOperation(target, value, data, predecessor, salt)`. */
  operationId: string;
}

export interface SafeProposal {
  format: typeof PROPOSAL_FORMAT;
  description: string;
  chainId: bigint;
  safe: string;
  safeTxHash: string;
  tx: SafeTx;
  timelockCall: TimelockCall;
  signatures: OwnerSignature[];
}

/** A proposal file that cannot be read, or whose content does not hold together. */
export class ProposalError extends Error {
  override name = "ProposalError";
}

const addr = () =>
  z
    .string()
    .refine(isAddress, { error: "is not an address" })
    .transform((a) => getAddress(a));
const uint = () => z.string().regex(/^\d+$/, { error: "is not a decimal integer" }).transform(BigInt);
const hex = (bytes?: number) =>
  z.string().refine((h) => isHexString(h, bytes), {
    error: bytes === undefined ? "is not hex" : `is not ${bytes} bytes of hex`,
  });

const fileSchema = z.strictObject({
  format: z.literal(PROPOSAL_FORMAT),
  description: z.string(),
  chainId: uint(),
  safe: addr(),
  safeTxHash: hex(32),
  tx: z.strictObject({
    to: addr(),
    value: uint(),
    data: hex(),
    operation: z.union([z.literal(0), z.literal(1)]),
    safeTxGas: uint(),
    baseGas: uint(),
    gasPrice: uint(),
    gasToken: addr(),
    refundReceiver: addr(),
    nonce: uint(),
  }),
  timelockCall: z.strictObject({
    timelock: addr(),
    target: addr(),
    value: uint(),
    data: hex(),
    predecessor: hex(32),
    salt: hex(32),
    delaySeconds: uint(),
    operationId: hex(32),
  }),
  signatures: z.array(z.strictObject({ signer: addr(), data: hex(65) })),
});

/** Parse a proposal (the JSON text of `source`); its safeTxHash must be the hash of its transaction. */
export function parseProposal(text: string, source: string): SafeProposal {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProposalError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const result = fileSchema.safeParse(json, { error: issueText });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path, "proposal")}: ${i.message}`);
    throw new ProposalError(`${source} is not a Safe proposal:\n  - ${problems.join("\n  - ")}`);
  }
  const proposal: SafeProposal = result.data;
  const expected = safeTxHash(proposal.chainId, proposal.safe, proposal.tx);
  if (expected !== proposal.safeTxHash) {
    throw new ProposalError(
      `${source}: safeTxHash ${proposal.safeTxHash} is not the hash of its transaction (${expected}); the file was altered`,
    );
  }
  return proposal;
}

export function readProposal(path: string): SafeProposal {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ProposalError(`cannot read the proposal ${path}: ${(error as Error).message}`);
  }
  return parseProposal(text, path);
}

export function proposalJson(proposal: SafeProposal): string {
  return `${JSON.stringify(proposal, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

export function writeProposal(path: string, proposal: SafeProposal): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, proposalJson(proposal));
}

/** Where a proposal is written when no path is given: proposals/<network>/nonce-<n>-<hash prefix>.json. */
export function defaultProposalPath(network: string, proposal: SafeProposal): string {
  return `proposals/${network}/nonce-${proposal.tx.nonce}-${proposal.safeTxHash.slice(2, 10)}.json`;
}
