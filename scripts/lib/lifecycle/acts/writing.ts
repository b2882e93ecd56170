/**
 * Act 3: a WETH 1,800 put for 7 days is listed; through the order book running in-process (lifecycle/book.ts) Alice
 * posts a signed order selling 2 over HTTP, Bob posts a crossing buy, the book's matcher settles the cross on-chain
 * (`matchOrders`) and Bob pays the premium from his account; he takes the longs to his wallet and sends 0.5 to Dave.
 */
import { Side } from "../../../../src/exchange/order";
import type { BookLevel, BookSnapshot, BookTradeStatus } from "../../../../src/book/types";
import { LIFECYCLE_CONFIRMATIONS, startLifecycleBook } from "../book";
import { seriesName } from "../../format/series";
import { WAD } from "../../math/wad";
import { check, checkOpenInterest } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { contracts, formatUnits } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";

export interface Series {
  seriesId: bigint;
  expiry: number;
  /** Alice's short after selling. */
  shortBefore: bigint;
  trade: PremiumTrade;
}

/** The premium of the signed order, in USDC (6 decimals), as the clearing's ledger moved it. */
export interface PremiumTrade {
  contracts: bigint;
  premiumPerContractUsdc: bigint;
  /** What Bob's account paid and Alice's account received, premium and fees. */
  paidByBobUsdc: bigint;
  receivedByAliceUsdc: bigint;
  feesUsdc: bigint;
  /** How it traded: through the order book, matched and settled by its matcher. */
  book: {
    makerHash: string;
    takerHash: string;
    txHash: string;
    status: BookTradeStatus;
    asksBefore: BookLevel[];
    asksAfter: BookLevel[];
  };
}

const ORDER_LIFE_SECONDS = 3600;
/** Bob's limit sits above Alice's ask, to show the book fills at the maker's price. */
const BOB_LIMIT_ABOVE_ASK_USDC = 2n * 10n ** 6n;

/** A book's levels as one line of narration (premiums in USDC per contract). */
function levelsText(book: BookSnapshot): string {
  const side = (label: string, levels: BookLevel[]) =>
    levels.length === 0
      ? `no ${label}s`
      : levels
          .map((l) => `${label} ${contracts(BigInt(l.amount))} @ ${formatUnits(BigInt(l.price), 6)} USDC`)
          .join(", ");
  return `${side("ask", book.asks)}; ${side("bid", book.bids)}`;
}

