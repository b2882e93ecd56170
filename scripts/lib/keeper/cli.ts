/**
 * The keeper's command line, shared by `scripts/keeper.ts` (environment variables, for `hardhat run`) and the
 * Hardhat task `keeper` (flags). Resolves the record, reaches the RPC (a clear OperatorError if it cannot), picks
 * the keeper's signer and runs one pass or a loop.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { parseUnits } from "ethers";
import { bindProtocol } from "../operator/protocol";
import { connectChecked, networkUrl } from "../operator/connection";
import { OperatorError } from "../operator/errors";
import { readDeploymentRecord, recordPathFor } from "../operator/record";
import { createLogger, type JsonLogger } from "../operator/log";
import { quoteFormat, readableLogger } from "../operator/readable";
import { operatorSigner } from "../operator/signers";
import { validateProfitPolicy, type ProfitPolicy } from "./profit";
import {
  DEFAULT_KEEPER_OPTIONS,
  Keeper,
  type KeeperHooks,
  type KeeperOptions,
  type PassSummary,
} from "./keeper";

export interface KeeperCommand extends KeeperOptions {
  /** The deployment record; default deployments/<network>.json. */
  record?: string;
  /** One pass, then exit. */
  once: boolean;
  /** Seconds between passes in loop mode. */
  intervalSeconds: number;
  /** Index of the keeper's signer among the network's accounts (default 0). */
  signerIndex: number;
  /** A private key instead of an account of the network config. */
  privateKey?: string;
}

export const DEFAULT_KEEPER_COMMAND: KeeperCommand = {
  ...DEFAULT_KEEPER_OPTIONS,
  once: false,
  intervalSeconds: 30,
  signerIndex: 0,
};

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

