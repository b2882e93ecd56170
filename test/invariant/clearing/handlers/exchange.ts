/**
 * Signed orders on the exchange: `fill` by the taker account's owner or operator, `matchOrders` by the keeper (the
 * EXECUTOR) crossing one taker order against one to three makers, `cancel`, `setMinNonce`, and the guardian's pause
 * of TRADE. Each predicts the order-level refusal (who may fill, expiry, cancellation, min nonce, overfill, self
 * trade, price not crossed) and the clearing's (expiry, the breaker for a growing trade, a written-off series, dust),
 * accepting only the margin and collateral errors it cannot price exactly. After a success: INV_EXCHANGE_PREMIUM,
 * INV_EXCHANGE_FILL_BOUNDS over every order of the run, INV_INITIAL_MARGIN_AFTER_ACTION for every side that grew.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { WAD } from "../../../../scripts/lib/math/wad";
import { Side, buildOrder, signOrder } from "../../../../src/exchange/order";
import { HOUR, USDC_UNIT } from "../../../shared/fixtures/system";
import { INV, assertInvariant } from "../../../shared/invariants";
import { anyOf, attempt, checkInitialMargin, frac, pick, type Expectation } from "../expectations";
import { healthOf, noteTrip, oracleDown, report, scopeId, trippedNow } from "../model";
import {
  MAKER_FEE,
  TAKER_FEE,
  TIME_SLACK_SECONDS,
  stats,
  type ScopeName,
  type SignedOrder,
  type World,
} from "../world";
import type { Handler, Params } from "./handler";

/** The exchange's smallest fill (MIN_LOT_CONTRACTS_WAD): 0.001 contract. */
const MIN_LOT = WAD / 1000n;
/** Scopes whose trip refuses a trade that grows a position (TradeLogic `_guard`). */
const TRADE_GUARDS: readonly ScopeName[] = ["TRADE", "WRITE", "ASSET", "GLOBAL"];
/** Errors of the margin and collateral checks, which the handlers do not price exactly. */
const MARGIN_ERRORS = [
  "BelowInitialMargin",
  "InsufficientCollateral",
  "MarginExcessDecreased",
  "RequirementRoundsToZero",
];

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const shortOf = (x: bigint): bigint => (x < 0n ? -x : 0n);

/** 0.001 .. 2 contracts from a step's permille (and a salt, so the makers of one match differ). */
const contractsOf = (permille: number, salt = 0): bigint =>
  MIN_LOT * BigInt(1 + ((permille * 7 + salt * 331) % 2000));

/** A premium of 1 .. 150 USDC per contract. */
const premiumOf = (permille: number): bigint => BigInt(1 + (permille % 150)) * USDC_UNIT;

/** Sign a fresh order of `book.accounts[account]`; bob's orders are signed by carol (his operator) when asked. */
async function signFresh(
  w: World,
  account: number,
  fields: { side: Side; seriesId: bigint; amount: bigint; price: bigint },
  p: Params,
): Promise<SignedOrder> {
  const { accounts, bob, carol } = w.book;
  const owner = accounts[account].owner;
  const signer: HardhatEthersSigner = owner.address === bob.address && p.actor === 2 ? carol : owner;
  const nonce = w.nonces.get(owner.address) ?? 0n;
  w.nonces.set(owner.address, nonce + 1n);
  const order = buildOrder({
    accountId: accounts[account].id,
    owner: owner.address,
    signer: signer.address,
    seriesId: fields.seriesId,
    side: fields.side,
    amount: fields.amount,
    limitPremiumPerContract: fields.price,
    maxFeePerContract: TAKER_FEE,
    // One hour to four days: most resting orders outlive a few steps, some expire.
    expiry: BigInt((await time.latest()) + HOUR * (1 + (p.permille % 96))),
    nonce,
  });
  const signature = await signOrder(signer, w.domain, order);
  const hash = await w.book.exchange.hashOrder(order);
  const g: SignedOrder = { order, signature, hash, account, filled: 0n, cancelledBy: new Set() };
  w.orders.push(g);
  return g;
}

