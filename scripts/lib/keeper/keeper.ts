/**
 * The keeper: one pass discovers accounts and series from events, settles expired series (then the accounts that
 * hold them, where it helps), computes every account's health with the contract and the TypeScript reference, and
 * liquidates what is liquidatable through the keeper's own funded clearing account. A liquidation is sent only when
 * the keeper's own valuation (valuation.ts) agrees with the contract's quote and shows the minimum profit net of gas,
 * with a limit derived from that valuation (profit.ts). Every decision is one JSON line. In dry-run mode it quotes
 * and logs but sends nothing.
 *
 * Per liquidatable account the contract is asked twice: `liquidationQuote` (whether, how much, at what figures) and
 * the node's gas estimate of the exact transaction (the keeper's own side, which the quote leaves out: its margin
 * after taking the positions, its appetite, the breaker; and the gas it costs).
 *
 * Races are expected, never fatal: an account a competitor (or the owner's top-up) made healthy between the
 * keeper's quote and its transaction is refused `AccountHealthy` by the estimate before sending, logged as a clean
 * skip. See docs/operations.md.
 */
import type { Signer } from "ethers";
import type { IOptionsClearing } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import type { JsonLogger } from "../operator/log";
import { Discovery } from "./discovery";
import { decodeRevert } from "../operator/reverts";
import { accountHealth, type AccountHealth } from "./health";
import { LIQUIDATION_RESULT_FIELDS, liquidatedResults, type LiquidationFigures } from "../liquidation";
import {
  DEFAULT_PROFIT_POLICY,
  decide,
  gasCostWad,
  quotedReceivedWad,
  resolveGasAsset,
  type ProfitPolicy,
} from "./profit";
import { independentValuation, type IndependentValuation } from "./valuation";
import { seriesSettlementRounds } from "../settlement/rounds";
import { seriesName } from "../format/series";

const WAD = 10n ** 18n;

export interface KeeperOptions extends ProfitPolicy {
  /** Log decisions and quotes, send nothing. */
  dryRun: boolean;
  /** The most of a portfolio to take per liquidation (1e18 = all; the contract takes only what is needed). */
  maxFractionWad: bigint;
  /** A liquidation must be included within this many seconds of the latest block. */
  deadlineSeconds: number;
  /** Largest block range of one `eth_getLogs`. */
  blockRange: number;
  /** Settle expired series and the accounts that hold them. */
  settle: boolean;
  /** The keeper's clearing account; default: the first account the keeper's signer opened. */
  keeperAccountId?: bigint;
}

export const DEFAULT_KEEPER_OPTIONS: KeeperOptions = {
  ...DEFAULT_PROFIT_POLICY,
  dryRun: false,
  maxFractionWad: WAD,
  deadlineSeconds: 300,
  blockRange: 2_000,
  settle: true,
};

/** Test and integration hooks. */
export interface KeeperHooks {
  /** Called after the keeper decided to liquidate, just before the transaction is sent. */
  beforeLiquidationSend?: (accountId: bigint) => Promise<void>;
}

export interface PassSummary {
  block: number;
  accounts: number;
  liquidatable: number;
  liquidated: number;
  skipped: number;
  settledSeries: number;
  settledAccounts: number;
  /** Quote assets of pending liquidation penalties paid to the insurance vault this pass. */
  penaltiesPaid: bigint;
  disagreements: number;
  /** Actions that failed for a reason other than a clean race (an operator should look). */
  failures: number;
}

type Block = { number: number; timestamp: number };

export class Keeper {
  private readonly discovery: Discovery;
  private readonly doneSeries = new Set<bigint>();
  private keeperAccount: bigint | undefined;
  private keeperAccountChecked = false;
  private signerAddress = "";
  /** The token whose oracle price values the native coin for gas estimates; undefined: gas counted as free. */
  private readonly gasAsset: string | undefined;

