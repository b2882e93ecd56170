/**
 * The full lifecycle of the protocol on a fresh local deployment, narrated and checked step by step: the main job
 * (`npm start`, scripts/main.ts) prints it, test/e2e/Lifecycle.test.ts runs it and checks its summary. One function
 * per act of the narration (acts/), sharing the context of context.ts; the scenario's inputs in scenario.ts.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { crashAct } from "./acts/crash";
import { deployAct } from "./acts/deploy";
import { depositsAct } from "./acts/deposits";
import { exerciseAct } from "./acts/exercise";
import { expiryAct } from "./acts/expiry";
import { liquidationAct } from "./acts/liquidation";
import { redemptionAct } from "./acts/redemption";
import { resumeAct } from "./acts/resume";
import { settlementAct } from "./acts/settlement";
import { writingAct } from "./acts/writing";
import { Narrator, type LineSink } from "./narrator";
import { SCENARIO as S } from "./scenario";
import { printSummary, type LifecycleSummary } from "./summary";

export interface LifecycleOptions {
  /** Narration, one line per call (default: none). */
  log?: LineSink;
  configPath?: string;
}

/** Deploy config/local.json through the real deploy path and run the whole lifecycle on it. */
export async function runLifecycle(
  hre: HardhatRuntimeEnvironment,
  options: LifecycleOptions = {},
): Promise<LifecycleSummary> {
  const n = new Narrator(options.log ?? (() => undefined));
  const ctx = await deployAct(hre, n, options.configPath);
  const accounts = await depositsAct(ctx);
  const series = await writingAct(ctx, accounts);
  const crash = await crashAct(ctx, accounts, series);
  const resume = await resumeAct(ctx, accounts, series, crash);
  const liquidation = await liquidationAct(ctx, accounts, series);
  await expiryAct(ctx, accounts, series);
  const settled = await settlementAct(ctx, accounts, series);
  const exercises = await exerciseAct(ctx, series);
  const redemption = await redemptionAct(ctx, accounts, series);

  const usdcOut: Record<string, bigint> = {};
  for (const [name, who] of ctx.names) usdcOut[name] = await ctx.usdc.balanceOf(who.address);
  const summary: LifecycleSummary = {
    network: hre.network.name,
    contractsDeployed: Object.keys(ctx.record.contracts).length,
    seriesId: series.seriesId,
    trade: series.trade,
    refusals: ctx.refusals,
    trip: {
      reason: crash.state.reason,
      trippedAt: Number(crash.state.trippedAt),
      resumableAt: resume.resumableAt,
      resumedAt: Number(resume.resumed.resumedAt),
      graceEndsAt: resume.graceEndsAt,
      governance: resume.governance,
      priceAfterCrashWad: crash.priceAfterCrashWad,
    },
    alice: {
      accountId: accounts.aliceAccount,
      collateralAfterCrashWad: crash.aliceHealth.collateralValueWad,
      maintenanceAfterCrashWad: crash.aliceHealth.maintenanceWad,
      shortBefore: series.shortBefore,
      shortAfterLiquidation: liquidation.aliceShortAfter,
      redeemedUsdc: redemption.aliceUsdc,
    },
    carol: {
      accountId: accounts.carolAccount,
      shortAfterLiquidation: liquidation.carolShortAfter,
      redeemedUsdc: redemption.carolUsdc,
      redeemedWeth: redemption.carolWeth,
    },
    auction: liquidation.auction,
    liquidation: {
      elapsedSeconds: liquidation.elapsedSeconds,
      ...liquidation.result,
      insuranceGainUsdc: liquidation.insuranceGainUsdc,
    },
    settlement: {
      priceWad: settled.settlementPriceWad,
      payoutPerContractWad: settled.payoutPerContractWad,
      byFallback: false,
    },
    exercises,
    insurance: { stakedUsdc: S.insuranceStakeUsdc, redeemedUsdc: redemption.erinUsdc },
    usdcIn: ctx.usdcIn,
    usdcOut,
    leftInUsdcVault: redemption.leftInUsdcVault,
    leftInWethVault: redemption.leftInWethVault,
    openInterestAtEnd: redemption.openInterest,
  };
  printSummary(n, summary);
  return summary;
}