/**
 * The exchange's refusal of `amount` of order `g` (its `_status` rules in their order), or what it may refuse near a
 * boundary. `must` is the first certain refusal.
 */
async function orderRefusal(w: World, g: SignedOrder, amount: bigint): Promise<Expectation> {
  const o = g.order;
  const next = BigInt((await time.latest()) + 1);
  const allow: string[] = [];
  if (next > o.expiry) return { must: "OrderExpired" };
  if (next + BigInt(TIME_SLACK_SECONDS) > o.expiry) allow.push("OrderExpired");
  if (g.cancelledBy.has(o.owner) || g.cancelledBy.has(o.signer)) return { must: "OrderIsCancelled", allow };
  if (o.nonce < (w.minNonce.get(o.owner) ?? 0n)) return { must: "NonceBelowMin", allow };
  if (amount > o.amount - g.filled) return { must: "Overfill", allow };
  if (o.signer !== o.owner && !(await w.book.clearing.isOperator(o.owner, o.signer)))
    return { must: "SignerNotAuthorized", allow };
  return { allow };
}

/** One trade of a call, as the exchange hands it to the clearing. */
interface TradeLeg {
  seller: bigint;
  buyer: bigint;
  amount: bigint;
  price: bigint;
  sellerFee: bigint;
  buyerFee: bigint;
}

/** What the clearing does with the legs of one call: its certain refusal, the errors it may raise, who grows. */
interface ClearingForecast {
  exp: Expectation;
  /** A growing trade while a TRADE guard is tripped: the call must revert (INV_BREAKER_GUARDS). */
  blocked: boolean;
  grew: Set<bigint>;
}

async function forecastClearing(w: World, seriesIdx: number, legs: TradeLeg[]): Promise<ClearingForecast> {
  const { clearing, series } = w.book;
  const s = series[seriesIdx];
  const next = (await time.latest()) + 1;
  const tripped = await trippedNow(w);
  const guarded = anyOf(tripped, ...TRADE_GUARDS);
  const writtenOff = await clearing.writtenOff(s.id);
  const position = new Map<bigint, bigint>();
  const at = async (id: bigint) => position.get(id) ?? (await clearing.positionOf(id, s.id));
  const grew = new Set<bigint>();
  let growing = false;
  let reducing = false;
  let impaired = false;
  let dust = false;
  for (const t of legs) {
    const sellerBefore = await at(t.seller);
    const buyerBefore = await at(t.buyer);
    const sellerGrows = sellerBefore < t.amount;
    const buyerGrows = buyerBefore > -t.amount;
    if (sellerGrows) grew.add(t.seller);
    if (buyerGrows) grew.add(t.buyer);
    growing ||= sellerGrows || buyerGrows;
    reducing ||= !sellerGrows || !buyerGrows;
    const shortsBefore = shortOf(sellerBefore) + shortOf(buyerBefore);
    const shortsAfter = shortOf(sellerBefore - t.amount) + shortOf(buyerBefore + t.amount);
    impaired ||= writtenOff > 0n && shortsAfter > shortsBefore;
    dust ||= t.price <= t.sellerFee;
    position.set(t.seller, sellerBefore - t.amount);
    position.set(t.buyer, buyerBefore + t.amount);
  }
  // The clearing's checks in order: expiry, a growing side's auction, the breaker, the impairment, the premium
  // (dust, the buyer's collateral), then the margin checks (priced at untripped prices only, with a quorum).
  if (next >= s.expiry) return { exp: { must: "SeriesExpired" }, blocked: false, grew };
  const early: string[] = [];
  if (s.expiry - next <= TIME_SLACK_SECONDS) early.push("SeriesExpired");
  if (growing) early.push("AccountInLiquidation");
  // A reducing side of an account with a short or debt is valued before the breaker is asked: without a quorum the
  // oracle's error comes first.
  if (reducing && oracleDown(w)) early.push("QuorumNotMet");
  const late = [...MARGIN_ERRORS];
  if (tripped.size > 0) late.push("ScopeTripped");
  if (oracleDown(w)) late.push("QuorumNotMet");
  const blocked = growing && guarded;
  // With several legs an earlier leg's premium or impairment may fail before a later leg meets the breaker.
  if (blocked)
    return {
      exp: {
        allow:
          legs.length === 1 ? [...early, "ScopeTripped"] : [...early, ...late, "SeriesImpaired", "DustTrade"],
      },
      blocked,
      grew,
    };
  if (legs.length === 1 && impaired) return { exp: { must: "SeriesImpaired", allow: early }, blocked, grew };
  if (legs.length === 1 && dust) return { exp: { must: "DustTrade", allow: early }, blocked, grew };
  const allow = [...early, ...late];
  if (impaired) allow.push("SeriesImpaired");
  if (dust) allow.push("DustTrade");
  return { exp: { allow }, blocked, grew };
}

