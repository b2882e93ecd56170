/**
 * Decoding of reverts for operator logs: the custom error's name and arguments, whichever contract of the suite
 * raised it (the clearing contract bubbles up the breaker's and the oracle's errors).
 */
import { Interface, type ErrorDescription } from "ethers";
import {
  CircuitBreaker__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolTimelock__factory,
  SignedReportSource__factory,
} from "../../../typechain-types";

/** Every custom error of the contracts operators call, deduplicated by selector. */
const ERRORS = new Interface(
  (() => {
    const seen = new Set<string>();
    const fragments: string[] = [];
    for (const abi of [
      OptionsClearing__factory.abi,
      CircuitBreaker__factory.abi,
      OracleAggregator__factory.abi,
      ProtocolTimelock__factory.abi,
      SignedReportSource__factory.abi,
    ]) {
      for (const fragment of new Interface(abi).fragments) {
        if (fragment.type !== "error") continue;
        const text = fragment.format("full");
        if (seen.has(text)) continue;
        seen.add(text);
        fragments.push(text);
      }
    }
    return fragments;
  })(),
);

export interface DecodedRevert {
  /** The custom error's name ("AccountHealthy"), or "Error"/"Panic", or undefined when nothing could be decoded. */
  name: string | undefined;
  args: unknown[];
  /** A one-line description for logs. */
  text: string;
}

/** The first revert data (0x...) found in an error object of ethers, Hardhat or a JSON-RPC node. */
function revertData(error: unknown, depth = 0): string | undefined {
  if (error === null || typeof error !== "object" || depth > 5) return undefined;
  const e = error as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const value = e[key];
    if (typeof value === "string" && /^0x[0-9a-fA-F]{8,}$/.test(value)) return value;
    if (value !== null && typeof value === "object") {
      const inner = revertData(value, depth + 1);
      if (inner !== undefined) return inner;
    }
  }
  for (const key of ["error", "info", "cause", "payload"]) {
    const inner = revertData(e[key], depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const show = (v: unknown): string => (typeof v === "bigint" ? v.toString() : String(v));

function describe(parsed: ErrorDescription): DecodedRevert {
  const args = [...parsed.args];
  return { name: parsed.name, args, text: `${parsed.name}(${args.map(show).join(", ")})` };
}

/** Decode `error` (a failed call or transaction) into a named custom error where possible. */
export function decodeRevert(error: unknown): DecodedRevert {
  const data = revertData(error);
  if (data !== undefined) {
    try {
      const parsed = ERRORS.parseError(data);
      if (parsed !== null) return describe(parsed);
    } catch {
      // Not one of ours: fall through.
    }
    try {
      const [reason] = Interface.from(["error Error(string)"]).decodeErrorResult("Error", data);
      return { name: "Error", args: [reason], text: `Error(${String(reason)})` };
    } catch {
      // Not a string reason either.
    }
  }
  const message =
    error instanceof Error
      ? ((error as { shortMessage?: string }).shortMessage ?? error.message)
      : String(error);
  return { name: undefined, args: [], text: message.split("\n")[0] };
}
