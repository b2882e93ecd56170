/**
 * `exchange` (optional): the OptionsExchange's maker and taker fees in quote units per contract, the address its fees
 * are swept to (the timelock when absent) and the matchers granted EXECUTOR_ROLE. A fee is written in quote units;
 * it becomes the quote token's units with its decimals (references.ts checks they are known and suffice).
 */
import { formatUnits } from "ethers";
import type { z } from "zod";
import { parseDecimal, show, UnitError } from "../units";
import { unit } from "../validation";
import { MAX_ASSET_DECIMALS } from "./bounds";
import { address, addresses, section } from "./fields";

/** OptionsExchange.MAX_FEE_PER_CONTRACT, in whole quote units. */
export const MAX_FEE_QUOTE_UNITS = 10n;
/** A fee is held at the finest decimals a token may have until the quote's own are known. */
const FEE_DECIMALS = MAX_ASSET_DECIMALS;

function parseFee(value: unknown): bigint {
  const fee = parseDecimal(value, FEE_DECIMALS);
  if (fee < 0n || fee > MAX_FEE_QUOTE_UNITS * 10n ** BigInt(FEE_DECIMALS)) {
    throw new UnitError(
      `${show(value).replace(/'/g, "")} is outside [0, ${MAX_FEE_QUOTE_UNITS}] quote units (the exchange's MAX_FEE_PER_CONTRACT)`,
    );
  }
  return fee;
}

/** A fee in the quote token's units; refused when its decimals are unknown or too few for it. */
export function feeUnits(fee: bigint, decimals: number | undefined): bigint {
  if (decimals === undefined) throw new UnitError("needs the quote asset's decimals in its asset entry");
  const divisor = 10n ** BigInt(FEE_DECIMALS - decimals);
  if (fee % divisor !== 0n)
    throw new UnitError(`${formatUnits(fee, FEE_DECIMALS)} has more than ${decimals} decimals`);
  return fee / divisor;
}

/** Absent or null: no fees, swept to the timelock, no matcher. */
export const exchangeSchema = section({
  makerFeePerContract: unit(parseFee).optional(),
  takerFeePerContract: unit(parseFee).optional(),
  feeRecipient: address().optional(),
  executors: addresses(false).default([]),
})
  .nullish()
  .transform((e) => e ?? { executors: [] as string[] });

export const toExchangeSpec = (e: z.output<typeof exchangeSchema>, quoteDecimals: number | undefined) => ({
  makerFeePerContract:
    e.makerFeePerContract === undefined ? 0n : feeUnits(e.makerFeePerContract, quoteDecimals),
  takerFeePerContract:
    e.takerFeePerContract === undefined ? 0n : feeUnits(e.takerFeePerContract, quoteDecimals),
  /** Null: the timelock. */
  feeRecipient: e.feeRecipient ?? null,
  /** Addresses granted EXECUTOR_ROLE (the order book's matcher). */
  executors: e.executors,
});