/** The first certain refusal of a sequence of checks, with every error any of them may raise. */
function combine(...steps: Expectation[]): Expectation {
  const allow: string[] = [];
  for (const e of steps) {
    allow.push(...(e.allow ?? []));
    if (e.must !== undefined && e.must !== "succeed") return { must: e.must, allow };
  }
  return { allow };
}

/**
 * Send `tx` as `exp` predicts: a certain refusal (with the errors that may come before it) must revert, and so must a
 * trade the breaker blocks (INV_BREAKER_GUARDS).
 */
async function send(
  w: World,
  label: string,
  exp: Expectation,
  blocked: boolean,
  tx: () => Promise<ContractTransactionResponse>,
): Promise<boolean> {
  const must = exp.must !== undefined && exp.must !== "succeed" ? exp.must : undefined;
  const allow = exp.allow ?? [];
  const ok =
    must !== undefined && allow.length === 0
      ? await attempt(w, label, tx, { must })
      : await attempt(w, label, tx, { allow: must === undefined ? allow : [must, ...allow] });
  if (blocked) {
    assertInvariant(
      INV.BREAKER_GUARDS,
      !ok,
      () => `${label} grew a position while a TRADE guard was tripped`,
    );
    if (w.lastRevert === "ScopeTripped") stats.guardBlocked++;
  }
  if (ok && must !== undefined) throw new Error(`${label}: expected revert ${must}, but it succeeded`);
  return ok;
}

