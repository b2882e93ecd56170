/**
 * The agents of the simulation, each acting only through the deployed contracts' public entry points:
 * writers (collateral in, options written at a chosen leverage, optional top-ups), buyers (hold the longs),
 * liquidation keepers (see an account below maintenance, act `latencySteps` later: flag while the breaker blocks
 * liquidations, liquidate when it allows), insurance stakers, a guardian (pauses the asset on a rule) and
 * governance (through the timelock: resumes a tripped scope, removes a source that halts the oracle).
 */
import { ethers } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IOptionsClearing } from "../../typechain-types/contracts/interfaces/IOptionsClearing";
import {
  clearingPrice,
  liquidationLiabilityWad,
  requirements,
  requirementsWithCollateral,
  riskParamsFrom,
  type Mark,
  type Position,
  type RiskParams,
} from "../lib/margin";
import { WAD, mulWadDown, mulWadUp } from "../lib/math/wad";
import { sendAsSafe } from "../lib/safe/execute";
import { Scopes } from "../lib/scopes";
import type { Chain } from "./chain";
import type { GovernanceSpec, GuardianSpec, KeeperSpec, StakerSpec, WriterSpec } from "./scenarios";
import type { Suite } from "./suite";

/** One option series a writer sells into. */
export interface Listed {
  id: bigint;
  label: string;
  strikeWad: bigint;
  expiry: bigint;
  isCall: boolean;
}

/** A clearing account the simulation follows (a writer's or a keeper's). */
export interface Tracked {
  name: string;
  role: "writer" | "keeper";
  id: bigint;
  owner: HardhatEthersSigner;
}

const tokenUnits = (amount: number, decimals: bigint): bigint =>
  (BigInt(Math.round(amount * 1e6)) * 10n ** decimals) / 10n ** 6n;

/** Mint `amount` whole tokens of `symbol` to `who`, deposit them into its collateral vault, approve the clearing. */
export async function fundShares(
  suite: Suite,
  chain: Chain,
  who: HardhatEthersSigner,
  symbol: string,
  amount: number,
): Promise<bigint> {
  const vault = suite.vaults[symbol];
  const token = symbol === suite.quoteSymbol ? suite.quote : suite.asset;
  const assets = tokenUnits(amount, await token.decimals());
  const vaultAddress = await vault.getAddress();
  await chain.must("setup", `mint ${symbol}`, () => token.connect(who).mint(who.address, assets));
  await chain.must("setup", `approve ${symbol}`, () => token.connect(who).approve(vaultAddress, assets));
  const before = await vault.balanceOf(who.address);
  await chain.must("setup", `deposit ${symbol}`, () => vault.connect(who).deposit(assets, who.address));
  const shares = (await vault.balanceOf(who.address)) - before;
  await chain.must("setup", "approve shares", () =>
    vault.connect(who).approve(suite.clearing.getAddress(), ethers.MaxUint256),
  );
  return shares;
}

export async function openFundedAccount(
  suite: Suite,
  chain: Chain,
  who: HardhatEthersSigner,
  symbol: string,
  amount: number,
): Promise<bigint> {
  const shares = await fundShares(suite, chain, who, symbol, amount);
  await chain.must("setup", "openAccount", () => suite.clearing.connect(who).openAccount());
  const id = await suite.clearing.accountCount();
  const vault = await suite.vaults[symbol].getAddress();
  await chain.must("setup", "depositCollateral", () =>
    suite.clearing.connect(who).depositCollateral(id, vault, shares),
  );
  return id;
}

/** The on-chain risk parameters as the TypeScript margin reference takes them. */
export async function riskOf(suite: Suite): Promise<RiskParams> {
  return riskParamsFrom(await suite.clearing.riskParams(await suite.asset.getAddress()));
}

// ------------------------------------------------------------------------------------------------- writers

export class Writer {
  account!: Tracked;
  topUps = 0;

  constructor(
    readonly spec: WriterSpec,
    readonly signer: HardhatEthersSigner,
  ) {}

