import { ethers } from "hardhat";
import type { BenchRow } from "../types";

const WAD = 10n ** 18n;
const DAY = 86_400n;
const NOW = 1_700_000_000n;

/**
 * Pricing and portfolio margin (issue 6): gas measured inside the call (gasleft delta, no calldata or 21,000
 * intrinsic), through the test-only PricingHarness. One BlackScholes.callPrice beside a naive solady + A&S 26.2.17
 * implementation; PortfolioMargin.requirements for 1, 4 and 8 positions with 5 spot shocks × 2 vol scenarios.
 */
export async function bench(): Promise<BenchRow[]> {
  const harness = await ethers.deployContract("PricingHarness");
  const naive = await ethers.deployContract("NaiveBlackScholes");
  const [s, k, vol, t] = [2000n * WAD, 2200n * WAD, (8n * WAD) / 10n, 30n * DAY];
  const ours = await harness.callPriceGas(s, k, vol, t);
  const reference = await naive.callPriceGas(s, k, vol, t);
  const p = {
    volWad: (8n * WAD) / 10n,
    spotShocksWad: [(-3n * WAD) / 10n, (-15n * WAD) / 100n, 0n, (15n * WAD) / 100n, (3n * WAD) / 10n],
    volShockUpWad: WAD / 2n,
    volShockDownWad: (3n * WAD) / 10n,
    minPerShortSpotWad: WAD / 100n,
    initialBufferWad: WAD / 5n,
  };
  const book = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      strikeWad: (1600n + 100n * BigInt(i)) * WAD,
      expiry: NOW + (7n + 7n * BigInt(i)) * DAY,
      isCall: i % 2 === 0,
      amount: i % 2 === 0 ? -WAD : WAD / 2n,
    }));
  const gas: Record<number, bigint> = {};
  for (const n of [1, 4, 8]) gas[n] = await harness.requirementsGas(book(n), s, p, NOW);
  const slope = (gas[8] - gas[1]) / 7n;
  const note = "in-call gas (gasleft delta)";
  return [
    {
      module: "pricing",
      operation: "BlackScholes.callPrice",
      gas: ours,
      reference: "naive solady + A&S 26.2.17 call",
      referenceGas: reference,
      note: `${note}; reference error 7.5e-8, ours 1e-16`,
    },
    {
      module: "pricing",
      operation: "PortfolioMargin.requirements, 1 position, 5×2 scenarios",
      gas: gas[1],
      budget: 80_000n,
      note,
    },
    {
      module: "pricing",
      operation: "PortfolioMargin.requirements, 4 positions, 5×2 scenarios",
      gas: gas[4],
      reference: "1 position × 4",
      referenceGas: gas[1] * 4n,
      note,
    },
    {
      module: "pricing",
      operation: "PortfolioMargin.requirements, 8 positions, 5×2 scenarios",
      gas: gas[8],
      reference: "1 position × 8",
      referenceGas: gas[1] * 8n,
      note: `${note}; slope ${slope.toLocaleString("en-US")} gas per position (${(slope / 10n).toLocaleString("en-US")} per position × scenario)`,
    },
  ];
}
