/**
 * Differential test of the clearing house's margin against the TypeScript reference, end to end on the real suite:
 * random small WETH portfolios (1-4 series, calls and puts, long and short, random amounts) are built through the
 * public API (shorts written by the account itself, longs written by a well-collateralised account and moved in
 * with depositLongs), the spot is set through the real feeds and oracle, and `clearing.health(account)` is compared
 * with `scripts/lib/margin` (portfolio margin with the fixture's `wethRisk()` parameters at the block's timestamp)
 * and with an independent valuation of the collateral.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import * as ref from "../../scripts/lib/margin";
import type { Position, RiskParams } from "../../scripts/lib/margin";
import { toAssets } from "../../scripts/lib/math/erc4626";
import { WAD, mulWadDown } from "../../scripts/lib/math/wad";
import { fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { FEED_DECIMALS, USDC_UNIT, WETH_HAIRCUT_WAD, wethRisk } from "../shared/fixtures/system";
import { deployMarginGrid } from "../shared/fixtures/clearing";

const RUNS = 40;
const VAULT_DECIMALS_OFFSET = 6n;
const USDC_DECIMALS = 6n;

const absDiff = (a: bigint, b: bigint): bigint => (a > b ? a - b : b - a);

/** The risk parameters as the TypeScript reference takes them. */
function riskOf(): RiskParams {
  const r = wethRisk();
  return {
    volWad: BigInt(r.volWad),
    spotShocksWad: r.spotShocksWad.map((x) => BigInt(x)),
    volShockUpWad: BigInt(r.volShockUpWad),
    volShockDownWad: BigInt(r.volShockDownWad),
    minPerShortSpotWad: BigInt(r.minPerShortSpotWad),
    initialBufferWad: BigInt(r.initialBufferWad),
  };
}

/** Log-uniform amounts from 0.001 to 50 contracts. */
const amountArb = fc
  .double({ min: Math.log(1e15), max: Math.log(50e18), noNaN: true })
  .map((x) => BigInt(Math.round(Math.exp(x))));

interface Leg {
  series: number; // index into the grid
  short: boolean;
  amount: bigint;
}

const portfolioArb = fc.record({
  legs: fc
    .uniqueArray(fc.integer({ min: 0, max: 19 }), { minLength: 1, maxLength: 4 })
    .chain((idx) =>
      fc.tuple(
        ...idx.map((i) => fc.record({ series: fc.constant(i), short: fc.boolean(), amount: amountArb })),
      ),
    ),
  /** Spot in whole cents of 1,200 .. 2,900 (within the oracle's 50% band around 2,000). */
  spotCents: fc.integer({ min: 120_000, max: 290_000 }),
  /** Collateral: 0 .. 100 WETH (in 1e-6 steps) beside 2..5 M USDC (in cents). */
  wethMicro: fc.integer({ min: 0, max: 100_000_000 }),
  usdcCents: fc.integer({ min: 200_000_000, max: 500_000_000 }),
  /** Age of the book when margined: 0 .. 2 days after listing (expiries are 3 and 30 days out). */
  ageSeconds: fc.integer({ min: 0, max: 2 * 86_400 }),
});

