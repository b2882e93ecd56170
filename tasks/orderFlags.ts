/**
 * The flags of an order a trader signs, declared once for `sign-order` (tasks/exchange.ts) and `book:post`
 * (tasks/book.ts): `--signer` and the order's terms. `signOrderFor` (scripts/lib/exchange/actions.ts) checks and
 * parses them; the scripts are imported only inside the actions, as in the other task files.
 */
import { types } from "hardhat/config";
import type { ConfigurableTaskDefinition, HardhatRuntimeEnvironment } from "hardhat/types";
import type { SignInputs } from "../scripts/lib/exchange/actions";

export const SIGNER_HELP = "index of the trader's account among the network's accounts";

/** The arguments `withOrderFlags` declares. */
export type OrderFlagArgs = Omit<SignInputs, "fillOrKill"> & { signer: number };

/**
 * `definition` with `--signer`, `--account`, `--series`, `--side`, `--amount`, `--price`, `--max-fee`, `--expiry`,
 * `--nonce` and `--reduce-only`.
 */
export function withOrderFlags(definition: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return definition
    .addParam("signer", SIGNER_HELP, 0, types.int)
    .addParam("account", "your clearing account id")
    .addParam("series", "the series id")
    .addParam("side", "buy or sell")
    .addParam("amount", "contracts (1.5)")
    .addParam("price", "limit premium per contract in quote units (40)")
    .addParam("maxFee", "the most fee per contract you accept, in quote units", "0")
    .addParam("expiry", "a date, an ISO time or a duration from now (1d)", "1d")
    .addParam("nonce", "the order's nonce (at least your min nonce)", "0")
    .addFlag("reduceOnly", "the fill may only reduce your position");
}

/** The network's account `index`, named by `--signer` when there is none. */
export async function signerAt(hre: HardhatRuntimeEnvironment, index: number) {
  const { OperatorError } = await import("../scripts/lib/operator/errors");
  const signers = await hre.ethers.getSigners();
  const signer = signers[index];
  if (signer === undefined)
    throw new OperatorError(`--signer ${index}: the network has ${signers.length} accounts`);
  return signer;
}