  /**
   * Open the account, then size the book with the TypeScript margin reference so that its initial requirement is
   * `leverage` × the collateral value, and write every leg to the buyers in turn.
   */
  async open(
    suite: Suite,
    chain: Chain,
    series: (leg: WriterSpec["legs"][number]) => Listed,
    buyers: HardhatEthersSigner[],
    nextBuyer: () => number,
  ): Promise<void> {
    const id = await openFundedAccount(suite, chain, this.signer, this.spec.collateral, this.spec.deposit);
    this.account = { name: this.spec.name, role: "writer", id, owner: this.signer };
    const collateralWad = (await suite.clearing.health(id)).collateralValueWad;
    const spotWad = await clearingPrice(suite.oracle, await suite.asset.getAddress());
    const risk = await riskOf(suite);
    const unit: Position[] = this.spec.legs.map((leg) => {
      const s = series(leg);
      return { strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount: -toWad(leg.weight) };
    });
    const budgetWad = (collateralWad * toWad(this.spec.leverage)) / WAD;
    // Collateral in the underlying is revalued in every scenario beside the book (docs/risk-model.md).
    const vault = await suite.vaults[this.spec.collateral].getAddress();
    const config = await suite.clearing.collateralConfig(vault);
    const correlatedWad =
      config.asset === (await suite.asset.getAddress())
        ? mulWadDown(
            await suite.vaults[this.spec.collateral].convertToAssets(
              await suite.clearing.collateralOf(id, vault),
            ),
            WAD - config.haircutWad,
          ) *
          10n ** (18n - config.assetDecimals)
        : 0n;
    const initialOf = (units: bigint): bigint =>
      requirementsWithCollateral(
        unit.map((p) => ({ ...p, amount: (p.amount * units) / WAD })),
        correlatedWad,
        spotWad,
        risk,
        BigInt(chain.cursor + 1),
      ).initialWad;
    // The most WAD units of the book whose initial requirement fits the budget (bisection: it grows with the units;
    // correlated collateral can raise the capacity, a covered call's, above the quote-backed figure, hence 4 x).
    let [lo, hi] = [
      0n,
      (4n * budgetWad * WAD) / requirements(unit, spotWad, risk, BigInt(chain.cursor + 1)).initialWad,
    ];
    if (initialOf(hi) <= budgetWad) lo = hi;
    while (hi - lo > 10n ** 12n) {
      const mid = (lo + hi) / 2n;
      if (initialOf(mid) <= budgetWad) lo = mid;
      else hi = mid;
    }
    const units = lo; // WAD units of the book
    for (const leg of this.spec.legs) {
      const s = series(leg);
      // Whole thousandths of a contract.
      const amount = ((units * toWad(leg.weight)) / WAD / 10n ** 15n) * 10n ** 15n;
      if (amount === 0n) continue;
      const buyer = buyers[nextBuyer() % buyers.length];
      await chain.must("writer", `${this.spec.name} writes ${s.label}`, () =>
        suite.clearing.connect(this.signer).write(id, s.id, amount, buyer.address),
      );
    }
  }

  /** Top up when collateral / maintenance falls below the writer's threshold (risk-reducing: never blocked). */
  async maybeTopUp(suite: Suite, chain: Chain, ratio: number | null): Promise<string | undefined> {
    const t = this.spec.topUp;
    if (t === undefined || ratio === null || ratio >= t.below || this.topUps >= t.max) return undefined;
    const shares = await fundShares(suite, chain, this.signer, this.spec.collateral, t.amount);
    const vault = await suite.vaults[this.spec.collateral].getAddress();
    const r = await chain.send("writer", () =>
      suite.clearing.connect(this.signer).depositCollateral(this.account.id, vault, shares),
    );
    if (!r.ok) return undefined;
    this.topUps++;
    return `${this.spec.name} tops up ${t.amount} ${this.spec.collateral}`;
  }
}

export const toWad = (x: number): bigint => BigInt(Math.round(x * 1e9)) * 10n ** 9n;

// ------------------------------------------------------------------------------------------------- stakers

