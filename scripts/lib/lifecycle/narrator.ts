/** The lifecycle's narration: numbered steps, indented lines, text progress bars, and amounts and times as text. */

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

/**
 * A whole number of `decimals` as text with thousands separators and `places` decimals, rounded half away from zero:
 * the one rounding of every figure the narration shows, so an amount reads the same in a step and in the summary.
 */
export function formatUnits(amount: bigint, decimals: number, places = 2): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const unit = 10n ** BigInt(decimals);
  const scale = 10n ** BigInt(places);
  const scaled = (abs * scale * 2n + unit) / (2n * unit);
  const whole = scaled / scale;
  const frac = places === 0 ? "" : `.${(scaled % scale).toString().padStart(places, "0")}`;
  const text = `${whole.toLocaleString("en-US")}${frac}`;
  return negative && scaled > 0n ? `-${text}` : text;
}

/** WAD quote as "1,234.56". */
export const usd = (wad: bigint): string => formatUnits(wad, 18);
/** A WAD share as "2.00%". */
export const percent = (wad: bigint): string => `${formatUnits(wad * 100n, 18)}%`;
/** Option contracts (18 decimals) as "1.5". */
export const contracts = (amount: bigint): string => formatUnits(amount, 18, 4).replace(/\.?0+$/, "");

/** A chain timestamp as ISO text (the chain's clock runs ahead of the wall clock after time travel). */
export const chainTime = (timestamp: number | bigint): string =>
  new Date(Number(timestamp) * 1000).toISOString().replace(".000Z", "Z");
