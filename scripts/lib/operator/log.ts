/**
 * One JSON object per line for every decision of an operator script: machine-readable (jq, log shippers) and
 * greppable. Big integers are written as decimal strings.
 */
export type LogFields = Record<string, unknown>;

export interface JsonLogger {
  (event: string, fields?: LogFields): void;
  /** Every line written so far (tests read it; a long-running keeper keeps only the last 1,000). */
  readonly lines: string[];
}

export function jsonLine(event: string, fields: LogFields = {}, now: Date = new Date()): string {
  return JSON.stringify({ time: now.toISOString(), event, ...fields }, (_, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

/** A logger writing to `write` (stdout by default) with `base` fields on every line. */
export function createLogger(
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): JsonLogger {
  const lines: string[] = [];
  const log = ((event: string, fields: LogFields = {}) => {
    const line = jsonLine(event, { ...base, ...fields });
    lines.push(line);
    if (lines.length > 1_000) lines.shift();
    write(line);
  }) as JsonLogger;
  Object.defineProperty(log, "lines", { value: lines });
  return log;
}
