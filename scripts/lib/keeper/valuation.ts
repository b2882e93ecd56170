/**
 * The keeper's own valuation of a liquidation, independent of the clearing's arithmetic: the positions and debt it
 * would take over valued with the TypeScript margin reference (`mark` / `liquidationLiabilityWad`, the mark the
 * differential tests hold the contracts to) at the oracle's live median, and the collateral it would receive valued
 * from the vaults' own share conversion at the oracle's live median less the clearing's configured haircuts.
 *
 * Only quantities come from the quote: the fraction taken, the share of every collateral balance seized (seized value
 * over the account's collateral value, both the contract's figures), the penalty, the insurance cover and the loss
 * written off. A wrong on-chain value therefore shows up as a difference between the two valuations.
 */
import type { BlockTag } from "ethers";
import {
  CollateralVault__factory,
  type OptionsClearing,
  type OracleAggregator,
} from "../../../typechain-types";
import { liquidationLiabilityWad, mark, type Mark, type Position } from "../margin";
import type { LiquidationFigures } from "../liquidation";

const WAD = 10n ** 18n;

const mulWadDown = (x: bigint, y: bigint): bigint => (x * y) / WAD;
const mulWadUp = (x: bigint, y: bigint): bigint => (x * y === 0n ? 0n : (x * y - 1n) / WAD + 1n);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** An amount of a token with `decimals` as WAD, rounded down. */
export function toWadDown(amount: bigint, decimals: number): bigint {
  return decimals <= 18 ? amount * 10n ** BigInt(18 - decimals) : amount / 10n ** BigInt(decimals - 18);
}

/** A position of the liquidated account on one underlying. */
export interface HeldPosition extends Position {
  underlying: string;
}

/**
 * The positions a liquidation moves to the liquidator, as LiquidationLogic._movePositions moves them: each short
 * first reduced by the written-off share `writeOffWad` (rounded down), then `fractionWad` of every position
 * (truncated towards zero).
 */
export function takenPositions(
  positions: readonly HeldPosition[],
  fractionWad: bigint,
  writeOffWad: bigint,
): HeldPosition[] {
  return positions
    .map((p) => {
      const written = p.amount < 0n && writeOffWad !== 0n ? mulWadDown(-p.amount, writeOffWad) : 0n;
      const left = p.amount + written;
      return { ...p, amount: fractionWad === WAD ? left : (left * fractionWad) / WAD };
    })
    .filter((p) => p.amount !== 0n);
}

/** The settlement debt a liquidation moves (LiquidationLogic._moveDebt). */
export function takenDebtWad(debtWad: bigint, fractionWad: bigint): bigint {
  return min(debtWad, mulWadUp(debtWad, fractionWad));
}

/** The share of every collateral balance seized (LiquidationLogic._plan's seize ratio). */
export function seizeRatioWad(seizedValueWad: bigint, collateralValueWad: bigint): bigint {
  if (collateralValueWad === 0n) return 0n;
  return min(WAD, (seizedValueWad * WAD) / collateralValueWad);
}

/** Reference marks of `positions`, one per underlying, with its spot and volatility. */
export function marksByUnderlying(
  positions: readonly HeldPosition[],
  market: ReadonlyMap<string, { spotWad: bigint; volWad: bigint }>,
  nowTs: bigint,
): Mark[] {
  const groups = new Map<string, Position[]>();
  for (const p of positions) {
    const list = groups.get(p.underlying) ?? [];
    list.push({ strikeWad: p.strikeWad, expiry: p.expiry, isCall: p.isCall, amount: p.amount });
    groups.set(p.underlying, list);
  }
  return [...groups].map(([underlying, list]) => {
    const m = market.get(underlying);
    if (m === undefined) throw new Error(`no price for underlying ${underlying}`);
    return mark(list, m.spotWad, m.volWad, nowTs);
  });
}

export interface IndependentValuation {
  /** Block the figures were read at, and its time. */
  blockNumber: number;
  timestamp: bigint;
  /** Mark liability of the positions and debt taken over (WAD quote). */
  liabilityWad: bigint;
  /** Collateral seized at live prices less haircuts, less the penalty, plus the insurance cover (WAD quote). */
  receivedWad: bigint;
  /** The live oracle prices used, by asset (underlyings and non-quote collateral). */
  pricesWad: Record<string, bigint>;
}

