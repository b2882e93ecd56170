/**
 * Reusable pieces of a narrated, self-checking walk through the protocol (the main job and its end-to-end test):
 * a narrator with steps and progress bars, checks that throw on a surprise, revert decoding by custom error name,
 * time travel that keeps mock feeds fresh, and amount formatting.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Interface } from "ethers";
import { MockChainlinkFeed__factory } from "../../../typechain-types";
import { feedAnswer } from "../deploy/mocks";

export const WAD = 10n ** 18n;

/** A step of the walk did not do what it claims: the main job fails with this. */
export class LifecycleCheckError extends Error {
  override name = "LifecycleCheckError";
}

/** Throw a LifecycleCheckError with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LifecycleCheckError(message);
}

/** Where the narration goes: one call per line. */
export type LineSink = (line: string) => void;

/** Numbered steps, indented lines and text progress bars. */
export class Narrator {
  private stepNumber = 0;

  constructor(private readonly sink: LineSink) {}

  step(title: string): void {
    this.stepNumber += 1;
    this.sink("");
    this.sink(`== ${this.stepNumber}. ${title}`);
  }

  line(text: string): void {
    this.sink(`   ${text}`);
  }

  /** `[########------------]  40%  label  detail` (one line per update: readable in logs and CI). */
  progress(label: string, done: number, total: number, detail = ""): void {
    const width = 20;
    const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
    const percent = total <= 0 ? 100 : Math.min(100, Math.round((done / total) * 100));
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    this.sink(`   ${bar} ${String(percent).padStart(3)}%  ${label}${detail === "" ? "" : `  ${detail}`}`);
  }
}

/** A whole number of `decimals` as text with thousands separators and `places` decimals (rounded down). */
export function formatUnits(amount: bigint, decimals: number, places = 2): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const frac = places === 0 ? "" : (((abs % unit) * 10n ** BigInt(places)) / unit).toString();
  const text = `${whole.toLocaleString("en-US")}${places === 0 ? "" : `.${frac.padStart(places, "0")}`}`;
  return negative ? `-${text}` : text;
}

/** WAD quote as "1,234.56". */
export const usd = (wad: bigint): string => formatUnits(wad, 18);
/** A WAD share as "2.00%". */
export const percent = (wad: bigint): string => `${formatUnits(wad * 100n, 18)}%`;
/** Option contracts (18 decimals) as "1.5". */
export const contracts = (amount: bigint): string => formatUnits(amount, 18, 4).replace(/\.?0+$/, "");

/** The custom error a failed call or transaction carries, decoded with the first interface that knows it. */
export function revertName(error: unknown, interfaces: Interface[]): string | undefined {
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed !== null) return parsed.name;
    } catch {
      // Not this interface's error.
    }
  }
  return undefined;
}

function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const item = queue.shift();
    if (item === null || typeof item !== "object" || seen.has(item)) continue;
    seen.add(item);
    const record = item as Record<string, unknown>;
    if (typeof record.data === "string" && record.data.startsWith("0x") && record.data.length >= 10) {
      return record.data;
    }
    for (const key of ["data", "error", "info", "cause"]) queue.push(record[key]);
  }
  return undefined;
}

/**
 * Run `attempt` (a static call: nothing is sent) and require it to revert with the custom error `expected`.
 * Returns the error name; throws a LifecycleCheckError if it succeeds or fails otherwise.
 */
export async function expectRefusal(
  what: string,
  attempt: () => Promise<unknown>,
  expected: string,
  interfaces: Interface[],
): Promise<string> {
  let outcome: string;
  try {
    await attempt();
    outcome = "success";
  } catch (error) {
    outcome = revertName(error, interfaces) ?? `an undecoded failure (${(error as Error).message})`;
  }
  check(outcome === expected, `${what}: expected the custom error ${expected}, got ${outcome}`);
  return outcome;
}

/** The chain's clock and the mock Chainlink feeds of a local deployment. */
export class MockMarket {
  constructor(
    private readonly hre: HardhatRuntimeEnvironment,
    /** Mock feed addresses by asset symbol. */
    private readonly feeds: Record<string, string[]>,
  ) {}

  async now(): Promise<number> {
    const block = await this.hre.ethers.provider.getBlock("latest");
    if (block === null) throw new LifecycleCheckError("no latest block");
    return block.timestamp;
  }

  /** Move the clock by `seconds` (one block), then re-stamp every feed so the oracle keeps its quorum. */
  async advance(seconds: number): Promise<void> {
    await this.hre.network.provider.send("evm_increaseTime", [seconds]);
    await this.hre.network.provider.send("evm_mine", []);
    await this.restamp();
  }

  /** Set every feed of `symbol` to `priceWad` at the latest block time. */
  async setPrice(symbol: string, priceWad: bigint): Promise<void> {
    const [signer] = await this.hre.ethers.getSigners();
    const at = await this.now();
    for (const address of this.feeds[symbol] ?? []) {
      const feed = MockChainlinkFeed__factory.connect(address, signer);
      const decimals = Number(await feed.decimals());
      await (await feed.setAnswer(feedAnswer(priceWad, decimals), at)).wait();
    }
  }

  /** Re-report every feed's current answer at the latest block time. */
  async restamp(): Promise<void> {
    const [signer] = await this.hre.ethers.getSigners();
    const at = await this.now();
    for (const addresses of Object.values(this.feeds)) {
      for (const address of addresses) {
        const feed = MockChainlinkFeed__factory.connect(address, signer);
        const [, answer] = await feed.latestRoundData();
        await (await feed.setAnswer(answer, at)).wait();
      }
    }
  }
}
