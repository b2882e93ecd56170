/**
 * Gas profile of one transaction by call frame: `profileTx(hash, names)` replays it with debug_traceTransaction and
 * prints each CALL / STATICCALL / DELEGATECALL with the gas it used inclusive of its children.
 */
import { network } from "hardhat";

interface StructLog {
  depth: number;
  op: string;
  gas: number;
  gasCost: number;
  stack?: string[];
}

const CALL_OPS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

export async function profileTx(hash: string, names: Map<string, string>, maxDepth = 4): Promise<string[]> {
  const trace = (await network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { gas: number; structLogs: StructLog[] };
  const logs = trace.structLogs;
  const lines: string[] = [];
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i];
    if (!CALL_OPS.has(log.op) || log.depth > maxDepth) continue;
    let j = i + 1;
    while (j < logs.length && logs[j].depth > log.depth) j++;
    const used = j < logs.length ? log.gas - logs[j].gas : log.gas;
    const stack = log.stack ?? [];
    const target = "0x" + (stack[stack.length - 2] ?? "").slice(-40).toLowerCase();
    const name = names.get(target) ?? target;
    lines.push(`${"  ".repeat(log.depth - 1)}${log.op} ${name}: ${used}`);
  }
  return lines;
}
