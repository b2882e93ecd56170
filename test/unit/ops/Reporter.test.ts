/**
 * The price reporter (scripts/lib/reporter) on the in-process network: config/local.json, deployed by the deploy
 * script's logic, gives WETH and WBTC a SignedReportSource each (after their mock feeds in the aggregator's list)
 * whose reporter is development account #8. The reporter signs with that key (EIP-712) and relays reports of
 * prices read from a JSON file and from an http URL served on 127.0.0.1; the aggregator takes them into its
 * median; bad input is named.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  MockChainlinkFeed__factory,
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  SignedReportSource__factory,
} from "../../../typechain-types";
import { createLogger, type JsonLogger } from "../../../scripts/lib/operator/log";
import { OperatorError } from "../../../scripts/lib/operator/errors";
import { parsePrices } from "../../../scripts/lib/reporter/prices";
import {
  reporterCommandFromEnv,
  runReporterCommand,
  type ReporterCommand,
} from "../../../scripts/lib/reporter/cli";
import { Roles } from "../../../scripts/lib/roles";
import { WAD } from "../../shared/fixtures/book";
import { SIGNER, deployedBook } from "../../shared/fixtures/deployed";

type Line = Record<string, unknown> & { event: string };
/** config/local.json's reporter: development account #8. */
const REPORTER_INDEX = 8;
const REPORTER_ADDRESS = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";
/** config/local.json's `maxReportAge` of both signed sources: 15 minutes. */
const MAX_REPORT_AGE_SECONDS = 900n;

/** The local deployment and its WETH SignedReportSource. */
async function withSignedSource() {
  const base = await loadFixture(deployedBook);
  const address = base.record.contracts["SignedReportSource.WETH"];
  expect(address, "the record lists SignedReportSource.WETH").to.be.a("string");
  return { ...base, source: SignedReportSource__factory.connect(address, ethers.provider) };
}

function quiet(): JsonLogger {
  return createLogger({}, () => undefined);
}

const lines = (log: JsonLogger): Line[] => log.lines.map((l) => JSON.parse(l) as Line);

async function report(recordPath: string, prices: string, over: Partial<ReporterCommand> = {}) {
  const log = quiet();
  const command: ReporterCommand = {
    prices,
    record: recordPath,
    privateKeys: [],
    signerIndexes: [REPORTER_INDEX],
    relayerIndex: SIGNER.deployer,
    sources: {},
    once: true,
    intervalSeconds: 60,
    dryRun: false,
    poke: false,
    ...over,
  };
  const summary = await runReporterCommand(hre, command, { log });
  return { summary, lines: lines(log) };
}

