/**
 * The harness shared by the stateful campaigns (test/fuzz/Liquidation.fuzz.test.ts and
 * test/invariant/Clearing.invariant.test.ts): naming a revert after the custom error of whichever contract of the
 * suite raised it, and sending a transaction whose outcome the campaign predicted.
 */
import {
  Interface,
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
} from "ethers";

/** The suite's contracts a campaign's transactions can revert in (the clearing bubbles up the others' errors). */
export interface RevertSources {
  clearing: BaseContract;
  breaker: BaseContract;
  oracle: BaseContract;
  usdcVault: BaseContract;
  insurance: BaseContract;
  /** The exchange, in a campaign that deploys one (its order errors; its trades revert in the clearing too). */
  exchange?: BaseContract;
}

/** A campaign's world: anything whose book carries the suite's contracts. */
export interface CampaignWorld {
  book: RevertSources;
}

/**
 * Error names from every contract a clearing call can revert in, deduplicated by selector (built once per shape of
 * world: with or without an exchange, since both kinds of campaign run in one process).
 */
const errorInterfaces = new Map<boolean, Interface>();

/**
 * The name of the custom error a call reverted with: "EmptyRevert" for a bare revert, "Panic(code)" for a panic,
 * "Unknown(selector)" for an error none of the suite's contracts declares. Anything that is not a revert (no revert
 * data: a bug in the harness, a provider error) is thrown again, never taken for an expected revert.
 */
export function errorName(w: CampaignWorld, err: unknown): string {
  const data = (err as { data?: unknown }).data;
  if (typeof data !== "string" || !data.startsWith("0x")) throw err;
  if (data === "0x") return "EmptyRevert";
  if (data.startsWith("0x4e487b71")) return `Panic(${BigInt("0x" + data.slice(10))})`;
  const withExchange = w.book.exchange !== undefined;
  let errorInterface = errorInterfaces.get(withExchange);
  if (errorInterface === undefined) {
    const { clearing, breaker, oracle, usdcVault, insurance, exchange } = w.book;
    const fragments = [
      ...(exchange?.interface.fragments ?? []),
      ...clearing.interface.fragments,
      ...breaker.interface.fragments,
      ...oracle.interface.fragments,
      ...usdcVault.interface.fragments,
      ...insurance.interface.fragments,
    ].filter((f) => f.type === "error");
    const seen = new Set<string>();
    errorInterface = new Interface(
      fragments.filter((f) => {
        const key = f.format("sighash");
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
    errorInterfaces.set(withExchange, errorInterface);
  }
  const parsed = errorInterface.parseError(data);
  return parsed === null ? `Unknown(${data.slice(0, 10)})` : parsed.name;
}

/**
 * What a transaction must do: "succeed"; revert with exactly this error; or, given a list, either succeed or revert
 * with one of the listed errors (the harness could not predict which; an empty list accepts success only).
 */
export type Expected = "succeed" | string | readonly string[];

/** How a transaction went: its receipt and block when it succeeded, the error's name when it reverted. */
export interface Outcome {
  ok: boolean;
  receipt?: ContractTransactionReceipt;
  blockNumber?: number;
  error?: string;
}

/** Send one transaction and check it went as `expected`; any other outcome throws, naming `label`. */
export async function attempt(
  w: CampaignWorld,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
  expected: Expected,
): Promise<Outcome> {
  let name: string;
  try {
    const tx = await send();
    const receipt = await tx.wait();
    if (typeof expected === "string" && expected !== "succeed") {
      throw new Error(`${label}: expected revert ${expected}, but it succeeded`);
    }
    return { ok: true, receipt: receipt!, blockNumber: receipt!.blockNumber };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${label}: expected revert`)) throw e;
    name = errorName(w, e);
  }
  if (expected === "succeed") throw new Error(`${label}: must succeed, reverted with ${name}`);
  if (typeof expected === "string") {
    if (expected !== name) throw new Error(`${label}: expected ${expected}, got ${name}`);
  } else if (!expected.includes(name)) {
    throw new Error(`${label}: unexpected revert ${name} (accepted: ${expected.join(", ") || "none"})`);
  }
  return { ok: false, error: name };
}
