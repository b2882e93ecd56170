/**
 * What the exchange tasks do (tasks/exchange.ts): sign an order into a JSON file, fill one from such a file, cancel
 * one. Inputs are checked before anything is sent; each bad one is an OperatorError naming it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Signer } from "ethers";
import { OperatorError } from "../operator/errors";
import { parseAccountId, parseAmount } from "../trader/inputs";
import { parseExpiry } from "../trader/listing";
import type { OptionsExchange } from "../../../typechain-types";
import { IOptionsClearing__factory } from "../../../typechain-types";
import {
  buildOrder,
  exchangeDomain,
  orderFromJson,
  orderToJson,
  signOrder,
  validateOrder,
  OrderFlags,
  Side,
  type Order,
} from "./order";

/** A signed order as the file between signer and filler holds it. */
export interface SignedOrderFile {
  exchange: string;
  chainId: string;
  hash: string;
  order: Record<string, string | number>;
  signature: string;
}

export interface SignInputs {
  account: string;
  series: string;
  side: string;
  /** Contracts ("1.5"). */
  amount: string;
  /** Quote units per contract ("40"). */
  price: string;
  /** Quote units per contract ("0.5"). */
  maxFee: string;
  /** As `list-series`' --expiry: a date, an ISO time or a duration ("1d"). */
  expiry: string;
  nonce: string;
  reduceOnly: boolean;
  fillOrKill: boolean;
}

async function quoteDecimals(exchange: OptionsExchange): Promise<number> {
  const clearing = IOptionsClearing__factory.connect(await exchange.CLEARING(), exchange.runner);
  return Number(await clearing.QUOTE_DECIMALS());
}

/** Build and sign an order of `signer`'s account (the signer must own it). */
export async function signOrderFor(
  exchange: OptionsExchange,
  signer: Signer,
  inputs: SignInputs,
  now: bigint,
): Promise<SignedOrderFile> {
  const side = inputs.side.trim().toLowerCase();
  if (side !== "buy" && side !== "sell")
    throw new OperatorError(`--side must be buy or sell, got '${inputs.side}'`);
  if (!/^\d+$/.test(inputs.series.trim()))
    throw new OperatorError(`--series must be a series id, got '${inputs.series}'`);
  if (!/^\d+$/.test(inputs.nonce.trim()))
    throw new OperatorError(`--nonce must be a whole number, got '${inputs.nonce}'`);
  const decimals = await quoteDecimals(exchange);
  const owner = await signer.getAddress();
  const order = buildOrder({
    accountId: parseAccountId(inputs.account),
    owner,
    seriesId: BigInt(inputs.series.trim()),
    side: side === "buy" ? Side.Buy : Side.Sell,
    amount: parseAmount(inputs.amount, 18, "contracts"),
    limitPremiumPerContract: parseAmount(inputs.price, decimals, "quote units", "--price"),
    maxFeePerContract:
      inputs.maxFee.trim() === "0" ? 0n : parseAmount(inputs.maxFee, decimals, "quote units", "--max-fee"),
    expiry: parseExpiry(inputs.expiry, now),
    nonce: BigInt(inputs.nonce.trim()),
    flags:
      (inputs.reduceOnly ? OrderFlags.REDUCE_ONLY : 0) | (inputs.fillOrKill ? OrderFlags.FILL_OR_KILL : 0),
  });
  const chainId = (await signer.provider!.getNetwork()).chainId;
  const domain = exchangeDomain(await exchange.getAddress(), chainId);
  const signature = await signOrder(signer, domain, order);
  const hash = await exchange.hashOrder(order);
  return {
    exchange: await exchange.getAddress(),
    chainId: chainId.toString(),
    hash,
    order: orderToJson(order),
    signature,
  };
}

/** Read and check a signed order file. */
export function readOrderFile(path: string): { order: Order; file: SignedOrderFile } {
  let file: SignedOrderFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as SignedOrderFile;
  } catch (error) {
    throw new OperatorError(`--order: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return { order: orderFromJson(file.order), file };
  } catch (error) {
    throw new OperatorError(`--order: ${path}: ${(error as Error).message}`);
  }
}

export function writeOrderFile(path: string, file: SignedOrderFile): void {
  writeFileSync(path, JSON.stringify(file, null, 2) + "\n");
}

/**
 * Fill `amount` contracts of the signed order from `account`, at most `maxFee` quote units per contract as taker
 * fee; the exchange's own verdict (`validate`) is checked first and named if it refuses.
 */
export async function fillOrderFrom(
  exchange: OptionsExchange,
  signer: Signer,
  signed: { order: Order; file: SignedOrderFile },
  inputs: { account: string; amount: string; maxFee: string },
): Promise<{ hash: string; filled: bigint }> {
  const decimals = await quoteDecimals(exchange);
  const amount = parseAmount(inputs.amount, 18, "contracts");
  const maxFee =
    inputs.maxFee.trim() === "0" ? 0n : parseAmount(inputs.maxFee, decimals, "quote units", "--max-fee");
  const account = parseAccountId(inputs.account);
  const status = await validateOrder(exchange, signed.order, signed.file.signature, amount);
  if (status !== "Valid") throw new OperatorError(`the order does not fill: ${status}`);
  const tx = await exchange
    .connect(signer)
    .fill(signed.order, signed.file.signature, amount, account, maxFee);
  await tx.wait();
  return { hash: signed.file.hash, filled: await exchange.filled(signed.file.hash) };
}

/** Cancel orders by hash (binding for the signer's own orders). */
export async function cancelOrders(
  exchange: OptionsExchange,
  signer: Signer,
  hashes: string[],
): Promise<void> {
  for (const h of hashes) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(h))
      throw new OperatorError(`--hash must be a 32-byte hex hash, got '${h}'`);
  }
  await (await exchange.connect(signer).cancel(hashes)).wait();
}
