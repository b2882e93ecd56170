/**
 * The reporter's command line (scripts/reporter.ts reads it from the environment: `hardhat run` takes no
 * arguments). See docs/operations.md.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { isAddress, Wallet, type Signer } from "ethers";
import { bindProtocol } from "../operator/protocol";
import { connectChecked } from "../operator/connection";
import { OperatorError } from "../operator/errors";
import { readDeploymentRecord, recordPathFor } from "../operator/record";
import { networkUrl } from "../operator/connection";
import { operatorSigner } from "../operator/signers";
import { createLogger, type JsonLogger } from "../operator/log";
import { quoteFormat, readableLogger } from "../operator/readable";
import { loadPrices } from "./prices";
import { reportOnce, type ReportSummary } from "./reporter";

export interface ReporterCommand {
  /** A JSON file or an http(s) URL. */
  prices: string;
  record?: string;
  /** Reporter private keys (each signs); else `signerIndexes` of the network's accounts. */
  privateKeys: string[];
  signerIndexes: number[];
  /** Index of the account that sends the transactions (pays gas). */
  relayerIndex: number;
  sources: Record<string, string>;
  once: boolean;
  intervalSeconds: number;
  dryRun: boolean;
  poke: boolean;
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

function indexList(name: string, value: string): number[] {
  return value.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isSafeInteger(n) || n < 0)
      throw new OperatorError(`${name} must be account indexes (0,1,...), got '${value}'`);
    return n;
  });
}

/**
 * REPORTER_PRICES (required), REPORTER_RECORD, REPORTER_PRIVATE_KEY (comma-separated keys) or REPORTER_SIGNERS
 * (comma-separated account indexes), REPORTER_RELAYER (account index, 0), REPORTER_SOURCES (JSON: symbol to
 * SignedReportSource address), REPORTER_ONCE=1, REPORTER_INTERVAL (60), REPORTER_DRY_RUN=1, REPORTER_POKE=1.
 */
export function reporterCommandFromEnv(env: NodeJS.ProcessEnv): ReporterCommand {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const prices = get("REPORTER_PRICES");
  if (prices === undefined)
    throw new OperatorError("REPORTER_PRICES is required: a JSON file or an http(s) URL");
  const c: ReporterCommand = {
    prices,
    record: get("REPORTER_RECORD"),
    privateKeys: (get("REPORTER_PRIVATE_KEY") ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k !== ""),
    signerIndexes: [],
    relayerIndex: 0,
    sources: {},
    once: truthy(get("REPORTER_ONCE")),
    intervalSeconds: 60,
    dryRun: truthy(get("REPORTER_DRY_RUN")),
    poke: truthy(get("REPORTER_POKE")),
  };
  const signers = get("REPORTER_SIGNERS");
  if (signers !== undefined) c.signerIndexes = indexList("REPORTER_SIGNERS", signers);
  const relayer = get("REPORTER_RELAYER");
  if (relayer !== undefined) [c.relayerIndex] = indexList("REPORTER_RELAYER", relayer);
  const interval = get("REPORTER_INTERVAL");
  if (interval !== undefined) {
    const n = Number(interval);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new OperatorError(`REPORTER_INTERVAL must be an integer >= 1, got '${interval}'`);
    c.intervalSeconds = n;
  }
  const sources = get("REPORTER_SOURCES");
  if (sources !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sources);
    } catch {
      throw new OperatorError(`REPORTER_SOURCES must be JSON like {"WETH":"0x..."}, got '${sources}'`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new OperatorError(`REPORTER_SOURCES must be a JSON object of symbol to address`);
    }
    for (const [symbol, address] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof address !== "string" || !isAddress(address)) {
        throw new OperatorError(`REPORTER_SOURCES.${symbol}: ${JSON.stringify(address)} is not an address`);
      }
      c.sources[symbol] = address;
    }
  }
  if (c.privateKeys.length === 0 && c.signerIndexes.length === 0) {
    throw new OperatorError(
      "no reporter key: set REPORTER_PRIVATE_KEY (comma-separated keys) or REPORTER_SIGNERS (account indexes)",
    );
  }
  return c;
}

/** Run the reporter as commanded; in loop mode until `signal` aborts. */
export async function runReporterCommand(
  hre: HardhatRuntimeEnvironment,
  command: ReporterCommand,
  options: { log?: JsonLogger; signal?: AbortSignal } = {},
): Promise<ReportSummary | undefined> {
  const network = hre.network.name;
  const recordPath = recordPathFor(network, command.record);
  const record = readDeploymentRecord(recordPath);
  await connectChecked(hre.ethers.provider, record, { network, url: networkUrl(hre) });
  const relayer = await operatorSigner(hre, command.relayerIndex);
  const reporters: Signer[] = [];
  for (const key of command.privateKeys) {
    try {
      reporters.push(new Wallet(key, hre.ethers.provider));
    } catch {
      throw new OperatorError("REPORTER_PRIVATE_KEY holds a value that is not a 32-byte hex private key");
    }
  }
  for (const index of command.signerIndexes) reporters.push(await operatorSigner(hre, index));
  const log = readableLogger(
    options.log ?? createLogger({ service: "reporter", network }),
    await quoteFormat(record, hre.ethers.provider),
  );
  const p = bindProtocol(record, relayer);
  log("start", {
    record: recordPath,
    prices: command.prices,
    reporters: await Promise.all(reporters.map((r) => r.getAddress())),
    relayer: await relayer.getAddress(),
    dryRun: command.dryRun,
    mode: command.once ? "once" : `every ${command.intervalSeconds}s`,
  });
  const pass = async (): Promise<ReportSummary> =>
    reportOnce(p, await loadPrices(command.prices), reporters, relayer, command, log);
  if (command.once) return pass();
  const signal = options.signal ?? new AbortController().signal;
  while (!signal.aborted) {
    try {
      await pass();
    } catch (error) {
      log("report-pass-failed", { level: "error", reason: (error as Error).message });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, command.intervalSeconds * 1000);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return undefined;
}
