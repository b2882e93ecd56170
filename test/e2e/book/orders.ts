/** Signed orders and cancels as a client of the order book sends them. */
import { ethers, type HDNodeWallet } from "ethers";
import {
  buildOrder,
  exchangeDomain,
  orderToJson,
  signOrder,
  Side,
  type Order,
} from "../../../src/exchange/order";
import { bookDomain, signCancel } from "../../../scripts/lib/book/cancel";

export const WAD = 10n ** 18n;
/** One USDC per contract, in quote units per 1e18 contracts. */
export const USDC_PER_CONTRACT = 10n ** 6n;

export interface Venue {
  exchange: string;
  chainId: bigint;
}

export interface OrderBody {
  exchange: string;
  chainId: string;
  order: Record<string, string | number>;
  signature: string;
}

export async function signedOrder(
  venue: Venue,
  wallet: HDNodeWallet,
  fields: {
    accountId: bigint;
    seriesId: bigint;
    side: Side;
    amount: bigint;
    price: bigint;
    expiry: bigint;
    nonce?: bigint;
  },
  signer: HDNodeWallet = wallet,
  extra: Partial<Pick<Order, "taker" | "executor" | "flags">> = {},
): Promise<{ order: Order; body: OrderBody }> {
  const order = buildOrder({
    accountId: fields.accountId,
    owner: wallet.address,
    seriesId: fields.seriesId,
    side: fields.side,
    amount: fields.amount,
    limitPremiumPerContract: fields.price,
    maxFeePerContract: 0n,
    expiry: fields.expiry,
    nonce: fields.nonce ?? 0n,
    signer: signer.address,
    ...extra,
  });
  const domain = exchangeDomain(venue.exchange, venue.chainId);
  const signature = await signOrder(signer, domain, order);
  return {
    order,
    body: {
      exchange: venue.exchange,
      chainId: venue.chainId.toString(),
      order: orderToJson(order),
      signature,
    },
  };
}

export async function signedCancel(venue: Venue, wallet: HDNodeWallet, orderHash: string, deadline: bigint) {
  const cancel = { orderHash, deadline };
  const signature = await signCancel(wallet, bookDomain(venue.exchange, venue.chainId), cancel);
  return { cancel: { orderHash, deadline: deadline.toString() }, signature };
}

export const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));
export { ethers, Side };