/**
 * Value the liquidation of `accountId` that `quote` describes, from chain state at `block`. `collateralValueWad` is
 * the contract's collateral value of the account at that block (the denominator of its seize ratio). The account must
 * have no pending lazy settlement (`liquidationQuote(accountId).settlementPending` false): the balances read here are
 * then the ones the liquidation moves.
 */
export async function independentValuation(
  clearing: OptionsClearing,
  oracle: OracleAggregator,
  accountId: bigint,
  quote: LiquidationFigures,
  collateralValueWad: bigint,
  block: { number: number; timestamp: number },
): Promise<IndependentValuation> {
  const blockTag: BlockTag = block.number;
  const at = { blockTag };
  const nowTs = BigInt(block.timestamp);
  const prices = new Map<string, bigint>();
  const livePrice = async (asset: string): Promise<bigint> => {
    const known = prices.get(asset);
    if (known !== undefined) return known;
    const [priceWad] = await oracle.getPrice(asset, at);
    prices.set(asset, priceWad);
    return priceWad;
  };

  // Positions and debt.
  const held: HeldPosition[] = [];
  for (const id of await clearing.seriesOf(accountId, at)) {
    const [s, amount] = await Promise.all([clearing.series(id, at), clearing.positionOf(accountId, id, at)]);
    if (amount === 0n) continue;
    if (s.settled) throw new Error(`series ${id} is settled: the account's lazy settlement is pending`);
    held.push({
      underlying: s.underlying,
      strikeWad: s.strikeWad,
      expiry: s.expiry,
      isCall: s.isCall,
      amount,
    });
  }
  const market = new Map<string, { spotWad: bigint; volWad: bigint }>();
  for (const underlying of new Set(held.map((p) => p.underlying))) {
    const [spotWad, risk] = await Promise.all([livePrice(underlying), clearing.riskParams(underlying, at)]);
    market.set(underlying, { spotWad, volWad: risk.volWad });
  }
  let writeOffWad = 0n;
  if (quote.socialisedWad !== 0n) {
    const shorts = held.filter((p) => p.amount < 0n);
    const shortsMarkWad = marksByUnderlying(shorts, market, nowTs).reduce((t, m) => t + m.liabilityWad, 0n);
    const shortsOwedWad = mulWadUp(shortsMarkWad, WAD + quote.discountWad);
    writeOffWad = shortsOwedWad === 0n ? 0n : (quote.socialisedWad * WAD) / shortsOwedWad;
  }
  const debtWad = await clearing.debtOf(accountId, at);
  const taken = takenPositions(held, quote.fractionWad, writeOffWad);
  const liabilityWad = liquidationLiabilityWad(
    marksByUnderlying(taken, market, nowTs),
    takenDebtWad(debtWad, quote.fractionWad),
  );

  // Collateral.
  const quoteAsset = (await clearing.QUOTE(at)).toLowerCase();
  const ratio = seizeRatioWad(quote.seizedValueWad, collateralValueWad);
  let seizedWad = 0n;
  for (const vault of await clearing.collateralVaults(at)) {
    const shares = await clearing.collateralOf(accountId, vault, at);
    const moved = ratio === WAD ? shares : mulWadDown(shares, ratio);
    if (moved === 0n) continue;
    const config = await clearing.collateralConfig(vault, at);
    const assets = await CollateralVault__factory.connect(vault, clearing.runner).convertToAssets(moved, at);
    const priceWad = config.asset.toLowerCase() === quoteAsset ? WAD : await livePrice(config.asset);
    const amountWad = toWadDown(assets, Number(config.assetDecimals));
    seizedWad += mulWadDown(mulWadDown(amountWad, priceWad), WAD - config.haircutWad);
  }
  const grossWad = seizedWad + quote.coveredWad;
  const receivedWad = grossWad > quote.penaltyWad ? grossWad - quote.penaltyWad : 0n;
  return {
    blockNumber: block.number,
    timestamp: nowTs,
    liabilityWad,
    receivedWad,
    pricesWad: Object.fromEntries(prices),
  };
}