describe("unit/ops/Reporter (signed price reports, in-process network)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "optiq-reporter-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("deploys a signed source per priced asset: reporter #8, 1 signer, 15 min, listed last, governed by the timelock", async () => {
    const { record } = await loadFixture(withSignedSource);
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, ethers.provider);
    const manager = ProtocolAccessManager__factory.connect(
      record.contracts.ProtocolAccessManager,
      ethers.provider,
    );
    for (const [symbol, feeds] of [
      ["WETH", 3],
      ["WBTC", 2],
    ] as const) {
      const address = record.contracts[`SignedReportSource.${symbol}`];
      const source = SignedReportSource__factory.connect(address, ethers.provider);
      expect(await source.asset()).to.equal(record.tokens[symbol]);
      expect(await source.isReporter(REPORTER_ADDRESS)).to.equal(true);
      expect(await source.reporterCount()).to.equal(1n);
      expect(await source.minSigners()).to.equal(1n);
      expect(await source.maxReportAgeSeconds()).to.equal(MAX_REPORT_AGE_SECONDS);
      const [, sources] = await oracle.assetConfig(record.tokens[symbol]);
      expect(sources.map((s) => [s.source, s.heartbeatSeconds])).to.have.length(feeds + 1);
      expect([sources[feeds].source, sources[feeds].heartbeatSeconds]).to.deep.equal([
        address,
        MAX_REPORT_AGE_SECONDS,
      ]);
      // Only governance (the timelock holds GOVERNOR_ROLE; the deployer none) changes its reporters.
      const selector = source.interface.getFunction("setReporter").selector;
      expect(await manager.getTargetFunctionRole(address, selector)).to.equal(Roles.GOVERNOR_ROLE);
      const [deployerIsGovernor] = await manager.hasRole(Roles.GOVERNOR_ROLE, record.deployer);
      expect(deployerIsGovernor).to.equal(false);
      const [timelockIsGovernor] = await manager.hasRole(
        Roles.GOVERNOR_ROLE,
        record.contracts.ProtocolTimelock,
      );
      expect(timelockIsGovernor).to.equal(true);
    }
  });

  it("signs the file's prices with reporter #8 and relays them: the sources and the aggregator's median take them", async () => {
    const { recordPath, record, source, signers } = await loadFixture(withSignedSource);
    // One WETH feed at 2,010: the feeds read 2,010, 2,000 and 2,000, whose median is 2,000.
    const feed = MockChainlinkFeed__factory.connect(record.mocks.feeds.WETH[0], signers[SIGNER.deployer]);
    await (await feed.setAnswer(2010n * 10n ** 8n, await time.latest())).wait();
    const file = join(dir, "prices.json");
    writeFileSync(file, JSON.stringify({ prices: { WETH: "2020", WBTC: 60_000, USDC: 1 } }));
    const before = BigInt(await time.latest());
    const { summary, lines: out } = await report(recordPath, file, { poke: true });
    expect(summary).to.deep.equal({ relayed: 2, skipped: 1, failures: 0 });
    const [priceWad, observedAt] = await source.latest();
    expect(priceWad).to.equal(2020n * WAD);
    expect(observedAt).to.equal(before); // no time in the document: the latest block's time when it was read
    expect(await source.reportOf(REPORTER_ADDRESS)).to.deep.equal([priceWad, before]);
    const [accepted] = await source.queryFilter(source.filters.ReportAccepted(REPORTER_ADDRESS));
    expect(accepted.args.priceWad).to.equal(priceWad);
    const reported = out.find((l) => l.event === "reported" && l.asset === "WETH");
    expect(reported?.signers).to.deep.equal([REPORTER_ADDRESS]);
    // The raw WAD price and, beside it, the price in USDC per WETH; the relay's gas labelled as gas.
    expect(reported).to.include({ priceWad: (2020n * WAD).toString(), priceFormatted: "2,020 USDC/WETH" });
    expect(out.find((l) => l.event === "reported" && l.asset === "WBTC")?.priceFormatted).to.equal(
      "60,000 USDC/WBTC",
    );
    expect((reported?.gasUsedFormatted as string).replace(/,/g, "")).to.equal(`${reported?.gasUsed} gas`);
    // The quote asset has no signed source: skipped by name, not an error.
    expect(out.find((l) => l.event === "report-skipped")).to.include({ asset: "USDC" });
    // Four fresh WETH sources, 2,000, 2,000, 2,010 and 2,020: the median is halfway between the middle two, 2,005,
    // and the poke records it as a round.
    expect(out.find((l) => l.event === "poked" && l.asset === "WETH")).to.include({ outcome: "Recorded" });
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, ethers.provider);
    expect((await oracle.getPrice(record.tokens.WETH))[0]).to.equal(2005n * WAD);
    expect((await oracle.latestRound(record.tokens.WETH)).priceWad).to.equal(2005n * WAD);
    // Once the report is older than 15 minutes the source stops counting and the feeds' median is back.
    await time.increase(MAX_REPORT_AGE_SECONDS + 1n);
    await expect(source.latest()).to.be.revertedWithCustomError(source, "TooFewFreshReports");
    expect((await oracle.getPrice(record.tokens.WETH))[0]).to.equal(2000n * WAD);
  });

  it("reads prices from an http URL (a local server on 127.0.0.1), with the document's observation time", async () => {
    const { recordPath, source } = await loadFixture(withSignedSource);
    const observedAt = (await time.latest()) - 5;
    let server: Server | undefined;
    try {
      server = createServer((req, res) => {
        if (req.url === "/prices") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ observedAt, prices: { WETH: 1999.75 } }));
        } else {
          res.writeHead(500);
          res.end("boom");
        }
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const ok = await report(recordPath, `http://127.0.0.1:${port}/prices`);
      expect(ok.summary).to.deep.equal({ relayed: 1, skipped: 0, failures: 0 });
      expect(await source.latest()).to.deep.equal([(199975n * WAD) / 100n, BigInt(observedAt)]);
      // The same document again: its report is already stored, so there is nothing to relay.
      const again = await report(recordPath, `http://127.0.0.1:${port}/prices`);
      expect(again.summary).to.deep.equal({ relayed: 0, skipped: 1, failures: 0 });
      expect(again.lines.find((l) => l.event === "report-skipped")?.reason).to.include("NoNewerReport");
      await expect(report(recordPath, `http://127.0.0.1:${port}/broken`)).to.be.rejectedWith(
        OperatorError,
        `cannot fetch prices from http://127.0.0.1:${port}/broken: HTTP 500`,
      );
    } finally {
      await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    }
    expect(await source.reportOf(REPORTER_ADDRESS)).to.deep.equal([
      (199975n * WAD) / 100n,
      BigInt(observedAt),
    ]);
  });

  it("in dry-run mode signs and checks the batch but sends nothing", async () => {
    const { recordPath, source } = await loadFixture(withSignedSource);
    const file = join(dir, "dry.json");
    writeFileSync(file, JSON.stringify({ WETH: "2001" }));
    const { summary, lines: out } = await report(recordPath, file, { dryRun: true });
    expect(summary).to.deep.equal({ relayed: 0, skipped: 0, failures: 0 });
    expect(out.find((l) => l.event === "would-report")).to.include({
      asset: "WETH",
      priceWad: (2001n * WAD).toString(),
    });
    expect(await source.reportOf(REPORTER_ADDRESS)).to.deep.equal([0n, 0n]);
  });

  it("refuses a key that is not an authorised reporter, before sending, naming it", async () => {
    const { recordPath, source } = await loadFixture(withSignedSource);
    const file = join(dir, "stranger.json");
    writeFileSync(file, JSON.stringify({ WETH: "2001" }));
    const stranger = "0x" + "07".repeat(32);
    const { summary, lines: out } = await report(recordPath, file, {
      privateKeys: [stranger],
      signerIndexes: [],
    });
    expect(summary).to.deep.equal({ relayed: 0, skipped: 0, failures: 1 });
    expect(out.find((l) => l.event === "reporter-unauthorised")?.reporter).to.equal(
      new ethers.Wallet(stranger).address,
    );
    expect(out.find((l) => l.event === "report-failed")?.reason).to.equal(
      "none of this reporter's keys is an authorised signer of the source",
    );
    expect(await source.reportOf(REPORTER_ADDRESS)).to.deep.equal([0n, 0n]);
  });

  describe("bad input", () => {
    it("names every problem of a price document", () => {
      expect(() => parsePrices("not json", "p.json")).to.throw(
        OperatorError,
        "prices from p.json are not JSON",
      );
      expect(() => parsePrices("[1]", "p.json")).to.throw(
        OperatorError,
        "must be a JSON object of symbol to price",
      );
      expect(() => parsePrices('{"WETH": "-1", "WBTC": "abc", "observedAt": "soon"}', "p.json")).to.throw(
        OperatorError,
        "invalid prices from p.json:\n  - WETH: price -1 is not positive and below 2^128 wei\n  - WBTC: 'abc' is not a decimal number\n  - observedAt: \"soon\" is not unix seconds",
      );
      expect(() => parsePrices('{"WETH": "0.0000000000000000001"}', "p.json")).to.throw(
        OperatorError,
        "more than 18 decimals",
      );
      expect(() => parsePrices("{}", "p.json")).to.throw(OperatorError, "prices from p.json name no asset");
      expect(parsePrices('{"WETH": 2000, "observedAt": 5}', "p.json")).to.deep.equal({
        pricesWad: { WETH: 2000n * WAD },
        observedAt: 5n,
        source: "p.json",
      });
    });

    it("names missing or malformed settings", () => {
      expect(() => reporterCommandFromEnv({})).to.throw(OperatorError, "REPORTER_PRICES is required");
      expect(() => reporterCommandFromEnv({ REPORTER_PRICES: "p.json" })).to.throw(
        OperatorError,
        "no reporter key",
      );
      expect(() =>
        reporterCommandFromEnv({
          REPORTER_PRICES: "p.json",
          REPORTER_SIGNERS: "1",
          REPORTER_SOURCES: '{"WETH":"0x1"}',
        }),
      ).to.throw(OperatorError, 'REPORTER_SOURCES.WETH: "0x1" is not an address');
      expect(() =>
        reporterCommandFromEnv({ REPORTER_PRICES: "ftp://x/p.json", REPORTER_SIGNERS: "a" }),
      ).to.throw(OperatorError, "REPORTER_SIGNERS must be account indexes");
    });

    it("refuses a non-http URL scheme and a missing file", async () => {
      const { recordPath } = await loadFixture(withSignedSource);
      await expect(report(recordPath, "ftp://127.0.0.1/p.json")).to.be.rejectedWith(
        OperatorError,
        "prices must come from a file or an http(s) URL, not ftp://127.0.0.1/p.json",
      );
      await expect(report(recordPath, join(dir, "missing.json"))).to.be.rejectedWith(
        OperatorError,
        `cannot read prices from ${join(dir, "missing.json")}`,
      );
    });
  });
});