export async function stake(suite: Suite, chain: Chain, spec: StakerSpec, who: HardhatEthersSigner) {
  const assets = tokenUnits(spec.deposit, await suite.quote.decimals());
  const insurance = await suite.insurance.getAddress();
  await chain.must("staker", "mint", () => suite.quote.connect(who).mint(who.address, assets));
  await chain.must("staker", "approve", () => suite.quote.connect(who).approve(insurance, assets));
  await chain.must("staker", `${spec.name} stakes`, () =>
    suite.insurance.connect(who).deposit(assets, who.address),
  );
}

// ------------------------------------------------------------------------------------------------- keepers

/** One liquidation as the keeper saw it: the chain's result plus the deficit from the views just before. */
export interface LiquidationRecord {
  step: number;
  account: string;
  keeper: string;
  gas: bigint;
  result: IOptionsClearing.LiquidationResultStructOutput;
  /** collateral value before, from `health` */
  collateralBeforeWad: bigint;
  /** what the liquidation prices the account's obligations at, before, at the transaction's timestamp: the
   * calculator's mark (liability, less the value when net long) and the settlement debt */
  liabilityWad: bigint;
  /** owed − collateral when positive (the account was insolvent), from the views and the event's discount */
  deficitWad: bigint;
  socialisedContracts: bigint;
}

export class Keeper {
  account!: Tracked;
  failures: Record<string, number> = {};

  constructor(
    readonly spec: KeeperSpec,
    readonly signer: HardhatEthersSigner,
  ) {}

  async open(suite: Suite, chain: Chain): Promise<void> {
    const id = await openFundedAccount(suite, chain, this.signer, suite.quoteSymbol, this.spec.deposit);
    this.account = { name: this.spec.name, role: "keeper", id, owner: this.signer };
  }

  /** Whether the breaker lets liquidations of the asset through now (trips and grace periods). */
  static async liquidationsAllowed(suite: Suite): Promise<boolean> {
    try {
      await suite.breaker.checkLiquidation(await suite.asset.getAddress());
      return true;
    } catch {
      return false;
    }
  }

  async flag(suite: Suite, chain: Chain, target: Tracked): Promise<boolean> {
    const r = await chain.send("keeper", () =>
      suite.clearing.connect(this.signer).flagLiquidatable(target.id),
    );
    return r.ok;
  }

  /** Liquidate `target` (as much as the contract allows, at no loss to the keeper: limit 1.0 per liability). */
  async liquidate(
    suite: Suite,
    chain: Chain,
    step: number,
    target: Tracked,
  ): Promise<LiquidationRecord | undefined> {
    const before = await suite.clearing.health(target.id);
    const markBefore = await markAt(suite, target.id, BigInt(chain.cursor + 1));
    const liabilityBefore = liquidationLiabilityWad([markBefore], await suite.clearing.debtOf(target.id));
    const r = await chain.send("keeper", () =>
      suite.clearing
        .connect(this.signer)
        .liquidate(target.id, this.account.id, WAD, WAD, BigInt(chain.cursor + 600)),
    );
    if (!r.ok || r.receipt === undefined) {
      const reason = (r.error ?? "unknown").replace(/\(.*$/, "");
      this.failures[reason] = (this.failures[reason] ?? 0) + 1;
      return undefined;
    }
    let result: IOptionsClearing.LiquidationResultStructOutput | undefined;
    let socialisedContracts = 0n;
    for (const log of r.receipt.logs) {
      const parsed = suite.clearing.interface.parseLog(log);
      if (parsed?.name === "Liquidated")
        result = parsed.args.result as IOptionsClearing.LiquidationResultStructOutput;
      if (parsed?.name === "LossSocialised") socialisedContracts += parsed.args.contracts as bigint;
    }
    if (result === undefined) throw new Error("stress: a successful liquidate emitted no Liquidated event");
    // The penalty is held pending for the insurance vault; the keeper pays it over at once (it may fail while
    // withdrawals are paused: it stays pending and covers bad debt first).
    await chain.send("keeper", () => suite.clearing.connect(this.signer).payPenalties());
    const owed = mulWadUp(liabilityBefore, WAD + result.discountWad);
    const deficit = owed > before.collateralValueWad ? owed - before.collateralValueWad : 0n;
    return {
      step,
      account: target.name,
      keeper: this.spec.name,
      gas: r.receipt.gasUsed,
      result,
      collateralBeforeWad: before.collateralValueWad,
      liabilityWad: liabilityBefore,
      deficitWad: deficit,
      socialisedContracts,
    };
  }
}

/**
 * The account's positions at mark at `timestamp` (signed value and liability), from the calculator's view with the
 * positions, the oracle price and the volatility as the clearing contract reads them (one underlying: the stress
 * asset).
 */
export async function markAt(suite: Suite, accountId: bigint, timestamp: bigint): Promise<Mark> {
  const asset = await suite.asset.getAddress();
  const ids = await suite.clearing.seriesOf(accountId);
  const positions: { strikeWad: bigint; expiry: bigint; isCall: boolean; amount: bigint }[] = [];
  for (const id of ids) {
    const s = await suite.clearing.series(id);
    positions.push({
      strikeWad: s.strikeWad,
      expiry: s.expiry,
      isCall: s.isCall,
      amount: await suite.clearing.positionOf(accountId, id),
    });
  }
  if (positions.length === 0) return { valueWad: 0n, liabilityWad: 0n };
  const spotWad = await clearingPrice(suite.oracle, asset);
  const { volWad } = await suite.clearing.riskParams(asset);
  const [valueWad, liabilityWad] = await suite.calculator.mark(positions, spotWad, volWad, timestamp);
  return { valueWad, liabilityWad };
}

// ------------------------------------------------------------------------------------------------- guardian

export class Guardian {
  pauses = 0;
  constructor(
    readonly spec: GuardianSpec,
    readonly signer: HardhatEthersSigner,
  ) {}

