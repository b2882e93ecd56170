/**
 * The full lifecycle of the protocol on a fresh local deployment, narrated and checked step by step: the main job
 * (`npm start`, scripts/main.ts) prints it, test/e2e/Lifecycle.test.ts runs it and checks its summary.
 *
 * Cast (the development accounts config/local.json names): #0 deployer, #1 proposer (timelock), #2 guardian,
 * #3 lister; #4 Alice (writes puts), #5 Bob (buys them), #6 Carol (market maker, liquidator), #7 Dave (gets some of
 * Bob's options), #8 Erin (insurance staker).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  CircuitBreaker__factory,
  CollateralVault__factory,
  InsuranceVault__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolTimelock__factory,
  type CollateralVault,
  type MockERC20,
  type OptionsClearing,
} from "../../../typechain-types";
import { deploySuite, type DeploymentRecord } from "../deploy/suite";
import { Scopes } from "../scopes";
import { TripReason } from "../breaker/tripReason";
import { liquidatedResults, type LiquidationFigures } from "../liquidation";
import {
  check,
  contracts,
  expectRefusal,
  formatUnits,
  MockMarket,
  Narrator,
  percent,
  usd,
  WAD,
  type LineSink,
} from "./steps";
import { seriesName } from "../format/series";

const HOUR = 3600;

/** A chain timestamp as ISO text (the chain's clock runs ahead of the wall clock after time travel). */
const at = (timestamp: number | bigint): string =>
  new Date(Number(timestamp) * 1000).toISOString().replace(".000Z", "Z");
const DAY = 24 * HOUR;
const USDC = 10n ** 6n;
const ETH = 10n ** 18n;

/** The scenario's inputs: amounts in token units, prices in WAD. */
export const SCENARIO = {
  spotWad: 2_000n * WAD,
  strikeWad: 1_800n * WAD,
  expirySeconds: 7 * DAY,
  /** A crash of 52.5%, beyond config/local.json's 50% band. */
  crashWad: 950n * WAD,
  settlementWad: 1_300n * WAD,
  insuranceStakeUsdc: 20_000n * USDC,
  aliceDepositUsdc: 2_000n * USDC,
  aliceTopUpUsdc: 100n * USDC,
  carolDepositUsdc: 60_000n * USDC,
  carolDepositWeth: 10n * ETH,
  putsWritten: 2n * WAD,
  putsToDave: WAD / 2n,
  /** Times after the flag at which the auction discount is shown; the liquidation happens at the last one. */
  auctionSamplesSeconds: [0, 5 * 60, 10 * 60, 15 * 60, 20 * 60, 25 * 60, 30 * 60],
} as const;

export interface LifecycleOptions {
  /** Narration, one line per call (default: none). */
  log?: LineSink;
  configPath?: string;
}

