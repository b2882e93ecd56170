/** Act 6: Carol flags Alice's account every 5 minutes; the auction discount grows; Carol liquidates part of it. */
import { liquidatedResults, type LiquidationFigures } from "../../liquidation";
import { WAD } from "../../math/wad";
import { check, checkOpenInterest } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { contracts, percent, usd } from "../narrator";
import { HOUR, SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";
import type { Series } from "./writing";

export interface Liquidation {
  auction: { elapsedSeconds: number; discountWad: bigint }[];
  result: LiquidationFigures;
  /** Seconds from the first flag to the liquidation's block. */
  elapsedSeconds: number;
  insuranceGainUsdc: bigint;
  aliceShortAfter: bigint;
  carolShortAfter: bigint;
}

export async function liquidationAct(
  ctx: LifecycleContext,
  { aliceAccount, carolAccount }: Accounts,
  { seriesId }: Series,
): Promise<Liquidation> {
  const { n, hre, clearing, insurance, market } = ctx;
  const { carol } = ctx.cast;
  n.step("Liquidation: Carol flags Alice's account every 5 minutes; the auction discount grows with time");
  await wait(clearing.connect(carol).flagLiquidatable(aliceAccount));
  const flaggedAt = await market.now();
  const auction: { elapsedSeconds: number; discountWad: bigint }[] = [];
  for (const [i, at] of S.auctionSamplesSeconds.entries()) {
    const elapsed = (await market.now()) - flaggedAt;
    if (at > elapsed) {
      await market.advance(at - elapsed);
      // A keeper re-flags a liquidatable account within the heartbeat: that keeps its auction running.
      await wait(clearing.connect(carol).flagLiquidatable(aliceAccount));
    }
    const sample = { elapsedSeconds: (await market.now()) - flaggedAt, discountWad: 0n };
    sample.discountWad = await clearing.liquidationDiscount(aliceAccount);
    const previous = auction[auction.length - 1];
    check(
      previous === undefined || sample.discountWad > previous.discountWad,
      `the discount did not grow: ${previous?.discountWad} -> ${sample.discountWad}`,
    );
    auction.push(sample);
    n.progress(
      "auction",
      i + 1,
      S.auctionSamplesSeconds.length,
      `after ${sample.elapsedSeconds} s: discount ${percent(sample.discountWad)}`,
    );
  }
  const insuranceBefore = await insurance.totalAssets();
  const deadline = (await market.now()) + HOUR;
  // Carol accepts at least 1 USDC of collateral value per 1 USDC of liability she takes over.
  const tx = await clearing.connect(carol).liquidate(aliceAccount, carolAccount, WAD, WAD, deadline);
  const receipt = await tx.wait();
  const results = liquidatedResults(clearing, receipt?.logs ?? []);
  check(results.length === 1, "one Liquidated event expected");
  const r = results[0];
  const block = await hre.ethers.provider.getBlock(receipt!.blockNumber);
  const liquidationElapsed = block!.timestamp - flaggedAt;
  // The penalty is held pending for the insurance vault; anyone (here the keeper) pays it over.
  check(
    (await clearing.pendingPenaltyShares()) > 0n,
    "the penalty should be pending for the insurance vault",
  );
  await (await clearing.connect(carol).payPenalties()).wait();
  const insuranceGain = (await insurance.totalAssets()) - insuranceBefore;
  const shortAfter = -(await clearing.positionOf(aliceAccount, seriesId));
  const carolShort = -(await clearing.positionOf(carolAccount, seriesId));
  n.line(
    `liquidated ${percent(r.fractionWad)} of Alice's portfolio at a ${percent(r.discountWad)} discount ` +
      `(after ${liquidationElapsed} s): liability ${usd(r.liabilityWad)}, collateral seized ${usd(r.seizedValueWad)}, ` +
      `penalty to insurance ${usd(r.penaltyWad)} USDC (pending, then paid by payPenalties)`,
  );
  n.line(`shorts: Alice ${contracts(shortAfter)}, Carol ${contracts(carolShort)}`);
  check(
    r.fractionWad > 0n && r.fractionWad < WAD,
    `a partial liquidation was expected, got ${r.fractionWad}`,
  );
  check(r.coveredWad === 0n && r.socialisedWad === 0n, "no bad debt was expected");
  check(shortAfter + carolShort === S.putsWritten, "the shorts moved, none appeared or vanished");
  const aliceAfter = await clearing.health(aliceAccount);
  check(aliceAfter.collateralValueWad >= aliceAfter.maintenanceWad, "Alice should be healthy after it");
  const carolAfter = await clearing.health(carolAccount);
  check(carolAfter.collateralValueWad >= carolAfter.initialWad, "Carol should end above initial margin");
  check(insuranceGain > 0n, "the insurance vault should have received the penalty");
  await checkOpenInterest(clearing, seriesId);
  await ctx.showHealth("Alice", aliceAccount);
  await ctx.showHealth("Carol", carolAccount);
  return {
    auction,
    result: r,
    elapsedSeconds: liquidationElapsed,
    insuranceGainUsdc: insuranceGain,
    aliceShortAfter: shortAfter,
    carolShortAfter: carolShort,
  };
}
