/**
 * `collateral`: one ERC-4626 vault per asset accepted as margin, with its haircut and deposit cap. The cap is
 * written in whole tokens; it becomes token units with the asset's decimals (references.ts checks they are known).
 */
import { formatUnits } from "ethers";
import { z } from "zod";
import { parseDecimal, parseShareWad, show, UnitError } from "../units";
import { MAX_ASSET_DECIMALS, MAX_HAIRCUT_WAD } from "./bounds";
import { defaultVaultName, defaultVaultSymbol, UNLIMITED, UNLIMITED_TEXT } from "./defaults";
import { flag, named, percentText, section, text } from "./fields";
import { unit } from "../validation";

const WAD = 10n ** 18n;
/** A cap in whole tokens is held at the finest decimals a token may have until its own are known. */
export const CAP_DECIMALS = MAX_ASSET_DECIMALS;

/** A fraction or percentage from 0 to the clearing's maximum, named as written. */
function parseHaircutWad(value: unknown): bigint {
  const haircutWad = parseShareWad(value);
  const written = show(value).replace(/'/g, "");
  if (haircutWad < 0n) throw new UnitError(`${written} is negative`);
  if (haircutWad > WAD) throw new UnitError(`${written} is over 100%`);
  if (haircutWad > MAX_HAIRCUT_WAD)
    throw new UnitError(`${written} is above the clearing's maximum of ${percentText(MAX_HAIRCUT_WAD)}`);
  return haircutWad;
}

/** "unlimited", or a positive amount of whole tokens (at CAP_DECIMALS). */
function parseCap(value: unknown): bigint | typeof UNLIMITED_TEXT {
  if (value === UNLIMITED_TEXT) return UNLIMITED_TEXT;
  const cap = parseDecimal(value, CAP_DECIMALS);
  if (cap <= 0n) throw new UnitError(`${show(value)} must be above 0 (or "unlimited")`);
  return cap;
}

/** A deposit cap in the token's units; refused when the token's decimals are unknown or too few for it. */
export function depositCapUnits(
  cap: bigint | typeof UNLIMITED_TEXT,
  symbol: string,
  decimals: number | undefined,
): bigint {
  if (cap === UNLIMITED_TEXT) return UNLIMITED;
  if (decimals === undefined) {
    throw new UnitError(
      `needs assets.${symbol}.decimals to convert a cap in whole tokens (or use "unlimited")`,
    );
  }
  const divisor = 10n ** BigInt(CAP_DECIMALS - decimals);
  if (cap % divisor !== 0n)
    throw new UnitError(`${formatUnits(cap, CAP_DECIMALS)} has more than ${decimals} decimals`);
  return cap / divisor;
}

const vault = section({
  haircut: unit(parseHaircutWad),
  depositCap: unit(parseCap),
  permissioned: flag().default(false),
  /** Default: "optiq <SYMBOL> collateral". */
  name: text().optional(),
  /** Default: "oq<SYMBOL>". */
  symbol: text().optional(),
});

/** By asset symbol; which assets may be collateral is checked in references.ts. */
export const collateralSchema = named(vault);

/** The deployable form: one vault per asset, caps in the token's units. */
export const toCollateralSpecs = (
  collateral: z.output<typeof collateralSchema>,
  decimalsOf: (symbol: string) => number | undefined,
) =>
  Object.entries(collateral).map(([asset, c]) => ({
    asset,
    name: c.name ?? defaultVaultName(asset),
    symbol: c.symbol ?? defaultVaultSymbol(asset),
    haircutWad: c.haircut,
    /** In the token's units; `UNLIMITED` for none. */
    depositCap: depositCapUnits(c.depositCap, asset, decimalsOf(asset)),
    permissioned: c.permissioned,
  }));