export interface LifecycleSummary {
  network: string;
  contractsDeployed: number;
  seriesId: bigint;
  /** Refusals shown on the way, "what: CustomError". */
  refusals: string[];
  trip: {
    reason: bigint;
    trippedAt: number;
    resumableAt: number;
    resumedAt: number;
    graceEndsAt: number;
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

async function wait(tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await tx).wait();
}

/** Deploy config/local.json through the real deploy path and run the whole lifecycle on it. */
export async function runLifecycle(
  hre: HardhatRuntimeEnvironment,
  options: LifecycleOptions = {},
): Promise<LifecycleSummary> {
  const n = new Narrator(options.log ?? (() => undefined));
  const { ethers, network } = hre;
  const S = SCENARIO;

  // ------------------------------------------------------------------------------------------ deployment
  n.step(`Deploy the suite on '${network.name}' from ${options.configPath ?? "config/local.json"}`);
  const dir = mkdtempSync(join(tmpdir(), "optiq-lifecycle-"));
  let record: DeploymentRecord;
  try {
    let lines = 0;
    let lastLine = "starting";
    // config/local.json logs 14 lines (network, mocks, Ignition, prices, record): one bar per line, and a tick
    // every few seconds while Ignition works.
    const expectedLines = 14;
    const started = Date.now();
    const ticker = setInterval(
      () =>
        n.progress(
          "deploying",
          lines,
          expectedLines,
          `${Math.round((Date.now() - started) / 1000)} s: ${lastLine}`,
        ),
      3_000,
    );
    try {
      record = await deploySuite(hre, {
        configPath: options.configPath ?? "config/local.json",
        recordPath: join(dir, "record.json"),
        deploymentId: `lifecycle-${Date.now()}-${process.pid}`,
        log: (line) => {
          lines = Math.min(lines + 1, expectedLines - 1);
          lastLine = line;
          n.progress("deploying", lines, expectedLines, line);
        },
      });
    } finally {
      clearInterval(ticker);
    }
    n.progress("deployed", 1, 1, `${Object.keys(record.contracts).length} contracts`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, address] of Object.entries(record.contracts)) n.line(`${name.padEnd(28)} ${address}`);

  const signers = await ethers.getSigners();
  check(signers.length >= 9, `the lifecycle needs 9 accounts, the network has ${signers.length}`);
  const [deployer, proposer, guardian, lister, alice, bob, carol, dave, erin] = signers;
  const c = record.contracts;
  const clearing = OptionsClearing__factory.connect(c.OptionsClearing, deployer);
  const breaker = CircuitBreaker__factory.connect(c.CircuitBreaker, deployer);
  const oracle = OracleAggregator__factory.connect(c.OracleAggregator, deployer);
  const timelock = ProtocolTimelock__factory.connect(c.ProtocolTimelock, deployer);
  const insurance = InsuranceVault__factory.connect(c.InsuranceVault, deployer);
  const usdcVault = CollateralVault__factory.connect(c["CollateralVault.USDC"], deployer);
  const wethVault = CollateralVault__factory.connect(c["CollateralVault.WETH"], deployer);
  const usdc = MockERC20__factory.connect(record.tokens.USDC, deployer);
  const weth = MockERC20__factory.connect(record.tokens.WETH, deployer);
  const wethAddress = await weth.getAddress();
  const wethScope = Scopes.asset(wethAddress);
  const market = new MockMarket(
    hre,
    Object.fromEntries(
      Object.entries(record.mocks.feeds).map(([symbol, byIndex]) => [symbol, Object.values(byIndex)]),
    ),
  );
  const errors = [
    clearing.interface,
    breaker.interface,
    timelock.interface,
    insurance.interface,
    usdcVault.interface,
  ];
  const refusals: string[] = [];
  const refuse = async (what: string, attempt: () => Promise<unknown>, expected: string): Promise<void> => {
    const name = await expectRefusal(what, attempt, expected, errors);
    refusals.push(`${what}: ${name}`);
    n.line(`refused as expected: ${what} -> ${name}`);
  };
  const usdcIn: Record<string, bigint> = {};
  const mintUsdc = async (name: string, who: HardhatEthersSigner, amount: bigint): Promise<void> => {
    await wait(usdc.mint(who.address, amount));
    usdcIn[name] = (usdcIn[name] ?? 0n) + amount;
  };
  const names: [string, HardhatEthersSigner][] = [
    ["Alice", alice],
    ["Bob", bob],
    ["Carol", carol],
    ["Dave", dave],
    ["Erin", erin],
  ];
  const showHealth = async (label: string, accountId: bigint): Promise<void> => {
    const h = await clearing.health(accountId);
    const state =
      h.collateralValueWad >= h.initialWad
        ? "healthy"
        : h.collateralValueWad >= h.maintenanceWad
          ? "below initial"
          : "LIQUIDATABLE";
    n.line(
      `${label} (account ${accountId}): collateral ${usd(h.collateralValueWad)}, maintenance ` +
        `${usd(h.maintenanceWad)}, initial ${usd(h.initialWad)}, debt ${usd(h.debtWad)} USDC -> ${state}`,
    );
  };
  const showWallets = async (seriesId?: bigint): Promise<void> => {
    const parts: string[] = [];
    for (const [name, who] of names) {
      const longs = seriesId === undefined ? 0n : await clearing.balanceOf(who.address, seriesId);
      parts.push(
        `${name} ${formatUnits(await usdc.balanceOf(who.address), 6)} USDC` +
          (longs > 0n ? ` + ${contracts(longs)} puts` : ""),
      );
    }
    n.line(`wallets: ${parts.join("; ")}`);
  };
  const priceOf = async (): Promise<bigint> => (await oracle.getPrice(wethAddress))[0];

  const [spot] = await oracle.getPrice(wethAddress);
  check(spot === S.spotWad, `the oracle serves WETH at ${usd(spot)}, the config says ${usd(S.spotWad)}`);
  n.line(
    `WETH oracle median ${usd(spot)} USDC; breaker scopes tripped: ${await breaker.trippedScopeCount()}`,
  );

  // ------------------------------------------------------------------------------------------ deposits
  n.step("Deposits: Erin stakes insurance; Alice and Carol fund collateral vaults and clearing accounts");
  await mintUsdc("Erin", erin, S.insuranceStakeUsdc);
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
  await refuse(
    "Erin redeems before her cooldown",
    () => insurance.connect(erin).redeem.staticCall(erinShares, erin.address, erin.address),
    "WithdrawalNotClaimable",
  );

  const fund = async (
    name: string,
    who: HardhatEthersSigner,
    vault: CollateralVault,
    token: MockERC20,
    amount: bigint,
  ): Promise<bigint> => {
    if (token === usdc) await mintUsdc(name, who, amount);
    else await wait(token.mint(who.address, amount));
    await wait(token.connect(who).approve(await vault.getAddress(), amount));
    await wait(vault.connect(who).deposit(amount, who.address));
    const shares = await vault.balanceOf(who.address);
    await wait(vault.connect(who).approve(c.OptionsClearing, shares));
    return shares;
  };
  const openAccount = async (who: HardhatEthersSigner): Promise<bigint> => {
    await wait(clearing.connect(who).openAccount());
    return clearing.accountCount();
  };

  const aliceShares = await fund("Alice", alice, usdcVault, usdc, S.aliceDepositUsdc);
  const aliceAccount = await openAccount(alice);
  await wait(clearing.connect(alice).depositCollateral(aliceAccount, c["CollateralVault.USDC"], aliceShares));
  const carolUsdcShares = await fund("Carol", carol, usdcVault, usdc, S.carolDepositUsdc);
  const carolWethShares = await fund("Carol", carol, wethVault, weth, S.carolDepositWeth);
  const carolAccount = await openAccount(carol);
  await wait(
    clearing.connect(carol).depositCollateral(carolAccount, c["CollateralVault.USDC"], carolUsdcShares),
  );
  await wait(
    clearing.connect(carol).depositCollateral(carolAccount, c["CollateralVault.WETH"], carolWethShares),
  );
  n.line(
    `USDC vault: ${formatUnits(await usdcVault.totalAssets(), 6)} USDC; WETH vault: ` +
      `${formatUnits(await wethVault.totalAssets(), 18)} WETH; outflow capacity USDC ` +
      `${formatUnits(await breaker.outflowCapacity(record.tokens.USDC), 6)}`,
  );
  await showHealth("Alice", aliceAccount);
  await showHealth("Carol", carolAccount);
  await showWallets();

  // ------------------------------------------------------------------------------------------ writing
  n.step(
    "Writing and transferring: a WETH 1,800 put for 7 days; Alice writes 2 to Bob, Bob sends 0.5 to Dave",
  );
  const expiry = (await market.now()) + S.expirySeconds;
  await wait(clearing.connect(lister).listSeries(wethAddress, S.strikeWad, expiry, false));
  const seriesId = await clearing.seriesIdOf(wethAddress, S.strikeWad, expiry, false);
  await wait(clearing.connect(alice).write(aliceAccount, seriesId, S.putsWritten, bob.address));
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
    `${seriesName({ underlying: "WETH", strikeWad: S.strikeWad, expiry, isCall: false })} (id ${seriesId}): Alice short ${contracts(shortBefore)}, Bob long ${contracts(bobLongs)}, Dave long ` +
      `${contracts(daveLongs)}; open interest balanced`,
  );
  await showWallets(seriesId);
  await showHealth("Alice", aliceAccount);

