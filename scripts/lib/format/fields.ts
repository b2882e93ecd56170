/**
 * Readable JSON log fields: every raw integer an operator reads keeps its place, and a `<name>Formatted` field beside
 * it gives the value in its unit (docs/log-reference.md). The unit of a field comes from its name alone, so every
 * service formats the same field the same way; fields this table does not know are left as they are.
 */
import { formatUnits } from "ethers";
import { trimDecimal } from "./series";

/** What a raw integer field holds. */
export type FieldUnit =
  /** WAD quote value: "1,549.59 USDC". */
  | "quoteWad"
  /** WAD price of one whole unit of the line's `asset`: "2,001.5 USDC/WETH". */
  | "priceWad"
  /** WAD fraction: "2.5%". */
  | "shareWad"
  /** Gas units: "191,007 gas". */
  | "gas";

/** The fields of the keeper, sentinel and reporter logs that hold a raw integer, by name. */
export const FIELD_UNITS: Readonly<Record<string, FieldUnit>> = {
  collateralValueWad: "quoteWad",
  initialWad: "quoteWad",
  maintenanceWad: "quoteWad",
  debtWad: "quoteWad",
  liabilityWad: "quoteWad",
  seizedValueWad: "quoteWad",
  receivedValueWad: "quoteWad",
  independentLiabilityWad: "quoteWad",
  independentReceivedWad: "quoteWad",
  requiredReceivedWad: "quoteWad",
  profitWad: "quoteWad",
  minProfitWad: "quoteWad",
  gasCostWad: "quoteWad",
  onChainMaintenanceWad: "quoteWad",
  referenceMaintenanceWad: "quoteWad",
  differenceWad: "quoteWad",
  toleranceWad: "quoteWad",
  payoutPerContractWad: "quoteWad",
  maxValueWad: "quoteWad",
  valueWad: "quoteWad",
  priceWad: "priceWad",
  minWad: "priceWad",
  maxWad: "priceWad",
  fractionWad: "shareWad",
  discountWad: "shareWad",
  spreadWad: "shareWad",
  maxSpreadWad: "shareWad",
  maxUsedWad: "shareWad",
  usedWad: "shareWad",
  gasUsed: "gas",
};

export interface FieldFormat {
  /** The quote asset's symbol ("USDC"). */
  quoteSymbol: string;
  /** The quote token's decimals: WAD quote values are shown to that precision, truncated, never rounded up. */
  quoteDecimals: number;
}

const WAD_DECIMALS = 18;

/** The name of the formatted field beside `name`: the unit suffix (Wad, Bps) dropped, "Formatted" added. */
export function formattedName(name: string): string {
  return `${name.replace(/(Wad|Bps)$/, "")}Formatted`;
}

/** "1549590000" with thousands separators: "1,549,590,000"; the fraction as given. */
function group(decimal: string): string {
  const negative = decimal.startsWith("-");
  const [int, frac] = (negative ? decimal.slice(1) : decimal).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${frac === undefined ? "" : `.${frac}`}`;
}

/** `wad` cut (towards zero) to `decimals` places, without trailing zeros, grouped: 1549.59e18 -> "1,549.59". */
export function formatWadAmount(wad: bigint, decimals: number): string {
  const step = 10n ** BigInt(WAD_DECIMALS - Math.min(decimals, WAD_DECIMALS));
  return group(trimDecimal(formatUnits((wad / step) * step, WAD_DECIMALS)));
}

/** A WAD fraction as a percentage to two places, cut towards zero: 0.025e18 -> "2.5%". */
export function formatShareWad(wad: bigint): string {
  return `${formatWadAmount(wad * 100n, 2)}%`;
}

/** A raw value in its unit; undefined if the value is not an integer. */
export function formatField(
  unit: FieldUnit,
  value: unknown,
  format: FieldFormat,
  asset?: string,
): string | undefined {
  let raw: bigint;
  if (typeof value === "bigint") raw = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) raw = BigInt(value);
  else if (typeof value === "string" && /^-?\d+$/.test(value)) raw = BigInt(value);
  else return undefined;
  switch (unit) {
    case "quoteWad":
      return `${formatWadAmount(raw, format.quoteDecimals)} ${format.quoteSymbol}`;
    case "priceWad":
      return `${formatWadAmount(raw, format.quoteDecimals)} ${format.quoteSymbol}${asset === undefined ? "" : `/${asset}`}`;
    case "shareWad":
      return formatShareWad(raw);
    case "gas":
      return `${group(raw.toString())} gas`;
  }
}

/**
 * `fields` with a `<name>Formatted` beside every field of FIELD_UNITS, in nested objects and lists too; a price is
 * per unit of the nearest enclosing `asset` (a symbol).
 */
export function withFormatted(
  fields: Record<string, unknown>,
  format: FieldFormat,
  asset?: string,
): Record<string, unknown> {
  const own = typeof fields.asset === "string" && !fields.asset.startsWith("0x") ? fields.asset : asset;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = readable(value, format, own);
    const unit = FIELD_UNITS[name];
    if (unit === undefined) continue;
    const text = formatField(unit, value, format, own);
    if (text !== undefined) out[formattedName(name)] = text;
  }
  return out;
}

function readable(value: unknown, format: FieldFormat, asset: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => readable(v, format, asset));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return withFormatted(value as Record<string, unknown>, format, asset);
  return value;
}
