import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { WadMathHarness } from "../../typechain-types";
import * as ref from "../../scripts/lib/math/wad";
import { fuzzParams } from "../shared/fuzz";

const MAX_UINT = 2n ** 256n - 1n;

describe("fuzz/libraries/WadMath against the TypeScript reference", () => {
  let harness: WadMathHarness;
  before(async () => {
    harness = await ethers.deployContract("WadMathHarness");
  });

  // Operands up to 2^128 keep every result inside uint256, so each comparison is exact.
  const operand = fc.bigInt({ min: 0n, max: 2n ** 128n });
  const divisor = fc.bigInt({ min: 1n, max: 2n ** 128n });

  it("mulWad and divWad match exact bigint arithmetic in both rounding directions", async () => {
    await fc.assert(
      fc.asyncProperty(operand, operand, divisor, async (x, y, d) => {
        expect(await harness.mulWadDown(x, y)).to.equal(ref.mulWadDown(x, y));
        expect(await harness.mulWadUp(x, y)).to.equal(ref.mulWadUp(x, y));
        expect(await harness.divWadDown(x, d)).to.equal(ref.divWadDown(x, d));
        expect(await harness.divWadUp(x, d)).to.equal(ref.divWadUp(x, d));
      }),
      fuzzParams(60),
    );
  });

  it("decimals conversion matches the reference and rounds up by at most one unit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: MAX_UINT >> 128n }),
        fc.integer({ min: 0, max: 36 }),
        async (x, dec) => {
          const down = await harness.toWadDown(x, dec);
          const up = await harness.toWadUp(x, dec);
          expect(down).to.equal(ref.scale(x, dec, 18, false));
          expect(up).to.equal(ref.scale(x, dec, 18, true));
          expect(up - down <= 1n).to.equal(true);
          expect(await harness.fromWadDown(x, dec)).to.equal(ref.scale(x, 18, dec, false));
          expect(await harness.fromWadUp(x, dec)).to.equal(ref.scale(x, 18, dec, true));
        },
      ),
      fuzzParams(60),
    );
  });
});
