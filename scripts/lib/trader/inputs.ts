/** A trader's command-line inputs, checked before anything is sent: each bad one is an OperatorError naming it. */
import { getAddress, isAddress, parseUnits } from "ethers";
import { OperatorError } from "../operator/errors";

/** `--account`: a positive integer. */
export function parseAccountId(text: string): bigint {
  if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) === 0n) {
    throw new OperatorError(`--account must be a positive integer, got '${text}'`);
  }
  return BigInt(text.trim());
}

/** `--amount` in units with `decimals` ("1.5"), positive; `what` names the unit in the message ("WETH"). */
export function parseAmount(text: string, decimals: number, what: string, flag = "--amount"): bigint {
  let units: bigint;
  try {
    units = parseUnits(text.trim(), decimals);
  } catch {
    throw new OperatorError(`${flag} must be a positive number of ${what}, got '${text}'`);
  }
  if (units <= 0n) throw new OperatorError(`${flag} must be positive, got '${text}'`);
  return units;
}

/** `--amount all` or an amount as for `parseAmount`. */
export function parseAmountOrAll(text: string, decimals: number, what: string): bigint | "all" {
  return text.trim().toLowerCase() === "all" ? "all" : parseAmount(text, decimals, what);
}

/** An address flag (`--to`), checksummed. */
export function parseAddress(text: string, flag: string): string {
  if (!isAddress(text.trim())) throw new OperatorError(`${flag} must be an address (0x...), got '${text}'`);
  return getAddress(text.trim());
}
