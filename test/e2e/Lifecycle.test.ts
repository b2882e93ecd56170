/**
 * The main job's lifecycle (scripts/lib/lifecycle/run.ts, what `npm start` prints) on the in-process network, through
 * the real deploy path: its own checks throw on a surprise, and here its summary is checked against what the
 * protocol's rules give from the scenario's inputs (docs/breaker.md, docs/liquidation.md, docs/options.md), not
 * against figures read back from the code.
 */
import { expect } from "chai";
import hre from "hardhat";
import { runLifecycle } from "../../scripts/lib/lifecycle/run";
import { SCENARIO } from "../../scripts/lib/lifecycle/scenario";
import type { LifecycleSummary } from "../../scripts/lib/lifecycle/summary";
import { TripReason } from "../../scripts/lib/breaker/tripReason";
import { OptionsExchange__factory } from "../../typechain-types";
import {
  discountAfter as auctionDiscountAfter,
  type AuctionParams,
} from "../../scripts/lib/math/liquidation";

const WAD = 10n ** 18n;
const USDC_PER_WAD = 10n ** 12n;
// config/local.json: breaker cooldown 1h, grace period 1h, timelock delay 1h.
const HOUR = 3600;
// docs/liquidation.md: the discount grows linearly from 2% to 10% over one hour; half the bonus is the penalty.
const AUCTION: AuctionParams = {
  startDiscountWad: WAD / 50n,
  maxDiscountWad: WAD / 10n,
  durationSeconds: 3600n,
  penaltyShareWad: WAD / 2n,
};

const discountAfter = (elapsed: number): bigint => auctionDiscountAfter(AUCTION, BigInt(elapsed));

