/**
 * Readable operator log fields (scripts/lib/format/fields.ts): raw integers stay, a `<name>Formatted` field beside
 * each gives the value in its unit; quote values are cut to the quote token's decimals, never rounded up.
 */
import { expect } from "chai";
import {
  formatShareWad,
  formatWadAmount,
  formattedName,
  withFormatted,
} from "../../../scripts/lib/format/fields";

const WAD = 10n ** 18n;
const USDC = { quoteSymbol: "USDC", quoteDecimals: 6 };

describe("unit/ops/LogFormat (readable fields of the keeper, sentinel and reporter logs)", () => {
  it("names the formatted field after the raw one without its unit suffix", () => {
    expect(formattedName("collateralValueWad")).to.equal("collateralValueFormatted");
    expect(formattedName("minProfitBps")).to.equal("minProfitFormatted");
    expect(formattedName("gasUsed")).to.equal("gasUsedFormatted");
  });

  it("groups thousands and cuts to the quote's decimals without rounding up", () => {
    expect(formatWadAmount(1_549_590_000_000_000_000_000n, 6)).to.equal("1,549.59");
    // 1,549.589999999... is 1,549.589999 at six decimals, not 1,549.59.
    expect(formatWadAmount(1_549_590n * 10n ** 15n - 1n, 6)).to.equal("1,549.589999");
    expect(formatWadAmount(1_234_567n * WAD, 6)).to.equal("1,234,567");
    expect(formatWadAmount(-2_500n * WAD, 6)).to.equal("-2,500");
    expect(formatWadAmount(0n, 6)).to.equal("0");
  });

  it("shows fractions as percentages to two places", () => {
    expect(formatShareWad(WAD / 40n)).to.equal("2.5%");
    expect(formatShareWad(WAD)).to.equal("100%");
    expect(formatShareWad(123_456_789_000_000_000n)).to.equal("12.34%");
  });

  it("adds the formatted fields beside the raw ones, in nested objects and lists, pricing per the nearest asset", () => {
    const line = withFormatted(
      {
        accountId: 3n,
        collateralValueWad: 1_549_590_000_000_000_000_000n,
        discountWad: "20000000000000000",
        gasUsed: 398_838n,
        series: "WETH-1800-P-2026-12-13",
        observed: {
          asset: "WETH",
          sources: [{ priceWad: 2_001_500_000_000_000_000_000n }, { error: "stale" }],
        },
        tx: "0xabc",
      },
      USDC,
    );
    expect(line).to.deep.equal({
      accountId: 3n,
      collateralValueWad: 1_549_590_000_000_000_000_000n,
      collateralValueFormatted: "1,549.59 USDC",
      discountWad: "20000000000000000",
      discountFormatted: "2%",
      gasUsed: 398_838n,
      gasUsedFormatted: "398,838 gas",
      series: "WETH-1800-P-2026-12-13",
      observed: {
        asset: "WETH",
        sources: [
          { priceWad: 2_001_500_000_000_000_000_000n, priceFormatted: "2,001.5 USDC/WETH" },
          { error: "stale" },
        ],
      },
      tx: "0xabc",
    });
  });

  it("leaves a field that is not an integer as it is, without a formatted twin", () => {
    expect(withFormatted({ priceWad: "n/a", profitWad: undefined }, USDC)).to.deep.equal({
      priceWad: "n/a",
      profitWad: undefined,
    });
  });
});