  constructor(
    private readonly protocol: Protocol,
    private readonly signer: Signer,
    private readonly options: KeeperOptions,
    private readonly log: JsonLogger,
    private readonly hooks: KeeperHooks = {},
  ) {
    this.discovery = new Discovery(protocol.clearing, protocol.record.startBlock, options.blockRange);
    this.gasAsset = resolveGasAsset(options, protocol.record.tokens);
  }

  /** One pass over every series and account. */
  async runOnce(): Promise<PassSummary> {
    const provider = this.signer.provider;
    if (provider === null) throw new Error("the keeper's signer has no provider");
    this.signerAddress = await this.signer.getAddress();
    const latest = await provider.getBlock("latest");
    if (latest === null) throw new Error("the node returned no latest block");
    const block: Block = { number: latest.number, timestamp: latest.timestamp };
    const scan = await this.discovery.sync(block.number);
    // A pass with no new block scans nothing: it names the last block seen, never a range running backwards.
    const newBlocks = Math.max(0, scan.to - scan.from + 1);
    this.log("scan", {
      ...(newBlocks > 0 ? { fromBlock: scan.from } : {}),
      toBlock: scan.to,
      newBlocks,
      newAccounts: scan.accounts,
      newSeries: scan.series,
      accounts: this.discovery.accounts.size,
      series: this.discovery.series.size,
    });
    await this.resolveKeeperAccount();

    const summary: PassSummary = {
      block: block.number,
      accounts: this.discovery.accounts.size,
      liquidatable: 0,
      liquidated: 0,
      skipped: 0,
      settledSeries: 0,
      settledAccounts: 0,
      penaltiesPaid: 0n,
      disagreements: 0,
      failures: 0,
    };
    if (this.options.settle) await this.settleExpiredSeries(block, summary);
    // Accounts are valued after the settlements of this pass (a settled series is margined at its payout).
    let valuation = block;
    if (summary.settledSeries > 0) {
      const after = await provider.getBlock("latest");
      if (after !== null) valuation = { number: after.number, timestamp: after.timestamp };
    }

    const ids = [...this.discovery.accounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ids) await this.handleAccount(id, valuation, summary);
    await this.payPenalties(summary);

    this.log("pass", { dryRun: this.options.dryRun, ...summary });
    return summary;
  }

