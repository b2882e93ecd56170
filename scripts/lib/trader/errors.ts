/**
 * A failed trader action as one line a person can act on: the protocol's custom errors (decoded with the vaults'
 * and tokens' errors too), the margin errors in quote units, and the node's own message otherwise.
 */
import { Interface } from "ethers";
import { CollateralVault__factory, ERC20__factory } from "../../../typechain-types";
import { decodeRevert } from "../operator/reverts";
import { formatAmount } from "../format/series";

const TOKEN_ERRORS = new Interface(
  [...CollateralVault__factory.abi, ...ERC20__factory.abi].filter((f) => f.type === "error"),
);

function revertData(error: unknown, depth = 0): string | undefined {
  if (error === null || typeof error !== "object" || depth > 5) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(e.data)) return e.data;
  for (const key of ["error", "info", "cause", "data"]) {
    const inner = revertData(e[key], depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** One line for `error`; WAD quote figures shown in units of the quote asset `quote` ("USDC"). */
export function describeFailure(error: unknown, quote: string): string {
  const q = (wad: unknown) => `${formatAmount(BigInt(wad as bigint), 18)} ${quote}`;
  const decoded = decodeRevert(error);
  switch (decoded.name) {
    case "BelowInitialMargin":
      return `account ${String(decoded.args[0])} would end below its initial margin: collateral value ${q(decoded.args[1])} < initial requirement ${q(decoded.args[2])}`;
    case undefined:
      break;
    default:
      return decoded.text;
  }
  const data = revertData(error);
  if (data !== undefined) {
    try {
      const parsed = TOKEN_ERRORS.parseError(data);
      if (parsed !== null) return `${parsed.name}(${[...parsed.args].map(String).join(", ")})`;
    } catch {
      // Not a vault's or token's error either: the node's message follows.
    }
  }
  return decoded.text;
}
