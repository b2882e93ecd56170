/**
 * The deployment config's schema (scripts/lib/config/): the shipped configs normalise into the contracts' units;
 * every bad input is refused with its JSON path and value, all problems at once. Pure: no network.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { ConfigError, validateConfig, type ValidateOptions } from "../../../scripts/lib/config";
import { wethRisk } from "../../shared/fixtures/system";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WAD = 10n ** 18n;
/** 2026-01-01T00:00:00Z: a fixed "now" so the tests do not age. */
const NOW = Date.UTC(2026, 0, 1) / 1000;
const DEV: ValidateOptions = { now: NOW, allowMocks: true };

const local = (): Json => JSON.parse(readFileSync("config/local.json", "utf8")) as Json;
const mainnet = (): Json => JSON.parse(readFileSync("config/example-mainnet.json", "utf8")) as Json;

/** The problems `validateConfig` reports for `raw` (fails the test if it accepts it). */
function problemsOf(raw: unknown, options: ValidateOptions = DEV): string[] {
  try {
    validateConfig(raw, options, "test.json");
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.contain("invalid deployment config test.json");
    return (error as ConfigError).problems;
  }
  expect.fail("the config was accepted");
}

describe("unit/config/DeployConfig (schema of config/<network>.json)", () => {
  describe("shipped configs", () => {
    it("normalises config/local.json into the contracts' units", () => {
      const c = validateConfig(local(), DEV);
      expect(c.quote).to.equal("USDC");
      expect(Object.keys(c.assets)).to.deep.equal(["USDC", "WETH", "WBTC"]);
      expect(c.assets.WETH.sources).to.have.length(3);
      expect(c.assets.WETH.sources[0]).to.deep.equal({
        kind: "chainlink",
        feed: "mock",
        feedDecimals: 8,
        initialPriceWad: 2000n * WAD,
        heartbeatSeconds: 3600,
        minPriceWad: WAD / 100n,
        maxPriceWad: 10n ** 9n * WAD,
      });
      // Development account #8 reports WETH and WBTC through a SignedReportSource each.
      for (const symbol of ["WETH", "WBTC"]) {
        expect(c.assets[symbol].signedReports).to.deep.equal({
          reporters: ["0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"],
          minSigners: 1,
          maxReportAgeSeconds: 900,
        });
      }
      expect(c.assets.USDC.signedReports).to.equal(undefined);
      expect(c.assets.WETH.oracle).to.deep.equal({
        quorum: 2,
        maxSpreadWad: WAD / 50n,
        bandWad: WAD / 2n,
        bandWindowSeconds: 3600,
      });
      expect(c.governance.timelockDelaySeconds).to.equal(3600);
      expect(c.governance.executors).to.deep.equal([]);
      expect(c.breaker.outflowLimits).to.deep.include({
        asset: "WETH",
        maxOutflowBps: 10_000,
        windowSeconds: 86_400,
      });
      const weth = c.collateral.find((x) => x.asset === "WETH");
      expect(weth).to.deep.equal({
        asset: "WETH",
        name: "optiq WETH collateral",
        symbol: "oqWETH",
        haircutWad: WAD / 5n,
        depositCap: MaxUint256,
        permissioned: false,
      });
      expect(c.collateral.find((x) => x.asset === "WBTC")?.depositCap).to.equal(1000n * 10n ** 8n);
      expect(c.insurance).to.deep.equal({
        name: "optiq insurance",
        symbol: "oqINS",
        cooldownSeconds: 7 * 86_400,
        windowSeconds: 2 * 86_400,
      });
      const u = c.underlyings.find((x) => x.asset === "WETH");
      // The same risk parameters as the TypeScript fixture's WETH.
      const ref = wethRisk();
      expect(u?.risk).to.deep.equal({
        volWad: ref.volWad,
        spotShocksWad: ref.spotShocksWad,
        volShockUpWad: ref.volShockUpWad,
        volShockDownWad: ref.volShockDownWad,
        minPerShortSpotWad: ref.minPerShortSpotWad,
        initialBufferWad: ref.initialBufferWad,
      });
    });

    it("accepts config/example-mainnet.json on a public chain at any date: the template carries no dated series", () => {
      const tenYearsOn = NOW + 10 * 365 * 86_400;
      for (const now of [NOW, tenYearsOn]) {
        const c = validateConfig(mainnet(), { now, allowMocks: false });
        expect(c.series).to.deep.equal([]);
        expect(Object.values(c.assets).every((a) => a.token !== "mock")).to.equal(true);
      }
    });

    it("accepts the template with a dated initial series (docs/deployment.md) within that series' window", () => {
      const raw = mainnet();
      raw.series = [{ underlying: "WETH", strike: "3000", expiry: "2026-06-26T08:00:00Z", type: "call" }];
      const c = validateConfig(raw, { now: NOW, allowMocks: false });
      expect(c.series).to.deep.equal([
        { underlying: "WETH", strikeWad: 3000n * WAD, expiry: Date.UTC(2026, 5, 26, 8) / 1000, isCall: true },
      ]);
    });
  });

  describe("exchange section", () => {
    it("reads the optional exchange section: defaults, fees in quote units, the fee cap, executors", () => {
      expect(validateConfig(local(), DEV).exchange).to.deep.equal({
        makerFeePerContract: 0n,
        takerFeePerContract: 0n,
        feeRecipient: null,
        executors: [],
      });
      const raw = local();
      const matcher = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
      raw.exchange = { makerFeePerContract: "0.25", takerFeePerContract: 0.5, executors: [matcher] };
      expect(validateConfig(raw, DEV).exchange).to.deep.equal({
        makerFeePerContract: 250_000n,
        takerFeePerContract: 500_000n,
        feeRecipient: null,
        executors: [matcher],
      });
      raw.exchange = { makerFeePerContract: "10.5", matchers: [] };
      expect(problemsOf(raw)).to.have.members([
        "exchange.matchers: unknown key (expected one of makerFeePerContract, takerFeePerContract, feeRecipient, executors)",
        "exchange.makerFeePerContract: 10.5 is outside [0, 10] quote units (the exchange's MAX_FEE_PER_CONTRACT)",
      ]);
    });

    it("refuses a fee finer than the quote token's decimals, naming the field", () => {
      const raw = local();
      raw.exchange = { takerFeePerContract: "0.0000001" };
      expect(problemsOf(raw)).to.deep.equal([
        "exchange.takerFeePerContract: 0.0000001 has more than 6 decimals",
      ]);
    });
  });

  describe("bad input", () => {
    it("refuses a missing asset wherever an asset is named", () => {
      const raw = local();
      delete raw.assets.WBTC;
      expect(problemsOf(raw)).to.include.members([
        "collateral.WBTC: unknown asset 'WBTC' (not in assets)",
        "breaker.outflowLimits.WBTC: unknown asset 'WBTC' (not in assets)",
        "underlyings.WBTC: unknown asset 'WBTC' (not in assets)",
      ]);
      const noQuote = local();
      delete noQuote.assets.USDC;
      expect(problemsOf(noQuote)).to.include("quote: unknown asset 'USDC' (not in assets)");
      const noQuoteKey = local();
      delete noQuoteKey.quote;
      expect(problemsOf(noQuoteKey)).to.include("quote: missing");
    });

    it("refuses an unknown source kind", () => {
      const raw = local();
      raw.assets.WETH.sources[1].kind = "foo";
      expect(problemsOf(raw)).to.deep.equal([
        "assets.WETH.sources[1].kind: unknown source kind 'foo' (supported: 'chainlink')",
      ]);
    });

    it("refuses a haircut over 100% and one above the clearing's 95% maximum", () => {
      const raw = local();
      raw.collateral.WETH.haircut = 1.2;
      expect(problemsOf(raw)).to.deep.equal(["collateral.WETH.haircut: 1.2 is over 100%"]);
      raw.collateral.WETH.haircut = "96%";
      expect(problemsOf(raw)).to.deep.equal([
        "collateral.WETH.haircut: 96% is above the clearing's maximum of 95%",
      ]);
      raw.collateral.WETH.haircut = -0.1;
      expect(problemsOf(raw)).to.deep.equal(["collateral.WETH.haircut: -0.1 is negative"]);
    });

    it("refuses an initial series whose expiry is in the past or outside the listing window", () => {
      const raw = local();
      raw.series = [{ underlying: "WETH", strike: "2000", expiry: "2025-12-26T08:00:00Z", type: "call" }];
      expect(problemsOf(raw)).to.deep.equal([
        "series[0].expiry: 2025-12-26T08:00:00Z is in the past (now 2026-01-01T00:00:00Z)",
      ]);
      raw.series[0].expiry = NOW + 30 * 60;
      expect(problemsOf(raw)[0]).to.match(
        /^series\[0\]\.expiry: 2026-01-01T00:30:00Z is sooner than the minimum time/,
      );
      raw.series[0].expiry = "2028-01-01T00:00:00Z";
      expect(problemsOf(raw)[0]).to.match(
        /^series\[0\]\.expiry: 2028-01-01T00:00:00Z is later than the maximum time/,
      );
      raw.series[0] = { underlying: "WETH", strike: "50", expiry: NOW + 86_400, type: "straddle" };
      expect(problemsOf(raw)).to.deep.equal(["series[0].type: 'straddle' is neither 'call' nor 'put'"]);
      raw.series[0].type = "put";
      expect(problemsOf(raw)).to.deep.equal([
        "series[0].strike: 50 is outside the listing bounds [100, 100000] of WETH",
      ]);
      raw.series[0].underlying = "USDC";
      expect(problemsOf(raw)).to.deep.equal([
        "series[0].underlying: 'USDC' is not configured in underlyings",
      ]);
    });

    it("refuses mocks on a chain that is not a development chain", () => {
      const problems = problemsOf(local(), { now: NOW, allowMocks: false });
      expect(problems).to.include(
        'assets.USDC.token: "mock" is only allowed on a development chain (chain id 31337)',
      );
      expect(problems).to.include(
        'assets.WETH.sources[0].feed: "mock" is only allowed on a development chain (chain id 31337)',
      );
    });

    it("refuses a role for the deploying account", () => {
      const raw = local();
      const deployer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
      raw.governance.guardians.push(deployer);
      expect(problemsOf(raw, { ...DEV, deployer })).to.deep.equal([
        `governance.guardians[1]: ${deployer} is the deploying account, which must hold no role after the deployment`,
      ]);
    });

    it("refuses oracle parameters beyond the aggregator's bounds", () => {
      const raw = local();
      raw.assets.WETH.oracle.quorum = 5;
      raw.assets.WETH.oracle.maxSpread = "60%";
      raw.assets.WETH.oracle.bandWindow = "8d";
      raw.assets.WETH.sources[0].heartbeat = "4d";
      raw.assets.WETH.sources[1].minPrice = "3000";
      raw.assets.WETH.sources[2].initialPrice = "0.001";
      expect(problemsOf(raw)).to.have.members([
        "assets.WETH.sources[0].heartbeat: 345600 s is above the maximum 259200 s",
        "assets.WETH.sources[1].initialPrice: 2000 is outside the plausible bounds [3000, 1000000000]",
        "assets.WETH.sources[2].initialPrice: 0.001 is outside the plausible bounds [0.01, 1000000000]",
        "assets.WETH.oracle.quorum: 5 is more than the 4 configured source(s)",
        "assets.WETH.oracle.maxSpread: 60% is above the maximum 50%",
        "assets.WETH.oracle.bandWindow: 691200 s is above the maximum 604800 s",
      ]);
    });

    it("refuses signed report settings the SignedReportSource would not take, and signed reports for the quote", () => {
      const raw = local();
      raw.assets.WETH.signedReports = {
        reporters: [
          "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
          "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
        ],
        minSigners: 3,
        maxReportAge: "4d",
        heartbeat: "1h",
      };
      raw.assets.WBTC.signedReports = { reporters: [], minSigners: 0, maxReportAge: 0 };
      raw.assets.USDC.signedReports = {
        reporters: ["0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"],
        minSigners: 1,
        maxReportAge: "1h",
      };
      expect(problemsOf(raw)).to.have.members([
        "assets.WETH.signedReports.reporters[1]: 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f is listed twice",
        "assets.WETH.signedReports.minSigners: 3 is more than the 2 reporter(s)",
        "assets.WETH.signedReports.maxReportAge: 345600 s is above the maximum 259200 s",
        "assets.WETH.signedReports.heartbeat: unknown key (expected one of reporters, minSigners, maxReportAge)",
        "assets.WBTC.signedReports.reporters: needs at least one address",
        "assets.WBTC.signedReports.minSigners: 0 is outside [1, 15]",
        "assets.WBTC.signedReports.maxReportAge: 0 s is below the minimum 1 s",
        "assets.USDC.oracle: missing",
        "assets.USDC.sources: the quote asset is priced at 1 by definition and takes no price sources",
      ]);
    });

    it("refuses collateral the protocol could not run", () => {
      const raw = local();
      delete raw.breaker.outflowLimits.WETH;
      delete raw.collateral.USDC;
      raw.assets.WBTC.sources = [];
      delete raw.assets.WBTC.oracle;
      delete raw.assets.WBTC.signedReports;
      expect(problemsOf(raw)).to.have.members([
        "collateral.USDC: missing: the quote asset must be collateral (its vault is the clearing's quote vault)",
        "collateral.WETH: no outflow limit (breaker.outflowLimits.WETH): the vault's deposits and withdrawals revert OutflowLimitNotConfigured without one",
        "collateral.WBTC: asset 'WBTC' has no price sources (assets.WBTC.sources): collateral other than the quote must be priced",
        "underlyings.WBTC: asset 'WBTC' has no price sources (assets.WBTC.sources)",
      ]);
    });

    it("refuses breaker, insurance, governance and risk values out of bounds, all at once", () => {
      const raw = local();
      raw.breaker.cooldown = "30m";
      raw.breaker.outflowLimits.USDC.maxOutflow = "0%";
      raw.insurance.withdrawalWindow = 60;
      delete raw.governance.safe;
      raw.governance.proposers = [];
      raw.governance.guardians = ["0x3c44cdddb6a900fa2b585dd299e03d12fa4293bC"];
      raw.underlyings.WETH.risk.vol = 4;
      raw.underlyings.WETH.risk.spotShocks = [-0.95, 0];
      raw.underlyings.WETH.maxStrike = "50";
      raw.collateral.WETH.depositCap = "lots";
      raw.assets.WETH.decimal = 18;
      expect(problemsOf(raw)).to.have.members([
        "breaker.cooldown: 1800 s is below the minimum 3600 s",
        "breaker.outflowLimits.USDC.maxOutflow: 0% must be above 0% and at most 100%",
        "insurance.withdrawalWindow: 60 s is below the minimum 3600 s",
        'governance.proposers: no proposer: name a governance "safe" or at least one proposer',
        "governance.guardians[0]: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bC' is not an address",
        "underlyings.WETH.risk.vol: 400% is above the maximum 300%",
        "underlyings.WETH.risk.spotShocks[0]: -95% is below the minimum -90%",
        "underlyings.WETH.maxStrike: 50 is below minStrike 100",
        "collateral.WETH.depositCap: 'lots' is not a decimal number",
        "assets.WETH.decimal: unknown key (expected one of name, token, decimals, oracle, sources, signedReports)",
      ]);
    });

    it("reports problems of fields and across sections together, each with its path and value", () => {
      const raw = local();
      raw.assets.WETH.sources[0].heartbeat = "soon";
      raw.governance.guardians = ["0x0000000000000000000000000000000000000000"];
      raw.collateral.DOGE = { haircut: "10%", depositCap: "unlimited" };
      raw.underlyings.WETH.risk.spotShocks = "wide";
      raw.series = [{ underlying: "WBTC", strike: "500", expiry: NOW + 86_400, type: "call" }];
      raw.extra = true;
      expect(problemsOf(raw)).to.have.members([
        "extra: unknown key (expected one of description, quote, assets, governance, breaker, collateral, insurance, underlyings, series, clearing, exchange)",
        "assets.WETH.sources[0].heartbeat: 'soon' is not a duration (seconds, or a number with s, m, h, d or w)",
        "governance.guardians[0]: the zero address is not allowed",
        "underlyings.WETH.risk.spotShocks: 'wide' is not a list",
        "collateral.DOGE: unknown asset 'DOGE' (not in assets)",
        "series[0].strike: 500 is outside the listing bounds [1000, 1000000] of WBTC",
      ]);
    });

    it("refuses a deposit cap the token's decimals cannot hold, or one without known decimals", () => {
      const raw = mainnet();
      raw.collateral.USDC.depositCap = "0.0000001";
      delete raw.assets.WETH.decimals;
      expect(problemsOf(raw, { now: NOW, allowMocks: false })).to.have.members([
        "collateral.USDC.depositCap: 0.0000001 has more than 6 decimals",
        'collateral.WETH.depositCap: needs assets.WETH.decimals to convert a cap in whole tokens (or use "unlimited")',
      ]);
    });

    it("refuses a mock feed without its decimals and first answer, and those fields on a real feed", () => {
      const raw = local();
      delete raw.assets.WETH.sources[0].feedDecimals;
      delete raw.assets.WETH.sources[0].initialPrice;
      expect(problemsOf(raw)).to.have.members([
        "assets.WETH.sources[0].feedDecimals: missing",
        "assets.WETH.sources[0].initialPrice: missing",
      ]);
      const real = mainnet();
      real.assets.WETH.sources[0].feedDecimals = 8;
      expect(problemsOf(real, { now: NOW, allowMocks: false })).to.deep.equal([
        'assets.WETH.sources[0].feedDecimals: only for a "mock" feed (a real feed reports its own)',
      ]);
    });

    it("takes notes ('comment', '$...') anywhere and null for an optional list or section", () => {
      const raw = local();
      raw.$schema = "./schema.json";
      raw.assets.WETH.comment = "three feeds";
      raw.series = null;
      raw.clearing = null;
      raw.assets.USDC.sources = null;
      const c = validateConfig(raw, DEV);
      expect(c.series).to.deep.equal([]);
      expect(c.clearing.uri).to.equal("https://optiq.invalid/series/{id}.json");
      expect(c.assets.USDC.sources).to.deep.equal([]);
    });

    it("refuses a config that is not an object", () => {
      expect(problemsOf([])).to.deep.equal(["config: [] is not an object"]);
    });
  });
});