  // ------------------------------------------------------------------------------------------ crash
  n.step(`Crash: every WETH feed drops to ${usd(S.crashWad)} (-52.5%, band 50%); a keeper pokes the oracle`);
  await market.setPrice("WETH", S.crashWad);
  const outcome = await oracle.poke.staticCall(wethAddress);
  check(outcome === 3n, `poke would return outcome ${outcome}, expected PriceBandBreachReported (3)`);
  await wait(oracle.connect(carol).poke(wethAddress));
  const state = await breaker.scopeState(wethScope);
  check(
    (await breaker.isTripped(wethScope)) && state.reason === TripReason.PriceBand,
    `the WETH scope is not tripped by the band (reason ${state.reason})`,
  );
  const priceAfterCrash = await priceOf();
  check(priceAfterCrash === S.crashWad, `after the crash the oracle serves ${usd(priceAfterCrash)}`);
  n.line(`oracle reported a band breach: WETH scope tripped at ${at(state.trippedAt)} (reason PriceBand)`);
  const crashHealth = await clearing.health(aliceAccount);
  check(
    crashHealth.collateralValueWad < crashHealth.maintenanceWad,
    "Alice should be below maintenance after the crash",
  );
  await showHealth("Alice", aliceAccount);
  await showHealth("Carol", carolAccount);
  await refuse(
    "Alice writes more puts while WETH is tripped",
    () => clearing.connect(alice).write.staticCall(aliceAccount, seriesId, WAD / 10n, bob.address),
    "ScopeTripped",
  );
  await refuse(
    "Carol liquidates Alice while WETH is tripped",
    () => clearing.connect(carol).liquidate.staticCall(aliceAccount, carolAccount, WAD, 0, expiry),
    "ScopeTripped",
  );
  await refuse(
    "the guardian resumes the scope itself",
    () => breaker.connect(guardian).resume.staticCall(wethScope),
    "AccessManagedUnauthorized",
  );