  /** Run passes every `intervalSeconds` until `signal` aborts; a failed pass is logged and the loop goes on. */
  async runLoop(intervalSeconds: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.runOnce();
      } catch (error) {
        this.log("pass-failed", { level: "error", reason: decodeRevert(error).text });
      }
      await sleep(intervalSeconds * 1000, signal);
    }
    this.log("stopped", {});
  }

  // ------------------------------------------------------------------------------------------ keeper account
  private async resolveKeeperAccount(): Promise<void> {
    if (this.keeperAccountChecked && this.keeperAccount !== undefined) return;
    const { clearing } = this.protocol;
    let id = this.options.keeperAccountId;
    if (id === undefined) id = this.discovery.accountsOf(this.signerAddress)[0];
    if (id === undefined) {
      if (!this.keeperAccountChecked) {
        this.log("keeper-account", {
          level: "warn",
          signer: this.signerAddress,
          reason:
            "the keeper's signer owns no clearing account: liquidations are skipped (open and fund one: npx hardhat keeper-fund)",
        });
      }
      this.keeperAccountChecked = true;
      return;
    }
    const owner = await clearing.ownerOf(id);
    const controls =
      owner.toLowerCase() === this.signerAddress.toLowerCase() ||
      (owner !== "0x0000000000000000000000000000000000000000" &&
        (await clearing.isOperator(owner, this.signerAddress)));
    if (!controls) {
      this.log("keeper-account", {
        level: "warn",
        signer: this.signerAddress,
        keeperAccountId: id,
        owner,
        reason: "the keeper's signer neither owns nor operates this account: liquidations are skipped",
      });
      this.keeperAccountChecked = true;
      return;
    }
    const h = await clearing.health(id);
    this.log("keeper-account", {
      signer: this.signerAddress,
      keeperAccountId: id,
      collateralValueWad: h.collateralValueWad,
      initialWad: h.initialWad,
    });
    this.keeperAccount = id;
    this.keeperAccountChecked = true;
  }

  // ------------------------------------------------------------------------------------------ penalties
  /** Pay the pending liquidation penalties to the insurance vault (theirs and ours alike: anyone may). */
  private async payPenalties(summary: PassSummary): Promise<void> {
    const { clearing } = this.protocol;
    const pending = await clearing.pendingPenaltyShares();
    if (pending === 0n) return;
    if (this.options.dryRun) {
      this.log("would-pay-penalties", { pendingShares: pending });
      return;
    }
    try {
      const assets = await clearing.payPenalties.staticCall();
      const receipt = await (await clearing.payPenalties()).wait();
      summary.penaltiesPaid += assets;
      this.log("penalties-paid", {
        pendingShares: pending,
        assets,
        tx: receipt?.hash,
        gasUsed: receipt?.gasUsed,
      });
    } catch (error) {
      // A tripped WITHDRAW scope or the outflow limit: they stay pending (still cover) until a later pass.
      this.log("pay-penalties-skipped", { pendingShares: pending, reason: decodeRevert(error).text });
    }
  }

  // ------------------------------------------------------------------------------------------ settlement
  private async settleExpiredSeries(block: Block, summary: PassSummary): Promise<void> {
    const { clearing } = this.protocol;
    for (const info of this.discovery.series.values()) {
      if (this.doneSeries.has(info.id) || info.expiry > BigInt(block.timestamp)) continue;
      const s = await clearing.series(info.id);
      if (s.settled) {
        this.doneSeries.add(info.id);
        continue;
      }
      const underlying = this.protocol.symbolOf(info.underlying);
      const fields = {
        seriesId: info.id,
        series: seriesName({ ...info, underlying }),
        underlying,
        expiry: info.expiry,
      };
      // Within the window: the live price. After it: the first oracle round recorded in the window (settlement
      // recovers once a scope tripped during the window is resumed); with none, only governance's fallback is left.
      let roundId: bigint | null = null;
      try {
        await clearing.settle.staticCall(info.id);
      } catch (error) {
        const reason = decodeRevert(error);
        if (reason.name === "SettlementWindowClosed") {
          roundId = (await seriesSettlementRounds(clearing, this.protocol.oracle, info.id)).firstInWindow;
        }
        if (roundId === null) {
          if (reason.name === "SettlementWindowClosed" || reason.name === "SeriesAlreadySettled") {
            this.doneSeries.add(info.id);
          }
          this.log("settle-skipped", { ...fields, reason: reason.text });
          summary.skipped++;
          // Tripped within the window: record an oracle round now, so the series settles from it after the resume.
          if (reason.name === "ScopeTripped") await this.recordRound(info.underlying, fields);
          continue;
        }
      }
      const settleIt = (): ReturnType<typeof clearing.settle> =>
        roundId === null ? clearing.settle(info.id) : clearing.settleFromRound(info.id, roundId);
      if (roundId !== null) {
        try {
          await clearing.settleFromRound.staticCall(info.id, roundId);
        } catch (error) {
          // Tripped, or not yet resumed: a later pass tries again.
          this.log("settle-skipped", { ...fields, roundId, reason: decodeRevert(error).text });
          summary.skipped++;
          continue;
        }
      }
      if (this.options.dryRun) {
        this.log("would-settle", roundId === null ? fields : { ...fields, roundId });
        continue;
      }
      try {
        const receipt = await (await settleIt()).wait();
        const after = await clearing.series(info.id);
        this.log("settled", {
          ...fields,
          ...(roundId === null ? {} : { roundId }),
          priceWad: after.settlementPriceWad,
          payoutPerContractWad: after.payoutPerContractWad,
          tx: receipt?.hash,
          gasUsed: receipt?.gasUsed,
        });
        this.doneSeries.add(info.id);
        summary.settledSeries++;
      } catch (error) {
        const reason = decodeRevert(error);
        const raced = reason.name === "SeriesAlreadySettled";
        if (raced) this.doneSeries.add(info.id);
        this.log(raced ? "settle-skipped" : "settle-failed", {
          ...fields,
          level: raced ? undefined : "error",
          reason: reason.text,
        });
        if (raced) summary.skipped++;
        else summary.failures++;
      }
    }
  }

  /** Poke the oracle for `asset`: a round observed now (or the refusal's reason) for a later `settleFromRound`. */
  private async recordRound(asset: string, fields: Record<string, unknown>): Promise<void> {
    if (this.options.dryRun) {
      this.log("would-poke", fields);
      return;
    }
    try {
      const receipt = await (await this.protocol.oracle.poke(asset)).wait();
      const [roundId, , updatedAt] = await this.protocol.oracle.latestRound(asset);
      this.log("poked", { ...fields, roundId, updatedAt, tx: receipt?.hash });
    } catch (error) {
      this.log("poke-failed", { ...fields, level: "warn", reason: decodeRevert(error).text });
    }
  }

  private async settleAccount(
    h: Pick<AccountHealth, "accountId" | "pendingSettlement">,
    summary: PassSummary,
  ): Promise<void> {
    const { clearing } = this.protocol;
    const fields = { accountId: h.accountId, pendingPositions: h.pendingSettlement };
    if (this.options.dryRun) {
      this.log("would-settle-account", fields);
      return;
    }
    try {
      const receipt = await (await clearing.settleAccount(h.accountId)).wait();
      this.log("account-settled", { ...fields, tx: receipt?.hash, gasUsed: receipt?.gasUsed });
      summary.settledAccounts++;
    } catch (error) {
      this.log("settle-account-failed", { ...fields, level: "error", reason: decodeRevert(error).text });
      summary.failures++;
    }
  }

  /**
   * Re-flag a liquidatable account the keeper does not liquidate this pass: the clearing's auction discount only grows
   * while the account is observed liquidatable at least every AUCTION_HEARTBEAT_SECONDS (docs/liquidation.md, rule 5),
   * so an unprofitable deal becomes profitable as the discount grows.
   */
  private async keepAuctionAlive(accountId: bigint, summary: PassSummary): Promise<void> {
    if (this.options.dryRun) {
      this.log("would-flag", { accountId });
      return;
    }
    try {
      const receipt = await (await this.protocol.clearing.flagLiquidatable(accountId)).wait();
      this.log("auction-flagged", { accountId, tx: receipt?.hash, gasUsed: receipt?.gasUsed });
    } catch (error) {
      this.log("flag-failed", { accountId, level: "warn", reason: decodeRevert(error).text });
      summary.failures++;
    }
  }

  // ------------------------------------------------------------------------------------------ accounts
  private async handleAccount(id: bigint, block: Block, summary: PassSummary): Promise<void> {
    const { clearing, oracle } = this.protocol;
    let h: AccountHealth;
    try {
      h = await accountHealth(clearing, oracle, id, block);
    } catch (error) {
      this.log("health-unavailable", { accountId: id, level: "warn", reason: decodeRevert(error).text });
      summary.skipped++;
      return;
    }
    const figures = {
      accountId: id,
      collateralValueWad: h.onChain.collateralValueWad,
      maintenanceWad: h.onChain.maintenanceWad,
      debtWad: h.onChain.debtWad,
      positions: h.positions,
    };
    if (h.reference !== undefined && !h.reference.agrees) {
      summary.disagreements++;
      this.log("reference-disagreement", {
        level: "warn",
        accountId: id,
        block: block.number,
        onChainMaintenanceWad: h.onChain.maintenanceWad,
        referenceMaintenanceWad: h.reference.maintenanceWad,
        differenceWad: h.reference.differenceWad,
        toleranceWad: h.reference.toleranceWad,
      });
    } else if (h.referenceError !== undefined) {
      this.log("reference-unavailable", { level: "warn", accountId: id, reason: h.referenceError });
    }

    if (!h.liquidatable) {
      this.log("healthy", figures);
      if (this.options.settle && h.pendingSettlement > 0) await this.settleAccount(h, summary);
      return;
    }
    summary.liquidatable++;
    await this.liquidate(id, figures, summary, h.pendingSettlement);
  }

  private skip(summary: PassSummary, fields: Record<string, unknown>, reason: string): void {
    summary.skipped++;
    this.log("liquidation-skipped", { ...fields, reason });
  }

  private async liquidate(
    id: bigint,
    figures: Record<string, unknown>,
    summary: PassSummary,
    pendingSettlement: number,
  ): Promise<void> {
    const { clearing } = this.protocol;
    const keeperAccount = this.keeperAccount;
    if (keeperAccount === undefined) return this.skip(summary, figures, "no keeper account");
    const owner = this.discovery.accounts.get(id) ?? (await clearing.ownerOf(id));
    const keeperOwner = await clearing.ownerOf(keeperAccount);
    if (owner.toLowerCase() === keeperOwner.toLowerCase()) {
      return this.skip(summary, figures, "same owner as the keeper account (SelfLiquidation)");
    }

    // The quote and the keeper's own valuation are read at one block, after any pending lazy settlement (a touch
    // repays debt before it credits settled longs, so a second settlement may be needed).
    let at: Block;
    let view: IOptionsClearing.LiquidationQuoteStructOutput;
    for (let settled = 0; ; settled++) {
      at = await this.latestBlock();
      try {
        view = await clearing.liquidationQuote(id, { blockTag: at.number });
      } catch (error) {
        return this.skip(summary, figures, `no quote: ${decodeRevert(error).text}`);
      }
      if (!view.settlementPending) break;
      if (this.options.dryRun || !this.options.settle || settled === 2) {
        return this.skip(
          summary,
          figures,
          "lazy settlement pending: the keeper values settled accounts only",
        );
      }
      await this.settleAccount({ accountId: id, pendingSettlement }, summary);
    }

    const deadline = BigInt(at.timestamp + this.options.deadlineSeconds);
    const maxFraction = this.options.maxFractionWad;
    const healthyAtQuote = (reason: string): void =>
      this.skip(summary, figures, `healthy at the quote (topped up or liquidated first): ${reason}`);
    if (!view.belowMaintenance) {
      const healthy = clearing.interface.encodeErrorResult("AccountHealthy", [
        id,
        view.collateralValueWad,
        view.maintenanceWad,
      ]);
      return healthyAtQuote(decodeRevert({ data: healthy }).text);
    }
    let gasUnits: bigint;
    try {
      gasUnits = await clearing.liquidate.estimateGas(id, keeperAccount, maxFraction, 0n, deadline);
    } catch (error) {
      const reason = decodeRevert(error);
      if (reason.name === "AccountHealthy") return healthyAtQuote(reason.text);
      return this.skip(summary, figures, `not liquidatable by this keeper now: ${reason.text}`);
    }
    let quote: LiquidationFigures;
    if (view.result.fractionWad <= maxFraction) {
      quote = plainFigures(view.result);
    } else {
      // The quote is for a full appetite; a keeper capped below the needed fraction takes less, which only
      // `liquidate` itself computes.
      try {
        const result = await clearing.liquidate.staticCall(id, keeperAccount, maxFraction, 0n, deadline, {
          blockTag: at.number,
        });
        quote = plainFigures(result);
      } catch (error) {
        return this.skip(
          summary,
          figures,
          `not liquidatable by this keeper now: ${decodeRevert(error).text}`,
        );
      }
    }
    const quoteFields = {
      ...figures,
      keeperAccountId: keeperAccount,
      block: at.number,
      fractionWad: quote.fractionWad,
      liabilityWad: quote.liabilityWad,
      seizedValueWad: quote.seizedValueWad,
      receivedValueWad: quotedReceivedWad(quote),
      discountWad: quote.discountWad,
      deadline,
    };

    let valuation: IndependentValuation;
    let gasWad: bigint;
    try {
      valuation = await independentValuation(
        clearing,
        this.protocol.oracle,
        id,
        quote,
        view.collateralValueWad,
        at,
      );
      gasWad = await this.gasCostWad(gasUnits, at);
    } catch (error) {
      return this.skip(summary, quoteFields, `no independent valuation: ${decodeRevert(error).text}`);
    }
    const decision = decide(quote, valuation, this.options, gasWad);
    const valued = {
      ...quoteFields,
      independentLiabilityWad: valuation.liabilityWad,
      independentReceivedWad: valuation.receivedWad,
      gasCostWad: gasWad,
    };
    if (decision.kind === "disagreement") {
      summary.skipped++;
      this.log("valuation-disagreement", {
        ...valued,
        level: "warn",
        liabilityAgrees: decision.liabilityAgrees,
        receivedAgrees: decision.receivedAgrees,
        toleranceBps: this.options.toleranceBps,
        pricesWad: valuation.pricesWad,
      });
      return;
    }
    const deal = {
      ...valued,
      profitWad: decision.profitWad,
      requiredReceivedWad: decision.requiredWad,
      minProfitBps: this.options.minProfitBps,
      minProfitWad: this.options.minProfitWad,
    };
    if (decision.kind === "unprofitable") {
      summary.skipped++;
      this.log("liquidation-unprofitable", deal);
      await this.keepAuctionAlive(id, summary);
      return;
    }
    const limit = decision.minSeizedPerLiabilityWad;
    const sendFields = { ...deal, minSeizedPerLiabilityWad: limit };
    if (this.options.dryRun) {
      this.log("would-liquidate", sendFields);
      return;
    }

    await this.hooks.beforeLiquidationSend?.(id);
    try {
      const tx = await clearing.liquidate(id, keeperAccount, maxFraction, limit, deadline);
      const receipt = await tx.wait();
      const [result] = liquidatedResults(clearing, receipt?.logs ?? []);
      summary.liquidated++;
      this.log("liquidated", { ...sendFields, tx: receipt?.hash, gasUsed: receipt?.gasUsed, ...result });
    } catch (error) {
      const reason = decodeRevert(error);
      if (reason.name === "AccountHealthy") {
        return this.skip(summary, sendFields, `liquidated or topped up first: ${reason.text}`);
      }
      summary.failures++;
      this.log("liquidation-failed", { ...sendFields, level: "error", reason: reason.text });
    }
  }

  private async latestBlock(): Promise<Block> {
    const block = await this.signer.provider?.getBlock("latest");
    if (block === null || block === undefined) throw new Error("the node returned no latest block");
    return { number: block.number, timestamp: block.timestamp };
  }

  /** `units` of gas at the node's fee per gas (EIP-1559 cap, else gas price), in WAD quote. */
  private async gasCostWad(units: bigint, at: Block): Promise<bigint> {
    if (this.gasAsset === undefined) return 0n;
    const provider = this.signer.provider;
    if (provider === null) throw new Error("the keeper's signer has no provider");
    const [fees, [nativePriceWad]] = await Promise.all([
      provider.getFeeData(),
      this.protocol.oracle.getPrice(this.gasAsset, { blockTag: at.number }),
    ]);
    return gasCostWad(units, fees.maxFeePerGas ?? fees.gasPrice ?? 0n, nativePriceWad);
  }
}

/** The quote as plain bigints (a TypeChain struct output is an ethers Result). */
function plainFigures(result: LiquidationFigures): LiquidationFigures {
  const entries = LIQUIDATION_RESULT_FIELDS.map((field) => [field, result[field]] as const);
  return Object.fromEntries(entries) as LiquidationFigures;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
