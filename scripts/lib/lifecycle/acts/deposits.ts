/** Act 2: Erin stakes insurance; Alice, Carol and Bob fund collateral vaults and clearing accounts. */
import { wait, type LifecycleContext } from "../context";
import { formatUnits } from "../narrator";
import { SCENARIO as S } from "../scenario";

export interface Accounts {
  aliceAccount: bigint;
  carolAccount: bigint;
  /** Bob's account, which pays the premium of the puts he buys. */
  bobAccount: bigint;
  /** Erin's insurance shares, with a withdrawal requested. */
  erinShares: bigint;
}

export async function depositsAct(ctx: LifecycleContext): Promise<Accounts> {
  const { n, clearing, breaker, insurance, usdcVault, wethVault, usdc, weth, market, record } = ctx;
  const { alice, bob, carol, erin } = ctx.cast;
  const c = record.contracts;
  n.step(
    "Deposits: Erin stakes insurance; Alice, Carol and Bob fund collateral vaults and clearing accounts",
  );
  await ctx.mintUsdc("Erin", erin, S.insuranceStakeUsdc);
  await wait(usdc.connect(erin).approve(c.InsuranceVault, S.insuranceStakeUsdc));
  await wait(insurance.connect(erin).deposit(S.insuranceStakeUsdc, erin.address));
  const erinShares = await insurance.balanceOf(erin.address);
  // Stakers wait out a cooldown: Erin files her request now to leave after the options expire.
  await wait(insurance.connect(erin).requestWithdraw(erinShares));
  const request = await insurance.withdrawalRequest(erin.address);
  n.line(
    `Erin: ${formatUnits(S.insuranceStakeUsdc, 6)} USDC staked in the insurance vault; withdrawal requested, ` +
      `claimable in ${Number(request.claimableAt) - (await market.now())} s`,
  );
  await ctx.refuse(
    "Erin redeems before her cooldown",
    () => insurance.connect(erin).redeem.staticCall(erinShares, erin.address, erin.address),
    "WithdrawalNotClaimable",
  );

  const aliceShares = await ctx.fund("Alice", alice, usdcVault, usdc, S.aliceDepositUsdc);
  const aliceAccount = await ctx.openAccount(alice);
  await wait(clearing.connect(alice).depositCollateral(aliceAccount, c["CollateralVault.USDC"], aliceShares));
  const carolUsdcShares = await ctx.fund("Carol", carol, usdcVault, usdc, S.carolDepositUsdc);
  const carolWethShares = await ctx.fund("Carol", carol, wethVault, weth, S.carolDepositWeth);
  const carolAccount = await ctx.openAccount(carol);
  await wait(
    clearing.connect(carol).depositCollateral(carolAccount, c["CollateralVault.USDC"], carolUsdcShares),
  );
  await wait(
    clearing.connect(carol).depositCollateral(carolAccount, c["CollateralVault.WETH"], carolWethShares),
  );
  const bobShares = await ctx.fund("Bob", bob, usdcVault, usdc, S.bobDepositUsdc);
  const bobAccount = await ctx.openAccount(bob);
  await wait(clearing.connect(bob).depositCollateral(bobAccount, c["CollateralVault.USDC"], bobShares));
  n.line(
    `USDC vault: ${formatUnits(await usdcVault.totalAssets(), 6)} USDC; WETH vault: ` +
      `${formatUnits(await wethVault.totalAssets(), 18)} WETH; outflow capacity USDC ` +
      `${formatUnits(await breaker.outflowCapacity(record.tokens.USDC), 6)}`,
  );
  await ctx.showHealth("Alice", aliceAccount);
  await ctx.showHealth("Carol", carolAccount);
  await ctx.showHealth("Bob", bobAccount);
  await ctx.showWallets();
  return { aliceAccount, carolAccount, bobAccount, erinShares };
}
