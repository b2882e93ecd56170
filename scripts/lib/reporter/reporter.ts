/**
 * The price reporter: signs each asset's price with the reporter key(s) (EIP-712, scripts/lib/signing.ts) and
 * relays the reports to the asset's SignedReportSource (`submit(reports)`: the source keeps each reporter's latest
 * report and prices the median of the fresh ones), then optionally pokes the aggregator so a new round is
 * recorded. Signed sources are found through the aggregator's configuration of every priced asset of the
 * deployment record (a source answering SignedReportSource's REPORT_TYPEHASH), or given explicitly. Every decision
 * is one JSON line.
 */
import { id as keccakText, type Signer } from "ethers";
import { ISignedReportSource__factory, type ISignedReportSource } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import type { JsonLogger } from "../operator/log";
import { decodeRevert } from "../operator/reverts";
import { REPORT_TYPE_STRING, reportDomain, signReport, toCalldata } from "../signing";
import type { PriceInput } from "./prices";

const POKE_OUTCOMES = [
  "Recorded",
  "Unchanged",
  "QuorumLossReported",
  "PriceBandBreachReported",
  "SequencerDownReported",
];

export interface ReporterOptions {
  dryRun: boolean;
  /** Poke the aggregator after a relay. */
  poke: boolean;
  /** Explicit signed sources by symbol (beside those the aggregator lists). */
  sources: Record<string, string>;
}

/** The SignedReportSource of every priced asset of the deployment, by symbol. */
export async function signedSources(
  p: Protocol,
  explicit: Record<string, string>,
  runner: Signer,
): Promise<Record<string, ISignedReportSource>> {
  const typehash = keccakText(REPORT_TYPE_STRING);
  const found: Record<string, ISignedReportSource> = {};
  for (const [symbol, address] of Object.entries(explicit)) {
    if (p.record.tokens[symbol] === undefined) {
      throw new OperatorError(
        `a signed source is given for '${symbol}', which is not an asset of the deployment`,
      );
    }
    const source = ISignedReportSource__factory.connect(address, runner);
    let ok = false;
    try {
      ok = (await source.REPORT_TYPEHASH()) === typehash;
    } catch {
      ok = false;
    }
    if (!ok) throw new OperatorError(`${address} (given for ${symbol}) is not a SignedReportSource`);
    found[symbol] = source;
  }
  for (const symbol of Object.keys(p.record.feeds)) {
    if (found[symbol] !== undefined) continue;
    const [, sources] = await p.oracle.assetConfig(p.record.tokens[symbol]);
    for (const s of sources) {
      const source = ISignedReportSource__factory.connect(s.source, runner);
      try {
        if ((await source.REPORT_TYPEHASH()) === typehash) {
          found[symbol] = source;
          break;
        }
      } catch {
        // A Chainlink adapter or another kind of source.
      }
    }
  }
  return found;
}

export interface ReportSummary {
  relayed: number;
  skipped: number;
  failures: number;
}

/** One relay of signed reports per asset of `input` that has a signed source. */
export async function reportOnce(
  p: Protocol,
  input: PriceInput,
  reporters: readonly Signer[],
  relayer: Signer,
  options: ReporterOptions,
  log: JsonLogger,
): Promise<ReportSummary> {
  if (reporters.length === 0)
    throw new OperatorError("no reporter key: set REPORTER_PRIVATE_KEY (or REPORTER_SIGNERS)");
  const provider = relayer.provider;
  if (provider === null) throw new OperatorError("the relayer has no provider");
  const latest = await provider.getBlock("latest");
  if (latest === null) throw new OperatorError("the node returned no latest block");
  const observedAt = input.observedAt ?? BigInt(latest.timestamp);
  const chainId = (await provider.getNetwork()).chainId;
  const sources = await signedSources(p, options.sources, relayer);
  const summary: ReportSummary = { relayed: 0, skipped: 0, failures: 0 };

  for (const [symbol, priceWad] of Object.entries(input.pricesWad)) {
    const source = sources[symbol];
    if (source === undefined) {
      summary.skipped++;
      log("report-skipped", { asset: symbol, reason: "no signed report source for this asset" });
      continue;
    }
    const address = await source.getAddress();
    const authorised: Signer[] = [];
    for (const r of reporters) {
      if (await source.isReporter(await r.getAddress())) authorised.push(r);
      else
        log("reporter-unauthorised", {
          level: "warn",
          asset: symbol,
          source: address,
          reporter: await r.getAddress(),
        });
    }
    if (authorised.length === 0) {
      summary.failures++;
      log("report-failed", {
        level: "error",
        asset: symbol,
        source: address,
        reason: "none of this reporter's keys is an authorised signer of the source",
      });
      continue;
    }
    const domain = reportDomain(chainId, address);
    const token = p.record.tokens[symbol];
    const signed = await Promise.all(
      authorised.map((r) => signReport(r, domain, { asset: token, priceWad, observedAt })),
    );
    const fields = {
      asset: symbol,
      source: address,
      priceWad,
      observedAt,
      signers: signed.map((s) => s.signer),
    };
    const batch = toCalldata(signed);
    try {
      await source.connect(relayer).submit.staticCall(batch);
    } catch (error) {
      const reason = decodeRevert(error);
      // These reports (or later ones of the same keys) are already stored: nothing to relay.
      const known = reason.name === "NoNewerReport";
      if (known) summary.skipped++;
      else summary.failures++;
      log(known ? "report-skipped" : "report-failed", {
        ...fields,
        level: known ? undefined : "error",
        reason: reason.text,
      });
      continue;
    }
    if (options.dryRun) {
      log("would-report", fields);
      continue;
    }
    try {
      const receipt = await (await source.connect(relayer).submit(batch)).wait();
      summary.relayed++;
      log("reported", { ...fields, tx: receipt?.hash, gasUsed: receipt?.gasUsed });
    } catch (error) {
      const reason = decodeRevert(error);
      // Another relayer stored these reports first: not an error.
      const raced = reason.name === "NoNewerReport";
      if (raced) summary.skipped++;
      else summary.failures++;
      log(raced ? "report-skipped" : "report-failed", {
        ...fields,
        level: raced ? undefined : "error",
        reason: reason.text,
      });
      continue;
    }
    if (options.poke) {
      try {
        // Only a poke that records a round is sent: one that would report a quorum loss or a band breach (and trip
        // the breaker) is left to the sentinel and the guardians, who watch for exactly that.
        const outcome = POKE_OUTCOMES[Number(await p.oracle.connect(relayer).poke.staticCall(token))];
        if (outcome !== "Recorded") {
          log("poke-skipped", { asset: symbol, outcome });
        } else {
          const receipt = await (await p.oracle.connect(relayer).poke(token)).wait();
          log("poked", { asset: symbol, outcome, tx: receipt?.hash });
        }
      } catch (error) {
        log("poke-failed", { level: "warn", asset: symbol, reason: decodeRevert(error).text });
      }
    }
  }
  log("report-pass", { dryRun: options.dryRun, source: input.source, ...summary });
  return summary;
}
