/** Which order a reverted `matchOrders` names: the exchange's custom errors carry the offending order's hash. */
import type { Interface } from "ethers";

export interface RevertReason {
  name: string;
  /** The order hash the error names, lower-case, if any. */
  orderHash?: string;
  /** The clearing account the error names (its `accountId` argument), if any. */
  accountId?: bigint;
}

function revertData(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data;
    e = (e as { error?: unknown; info?: unknown }).error ?? (e as { info?: { error?: unknown } }).info?.error;
  }
  return undefined;
}

export function decodeRevert(ifaces: Interface[], error: unknown): RevertReason {
  const data = revertData(error);
  if (data !== undefined) {
    for (const iface of ifaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed !== null) {
          const hashArg = parsed.fragment.inputs.findIndex((i) => i.type === "bytes32");
          const accountArg = parsed.fragment.inputs.findIndex((i) => i.name === "accountId");
          return {
            name: parsed.name,
            orderHash: hashArg >= 0 ? String(parsed.args[hashArg]).toLowerCase() : undefined,
            accountId: accountArg >= 0 ? BigInt(parsed.args[accountArg] as bigint) : undefined,
          };
        }
      } catch {
        // Not this interface's error.
      }
    }
    return { name: `revert ${data.slice(0, 10)}` };
  }
  return { name: error instanceof Error ? error.message.split("\n")[0] : String(error) };
}