/** Quote-vault collateral of the parties and the fee account, the clearing's total, and whether anything is pending. */
async function snapshot(w: World, parties: readonly bigint[]) {
  const { clearing } = w.book;
  const vault = w.vaults.usdc;
  const shares = new Map<bigint, bigint>();
  let pending = false;
  for (const id of parties) {
    shares.set(id, await clearing.collateralOf(id, vault));
    // A settled series or a debt: the call's lazy settlement (or the seller's repayment) moves collateral too.
    if ((await clearing.debtOf(id)) > 0n) pending = true;
    for (const sid of await clearing.seriesOf(id)) if ((await clearing.series(sid)).settled) pending = true;
  }
  const fee = w.feeAccount === 0n ? 0n : await clearing.collateralOf(w.feeAccount, vault);
  return { shares, fee, total: await clearing.totalCollateral(vault), pending };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/**
 * After a successful call: the fee account (opened by the first fill, owned by the exchange, never replaced),
 * INV_EXCHANGE_PREMIUM from the clearing's Traded events and the collateral moved, INV_EXCHANGE_FILL_BOUNDS over
 * every order of the run, INV_INITIAL_MARGIN_AFTER_ACTION for every account that grew.
 */
async function afterTrade(w: World, label: string, legs: TradeLeg[], before: Snapshot, grew: Set<bigint>) {
  const { clearing, exchange, usdcVault } = w.book;
  const feeAccount = await exchange.feeAccountId();
  if (w.feeAccount === 0n) {
    expect(feeAccount, "fee account opened by the first fill").to.be.greaterThan(0n);
    expect(await clearing.ownerOf(feeAccount), "fee account owner").to.equal(await exchange.getAddress());
    w.feeAccount = feeAccount;
  } else expect(feeAccount, "fee account").to.equal(w.feeAccount);

  const address = await clearing.getAddress();
  const traded = (w.lastReceipt?.logs ?? [])
    .filter((l) => l.address.toLowerCase() === address.toLowerCase())
    .map((l) => clearing.interface.parseLog(l))
    .filter((e) => e?.name === "Traded");
  expect(traded.length, `${label}: Traded events`).to.equal(legs.length);
  let paid = 0n;
  let received = 0n;
  const moved = new Map<bigint, bigint>();
  for (let i = 0; i < legs.length; i++) {
    const t = legs[i];
    const e = traded[i]!.args;
    expect([e.sellerAccountId, e.buyerAccountId, e.amount], `${label}: trade ${i}`).to.deep.equal([
      t.seller,
      t.buyer,
      t.amount,
    ]);
    paid += e.paidShares;
    received += e.receivedShares;
    moved.set(t.buyer, (moved.get(t.buyer) ?? 0n) - e.paidShares);
    moved.set(t.seller, (moved.get(t.seller) ?? 0n) + e.receivedShares);
    // The buyer pays at least, the seller receives at most, what the signed price (with each side's fee) is worth.
    const paidAssets = await usdcVault.convertToAssets(e.paidShares);
    const receivedAssets = await usdcVault.convertToAssets(e.receivedShares);
    assertInvariant(
      INV.EXCHANGE_PREMIUM,
      paidAssets >= (t.amount * (t.price + t.buyerFee)) / WAD &&
        receivedAssets <= (t.amount * (t.price - t.sellerFee)) / WAD,
      () =>
        `${label}: trade ${i} paid ${paidAssets}, received ${receivedAssets} for ${t.amount} at ${t.price}`,
    );
  }
  const after = await snapshot(w, [...before.shares.keys()]);
  const feeGain = after.fee - before.fee;
  assertInvariant(
    INV.EXCHANGE_PREMIUM,
    paid === received + feeGain && feeGain >= 0n,
    () => `${label}: buyers paid ${paid} shares, sellers received ${received}, the fee account ${feeGain}`,
  );
  if (before.pending) stats.premiumChecks.settled++;
  else {
    // Nothing else moved collateral in the call: each party moved exactly its premiums, the total is unchanged.
    stats.premiumChecks.exact++;
    assertInvariant(
      INV.EXCHANGE_PREMIUM,
      after.total === before.total,
      () => `${label}: quote totalCollateral ${before.total} -> ${after.total}`,
    );
    for (const [id, delta] of moved) {
      const actual = after.shares.get(id)! - before.shares.get(id)!;
      assertInvariant(
        INV.EXCHANGE_PREMIUM,
        actual === delta,
        () => `${label}: account ${id} moved ${actual} shares, its trades ${delta}`,
      );
    }
  }
  await checkFillBounds(w, label);
  for (const id of grew) if ((await healthOf(w, id)) !== null) await checkInitialMargin(w, label, id);
}

/** INV_EXCHANGE_FILL_BOUNDS: every order of the run is filled as the ghost model says, never beyond its amount. */
async function checkFillBounds(w: World, label: string): Promise<void> {
  for (const g of w.orders) {
    const filled = await w.book.exchange.filled(g.hash);
    assertInvariant(
      INV.EXCHANGE_FILL_BOUNDS,
      filled === g.filled && filled <= g.order.amount,
      () => `${label}: order ${g.hash} filled ${filled} (model ${g.filled}) of ${g.order.amount}`,
    );
  }
}

/** An account of another owner than `account`'s (or of the same owner when `same`), searched from `start`. */
function counterparty(w: World, account: number, start: number, same: boolean): Promise<number> {
  const { accounts } = w.book;
  const owner = accounts[account].owner.address;
  return pick(accounts.length, start, async (i) =>
    same ? i !== account && accounts[i].owner.address === owner : accounts[i].owner.address !== owner,
  );
}

/** The index of a series open for trading, from the step's (the step's own when none is: late in a run). */
async function tradableSeries(w: World, p: Params): Promise<number> {
  const latest = await time.latest();
  const { series, clearing } = w.book;
  return pick(
    series.length,
    p.series,
    async (j) =>
      series[j].expiry > latest + TIME_SLACK_SECONDS && (await clearing.writtenOff(series[j].id)) === 0n,
  );
}

/** Fill `amount` of `g` from `book.accounts[takerIdx]`, sent by `caller`, predicted and checked. */
async function fillOnce(
  w: World,
  g: SignedOrder,
  amount: bigint,
  takerIdx: number,
  caller: HardhatEthersSigner,
  label = "fill",
): Promise<boolean> {
  const { clearing, exchange, accounts, series } = w.book;
  const taker = accounts[takerIdx];
  const o = g.order;
  const makerSells = o.side === Side.Sell;
  const leg: TradeLeg = {
    seller: makerSells ? o.accountId : taker.id,
    buyer: makerSells ? taker.id : o.accountId,
    amount,
    price: o.limitPremiumPerContract,
    sellerFee: makerSells ? MAKER_FEE : TAKER_FEE,
    buyerFee: makerSells ? TAKER_FEE : MAKER_FEE,
  };
  const controller =
    caller.address === taker.owner.address ||
    (await clearing.isOperator(taker.owner.address, caller.address));
  const seriesIdx = series.findIndex((s) => s.id === o.seriesId);
  const forecast = await forecastClearing(w, seriesIdx, [leg]);
  const exp = combine(
    controller ? {} : { must: "NotAccountController" },
    await orderRefusal(w, g, amount),
    o.owner === taker.owner.address ? { must: "SelfTrade" } : {},
    forecast.exp,
  );
  const blocked = forecast.blocked && exp.must === undefined;
  const before = await snapshot(w, [leg.seller, leg.buyer]);
  const ok = await send(w, label, exp, blocked, () =>
    exchange.connect(caller).fill(o, g.signature, amount, taker.id, TAKER_FEE),
  );
  if (!ok) return false;
  g.filled += amount;
  await afterTrade(w, label, [leg], before, forecast.grew);
  return true;
}

export const fill: Handler = {
  kind: "fill",
  weight: 4,
  async run(w, p) {
    const { accounts, actors, series } = w.book;
    let g: SignedOrder;
    let amount: bigint;
    // flag 0 asks for one miss, chosen by permille: an arbitrary caller, a self trade, or a dust price.
    const miss = p.flag === 0 ? (["caller", "self", "dust"] as const)[p.permille % 3] : undefined;
    if (p.flag >= 7 && w.orders.length > 0) {
      // A resting order of the run: a part of what is left, or (flag 9, half the time) more than is left.
      g = w.orders[p.permille % w.orders.length];
      const left = g.order.amount - g.filled;
      const part = frac(left, p.permille);
      const over = p.flag === 9 && p.permille % 2 === 0;
      amount = over || left < MIN_LOT ? left + MIN_LOT : part < MIN_LOT ? MIN_LOT : part;
    } else {
      // A fresh order; a dust miss prices it at the seller's fee.
      const seriesIdx = await tradableSeries(w, p);
      const side = p.vault === 0 ? Side.Buy : Side.Sell;
      amount = contractsOf(p.permille);
      const price = miss === "dust" ? (side === Side.Sell ? MAKER_FEE : TAKER_FEE) : premiumOf(p.permille);
      const orderAmount = amount * BigInt(1 + (p.scope % 3));
      g = await signFresh(
        w,
        p.account,
        { side, seriesId: series[seriesIdx].id, amount: orderAmount, price },
        p,
      );
    }
    // A self-trade miss: the taker is another account of the maker's owner.
    const takerIdx = await counterparty(
      w,
      g.account,
      (p.other * 2 + p.actor) % accounts.length,
      miss === "self",
    );
    const taker = accounts[takerIdx];
    // carol operates bob's accounts half the time; a caller miss: an arbitrary actor (maybe the taker's controller).
    const caller =
      miss === "caller"
        ? actors[p.actor]
        : taker.owner.address === w.book.bob.address && p.actor === 2
          ? w.book.carol
          : taker.owner;
    await fillOnce(w, g, amount, takerIdx, caller);
  },
};

export const matchOrders: Handler = {
  kind: "matchOrders",
  weight: 3,
  async run(w, p) {
    const { accounts, actors, series, exchange, keeper } = w.book;
    const seriesIdx = await tradableSeries(w, p);
    const seriesId = series[seriesIdx].id;
    const takerSide = p.vault === 0 ? Side.Buy : Side.Sell;
    const takerSells = takerSide === Side.Sell;
    const limit = BigInt(20 + (p.permille % 150)) * USDC_UNIT;
    const n = 1 + (p.permille % 3);
    const makers: SignedOrder[] = [];
    const amounts: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const makerIdx = await counterparty(w, p.account, (p.other * 2 + i) % accounts.length, false);
      // Each maker's price is within the taker's limit (a better one for the taker as i grows); flag 0 puts the
      // last one a unit beyond it half the time.
      const miss = p.flag === 0 && p.permille % 2 === 0 && i === n - 1;
      const step = BigInt(i) * USDC_UNIT;
      const price = miss
        ? takerSells
          ? limit - USDC_UNIT
          : limit + USDC_UNIT
        : takerSells
          ? limit + step
          : limit - step;
      const amount = contractsOf(p.permille, i + 1);
      amounts.push(amount);
      makers.push(
        await signFresh(
          w,
          makerIdx,
          {
            side: takerSells ? Side.Buy : Side.Sell,
            seriesId,
            amount: amount * BigInt(1 + ((p.scope + i) % 2)),
            price,
          },
          p,
        ),
      );
    }
    const total = amounts.reduce((a, b) => a + b, 0n);
    const taker = await signFresh(
      w,
      p.account,
      { side: takerSide, seriesId, amount: total, price: limit },
      p,
    );
    // flag 0 (the other half): an actor without EXECUTOR_ROLE submits.
    const caller = p.flag === 0 && p.permille % 2 === 1 ? actors[p.actor] : keeper;

    const legs: TradeLeg[] = makers.map((m, i) => ({
      seller: takerSells ? taker.order.accountId : m.order.accountId,
      buyer: takerSells ? m.order.accountId : taker.order.accountId,
      amount: amounts[i],
      price: m.order.limitPremiumPerContract,
      sellerFee: takerSells ? TAKER_FEE : MAKER_FEE,
      buyerFee: takerSells ? MAKER_FEE : TAKER_FEE,
    }));
    const steps: Expectation[] = [
      caller.address === keeper.address ? {} : { must: "AccessManagedUnauthorized" },
      await orderRefusal(w, taker, total),
    ];
    for (let i = 0; i < n; i++) {
      const m = makers[i].order;
      steps.push(await orderRefusal(w, makers[i], amounts[i]));
      const crossed = takerSells ? m.limitPremiumPerContract >= limit : m.limitPremiumPerContract <= limit;
      if (!crossed) steps.push({ must: "PriceNotCrossed" });
      if (m.owner === taker.order.owner) steps.push({ must: "SelfTrade" });
    }
    const forecast = await forecastClearing(w, seriesIdx, legs);
    steps.push(forecast.exp);
    const exp = combine(...steps);
    const blocked = forecast.blocked && exp.must === undefined;
    const before = await snapshot(w, [...new Set(legs.flatMap((t) => [t.seller, t.buyer]))]);
    const ok = await send(w, "matchOrders", exp, blocked, () =>
      exchange.connect(caller).matchOrders(
        taker.order,
        taker.signature,
        makers.map((m) => m.order),
        makers.map((m) => m.signature),
        amounts,
      ),
    );
    if (!ok) return;
    taker.filled += total;
    makers.forEach((m, i) => (m.filled += amounts[i]));
    stats.inc(stats.ok, `matchOrders:${n}makers`);
    await afterTrade(w, "matchOrders", legs, before, forecast.grew);
  },
};

