/** What the lifecycle did, as figures (returned, checked by test/e2e/Lifecycle.test.ts) and as its closing step. */
import type { LiquidationFigures } from "../liquidation";
import type { PremiumTrade } from "./acts/writing";
import { contracts, formatUnits, percent, usd, type Narrator } from "./narrator";

export interface LifecycleSummary {
  network: string;
  contractsDeployed: number;
  seriesId: bigint;
  /** Alice's signed sell order crossed by Bob's on the order book: the premium each side's account moved. */
  trade: PremiumTrade;
  /** Refusals shown on the way, "what: CustomError". */
  refusals: string[];
  trip: {
    reason: bigint;
    trippedAt: number;
    resumableAt: number;
    resumedAt: number;
    graceEndsAt: number;
    /** The governance Safe's transaction that scheduled the resume: the owners who signed it. */
    governance: {
      safe: string;
      threshold: number;
      signers: string[];
      safeTxHash: string;
      safeNonceAfter: bigint;
    };
    /** The price the oracle served after the crash (WAD). */
    priceAfterCrashWad: bigint;
  };
  alice: {
    accountId: bigint;
    /** Health right after the crash, before the top-up. */
    collateralAfterCrashWad: bigint;
    maintenanceAfterCrashWad: bigint;
    shortBefore: bigint;
    shortAfterLiquidation: bigint;
    /** USDC Alice got back from the vault at the end. */
    redeemedUsdc: bigint;
  };
  carol: { accountId: bigint; shortAfterLiquidation: bigint; redeemedUsdc: bigint; redeemedWeth: bigint };
  auction: { elapsedSeconds: number; discountWad: bigint }[];
  liquidation: LiquidationFigures & { elapsedSeconds: number; insuranceGainUsdc: bigint };
  settlement: { priceWad: bigint; payoutPerContractWad: bigint; byFallback: boolean };
  exercises: { holder: string; amount: bigint; paidUsdc: bigint }[];
  insurance: { stakedUsdc: bigint; redeemedUsdc: bigint };
  /** USDC every participant put in and took out (wallet balances at the start and the end), by name. */
  usdcIn: Record<string, bigint>;
  usdcOut: Record<string, bigint>;
  /** What is left in the protocol at the end. */
  leftInUsdcVault: bigint;
  leftInWethVault: bigint;
  openInterestAtEnd: { shorts: bigint; longsInAccounts: bigint; longTokens: bigint };
}

/** The closing step: the summary as narration. */
export function printSummary(n: Narrator, s: LifecycleSummary): void {
  n.step("Summary");
  n.line(
    `${s.contractsDeployed} contracts deployed on '${s.network}', governance held by the timelock, ` +
      `proposed to by the Safe ${s.trip.governance.safe} (threshold ${s.trip.governance.threshold})`,
  );
  n.line(
    `crash to ${usd(s.trip.priceAfterCrashWad)} tripped the WETH scope; resumed through the timelock ` +
      `${s.trip.resumedAt - s.trip.trippedAt} s later (cooldown ${s.trip.resumableAt - s.trip.trippedAt} s), ` +
      `then ${s.trip.graceEndsAt - s.trip.resumedAt} s of grace without liquidations`,
  );
  n.line(
    `Bob bought ${contracts(s.trade.contracts)} puts from Alice through the order book (matched on-chain in ` +
      `${s.trade.book.txHash.slice(0, 10)}…, ${s.trade.book.status}) at ` +
      `${formatUnits(s.trade.premiumPerContractUsdc, 6)} USDC: Bob paid ${formatUnits(s.trade.paidByBobUsdc, 6)} USDC ` +
      `premium on-chain, Alice received ${formatUnits(s.trade.receivedByAliceUsdc, 6)}, fees ` +
      `${formatUnits(s.trade.feesUsdc, 6)}`,
  );
  n.line(`${s.refusals.length} refusals shown: ${s.refusals.map((r) => r.split(": ")[1]).join(", ")}`);
  n.line(
    `auction: ${s.auction.map((a) => `${percent(a.discountWad)} at ${a.elapsedSeconds} s`).join(", ")}; ` +
      `Alice liquidated ${percent(s.liquidation.fractionWad)} at ${percent(s.liquidation.discountWad)} ` +
      `(${contracts(s.alice.shortBefore)} -> ${contracts(s.alice.shortAfterLiquidation)} puts short), ` +
      `insurance +${formatUnits(s.liquidation.insuranceGainUsdc, 6)} USDC`,
  );
  n.line(
    `settled at ${usd(s.settlement.priceWad)}, ${usd(s.settlement.payoutPerContractWad)} USDC per put; exercised: ` +
      s.exercises.map((e) => `${e.holder} ${formatUnits(e.paidUsdc, 6)}`).join(", "),
  );
  n.line("USDC in -> out per participant:");
  for (const name of Object.keys(s.usdcOut)) {
    // Whole cents, rounded half up, so that each line's change is the difference of the figures it shows.
    const into = toCents(s.usdcIn[name] ?? 0n);
    const out = toCents(s.usdcOut[name]);
    n.line(
      `  ${name.padEnd(6)} ${formatUnits(into, 2).padStart(12)} -> ${formatUnits(out, 2).padStart(12)}  ` +
        `(${out - into >= 0n ? "+" : ""}${formatUnits(out - into, 2)})`,
    );
  }
  n.line(
    `left in the protocol: ${formatUnits(s.leftInUsdcVault, 6)} USDC, ${formatUnits(s.leftInWethVault, 18)} WETH; ` +
      `open interest ${contracts(s.openInterestAtEnd.shorts)} short / ` +
      `${contracts(s.openInterestAtEnd.longsInAccounts + s.openInterestAtEnd.longTokens)} long`,
  );
}

/** A non-negative USDC amount (6 decimals) in whole cents, rounded half up. */
function toCents(usdc: bigint): bigint {
  return (usdc + 5_000n) / 10_000n;
}
