/** Act 10: Alice, Carol and Bob withdraw their collateral and redeem vault shares; Erin leaves the insurance vault. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MockERC20__factory, type CollateralVault } from "../../../../typechain-types";
import { check } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { formatUnits } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

export interface Redemption {
  aliceUsdc: bigint;
  carolUsdc: bigint;
  carolWeth: bigint;
  bobUsdc: bigint;
  erinUsdc: bigint;
  leftInUsdcVault: bigint;
  leftInWethVault: bigint;
  openInterest: { shorts: bigint; longsInAccounts: bigint; longTokens: bigint };
}

export async function redemptionAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount, bobAccount, erinShares }: Accounts,
  { seriesId }: Series,
): Promise<Redemption> {
  const { n, clearing, insurance, usdcVault, wethVault, usdc } = ctx;
  const { alice, bob, carol, erin } = ctx.cast;
  n.step(
    "Redemption: Alice, Carol and Bob withdraw their collateral and redeem vault shares; Erin leaves insurance",
  );
  const redeemAll = async (
    who: HardhatEthersSigner,
    accountId: bigint,
    vault: CollateralVault,
  ): Promise<bigint> => {
    const vaultAddress = await vault.getAddress();
    const shares = await clearing.collateralOf(accountId, vaultAddress);
    if (shares > 0n)
      await wait(clearing.connect(who).withdrawCollateral(accountId, vaultAddress, shares, who.address));
    const held = await vault.balanceOf(who.address);
    const token = MockERC20__factory.connect(await vault.asset(), who);
    const before = await token.balanceOf(who.address);
    if (held > 0n) await wait(vault.connect(who).redeem(held, who.address, who.address));
    return (await token.balanceOf(who.address)) - before;
  };
  const aliceRedeemed = await redeemAll(alice, aliceAccount, usdcVault);
  n.progress("redeeming", 1, 5, `Alice: ${formatUnits(aliceRedeemed, 6)} USDC`);
  const carolUsdc = await redeemAll(carol, carolAccount, usdcVault);
  n.progress("redeeming", 2, 5, `Carol: ${formatUnits(carolUsdc, 6)} USDC`);
  const carolWeth = await redeemAll(carol, carolAccount, wethVault);
  n.progress("redeeming", 3, 5, `Carol: ${formatUnits(carolWeth, 18, 4)} WETH`);
  const bobUsdc = await redeemAll(bob, bobAccount, usdcVault);
  n.progress("redeeming", 4, 5, `Bob: ${formatUnits(bobUsdc, 6)} USDC`);
  const erinBefore = await usdc.balanceOf(erin.address);
  await wait(insurance.connect(erin).redeem(erinShares, erin.address, erin.address));
  const erinRedeemed = (await usdc.balanceOf(erin.address)) - erinBefore;
  n.progress("redeeming", 5, 5, `Erin: ${formatUnits(erinRedeemed, 6)} USDC from insurance`);
  for (const [name, id] of [
    ["Alice", aliceAccount],
    ["Carol", carolAccount],
    ["Bob", bobAccount],
  ] as const) {
    const h = await clearing.health(id);
    check(
      h.collateralValueWad === 0n && h.maintenanceWad === 0n && h.debtWad === 0n,
      `${name}'s account should be empty and owe nothing`,
    );
  }
  const [shorts, longsInAccounts, longTokens] = await clearing.openInterest(seriesId);
  const leftInUsdcVault = await usdcVault.totalAssets();
  const leftInWethVault = await wethVault.totalAssets();
  check(leftInUsdcVault <= 10n, `the USDC vault should hold dust only, it holds ${leftInUsdcVault}`);
  await ctx.showWallets();
  check(carolWeth <= S.carolDepositWeth && S.carolDepositWeth - carolWeth <= 10n, "Carol's WETH came back");
  return {
    aliceUsdc: aliceRedeemed,
    carolUsdc,
    carolWeth,
    bobUsdc,
    erinUsdc: erinRedeemed,
    leftInUsdcVault,
    leftInWethVault,
    openInterest: { shorts, longsInAccounts, longTokens },
  };
}