export const cancel: Handler = {
  kind: "cancel",
  weight: 2,
  async run(w, p) {
    const { accounts, actors, exchange, series } = w.book;
    if (w.orders.length === 0) {
      const seriesIdx = await tradableSeries(w, p);
      const side = p.vault === 0 ? Side.Buy : Side.Sell;
      const amount = contractsOf(p.permille);
      await signFresh(
        w,
        p.account,
        { side, seriesId: series[seriesIdx].id, amount, price: premiumOf(p.permille) },
        p,
      );
    }
    const g = w.orders[p.permille % w.orders.length];
    const o = g.order;
    // The owner or the signer cancels; flag 0: a stranger, whose cancellation binds nothing.
    const stranger = actors.find((a) => a.address !== o.owner && a.address !== o.signer)!;
    const signer = actors.find((a) => a.address === o.signer)!;
    const owner = actors.find((a) => a.address === o.owner)!;
    const by = p.flag === 0 ? stranger : p.actor === 2 ? signer : owner;
    await attempt(w, "cancel", () => exchange.connect(by).cancel([g.hash]), { must: "succeed" });
    g.cancelledBy.add(by.address);
    expect(await exchange.cancelled(by.address, g.hash), "cancelled(by, hash)").to.equal(true);
    // A later fill: refused once the owner or the signer cancelled (orderRefusal predicts OrderIsCancelled).
    const takerIdx = await counterparty(w, g.account, p.other, false);
    const ok = await fillOnce(w, g, MIN_LOT, takerIdx, accounts[takerIdx].owner, "fillAfterCancel");
    assertInvariant(
      INV.EXCHANGE_FILL_BOUNDS,
      !(ok && (g.cancelledBy.has(o.owner) || g.cancelledBy.has(o.signer))),
      () => `a fill of cancelled order ${g.hash} succeeded`,
    );
  },
};