function integer(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new OperatorError(`${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** A share as a fraction ("0.5") or a percentage ("50%"), as WAD. */
export function parseShareWad(name: string, value: string): bigint {
  const text = value.trim();
  let wad: bigint;
  try {
    wad = text.endsWith("%") ? parseUnits(text.slice(0, -1), 16) : parseUnits(text, 18);
  } catch {
    throw new OperatorError(`${name} must be a fraction (0.5) or a percentage (50%), got '${value}'`);
  }
  if (wad <= 0n || wad > 10n ** 18n) throw new OperatorError(`${name} must be in (0, 100%], got '${value}'`);
  return wad;
}

/** An amount of quote units ("2.5") as WAD. */
export function parseQuoteWad(name: string, value: string): bigint {
  let wad: bigint;
  try {
    wad = parseUnits(value.trim(), 18);
  } catch {
    throw new OperatorError(`${name} must be an amount of quote units (e.g. 2.5), got '${value}'`);
  }
  if (wad < 0n) throw new OperatorError(`${name} must not be negative, got '${value}'`);
  return wad;
}

/** The environment variable of each profit setting, for error messages. */
export const PROFIT_SETTINGS: Record<keyof ProfitPolicy, string> = {
  minProfitBps: "KEEPER_MIN_PROFIT_BPS",
  minProfitWad: "KEEPER_MIN_PROFIT",
  toleranceBps: "KEEPER_VALUATION_TOLERANCE_BPS",
  gasAsset: "KEEPER_GAS_ASSET",
};

/**
 * The command from the environment (`hardhat run` takes no arguments):
 * KEEPER_RECORD, KEEPER_ONCE, KEEPER_INTERVAL, KEEPER_DRY_RUN, KEEPER_SIGNER, KEEPER_PRIVATE_KEY,
 * KEEPER_ACCOUNT_ID, KEEPER_MAX_FRACTION, KEEPER_MIN_PROFIT_BPS, KEEPER_MIN_PROFIT, KEEPER_VALUATION_TOLERANCE_BPS,
 * KEEPER_GAS_ASSET, KEEPER_DEADLINE, KEEPER_BLOCK_RANGE, KEEPER_SETTLE.
 */
export function keeperCommandFromEnv(env: NodeJS.ProcessEnv): KeeperCommand {
  const c: KeeperCommand = { ...DEFAULT_KEEPER_COMMAND };
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  c.record = get("KEEPER_RECORD");
  c.once = truthy(get("KEEPER_ONCE"));
  c.dryRun = truthy(get("KEEPER_DRY_RUN"));
  const v = {
    interval: get("KEEPER_INTERVAL"),
    signer: get("KEEPER_SIGNER"),
    key: get("KEEPER_PRIVATE_KEY"),
    account: get("KEEPER_ACCOUNT_ID"),
    fraction: get("KEEPER_MAX_FRACTION"),
    slippage: get("KEEPER_SLIPPAGE_BPS"),
    minProfitBps: get(PROFIT_SETTINGS.minProfitBps),
    minProfit: get(PROFIT_SETTINGS.minProfitWad),
    tolerance: get(PROFIT_SETTINGS.toleranceBps),
    gasAsset: get(PROFIT_SETTINGS.gasAsset),
    deadline: get("KEEPER_DEADLINE"),
    range: get("KEEPER_BLOCK_RANGE"),
    settle: get("KEEPER_SETTLE"),
  };
  if (v.interval !== undefined) c.intervalSeconds = integer("KEEPER_INTERVAL", v.interval, 1);
  if (v.signer !== undefined) c.signerIndex = integer("KEEPER_SIGNER", v.signer, 0);
  if (v.key !== undefined) c.privateKey = v.key;
  if (v.account !== undefined) c.keeperAccountId = BigInt(integer("KEEPER_ACCOUNT_ID", v.account, 1));
  if (v.fraction !== undefined) c.maxFractionWad = parseShareWad("KEEPER_MAX_FRACTION", v.fraction);
  if (v.slippage !== undefined) {
    throw new OperatorError(
      "KEEPER_SLIPPAGE_BPS is no longer read: the limit comes from the keeper's own valuation; set KEEPER_MIN_PROFIT_BPS",
    );
  }
  const s = PROFIT_SETTINGS;
  if (v.minProfitBps !== undefined) c.minProfitBps = BigInt(integer(s.minProfitBps, v.minProfitBps, 0));
  if (v.minProfit !== undefined) c.minProfitWad = parseQuoteWad(s.minProfitWad, v.minProfit);
  if (v.tolerance !== undefined) c.toleranceBps = BigInt(integer(s.toleranceBps, v.tolerance, 0));
  if (v.gasAsset !== undefined) c.gasAsset = v.gasAsset;
  validateProfitPolicy(c, s);
  if (v.deadline !== undefined) c.deadlineSeconds = integer("KEEPER_DEADLINE", v.deadline, 1);
  if (v.range !== undefined) c.blockRange = integer("KEEPER_BLOCK_RANGE", v.range, 1);
  if (v.settle !== undefined) c.settle = truthy(v.settle);
  return c;
}

export interface KeeperRun {
  keeper: Keeper;
  log: JsonLogger;
  /** The summary of the last pass (`once`), undefined in loop mode. */
  summary?: PassSummary;
}

/** Run the keeper as commanded. In loop mode it returns when `signal` aborts (SIGINT/SIGTERM in the scripts). */
export async function runKeeperCommand(
  hre: HardhatRuntimeEnvironment,
  command: KeeperCommand,
  options: { log?: JsonLogger; hooks?: KeeperHooks; signal?: AbortSignal } = {},
): Promise<KeeperRun> {
  const network = hre.network.name;
  const recordPath = recordPathFor(network, command.record);
  const record = readDeploymentRecord(recordPath);
  const { blockNumber } = await connectChecked(hre.ethers.provider, record, {
    network,
    url: networkUrl(hre),
  });
  const signer = await operatorSigner(hre, command.signerIndex, command.privateKey);
  const log = readableLogger(
    options.log ?? createLogger({ service: "keeper", network }),
    await quoteFormat(record, hre.ethers.provider),
  );
  log("start", {
    record: recordPath,
    chainId: record.chainId,
    block: blockNumber,
    signer: await signer.getAddress(),
    dryRun: command.dryRun,
    mode: command.once ? "once" : `every ${command.intervalSeconds}s`,
  });
  const keeper = new Keeper(bindProtocol(record, signer), signer, command, log, options.hooks);
  if (command.once) return { keeper, log, summary: await keeper.runOnce() };
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort());
  await keeper.runLoop(command.intervalSeconds, options.signal ?? controller.signal);
  return { keeper, log };
}