function near(actual: bigint, expected: bigint, tolerance: bigint, what: string): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  expect(diff <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`).to.equal(true);
}

describe("e2e/Lifecycle (the main job's narrated lifecycle)", function () {
  let s: LifecycleSummary;
  const lines: string[] = [];

  before(async function () {
    this.timeout(180_000);
    s = await runLifecycle(hre, { log: (line) => lines.push(line) });
  });

  it("narrates every step and ends with a summary", () => {
    const steps = lines
      .filter((l) => l.startsWith("== "))
      .map((l) => l.replace(/^== \d+\. /, "").split(":")[0]);
    expect(steps).to.deep.equal([
      "Deploy the suite on 'hardhat' from config/local.json",
      "Deposits",
      "Writing and transferring",
      "Crash",
      "Governed resume",
      "Liquidation",
      "Expiry",
      "Settlement",
      "Exercise",
      "Redemption",
      "Summary",
    ]);
    expect(lines.some((l) => /\[#+-*\] +\d+% {2}waiting out the grace period/.test(l))).to.equal(true);
    // The series by its name (underlying, strike, P, expiry date in UTC), the raw id beside it.
    expect(lines.some((l) => /WETH-1800-P-\d{4}-\d{2}-\d{2} \(id \d+\): Alice short/.test(l))).to.equal(true);
  });

  it("prints a summary whose changes are the differences of the figures it shows", () => {
    const cents = (text: string): bigint => BigInt(text.replace(/[,.]/g, ""));
    const rows = lines
      .map((l) => /^\s+(\w+)\s+([\d,]+\.\d{2}) ->\s+([\d,]+\.\d{2})\s+\(([+-][\d,]+\.\d{2})\)$/.exec(l))
      .filter((m) => m !== null);
    expect(rows.map((m) => m[1])).to.deep.equal(["Alice", "Bob", "Carol", "Dave", "Erin"]);
    for (const [line, , into, out, change] of rows)
      expect(cents(out) - cents(into), line).to.equal(cents(change.replace("+", "")));
    // What each takes out reads as the wallet balance the redemption step showed (one rounding everywhere), and is
    // that balance to the cent: the summary rounds 60,450.955 to 60,450.96 only if the step shows 60,450.96 too.
    const wallets = lines.filter((l) => l.trim().startsWith("wallets:")).at(-1) ?? "";
    for (const [line, name, , out] of rows) {
      expect(wallets, line).to.contain(`${name} ${out} USDC`);
      const usdc = s.usdcOut[name];
      const shown = cents(out) * 10_000n;
      expect(usdc - shown >= -5_000n && usdc - shown < 5_000n, `${line}: ${usdc} USDC units`).to.equal(true);
    }
  });

  it("Bob buys Alice's puts through the order book: the matcher's matchOrders settles them at her price", async () => {
    // config/local.json sets no exchange fees: the buyer pays and the seller receives the signed premium.
    const premium = (SCENARIO.putsWritten * SCENARIO.putPremiumUsdc) / WAD;
    expect(s.trade.contracts).to.equal(SCENARIO.putsWritten);
    near(s.trade.paidByBobUsdc, premium, 1n, "premium Bob paid");
    near(s.trade.receivedByAliceUsdc, premium, 1n, "premium Alice received");
    near(s.trade.feesUsdc, 0n, 1n, "fees");

    // The book showed Alice's ask, then nothing once it traded.
    expect(s.trade.book.asksBefore).to.deep.equal([
      { price: SCENARIO.putPremiumUsdc.toString(), amount: SCENARIO.putsWritten.toString(), orders: 1 },
    ]);
    expect(s.trade.book.asksAfter).to.deep.equal([]);
    expect(s.trade.book.status).to.equal("CONFIRMED");

    // On-chain: a matchOrders from the matcher (Hardhat's development account #11), Bob's order the taker, Alice's
    // the maker, the whole amount.
    const [, , , , alice, bob] = await hre.ethers.getSigners();
    const tx = await hre.ethers.provider.getTransaction(s.trade.book.txHash);
    expect(tx?.from).to.equal("0x71bE63f3384f5fb98995898A86B02Fb2426c5788");
    const call = OptionsExchange__factory.createInterface().parseTransaction(tx!);
    expect(call?.name).to.equal("matchOrders");
    expect(call?.args[0].owner).to.equal(bob.address);
    expect(call?.args[2].map((o: { owner: string }) => o.owner)).to.deep.equal([alice.address]);
    expect([...call!.args[4]]).to.deep.equal([SCENARIO.putsWritten]);
    expect((await hre.ethers.provider.getTransactionReceipt(s.trade.book.txHash))?.status).to.equal(1);

    expect(lines.some((l) => /^\s+book of WETH-1800-P-\S+ before: no asks; no bids$/.test(l))).to.equal(true);
    expect(lines.some((l) => /^\s+book of WETH-1800-P-\S+: ask 2 @ 40\.00 USDC; no bids$/.test(l))).to.equal(
      true,
    );
    expect(lines.some((l) => /^\s+book of WETH-1800-P-\S+ after: no asks; no bids$/.test(l))).to.equal(true);
    expect(lines.some((l) => l.trim().startsWith("premium paid: Bob's account 80.00 USDC"))).to.equal(true);
    expect(
      lines.some((l) =>
        /Bob bought 2 puts from Alice through the order book \(.*CONFIRMED\) at 40\.00 USDC/.test(l),
      ),
    ).to.equal(true);
  });

  it("trips the WETH scope on the band breach and resumes it only through the timelock, after the cooldown", () => {
    expect(s.trip.reason).to.equal(TripReason.PriceBand);
    expect(s.trip.priceAfterCrashWad).to.equal(SCENARIO.crashWad);
    expect(s.trip.resumableAt).to.equal(s.trip.trippedAt + HOUR);
    expect(s.trip.resumedAt).to.be.at.least(s.trip.resumableAt);
    expect(s.trip.graceEndsAt).to.equal(s.trip.resumedAt + HOUR);
    expect(s.alice.collateralAfterCrashWad < s.alice.maintenanceAfterCrashWad).to.equal(true);
  });

  it("schedules the resume through the 2-of-3 governance Safe: owners #1 and #9 sign, one alone is refused", async () => {
    const signers = await hre.ethers.getSigners();
    const g = s.trip.governance;
    expect(g.threshold).to.equal(2);
    expect(g.signers).to.have.members([signers[1].address, signers[9].address]);
    expect(g.safeNonceAfter).to.equal(1n);
    expect(
      lines.some(
        (l) =>
          l.trimStart().startsWith("refused as expected: the Safe with") &&
          l.endsWith("-> GS020 (threshold 2)"),
      ),
    ).to.equal(true);
  });

  it("shows each refusal with the custom error the rules call for", () => {
    expect(s.refusals.map((r) => r.split(": ")[1])).to.deep.equal([
      "WithdrawalNotClaimable", // insurance staker inside the cooldown
      "ScopeTripped", // write while tripped
      "ScopeTripped", // liquidation while tripped
      "AccessManagedUnauthorized", // the guardian cannot resume
      "AccessControlUnauthorizedAccount", // one Safe owner cannot schedule on the timelock alone
      "TimelockUnexpectedOperationState", // resume before the timelock delay
      "ScopeInGracePeriod", // liquidation during the grace period
      "BelowInitialMargin", // a withdrawal that leaves the account under margin
    ]);
  });

  it("grows the auction discount linearly and liquidates at the discount of the moment, only in part", () => {
    expect(s.auction.length).to.equal(SCENARIO.auctionSamplesSeconds.length);
    for (const a of s.auction)
      expect(a.discountWad, `after ${a.elapsedSeconds} s`).to.equal(discountAfter(a.elapsedSeconds));
    const l = s.liquidation;
    expect(l.discountWad).to.equal(discountAfter(l.elapsedSeconds));
    expect(l.fractionWad > 0n && l.fractionWad < WAD).to.equal(true);
    expect(l.coveredWad).to.equal(0n);
    expect(l.socialisedWad).to.equal(0n);
    // Collateral worth the liability plus the discount; half the bonus to insurance.
    near(l.seizedValueWad, (l.liabilityWad * (WAD + l.discountWad)) / WAD, 1_000n, "seized value");
    // Paid in whole quote units (6 decimals), rounded up.
    near(
      l.penaltyWad,
      (((l.liabilityWad * l.discountWad) / WAD) * AUCTION.penaltyShareWad) / WAD,
      USDC_PER_WAD,
      "penalty",
    );
    near(l.insuranceGainUsdc, l.penaltyWad / USDC_PER_WAD, 1n, "insurance gain");
    // The same fraction of the short moved to the liquidator; nothing created or lost.
    expect(s.alice.shortBefore).to.equal(SCENARIO.putsWritten);
    expect(s.alice.shortAfterLiquidation + s.carol.shortAfterLiquidation).to.equal(SCENARIO.putsWritten);
    near(s.carol.shortAfterLiquidation, (SCENARIO.putsWritten * l.fractionWad) / WAD, 1n, "moved short");
  });

  it("settles at the oracle price at expiry and pays every long holder strike minus price", () => {
    const payout = SCENARIO.strikeWad - SCENARIO.settlementWad;
    expect(s.settlement.priceWad).to.equal(SCENARIO.settlementWad);
    expect(s.settlement.payoutPerContractWad).to.equal(payout);
    expect(s.exercises.map((e) => e.holder)).to.deep.equal(["Bob", "Dave"]);
    expect(s.exercises[0].amount).to.equal(SCENARIO.putsWritten - SCENARIO.putsToDave);
    expect(s.exercises[1].amount).to.equal(SCENARIO.putsToDave);
    for (const e of s.exercises) expect(e.paidUsdc).to.equal((e.amount * payout) / WAD / USDC_PER_WAD);
    expect(s.openInterestAtEnd).to.deep.equal({ shorts: 0n, longsInAccounts: 0n, longTokens: 0n });
  });

  it("returns everyone's money: losses and gains follow the positions, the protocol keeps only dust", () => {
    const payout = SCENARIO.strikeWad - SCENARIO.settlementWad;
    const l = s.liquidation;
    const pnl = (name: string): bigint => s.usdcOut[name] - (s.usdcIn[name] ?? 0n);
    const premium = (SCENARIO.putsWritten * SCENARIO.putPremiumUsdc) / WAD;
    expect(s.usdcIn.Alice).to.equal(SCENARIO.aliceDepositUsdc + SCENARIO.aliceTopUpUsdc);
    // Alice loses the collateral seized and the payout on the short she kept, less the premium she was paid.
    const aliceLoss =
      (l.seizedValueWad + (s.alice.shortAfterLiquidation * payout) / WAD) / USDC_PER_WAD - premium;
    near(-pnl("Alice"), aliceLoss, 3n, "Alice's loss");
    // Bob paid the premium for the 1.5 puts he kept and the 0.5 he gave Dave; he collects his exercise payout.
    expect(s.usdcIn.Bob).to.equal(SCENARIO.bobDepositUsdc);
    near(pnl("Bob"), s.exercises[0].paidUsdc - premium, 2n, "Bob's gain");
    // Carol gains the seized collateral less the penalty and pays the payout on the short she took over.
    const carolGain =
      (l.seizedValueWad - l.penaltyWad - (s.carol.shortAfterLiquidation * payout) / WAD) / USDC_PER_WAD;
    near(pnl("Carol"), carolGain, 3n, "Carol's gain");
    near(s.carol.redeemedWeth, SCENARIO.carolDepositWeth, 10n, "Carol's WETH");
    // Erin earns the penalty.
    near(
      s.insurance.redeemedUsdc,
      SCENARIO.insuranceStakeUsdc + l.insuranceGainUsdc,
      1n,
      "Erin's redemption",
    );
    // Zero-sum: what the winners gained, the losers lost, up to the vaults' rounding dust.
    const total = Object.keys(s.usdcOut).reduce((sum, name) => sum + pnl(name), 0n);
    near(total, 0n, 10n, "sum of gains and losses");
    expect(s.leftInUsdcVault <= 10n).to.equal(true);
    expect(s.leftInWethVault <= 10n).to.equal(true);
  });
});