  /** The rule: pause the asset's price scope on a step move beyond `maxStepMove`, or on a refusing oracle. */
  async act(
    suite: Suite,
    chain: Chain,
    s: { price: number | null; previous: number | null; refusedStreak: number; tripped: boolean },
  ): Promise<string | undefined> {
    if (!this.spec.enabled || s.tripped) return undefined;
    let reason: string | undefined;
    if (s.price !== null && s.previous !== null && Math.abs(s.price / s.previous - 1) > this.spec.maxStepMove)
      reason = `step move ${(100 * (s.price / s.previous - 1)).toFixed(1)}%`;
    else if (s.refusedStreak >= this.spec.refusalSteps)
      reason = `oracle refusing for ${s.refusedStreak} steps`;
    if (reason === undefined) return undefined;
    const scope = Scopes.asset(await suite.asset.getAddress());
    const r = await chain.send("guardian", () =>
      suite.breaker.connect(this.signer).pause(scope, `stress: ${reason}`),
    );
    if (!r.ok) return undefined;
    this.pauses++;
    return `guardian pauses the asset (${reason})`;
  }
}

// ------------------------------------------------------------------------------------------------- governance

interface Operation {
  what: string;
  target: string;
  data: string;
  salt: string;
  readyAt: number;
  done: boolean;
}

/**
 * Governance through the timelock: the governance Safe schedules (two owners sign, the first submits), anyone
 * executes once the delay has passed.
 */
export class Governance {
  private ops: Operation[] = [];
  private saltCounter = 0;
  trippedSeenAt: number | undefined;
  resumes = 0;
  sourcesRemoved = 0;

  constructor(
    readonly spec: GovernanceSpec,
    readonly owners: HardhatEthersSigner[],
  ) {}

  pending(what: string): boolean {
    return this.ops.some((o) => o.what === what && !o.done);
  }

  async schedule(suite: Suite, chain: Chain, what: string, target: string, data: string): Promise<string> {
    const salt = ethers.id(`stress:${what}:${this.saltCounter++}`);
    const delay = await suite.timelock.getMinDelay();
    const timelock = await suite.timelock.getAddress();
    await chain.must("governance", `schedule ${what}`, () =>
      sendAsSafe(
        suite.safe,
        this.owners,
        this.owners[0],
        timelock,
        suite.timelock.interface.encodeFunctionData("schedule", [
          target,
          0n,
          data,
          ethers.ZeroHash,
          salt,
          delay,
        ]),
      ),
    );
    this.ops.push({ what, target, data, salt, readyAt: chain.cursor + Number(delay), done: false });
    return `governance schedules ${what} (timelock ${Number(delay) / 3600} h)`;
  }

