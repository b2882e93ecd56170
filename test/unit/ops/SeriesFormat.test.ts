/** Human series names and token amounts (scripts/lib/format/series.ts): what people read instead of raw integers. */
import { expect } from "chai";
import { formatTokens, seriesName, trimDecimal } from "../../../scripts/lib/format/series";

const WAD = 10n ** 18n;
/** 2026-12-13T08:00:00Z. */
const DEC_13_0800 = Date.UTC(2026, 11, 13, 8) / 1000;

describe("unit/ops/SeriesFormat (human series names and amounts)", () => {
  it("names a put by underlying, whole strike, P and its UTC expiry date", () => {
    expect(
      seriesName({ underlying: "WETH", strikeWad: 1800n * WAD, expiry: DEC_13_0800, isCall: false }),
    ).to.equal("WETH-1800-P-2026-12-13");
  });

  it("names a call with a fractional strike without trailing zeros", () => {
    expect(
      seriesName({
        underlying: "WBTC",
        strikeWad: 62_500n * WAD + WAD / 4n,
        expiry: 1_767_225_600n,
        isCall: true,
      }),
    ).to.equal("WBTC-62500.25-C-2026-01-01");
  });

  it("takes the date in UTC, whatever the hour", () => {
    const lastSecond = Date.UTC(2026, 11, 13, 23, 59, 59) / 1000;
    expect(
      seriesName({ underlying: "WETH", strikeWad: WAD / 2n, expiry: lastSecond, isCall: false }),
    ).to.equal("WETH-0.5-P-2026-12-13");
    expect(
      seriesName({ underlying: "WETH", strikeWad: WAD / 2n, expiry: lastSecond + 1, isCall: false }),
    ).to.equal("WETH-0.5-P-2026-12-14");
  });

  it("formats token amounts in their own decimals with the symbol", () => {
    expect(formatTokens(1_500_250_000n, 6, "USDC")).to.equal("1500.25 USDC");
    expect(formatTokens(2n * WAD, 18, "WETH")).to.equal("2 WETH");
    expect(formatTokens(1n, 8, "WBTC")).to.equal("0.00000001 WBTC");
    expect(formatTokens(0n, 6, "USDC")).to.equal("0 USDC");
    expect(trimDecimal("100")).to.equal("100");
    expect(trimDecimal("100.0")).to.equal("100");
  });
});
