/**
 * Act 3: a WETH 1,800 put for 7 days is listed; Alice signs an order selling 2, Bob fills it on the exchange and pays
 * the premium from his account, takes the longs to his wallet and sends 0.5 to Dave.
 */
import { buildOrder, exchangeDomain, signOrder, Side } from "../../exchange/order";
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
}

const ORDER_LIFE_SECONDS = 3600;

export async function writingAct(
  ctx: LifecycleContext,
  { aliceAccount, bobAccount }: Accounts,
): Promise<Series> {
  const { n, clearing, exchange, market, wethAddress, usdcVault, hre } = ctx;
  const { lister, alice, bob, dave } = ctx.cast;
  n.step(
    "Writing and transferring: a WETH 1,800 put for 7 days; Alice sells 2 to Bob through a signed order, " +
      "Bob sends 0.5 to Dave",
  );
  const expiry = (await market.now()) + S.expirySeconds;
  await wait(clearing.connect(lister).listSeries(wethAddress, S.strikeWad, expiry, false));
  const seriesId = await clearing.seriesIdOf(wethAddress, S.strikeWad, expiry, false);
  const name = seriesName({ underlying: "WETH", strikeWad: S.strikeWad, expiry, isCall: false });

  const fees = await exchange.feeSchedule();
  const order = buildOrder({
    accountId: aliceAccount,
    owner: alice.address,
    signer: alice.address,
    seriesId,
    side: Side.Sell,
    amount: S.putsWritten,
    limitPremiumPerContract: S.putPremiumUsdc,
    maxFeePerContract: fees.makerFeePerContract,
    expiry: BigInt((await market.now()) + ORDER_LIFE_SECONDS),
  });
  const { chainId } = await hre.ethers.provider.getNetwork();
  const signature = await signOrder(alice, exchangeDomain(await exchange.getAddress(), chainId), order);
  check(
    (await exchange.validate(order, signature, S.putsWritten)) === 0n,
    "Alice's signed order should validate before Bob fills it",
  );
  n.line(
    `Alice signs an order selling ${contracts(S.putsWritten)} ${name} at ${formatUnits(S.putPremiumUsdc, 6)} USDC ` +
      `each (account ${aliceAccount}, valid ${ORDER_LIFE_SECONDS} s); the exchange validates it without a transaction`,
  );

  const usdcVaultAddress = await usdcVault.getAddress();
  const assetsOf = async (accountId: bigint): Promise<bigint> =>
    usdcVault.convertToAssets(await clearing.collateralOf(accountId, usdcVaultAddress));
  const bobBefore = await assetsOf(bobAccount);
  const aliceBefore = await assetsOf(aliceAccount);
  await wait(
    exchange.connect(bob).fill(order, signature, S.putsWritten, bobAccount, fees.takerFeePerContract),
  );
  const paidByBobUsdc = bobBefore - (await assetsOf(bobAccount));
  const receivedByAliceUsdc = (await assetsOf(aliceAccount)) - aliceBefore;
  const trade: PremiumTrade = {
    contracts: S.putsWritten,
    premiumPerContractUsdc: S.putPremiumUsdc,
    paidByBobUsdc,
    receivedByAliceUsdc,
    feesUsdc: paidByBobUsdc - receivedByAliceUsdc,
  };
  const premium = (S.putsWritten * S.putPremiumUsdc) / WAD;
  check(
    // The vault's share price rounds each side by at most one unit of USDC.
    receivedByAliceUsdc <= premium + 1n && paidByBobUsdc + 1n >= premium,
    `premium moved: Bob paid ${paidByBobUsdc}, Alice received ${receivedByAliceUsdc}, signed ${premium}`,
  );
  n.line(
    `Bob fills it from account ${bobAccount}: pays ${formatUnits(paidByBobUsdc, 6)} USDC, Alice's account ` +
      `receives ${formatUnits(receivedByAliceUsdc, 6)} USDC, fees ${formatUnits(trade.feesUsdc, 6)} USDC; ` +
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
