/** The lifecycle's checks: a step that does not do what it claims throws, and a refusal must carry its custom error. */
import type { Interface } from "ethers";
import type { OptionsClearing } from "../../../typechain-types";

/** A step of the walk did not do what it claims: the main job fails with this. */
export class LifecycleCheckError extends Error {
  override name = "LifecycleCheckError";
}

/** Throw a LifecycleCheckError with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LifecycleCheckError(message);
}

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

/** Every long of `seriesId` is backed by a short or was written off (INV_OPEN_INTEREST). */
export async function checkOpenInterest(clearing: OptionsClearing, seriesId: bigint): Promise<void> {
  const [shorts, inAccounts, tokens] = await clearing.openInterest(seriesId);
  const writtenOff = await clearing.writtenOff(seriesId);
  check(
    inAccounts + tokens === shorts + writtenOff,
    `open interest of series ${seriesId}: longs ${inAccounts + tokens} != shorts ${shorts} + written off ${writtenOff}`,
  );
}
