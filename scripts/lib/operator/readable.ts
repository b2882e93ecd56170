/**
 * The operator logs' readable fields (scripts/lib/format/fields.ts) for a deployment: the quote's symbol and decimals
 * read once from the record and the chain, and a logger that adds the `<name>Formatted` fields before writing.
 */
import type { Provider } from "ethers";
import { ERC20__factory } from "../../../typechain-types";
import type { DeploymentRecord } from "../../../src/deployment";
import { withFormatted, type FieldFormat } from "../format/fields";
import type { JsonLogger, LogFields } from "./log";

/** The quote asset of the deployment record's config, with its token's decimals as the chain reports them. */
export async function quoteFormat(record: DeploymentRecord, provider: Provider): Promise<FieldFormat> {
  const config = record.config as { quote?: unknown } | null;
  const quoteSymbol = typeof config?.quote === "string" ? config.quote : undefined;
  const token = quoteSymbol === undefined ? undefined : record.tokens[quoteSymbol];
  if (quoteSymbol === undefined || token === undefined)
    throw new Error("the deployment record names no quote asset (config.quote) among its tokens");
  const quoteDecimals = Number(await ERC20__factory.connect(token, provider).decimals());
  return { quoteSymbol, quoteDecimals };
}

/** `log` with a `<name>Formatted` field beside every raw amount, price, share and gas figure. */
export function readableLogger(log: JsonLogger, format: FieldFormat): JsonLogger {
  const readable = ((event: string, fields: LogFields = {}) =>
    log(event, withFormatted(fields, format))) as JsonLogger;
  Object.defineProperty(readable, "lines", { get: () => log.lines });
  return readable;
}