  // ------------------------------------------------------------------------------------------ resume
  n.step("Governed resume: the proposer schedules breaker.resume(WETH) through the timelock");
  const delay = await timelock.getMinDelay();
  const resumeData = breaker.interface.encodeFunctionData("resume", [wethScope]);
  const salt = ethers.id(`lifecycle resume ${state.trippedAt}`);
  await wait(
    timelock.connect(proposer).schedule(c.CircuitBreaker, 0, resumeData, ethers.ZeroHash, salt, delay),
  );
  const resumableAt = Number(await breaker.resumableAt(wethScope));
  n.line(
    `timelock delay ${delay} s; breaker cooldown ${await breaker.cooldownSeconds()} s: resumable at ${at(resumableAt)}`,
  );
  await refuse(
    "anyone executes the resume before the timelock delay",
    () => timelock.connect(bob).execute.staticCall(c.CircuitBreaker, 0, resumeData, ethers.ZeroHash, salt),
    "TimelockUnexpectedOperationState",
  );
  const steps = 4;
  for (let i = 1; i <= steps; i++) {
    await market.advance(Math.ceil(Number(delay) / steps));
    n.progress(
      "waiting out the timelock delay and the cooldown",
      i,
      steps,
      `chain time ${at(await market.now())}`,
    );
  }
  check((await market.now()) >= resumableAt, "the cooldown should have elapsed with the timelock delay");
  await wait(timelock.connect(bob).execute(c.CircuitBreaker, 0, resumeData, ethers.ZeroHash, salt));
  const resumed = await breaker.scopeState(wethScope);
  const graceEndsAt = Number(await breaker.graceEndsAt(wethScope));
  check(!(await breaker.isTripped(wethScope)), "the WETH scope should be resumed");
  n.line(`resumed at ${at(resumed.resumedAt)}; grace period until ${at(graceEndsAt)}`);
  await refuse(
    "Carol liquidates Alice during the grace period",
    () => clearing.connect(carol).liquidate.staticCall(aliceAccount, carolAccount, WAD, 0, expiry),
    "ScopeInGracePeriod",
  );
  // Risk-reducing actions stay open: Alice tops up (not enough to be safe).
  const topUp = await fund("Alice", alice, usdcVault, usdc, S.aliceTopUpUsdc);
  await wait(clearing.connect(alice).depositCollateral(aliceAccount, c["CollateralVault.USDC"], topUp));
  n.line(`Alice tops up ${formatUnits(S.aliceTopUpUsdc, 6)} USDC during the grace period (allowed)`);
  await showHealth("Alice", aliceAccount);
  const afterTopUp = await clearing.health(aliceAccount);
  check(afterTopUp.collateralValueWad < afterTopUp.maintenanceWad, "Alice should still be liquidatable");
  for (let i = 1; i <= steps; i++) {
    await market.advance(Math.ceil((graceEndsAt - (await market.now()) + 1) / (steps - i + 1)));
    n.progress("waiting out the grace period", i, steps);
  }
  check((await market.now()) > graceEndsAt, "the grace period should be over");