export async function writingAct(
  ctx: LifecycleContext,
  { aliceAccount, bobAccount }: Accounts,
): Promise<Series> {
  const { n, clearing, exchange, market, wethAddress, usdcVault, hre } = ctx;
  const { lister, alice, bob, dave } = ctx.cast;
  n.step(
    "Writing and transferring: a WETH 1,800 put for 7 days; Alice sells 2 to Bob through the order book, " +
      "Bob sends 0.5 to Dave",
  );
  const expiry = (await market.now()) + S.expirySeconds;
  await wait(clearing.connect(lister).listSeries(wethAddress, S.strikeWad, expiry, false));
  const seriesId = await clearing.seriesIdOf(wethAddress, S.strikeWad, expiry, false);
  const name = seriesName({ underlying: "WETH", strikeWad: S.strikeWad, expiry, isCall: false });

  const fees = await exchange.feeSchedule();
  const book = await startLifecycleBook(hre, await exchange.getAddress());
  let trade: PremiumTrade;
  try {
    const { client } = book;
    const orderExpiry = BigInt((await market.now()) + ORDER_LIFE_SECONDS);
    n.line(
      `the order book runs in this process on PGlite (a temporary folder) at ${client.url}, matcher ${book.matcher}`,
    );
    const before = await client.book(seriesId);
    n.line(`book of ${name} before: ${levelsText(before)}`);

    const ask = await client.post(alice, {
      accountId: aliceAccount,
      seriesId,
      side: Side.Sell,
      amount: S.putsWritten,
      limitPremiumPerContract: S.putPremiumUsdc,
      maxFeePerContract: fees.makerFeePerContract,
      expiry: orderExpiry,
    });
    check(
      (await exchange.validate(ask.order, ask.signature, S.putsWritten)) === 0n,
      "Alice's signed order should validate on the exchange",
    );
    n.line(
      `Alice signs an order selling ${contracts(S.putsWritten)} ${name} at ${formatUnits(S.putPremiumUsdc, 6)} USDC ` +
        `each (account ${aliceAccount}, valid ${ORDER_LIFE_SECONDS} s) and posts it over HTTP: order ${ask.hash}`,
    );
    const resting = await client.book(seriesId);
    check(
      resting.asks.length === 1 &&
        resting.asks[0].price === S.putPremiumUsdc.toString() &&
        resting.asks[0].amount === S.putsWritten.toString(),
      `the book should show Alice's ask, shows ${JSON.stringify(resting)}`,
    );
    n.line(`book of ${name}: ${levelsText(resting)}`);

    const usdcVaultAddress = await usdcVault.getAddress();
    const assetsOf = async (accountId: bigint): Promise<bigint> =>
      usdcVault.convertToAssets(await clearing.collateralOf(accountId, usdcVaultAddress));
    const bobBefore = await assetsOf(bobAccount);
    const aliceBefore = await assetsOf(aliceAccount);
    const bid = await client.post(bob, {
      accountId: bobAccount,
      seriesId,
      side: Side.Buy,
      amount: S.putsWritten,
      limitPremiumPerContract: S.putPremiumUsdc + BOB_LIMIT_ABOVE_ASK_USDC,
      maxFeePerContract: fees.takerFeePerContract,
      expiry: orderExpiry,
    });
    n.line(
      `Bob posts a buy of ${contracts(S.putsWritten)} at up to ` +
        `${formatUnits(S.putPremiumUsdc + BOB_LIMIT_ABOVE_ASK_USDC, 6)} USDC from account ${bobAccount}: it crosses`,
    );
    const matched = await book.confirmed(bid.hash);
    const sent = await hre.ethers.provider.getTransaction(matched.txHash);
    check(
      sent !== null &&
        sent.from === book.matcher &&
        exchange.interface.parseTransaction(sent)?.name === "matchOrders",
      `the trade's transaction ${matched.txHash} should be the matcher's matchOrders`,
    );
    check(
      matched.makerHash === ask.hash && matched.price === S.putPremiumUsdc.toString(),
      `the book should match Bob against Alice's order at her price, matched ${JSON.stringify(matched)}`,
    );
    const paidByBobUsdc = bobBefore - (await assetsOf(bobAccount));
    const receivedByAliceUsdc = (await assetsOf(aliceAccount)) - aliceBefore;
    const after = await client.book(seriesId);
    check(
      after.asks.length === 0 && after.bids.length === 0,
      `the book should be empty, shows ${levelsText(after)}`,
    );
    trade = {
      contracts: S.putsWritten,
      premiumPerContractUsdc: S.putPremiumUsdc,
      paidByBobUsdc,
      receivedByAliceUsdc,
      feesUsdc: paidByBobUsdc - receivedByAliceUsdc,
      book: {
        makerHash: ask.hash,
        takerHash: bid.hash,
        txHash: matched.txHash,
        status: matched.status,
        asksBefore: resting.asks,
        asksAfter: after.asks,
      },
    };
    n.line(
      `the matcher settles it on-chain with matchOrders (tx ${matched.txHash}, block ${matched.blockNumber}), ` +
        `${matched.status} after ${LIFECYCLE_CONFIRMATIONS} blocks, at Alice's price of ` +
        `${formatUnits(BigInt(matched.price), 6)} USDC`,
    );
    n.line(`book of ${name} after: ${levelsText(after)}`);
  } finally {
    await book.stop();
  }
  const premium = (S.putsWritten * S.putPremiumUsdc) / WAD;
  check(
    // The vault's share price rounds each side by at most one unit of USDC.
    trade.receivedByAliceUsdc <= premium + 1n && trade.paidByBobUsdc + 1n >= premium,
    `premium moved: Bob paid ${trade.paidByBobUsdc}, Alice received ${trade.receivedByAliceUsdc}, signed ${premium}`,
  );
  n.line(
    `premium paid: Bob's account ${formatUnits(trade.paidByBobUsdc, 6)} USDC, Alice's account receives ` +
      `${formatUnits(trade.receivedByAliceUsdc, 6)} USDC, fees ${formatUnits(trade.feesUsdc, 6)} USDC; ` +
      `Alice's short and Bob's longs opened in the same transaction`,
  );

  await wait(clearing.connect(bob).withdrawLongs(bobAccount, seriesId, S.putsWritten, bob.address));
  await wait(clearing.connect(bob).safeTransferFrom(bob.address, dave.address, seriesId, S.putsToDave, "0x"));
  const bobLongs = await clearing.balanceOf(bob.address, seriesId);
  const daveLongs = await clearing.balanceOf(dave.address, seriesId);
  check(
    bobLongs === S.putsWritten - S.putsToDave && daveLongs === S.putsToDave,
    `longs after the transfer: Bob ${bobLongs}, Dave ${daveLongs}`,
  );
  const shortBefore = -(await clearing.positionOf(aliceAccount, seriesId));
  check(shortBefore === S.putsWritten, `Alice's short is ${shortBefore}`);
  await checkOpenInterest(clearing, seriesId);
  n.line(
    `${name} (id ${seriesId}): Alice short ${contracts(shortBefore)}, Bob long ${contracts(bobLongs)}, Dave long ` +
      `${contracts(daveLongs)}; open interest balanced`,
  );
  await ctx.showWallets(seriesId);
  await ctx.showHealth("Alice", aliceAccount);
  return { seriesId, expiry, shortBefore, trade };
}