  /** Execute every ready operation; one that reverts (cooldown not elapsed yet) is retried next step. */
  async executeReady(suite: Suite, chain: Chain): Promise<string[]> {
    const notes: string[] = [];
    for (const op of this.ops) {
      if (op.done || chain.cursor + 1 < op.readyAt) continue;
      const r = await chain.send("governance", () =>
        suite.timelock.connect(this.owners[0]).execute(op.target, 0n, op.data, ethers.ZeroHash, op.salt),
      );
      if (!r.ok) continue;
      op.done = true;
      if (op.what.startsWith("resume")) this.resumes++;
      else this.sourcesRemoved++;
      notes.push(`governance executes ${op.what}`);
    }
    return notes;
  }

  /**
   * Decide: after `removeOutlierAfterSteps` refused prices, remove the source farthest from the median of all
   * sources; once a price is served again and the asset is tripped, schedule its resume `reactionSteps` after.
   */
  async act(
    suite: Suite,
    chain: Chain,
    s: { step: number; priceServed: boolean; refusedStreak: number; tripped: boolean },
  ): Promise<string[]> {
    const notes: string[] = [];
    const asset = await suite.asset.getAddress();
    if (s.refusedStreak >= this.spec.removeOutlierAfterSteps && !this.pending("remove-source")) {
      const outlier = await this.outlier(suite);
      if (outlier !== undefined) {
        const [params, sources] = await suite.oracle.assetConfig(asset);
        const kept = sources
          .filter((_, i) => i !== outlier)
          .map((x) => ({ source: x.source, heartbeatSeconds: x.heartbeatSeconds }));
        const quorum = Math.min(Number(params.quorum), kept.length);
        const data = suite.oracle.interface.encodeFunctionData("setAssetConfig", [
          asset,
          {
            quorum,
            maxSpreadWad: params.maxSpreadWad,
            bandWad: params.bandWad,
            bandWindowSeconds: params.bandWindowSeconds,
          },
          kept,
        ]);
        notes.push(await this.schedule(suite, chain, "remove-source", await suite.oracle.getAddress(), data));
        notes[notes.length - 1] += ` (source ${outlier})`;
      }
    }
    if (!s.tripped) this.trippedSeenAt = undefined;
    else if (s.priceServed) {
      this.trippedSeenAt ??= s.step;
      if (s.step >= this.trippedSeenAt + this.spec.reactionSteps && !this.pending("resume")) {
        const data = suite.breaker.interface.encodeFunctionData("resume", [Scopes.asset(asset)]);
        notes.push(await this.schedule(suite, chain, "resume", await suite.breaker.getAddress(), data));
      }
    }
    notes.push(...(await this.executeReady(suite, chain)));
    return notes;
  }

  /** The configured source farthest from the median of all answering sources (undefined if fewer than 3). */
  private async outlier(suite: Suite): Promise<number | undefined> {
    const asset = await suite.asset.getAddress();
    const [, sources] = await suite.oracle.assetConfig(asset);
    if (sources.length < 3) return undefined;
    const prices: { i: number; p: bigint }[] = [];
    for (const [i, s] of sources.entries()) {
      const adapter = suite.adapters.find((a) => a.target === s.source);
      if (adapter === undefined) continue;
      try {
        const [p] = await adapter.latest();
        prices.push({ i, p });
      } catch {
        return i; // a source that does not answer is the one to remove
      }
    }
    const sorted = [...prices].sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    const median = sorted[Math.floor(sorted.length / 2)].p;
    let worst = prices[0];
    for (const x of prices) {
      const d = (v: bigint) => (v > median ? v - median : median - v);
      if (d(x.p) > d(worst.p)) worst = x;
    }
    return worst.i;
  }
}