  // ------------------------------------------------------------------------------------------ liquidation
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
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
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
  await showHealth("Alice", aliceAccount);
  await showHealth("Carol", carolAccount);

  // ------------------------------------------------------------------------------------------ expiry
  n.step(`Expiry: a week passes; WETH recovers to ${usd(S.settlementWad)}`);
  const days = 7;
  for (let i = 1; i <= days; i++) {
    const remaining = expiry - (await market.now());
    if (remaining > 0) await market.advance(Math.ceil(remaining / (days - i + 1)));
    n.progress("time to expiry", i, days, `${Math.max(0, expiry - (await market.now()))} s left`);
  }
  await refuse(
    "Alice withdraws all her collateral while still short",
    async () =>
      clearing
        .connect(alice)
        .withdrawCollateral.staticCall(
          aliceAccount,
          c["CollateralVault.USDC"],
          await clearing.collateralOf(aliceAccount, c["CollateralVault.USDC"]),
          alice.address,
        ),
    "BelowInitialMargin",
  );
  await market.setPrice("WETH", S.settlementWad);
  const recovery = await oracle.poke.staticCall(wethAddress);
  check(
    recovery === 0n,
    `poking the recovery would return ${recovery}, not Recorded (0): it must stay in band`,
  );
  await wait(oracle.connect(carol).poke(wethAddress));
  n.line(
    `oracle round recorded at ${usd(await priceOf())} USDC; chain time ${at(await market.now())}, expiry ${at(expiry)}`,
  );

  // ------------------------------------------------------------------------------------------ settlement
  n.step("Settlement: Bob settles the series from the oracle; the short accounts are settled lazily");
  await wait(clearing.connect(bob).settle(seriesId));
  const settled = await clearing.series(seriesId);
  check(
    settled.settled && settled.settlementPriceWad === S.settlementWad,
    "the series should settle at the oracle",
  );
  n.line(
    `settled at ${usd(settled.settlementPriceWad)}: payout ${usd(settled.payoutPerContractWad)} USDC per put`,
  );
  await wait(clearing.settleAccount(aliceAccount));
  await wait(clearing.settleAccount(carolAccount));
  await showHealth("Alice", aliceAccount);
  await showHealth("Carol", carolAccount);

  // ------------------------------------------------------------------------------------------ exercise
  n.step("Exercise: Bob and Dave burn their puts for the payout");
  const exercises: { holder: string; amount: bigint; paidUsdc: bigint }[] = [];
  const holders: [string, HardhatEthersSigner][] = [
    ["Bob", bob],
    ["Dave", dave],
  ];
  for (const [i, [name, who]] of holders.entries()) {
    const amount = await clearing.balanceOf(who.address, seriesId);
    const before = await usdc.balanceOf(who.address);
    await wait(clearing.connect(who).exercise(seriesId, amount, who.address));
    const paid = (await usdc.balanceOf(who.address)) - before;
    check((await clearing.balanceOf(who.address, seriesId)) === 0n, `${name}'s longs should be burnt`);
    exercises.push({ holder: name, amount, paidUsdc: paid });
    n.progress(
      "exercising",
      i + 1,
      holders.length,
      `${name}: ${contracts(amount)} puts -> ${formatUnits(paid, 6)} USDC`,
    );
  }

  await showWallets(seriesId);