describe("fuzz/options/ClearingMargin against the TypeScript reference", () => {
  it("health() matches portfolioMargin (wethRisk, the WETH collateral in the grid) within the stated tolerance and values collateral exactly", async () => {
    const risk = riskOf();
    let compared = 0;
    let withShorts = 0;
    await fc.assert(
      fc.asyncProperty(portfolioArb, async ({ legs, spotCents, wethMicro, usdcCents, ageSeconds }) => {
        const sys = await loadFixture(deployMarginGrid);
        const { clearing, alice, bob, grid, writer, portfolio } = sys;
        const weth = await sys.weth.getAddress();
        const usdcVault = sys.vaultOf("usdc");
        const wethVault = sys.vaultOf("weth");

        // Collateral: ample USDC for the shorts, a random amount of WETH.
        const usdcShares = await sys.fundVaultShares(alice, "usdc", (BigInt(usdcCents) * USDC_UNIT) / 100n);
        await clearing.connect(alice).depositCollateral(portfolio, await usdcVault.getAddress(), usdcShares);
        if (wethMicro > 0) {
          const wethShares = await sys.fundVaultShares(alice, "weth", BigInt(wethMicro) * 10n ** 12n);
          await clearing
            .connect(alice)
            .depositCollateral(portfolio, await wethVault.getAddress(), wethShares);
        }
        // Positions: shorts written by the account, longs written by bob's account and netted in.
        for (const leg of legs as Leg[]) {
          const id = grid[leg.series].id;
          if (leg.short) {
            await clearing.connect(alice).write(portfolio, id, leg.amount, bob.address);
          } else {
            await clearing.connect(bob).write(writer, id, leg.amount, alice.address);
            await clearing.connect(alice).depositLongs(portfolio, id, leg.amount);
          }
        }
        // Time passes and the market moves: the keepers report the new spot through the real feeds and oracle.
        if (ageSeconds > 0) await time.increase(ageSeconds);
        const spotWad = BigInt(spotCents) * 10n ** 16n;
        await sys.setSpot(weth, spotWad);
        // The feeds carry FEED_DECIMALS: the oracle's median of three equal answers is the truncated price.
        const feedUnit = 10n ** BigInt(18 - FEED_DECIMALS);
        const oracleSpot = (spotWad / feedUnit) * feedUnit;
        expect((await sys.oracle.getPrice(weth))[0]).to.equal(oracleSpot);

        // health() is a view: it runs at the latest block's timestamp.
        const nowTs = BigInt(await time.latest());
        const h = await clearing.health(portfolio);
        const positions: Position[] = [];
        for (const leg of legs as Leg[]) {
          const s = grid[leg.series];
          const onChain = await clearing.positionOf(portfolio, s.id);
          expect(onChain).to.equal(leg.short ? -leg.amount : leg.amount);
          positions.push({
            strikeWad: s.strikeWad,
            expiry: BigInt(s.expiry),
            isCall: s.isCall,
            amount: onChain,
          });
        }
        // Collateral value, independently: shares -> assets (ERC-4626 with virtual shares, rounded down) -> WAD ->
        // x price (USDC is the quote: 1) -> x (1 - haircut), every step rounded down.
        let valueWad = 0n;
        let correlatedWad = 0n;
        for (const [vault, decimals, price, haircut] of [
          [usdcVault, USDC_DECIMALS, WAD, 0n],
          [wethVault, 18n, oracleSpot, WETH_HAIRCUT_WAD],
        ] as const) {
          const shares = await clearing.collateralOf(portfolio, await vault.getAddress());
          const state = {
            supply: await vault.totalSupply(),
            assets: await vault.totalAssets(),
            offset: VAULT_DECIMALS_OFFSET,
          };
          const amountWad = toAssets(state, shares, "down") * 10n ** (18n - decimals);
          valueWad += mulWadDown(mulWadDown(amountWad, price), WAD - haircut);
          // WETH collateral beside WETH positions is revalued in every scenario (docs/risk-model.md).
          if (vault === wethVault) correlatedWad = mulWadDown(amountWad, WAD - haircut);
        }
        const expected = ref.requirementsWithCollateral(positions, correlatedWad, oracleSpot, risk, nowTs);
        const exact = ref.requirementsWithCollateral(positions, correlatedWad, oracleSpot, risk, nowTs, {
          allowance: false,
        });
        const tol = ref.requirementTolerance(positions, oracleSpot, risk);
        const evidence = () =>
          `spot ${oracleSpot} now ${nowTs} positions ${JSON.stringify(positions, (_, v) =>
            typeof v === "bigint" ? v.toString() : v,
          )}: on-chain (${h.maintenanceWad}, ${h.initialWad}) reference (${expected.maintenanceWad}, ${expected.initialWad}) exact ${exact.maintenanceWad} tol ${tol}`;
        expect(h.debtWad, "no settlement debt").to.equal(0n);
        expect(
          absDiff(h.maintenanceWad, expected.maintenanceWad) <= tol,
          `maintenance: ${evidence()}`,
        ).to.equal(true);
        expect(absDiff(h.initialWad, expected.initialWad) <= 2n * tol, `initial: ${evidence()}`).to.equal(
          true,
        );
        // Never below the exact (unbiased) model minus the tolerance ...
        assertInvariant(INV.MARGIN_CONSERVATIVE, h.maintenanceWad + tol >= exact.maintenanceWad, evidence);
        // ... and in fact never below it at all: the price error allowance dominates the fixed-point error.
        assertInvariant(INV.MARGIN_CONSERVATIVE, h.maintenanceWad >= exact.maintenanceWad, evidence);
        assertInvariant(
          INV.MARGIN_CONSERVATIVE,
          !positions.some((x) => x.amount < 0n) || h.maintenanceWad > 0n,
          () => `a short with a zero requirement: ${evidence()}`,
        );

        expect(h.collateralValueWad, "collateral value").to.equal(valueWad);

        compared++;
        if (positions.some((x) => x.amount < 0n)) withShorts++;
      }),
      fuzzParams(RUNS),
    );
    console.log(`    compared ${compared} portfolios (${withShorts} with shorts)`);
    expect(compared).to.be.greaterThan(0);
  });
});
