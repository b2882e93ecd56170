/** The human units of the config files and operator inputs (scripts/lib/units.ts). */
import { expect } from "chai";
import {
  formatWad,
  isoSeconds,
  parseDecimal,
  parseDuration,
  parseShareWad,
  parseTimestamp,
  UnitError,
} from "../../../scripts/lib/units";

const WAD = 10n ** 18n;

describe("unit/config/Units (value parsers of scripts/lib/units.ts)", () => {
  it("reads exact decimals, with exponents and signs, and refuses digits beyond the scale", () => {
    expect(parseDecimal("0.01", 18)).to.equal(WAD / 100n);
    expect(parseDecimal(1e-6, 18)).to.equal(10n ** 12n);
    expect(parseDecimal("1.5e3", 6)).to.equal(1_500_000_000n);
    expect(parseDecimal(-0.3, 18)).to.equal(-(3n * WAD) / 10n);
    expect(() => parseDecimal("0.0000001", 6)).to.throw(UnitError, "'0.0000001' has more than 6 decimals");
    expect(() => parseDecimal("1,5", 6)).to.throw(UnitError, "'1,5' is not a decimal number");
    expect(() => parseDecimal(Number.NaN, 6)).to.throw(UnitError, "is not a decimal number");
  });

  it("reads shares as fractions or percentages", () => {
    expect(parseShareWad(0.2)).to.equal(WAD / 5n);
    expect(parseShareWad("20%")).to.equal(WAD / 5n);
    expect(parseShareWad(" 1.5% ")).to.equal((15n * WAD) / 1000n);
    expect(() => parseShareWad("20 %%")).to.throw(UnitError, "is not a decimal number");
  });

  it("reads durations in seconds or with a unit", () => {
    expect(parseDuration("2d")).to.equal(172_800);
    expect(parseDuration("30m")).to.equal(1_800);
    expect(parseDuration("1w")).to.equal(604_800);
    expect(parseDuration(90)).to.equal(90);
    expect(() => parseDuration("2 days")).to.throw(UnitError, "'2 days' is not a duration");
    expect(() => parseDuration(-1)).to.throw(UnitError, "-1 is not a duration");
  });

  it("reads timestamps as unix seconds or ISO-8601 with a zone, whole seconds", () => {
    expect(parseTimestamp(1_767_225_600)).to.equal(1_767_225_600);
    expect(parseTimestamp("2026-01-01T00:00:00Z")).to.equal(1_767_225_600);
    expect(parseTimestamp("2026-01-01T02:00:00+02:00")).to.equal(1_767_225_600);
    expect(() => parseTimestamp("2026-01-01")).to.throw(UnitError, "is not a timestamp");
    expect(() => parseTimestamp("2026-01-01T00:00:00.5Z")).to.throw(UnitError, "whole seconds");
  });

  it("writes WAD amounts and percentages back in human form", () => {
    expect(formatWad(2000n * WAD)).to.equal("2000");
    expect(formatWad((12n * WAD) / 10n)).to.equal("1.2");
    expect(formatWad(WAD / 5n, true)).to.equal("20%");
    expect(formatWad(-(95n * WAD) / 100n, true)).to.equal("-95%");
    expect(isoSeconds(1_767_225_600)).to.equal("2026-01-01T00:00:00Z");
  });
});
