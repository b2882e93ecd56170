/** Checks on a trader's account before anything is sent: it exists, and the signer may act for it. */
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";

const ZERO = "0x0000000000000000000000000000000000000000";

/** The owner of account `id`; an OperatorError if it does not exist. */
export async function accountOwner(p: Protocol, id: bigint): Promise<string> {
  const owner = await p.clearing.ownerOf(id);
  if (owner === ZERO) {
    const count = await p.clearing.accountCount();
    throw new OperatorError(
      count === 0n
        ? `account ${id} does not exist: no account is open yet (open one with \`npx hardhat open-account\`)`
        : `account ${id} does not exist (accounts 1..${count})`,
    );
  }
  return owner;
}

/** Account `id` exists and `caller` is its owner or an operator of the owner. */
export async function requireAuthorized(p: Protocol, id: bigint, caller: string): Promise<string> {
  const owner = await accountOwner(p, id);
  if (owner.toLowerCase() !== caller.toLowerCase() && !(await p.clearing.isOperator(owner, caller))) {
    throw new OperatorError(`${caller} is not the owner of account ${id} (owner ${owner}) nor its operator`);
  }
  return owner;
}
