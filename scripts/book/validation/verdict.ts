/**
 * The exchange's `validate` rules that depend on chain state, answered from the ChainState cache in the exchange's
 * order (minimum lot, flags, zero premium, expiry, minimum nonce, the account's owner, the signer's authorisation,
 * the series), then the book's own margin rule. The rules on the order's fill state (cancelled, already filled) are
 * checked against the indexed events when the order is stored (db/orderWriter.ts); the signature is recovered by the
 * route (or, for a contract signer, checked by the exchange's `validate` itself).
 */
import { OrderFlags, Side, premiumOf, type Order, type OrderStatus } from "../../../src/exchange/order";
import type { Chain } from "../chain/exchange";
import type { ChainState } from "./chainState";

/** Why the book refuses or evicts an order: an exchange verdict, or the book's margin rule. */
export type Reason = Exclude<OrderStatus, "Valid"> | "InsufficientMargin" | "Unpriced";

export interface Refusal {
  reason: Reason;
  detail?: string;
}

const KNOWN_FLAGS = OrderFlags.REDUCE_ONLY | OrderFlags.FILL_OR_KILL;

/** Whether a fill of `amount` grows the account's risk (the clearing's rule: anything but moving toward zero). */
export function grows(side: Side, position: bigint, amount: bigint): boolean {
  return side === Side.Sell ? position < amount : position > -amount;
}

/**
 * The first rule `order` fails for a fill of `amount` at time `now`, or undefined. Margin: a fill that grows the
 * account's risk needs free margin (collateral value above the initial requirement); a buy that grows also needs
 * free margin for the premium of `amount` at its limit. Risk-reducing orders always pass (closing always works).
 */
export async function chainRefusal(
  state: ChainState,
  chain: Pick<Chain, "quoteDecimals" | "minLotContractsWad">,
  order: Order,
  amount: bigint,
  now: bigint,
): Promise<Refusal | undefined> {
  if (amount < chain.minLotContractsWad) return { reason: "BelowMinLot" };
  if ((order.flags & ~KNOWN_FLAGS) !== 0) return { reason: "UnknownFlags" };
  if (order.limitPremiumPerContract === 0n) return { reason: "ZeroPremium" };
  if (now > order.expiry) return { reason: "Expired" };
  const [minNonce, owner, series] = await Promise.all([
    state.minNonce(order.owner),
    state.ownerOf(order.accountId),
    state.seriesInfo(order.seriesId),
  ]);
  if (order.nonce < minNonce) return { reason: "NonceBelowMin", detail: `min nonce ${minNonce}` };
  if (owner !== order.owner.toLowerCase())
    return { reason: "OwnerMismatch", detail: `account owner ${owner}` };
  if (
    order.signer.toLowerCase() !== order.owner.toLowerCase() &&
    !(await state.isOperator(order.owner, order.signer))
  )
    return { reason: "SignerNotAuthorized" };
  if (!series.listed || now >= series.expiry) return { reason: "SeriesNotTradable" };
  const position = await state.position(order.accountId, order.seriesId);
  if (!grows(order.side, position, amount)) return undefined;
  const margin = await state.margin(order.accountId);
  if (margin === undefined)
    return { reason: "Unpriced", detail: "the clearing cannot price the account now" };
  const premiumWad =
    order.side === Side.Buy
      ? premiumOf(amount, order.limitPremiumPerContract) * 10n ** BigInt(18 - chain.quoteDecimals)
      : 0n;
  if (margin.freeWad <= 0n || margin.freeWad < premiumWad)
    return {
      reason: "InsufficientMargin",
      detail: `free margin ${margin.freeWad} WAD, ${order.side === Side.Buy ? `premium ${premiumWad} WAD` : "a new short needs more"}`,
    };
  return undefined;
}