  // ------------------------------------------------------------------------------------------ redemption
  n.step(
    "Redemption: Alice and Carol withdraw their collateral and redeem vault shares; Erin leaves insurance",
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
  n.progress("redeeming", 1, 4, `Alice: ${formatUnits(aliceRedeemed, 6)} USDC`);
  const carolUsdc = await redeemAll(carol, carolAccount, usdcVault);
  n.progress("redeeming", 2, 4, `Carol: ${formatUnits(carolUsdc, 6)} USDC`);
  const carolWeth = await redeemAll(carol, carolAccount, wethVault);
  n.progress("redeeming", 3, 4, `Carol: ${formatUnits(carolWeth, 18, 4)} WETH`);
  const erinBefore = await usdc.balanceOf(erin.address);
  await wait(insurance.connect(erin).redeem(erinShares, erin.address, erin.address));
  const erinRedeemed = (await usdc.balanceOf(erin.address)) - erinBefore;
  n.progress("redeeming", 4, 4, `Erin: ${formatUnits(erinRedeemed, 6)} USDC from insurance`);
  for (const [name, id] of [
    ["Alice", aliceAccount],
    ["Carol", carolAccount],
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
  await showWallets();
  check(carolWeth <= S.carolDepositWeth && S.carolDepositWeth - carolWeth <= 10n, "Carol's WETH came back");

  // ------------------------------------------------------------------------------------------ summary
  const usdcOut: Record<string, bigint> = {};
  for (const [name, who] of names) usdcOut[name] = await usdc.balanceOf(who.address);
  const summary: LifecycleSummary = {
    network: network.name,
    contractsDeployed: Object.keys(record.contracts).length,
    seriesId,
    refusals,
    trip: {
      reason: state.reason,
      trippedAt: Number(state.trippedAt),
      resumableAt,
      resumedAt: Number(resumed.resumedAt),
      graceEndsAt,
      priceAfterCrashWad: priceAfterCrash,
    },
    alice: {
      accountId: aliceAccount,
      collateralAfterCrashWad: crashHealth.collateralValueWad,
      maintenanceAfterCrashWad: crashHealth.maintenanceWad,
      shortBefore,
      shortAfterLiquidation: shortAfter,
      redeemedUsdc: aliceRedeemed,
    },
    carol: {
      accountId: carolAccount,
      shortAfterLiquidation: carolShort,
      redeemedUsdc: carolUsdc,
      redeemedWeth: carolWeth,
    },
    auction,
    liquidation: { elapsedSeconds: liquidationElapsed, ...r, insuranceGainUsdc: insuranceGain },
    settlement: {
      priceWad: settled.settlementPriceWad,
      payoutPerContractWad: settled.payoutPerContractWad,
      byFallback: false,
    },
    exercises,
    insurance: { stakedUsdc: S.insuranceStakeUsdc, redeemedUsdc: erinRedeemed },
    usdcIn,
    usdcOut,
    leftInUsdcVault,
    leftInWethVault,
    openInterestAtEnd: { shorts, longsInAccounts, longTokens },
  };
  printSummary(n, summary);
  return summary;
}

async function checkOpenInterest(clearing: OptionsClearing, seriesId: bigint): Promise<void> {
  const [shorts, inAccounts, tokens] = await clearing.openInterest(seriesId);
  const writtenOff = await clearing.writtenOff(seriesId);
  check(
    inAccounts + tokens === shorts + writtenOff,
    `open interest of series ${seriesId}: longs ${inAccounts + tokens} != shorts ${shorts} + written off ${writtenOff}`,
  );
}

function printSummary(n: Narrator, s: LifecycleSummary): void {
  n.step("Summary");
  n.line(`${s.contractsDeployed} contracts deployed on '${s.network}', governance held by the timelock`);
  n.line(
    `crash to ${usd(s.trip.priceAfterCrashWad)} tripped the WETH scope; resumed through the timelock ` +
      `${s.trip.resumedAt - s.trip.trippedAt} s later (cooldown ${s.trip.resumableAt - s.trip.trippedAt} s), ` +
      `then ${s.trip.graceEndsAt - s.trip.resumedAt} s of grace without liquidations`,
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
    const into = s.usdcIn[name] ?? 0n;
    const out = s.usdcOut[name];
    n.line(
      `  ${name.padEnd(6)} ${formatUnits(into, 6).padStart(12)} -> ${formatUnits(out, 6).padStart(12)}  ` +
        `(${out - into >= 0n ? "+" : ""}${formatUnits(out - into, 6)})`,
    );
  }
  n.line(
    `left in the protocol: ${formatUnits(s.leftInUsdcVault, 6)} USDC, ${formatUnits(s.leftInWethVault, 18)} WETH; ` +
      `open interest ${contracts(s.openInterestAtEnd.shorts)} short / ` +
      `${contracts(s.openInterestAtEnd.longsInAccounts + s.openInterestAtEnd.longTokens)} long`,
  );
}
