/**
 * The service's settings from flags (`--port 8547`), then the environment (`BOOK_PORT`), then the defaults. The
 * exchange address comes from the deployment record `deployments/<network>.json` unless given.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BOOK_DEFAULTS } from "./defaults";
import { bookConfigSchema, type BookConfig } from "./schema";

export class BookConfigError extends Error {}

/** Flag name (without `--`) → setting and environment variable. */
const SETTINGS: Record<
  string,
  { key: keyof typeof BOOK_DEFAULTS | "exchange" | "executorKey" | "databaseUrl" | "record"; env: string }
> = {
  host: { key: "host", env: "BOOK_HOST" },
  port: { key: "port", env: "BOOK_PORT" },
  rpc: { key: "rpcUrl", env: "BOOK_RPC_URL" },
  network: { key: "network", env: "BOOK_NETWORK" },
  record: { key: "record", env: "BOOK_RECORD" },
  exchange: { key: "exchange", env: "BOOK_EXCHANGE" },
  "executor-key": { key: "executorKey", env: "BOOK_EXECUTOR_KEY" },
  "database-url": { key: "databaseUrl", env: "DATABASE_URL" },
  "data-dir": { key: "dataDir", env: "BOOK_DATA_DIR" },
  "body-limit": { key: "bodyLimitBytes", env: "BOOK_BODY_LIMIT_BYTES" },
  "min-life": { key: "minLifeSeconds", env: "BOOK_MIN_LIFE_SECONDS" },
  tick: { key: "tickSizeQuoteUnits", env: "BOOK_TICK_SIZE" },
  lot: { key: "lotSizeContractsWad", env: "BOOK_LOT_SIZE" },
  "max-open": { key: "maxOpenOrdersPerOwner", env: "BOOK_MAX_OPEN_ORDERS" },
  confirmations: { key: "confirmations", env: "BOOK_CONFIRMATIONS" },
  "poll-ms": { key: "pollIntervalMs", env: "BOOK_POLL_MS" },
  "max-makers": { key: "maxMakersPerMatch", env: "BOOK_MAX_MAKERS" },
  "from-block": { key: "fromBlock", env: "BOOK_FROM_BLOCK" },
  validation: { key: "validation", env: "BOOK_VALIDATION" },
  "write-batch": { key: "writeBatchOrders", env: "BOOK_WRITE_BATCH" },
  "revalidate-s": { key: "revalidateIntervalSeconds", env: "BOOK_REVALIDATE_SECONDS" },
  "signature-workers": { key: "signatureWorkers", env: "BOOK_SIGNATURE_WORKERS" },
};

export function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new BookConfigError(`unexpected argument '${arg}'`);
    const [name, inline] = arg.slice(2).split("=", 2);
    if (SETTINGS[name] === undefined) throw new BookConfigError(`unknown flag --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new BookConfigError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

interface DeploymentRecordView {
  chainId?: number;
  blockNumber?: number;
  contracts?: Record<string, string>;
}

export function loadBookConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
  root = join(__dirname, "..", "..", ".."),
): BookConfig {
  const flags = parseFlags(argv);
  const raw: Record<string, unknown> = { ...BOOK_DEFAULTS };
  for (const [flag, { key, env: name }] of Object.entries(SETTINGS)) {
    const value = flags[flag] ?? env[name];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  if (raw.exchange === undefined) {
    const path =
      (raw.record as string | undefined) ?? join(root, "deployments", `${String(raw.network)}.json`);
    if (!existsSync(path))
      throw new BookConfigError(
        `no --exchange and no deployment record at ${path} (set --record or --exchange)`,
      );
    const record = JSON.parse(readFileSync(path, "utf8")) as DeploymentRecordView;
    const exchange = record.contracts?.OptionsExchange;
    if (exchange === undefined) throw new BookConfigError(`${path} has no contracts.OptionsExchange`);
    raw.exchange = exchange;
    raw.expectedChainId = record.chainId;
    if (
      flags["from-block"] === undefined &&
      env.BOOK_FROM_BLOCK === undefined &&
      record.blockNumber !== undefined
    )
      raw.fromBlock = record.blockNumber;
  }
  delete raw.network;
  delete raw.record;
  const parsed = bookConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BookConfigError(`setting ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}
