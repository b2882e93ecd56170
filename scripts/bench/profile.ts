/**
 * Gas profile of one transaction by call frame: `profileTx(hash, names)` replays it with debug_traceTransaction and
 * prints each CALL / STATICCALL / DELEGATECALL with the gas it used inclusive of its children. Run directly
 * (`npm run profile`) it profiles the write and the liquidation whose breakdown docs/options.md and
 * docs/liquidation.md give.
 */
import { BaseContract, isAddress } from "ethers";
import { network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../lib/math/wad";
import { deploySystem, DAY, USDC_UNIT, type System } from "../../test/shared/fixtures/system";

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

/** Contract names by address, from the system fixture's named contracts and libraries (feeds numbered). */
export async function namesOf(sys: System): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [key, value] of Object.entries(sys)) {
    if (value instanceof BaseContract) names.set((await value.getAddress()).toLowerCase(), key);
    else if (typeof value === "string" && isAddress(value)) names.set(value.toLowerCase(), key); // linked libraries
  }
  for (const [i, feed] of sys.feeds.entries()) names.set((await feed.getAddress()).toLowerCase(), `feed${i}`);
  return names;
}

/**
 * `npm run profile`: the per-call-frame profile of the two transactions docs/options.md and docs/liquidation.md
 * break down: a steady one-series `write`, and the partial liquidation of that account after a price rise (the same
 * set-up as scripts/bench/modules/50-clearing.ts).
 */
async function main(): Promise<void> {
  const sys = await deploySystem();
  const names = await namesOf(sys);
  const { clearing, alice, bob, carol, usdcVault } = sys;
  const expiry = (await time.latest()) + 7 * DAY;
  const account = await sys.fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
  const call = await sys.list(2200n * WAD, expiry, true);
  await clearing.connect(alice).write(account, call, WAD, carol.address);
  const write = await (await clearing.connect(alice).write(account, call, WAD, carol.address)).wait();
  console.log(`write, 1-series account (steady): ${write!.gasUsed}`);
  console.log((await profileTx(write!.hash, names, 3)).join("\n"));

  // Down to 5% above the initial requirement, then a price rise leaves the account under maintenance.
  const h = await clearing.health(account);
  const excessWad = h.collateralValueWad - (h.initialWad * 105n) / 100n;
  const shares = await usdcVault.convertToShares(excessWad / 10n ** 12n);
  await clearing
    .connect(alice)
    .withdrawCollateral(account, await usdcVault.getAddress(), shares, alice.address);
  const keeper = await sys.fundAccount(bob, "usdc", 1_000_000n * USDC_UNIT);
  await sys.setSpot(await sys.weth.getAddress(), 2300n * WAD);
  const liquidation = await (
    await clearing.connect(bob).liquidate(account, keeper, WAD, 0, 2n ** 63n)
  ).wait();
  console.log(`liquidate, 1-series account (partial): ${liquidation!.gasUsed}`);
  console.log((await profileTx(liquidation!.hash, names, 3)).join("\n"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
