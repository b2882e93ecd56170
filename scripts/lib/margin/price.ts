/**
 * The price the clearing values an asset at, for off-chain references that must agree with it (keeper, stress).
 */
import type { BlockTag } from "ethers";
import type { IPriceOracle } from "../../../typechain-types";

/** MarginLogic.MAX_PRICE_ROUND_AGE_SECONDS: how old a poke-confirmed oracle round may be for a margin check. */
export const CLEARING_PRICE_MAX_AGE_SECONDS = 60n;

/**
 * `getRecentPrice(asset, CLEARING_PRICE_MAX_AGE_SECONDS)`: the oracle's latest round if a poke confirmed it within
 * the bound, else the live median, exactly as the clearing's margin, health and liquidation read it.
 */
export async function clearingPrice(
  oracle: Pick<IPriceOracle, "getRecentPrice">,
  asset: string,
  blockTag: BlockTag = "latest",
): Promise<bigint> {
  const [priceWad] = await oracle.getRecentPrice(asset, CLEARING_PRICE_MAX_AGE_SECONDS, { blockTag });
  return priceWad;
}
