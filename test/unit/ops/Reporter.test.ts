/**
 * The price reporter (scripts/lib/reporter) on the in-process network: config/local.json deployed by the deploy
 * script's logic has only Chainlink-style sources, so governance adds a SignedReportSource for WETH through the
 * timelock (function roles, the reporter, the aggregator's source list). The reporter then signs with its own key
 * (EIP-712) and relays reports of prices read from a JSON file and from an http URL served on 127.0.0.1; bad input is named.
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
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  ProtocolTimelock__factory,
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
import { WAD, setMockPrice } from "../../shared/fixtures/book";
import { SIGNER, asGovernance, deployedBook } from "../../shared/fixtures/deployed";

type Line = Record<string, unknown> & { event: string };
const HOUR = 3600n;
const REPORTER_KEY = "0x" + "42".repeat(32);

/** The local deployment with a SignedReportSource for WETH (1 signer) added by governance through the timelock. */
async function withSignedSource() {
  const base = await loadFixture(deployedBook);
  const { record } = base;
  const signers = await ethers.getSigners();
  const executor = signers[SIGNER.keeper];
  const reporter = new ethers.Wallet(REPORTER_KEY);
  const weth = record.tokens.WETH;
  const source = await new SignedReportSource__factory(signers[0]).deploy(
    record.contracts.ProtocolAccessManager,
    weth,
    1,
    HOUR,
  );
  const sourceAddress = await source.getAddress();
  const manager = ProtocolAccessManager__factory.connect(record.contracts.ProtocolAccessManager, executor);
  const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, executor);
  const timelock = ProtocolTimelock__factory.connect(record.contracts.ProtocolTimelock, executor);
  const [params, sources] = await oracle.assetConfig(weth);
  const calls = [
    {
      target: await manager.getAddress(),
      data: manager.interface.encodeFunctionData("setTargetFunctionRole", [
        sourceAddress,
        (["setReporter", "setMinSigners", "setMaxReportAge"] as const).map(
          (f) => source.interface.getFunction(f).selector,
        ),
        Roles.GOVERNOR_ROLE,
      ]),
    },
    {
      target: sourceAddress,
      data: source.interface.encodeFunctionData("setReporter", [reporter.address, true]),
    },
    {
      target: await oracle.getAddress(),
      data: oracle.interface.encodeFunctionData("setAssetConfig", [
        weth,
        {
          quorum: params.quorum,
          maxSpreadWad: params.maxSpreadWad,
          bandWad: params.bandWad,
          bandWindowSeconds: params.bandWindowSeconds,
        },
        [
          ...sources.map((s) => ({ source: s.source, heartbeatSeconds: s.heartbeatSeconds })),
          { source: sourceAddress, heartbeatSeconds: HOUR },
        ],
      ]),
    },
  ];
  const salt = ethers.id("add signed source");
  const args = [
    calls.map((c) => c.target),
    calls.map(() => 0n),
    calls.map((c) => c.data),
    ethers.ZeroHash,
    salt,
  ] as const;
  // The governance Safe schedules (two owners sign); anyone executes after the delay.
  await asGovernance(
    record,
    await timelock.getAddress(),
    timelock.interface.encodeFunctionData("scheduleBatch", [...args, await timelock.getMinDelay()]),
  );
  await time.increase(await timelock.getMinDelay());
  await timelock.executeBatch(...args);
  // The timelock's delay aged the Chainlink-style feeds past their heartbeat: fresh rounds at the same price.
  await setMockPrice(record, "WETH", 2000n * WAD, signers[0]);
  return { ...base, source: SignedReportSource__factory.connect(sourceAddress, ethers.provider), reporter };
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
    privateKeys: [REPORTER_KEY],
    signerIndexes: [],
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

  it("signs the file's price with the reporter key and relays it: the source and the aggregator take it", async () => {
    const { recordPath, record, source, reporter } = await loadFixture(withSignedSource);
    const file = join(dir, "prices.json");
    writeFileSync(file, JSON.stringify({ prices: { WETH: "2010.5", WBTC: 60_000 } }));
    const before = BigInt(await time.latest());
    const { summary, lines: out } = await report(recordPath, file, { poke: true });
    expect(summary).to.deep.equal({ relayed: 1, skipped: 1, failures: 0 });
    const [priceWad, observedAt] = await source.latest();
    expect(priceWad).to.equal((20105n * WAD) / 10n);
    expect(observedAt).to.equal(before); // no time in the document: the latest block's time when it was read
    expect(await source.reportOf(reporter.address)).to.deep.equal([priceWad, before]);
    const [accepted] = await source.queryFilter(source.filters.ReportAccepted(reporter.address));
    expect(accepted.args.priceWad).to.equal(priceWad);
    expect(out.find((l) => l.event === "reported")?.signers).to.deep.equal([reporter.address]);
    // WBTC has no signed source: skipped by name, not an error.
    expect(out.find((l) => l.event === "report-skipped")).to.include({ asset: "WBTC" });
    // The aggregator now has four fresh WETH sources: 2000 (3 feeds) and 2010.5; the median stays 2000, so a poke
    // would record nothing and is not sent.
    expect(out.find((l) => l.event === "poke-skipped")).to.include({ asset: "WETH", outcome: "Unchanged" });
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, ethers.provider);
    expect((await oracle.getPrice(record.tokens.WETH))[0]).to.equal(2000n * WAD);
  });

  it("reads prices from an http URL (a local server on 127.0.0.1), with the document's observation time", async () => {
    const { recordPath, source, reporter } = await loadFixture(withSignedSource);
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
    expect(await source.reportOf(reporter.address)).to.deep.equal([
      (199975n * WAD) / 100n,
      BigInt(observedAt),
    ]);
  });

  it("in dry-run mode signs and checks the batch but sends nothing", async () => {
    const { recordPath, source, reporter } = await loadFixture(withSignedSource);
    const file = join(dir, "dry.json");
    writeFileSync(file, JSON.stringify({ WETH: "2001" }));
    const { summary, lines: out } = await report(recordPath, file, { dryRun: true });
    expect(summary).to.deep.equal({ relayed: 0, skipped: 0, failures: 0 });
    expect(out.find((l) => l.event === "would-report")).to.include({
      asset: "WETH",
      priceWad: (2001n * WAD).toString(),
    });
    expect(await source.reportOf(reporter.address)).to.deep.equal([0n, 0n]);
  });

  it("refuses a key that is not an authorised reporter, before sending, naming it", async () => {
    const { recordPath, source, reporter } = await loadFixture(withSignedSource);
    const file = join(dir, "stranger.json");
    writeFileSync(file, JSON.stringify({ WETH: "2001" }));
    const stranger = "0x" + "07".repeat(32);
    const { summary, lines: out } = await report(recordPath, file, { privateKeys: [stranger] });
    expect(summary).to.deep.equal({ relayed: 0, skipped: 0, failures: 1 });
    expect(out.find((l) => l.event === "reporter-unauthorised")?.reporter).to.equal(
      new ethers.Wallet(stranger).address,
    );
    expect(out.find((l) => l.event === "report-failed")?.reason).to.equal(
      "none of this reporter's keys is an authorised signer of the source",
    );
    expect(await source.reportOf(reporter.address)).to.deep.equal([0n, 0n]);
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
