import { ethers } from "hardhat";
import type { BenchRow } from "../types";

/** WadMath's mulWadUp beside a plain `x * y / 1e18` (no rounding, no 512-bit intermediate), as calls. */
export async function bench(): Promise<BenchRow[]> {
  const harness = await ethers.deployContract("WadMathHarness");
  const x = 123_456_789n * 10n ** 18n;
  const y = 987_654_321n * 10n ** 9n;
  const gas = await harness.mulWadUp.estimateGas(x, y);
  const down = await harness.mulWadDown.estimateGas(x, y);
  return [
    {
      module: "libraries",
      operation: "WadMath.mulWadUp (call)",
      gas,
      reference: "WadMath.mulWadDown (call)",
      referenceGas: down,
      note: "call gas incl. 21,000 intrinsic",
    },
  ];
}