export const setMinNonce: Handler = {
  kind: "setMinNonce",
  weight: 1,
  async run(w, p) {
    // An owner kills every order it signed so far; flag 0 (or nothing signed since): a value not above the current.
    const who = w.book.actors[p.actor];
    const current = w.minNonce.get(who.address) ?? 0n;
    const next = w.nonces.get(who.address) ?? 0n;
    const raise = p.flag !== 0 && next > current;
    const value = raise ? next : current;
    const ok = await attempt(w, "setMinNonce", () => w.book.exchange.connect(who).setMinNonce(value), {
      must: raise ? "succeed" : "NonceNotIncreasing",
    });
    if (ok) w.minNonce.set(who.address, value);
    expect(await w.book.exchange.minNonce(who.address), "minNonce").to.equal(
      w.minNonce.get(who.address) ?? 0n,
    );
  },
};

export const pauseTrade: Handler = {
  kind: "pauseTrade",
  weight: 1,
  async run(w, p) {
    // The guardian pauses trading half the time (else governance's resume of an untripped TRADE is refused); while
    // it is paused, governance resumes it once the cooldown has passed (`resume` also resumes it among the others).
    const { breaker, guardian, governor } = w.book;
    const id = scopeId(w, "TRADE");
    if (!(await trippedNow(w)).has("TRADE")) {
      if (p.flag >= 5) {
        await attempt(w, "resume", () => breaker.connect(governor).resume(id), { must: "ScopeNotTripped" });
        return;
      }
      await attempt(w, "pause", () => breaker.connect(guardian).pause(id, "campaign"), { must: "succeed" });
      noteTrip(w, "TRADE", "guardian");
      stats.inc(stats.ok, "trip:TRADE");
      return;
    }
    const resumable = Number(await breaker.resumableAt(id));
    if ((await time.latest()) + 1 < resumable) {
      await time.increaseTo(resumable);
      await report(w, w.spot);
    }
    if (await attempt(w, "resume", () => breaker.connect(governor).resume(id), { must: "succeed" }))
      w.tripped.delete("TRADE");
  },
};
