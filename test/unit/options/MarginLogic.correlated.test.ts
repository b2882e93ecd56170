/**
 * Wrong-way risk (docs/risk-model.md, "Correlated collateral"): collateral in an account's underlying is revalued in
 * every scenario of that underlying's grid, beside the positions it backs. Held against the TypeScript reference
 * (scripts/lib/margin) from the chain's own inputs, and against the same positions backed by quote collateral.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, mulWadDown } from "../../../scripts/lib/math/wad";
import {
  requirementTolerance,
  requirements,
  requirementsWithCollateral,
  riskParamsFrom,
} from "../../../scripts/lib/margin";
import { DAY, SPOT_WETH, USDC_UNIT, WETH_HAIRCUT_WAD, deploySystem } from "../../shared/fixtures/system";

const ONE = WAD;

describe("unit/options/MarginLogic: correlated collateral", () => {
  async function book() {
    const sys = await loadFixture(deploySystem);
    const expiry = (await time.latest()) + 30 * DAY;
    const put = await sys.list(1800n * WAD, expiry, false);
    const call = await sys.list(2200n * WAD, expiry, true);
    return { ...sys, expiry, put, call };
  }

  /**
   * Expect `onChainWad` to be the reference requirement of one position on WETH beside `collateralWad` WETH (after
   * haircut) at the chain's time, within the tolerance of docs/risk-model.md.
   */
  async function expectReference(
    sys: Awaited<ReturnType<typeof book>>,
    onChainWad: bigint,
    seriesId: bigint,
    amount: bigint,
    collateralWad: bigint,
  ): Promise<void> {
    const s = await sys.clearing.series(seriesId);
    const risk = riskParamsFrom(await sys.clearing.riskParams(await sys.weth.getAddress()));
    const now = BigInt(await time.latest());
    const positions = [{ strikeWad: s.strikeWad, expiry: s.expiry, isCall: s.isCall, amount }];
    const expected = requirementsWithCollateral(
      positions,
      collateralWad,
      SPOT_WETH,
      risk,
      now,
    ).maintenanceWad;
    const diff = onChainWad > expected ? onChainWad - expected : expected - onChainWad;
    expect(diff <= requirementTolerance(positions, SPOT_WETH, risk), `${onChainWad} vs ${expected}`).to.equal(
      true,
    );
  }

  it("a WETH-backed short put is charged its collateral's fall: more than the same put backed by USDC", async () => {
    const sys = await book();
    const { clearing, alice, bob, carol } = sys;
    const wethBacked = await sys.fundAccount(alice, "weth", 2n * ONE);
    const usdcBacked = await sys.fundAccount(bob, "usdc", 3_200n * USDC_UNIT);
    await clearing.connect(alice).write(wethBacked, sys.put, ONE, carol.address);
    await clearing.connect(bob).write(usdcBacked, sys.put, ONE, carol.address);
    const [weth, usdc] = [await clearing.health(wethBacked), await clearing.health(usdcBacked)];
    // The same collateral value (2 WETH · 2,000 · 0.8 = 3,200 USDC), the same put.
    expect(weth.collateralValueWad).to.equal(usdc.collateralValueWad);
    const collateralWad = mulWadDown(2n * ONE, WAD - WETH_HAIRCUT_WAD);
    await expectReference(sys, weth.maintenanceWad, sys.put, -ONE, collateralWad);
    // -30%: 1.6 WETH lose 600 each = 960 on top of the put's loss.
    expect(weth.maintenanceWad - usdc.maintenanceWad).to.equal(960n * WAD);
  });

  it("a covered call needs less than the same call backed by USDC of equal value", async () => {
    const sys = await book();
    const { clearing, alice, bob, carol } = sys;
    const wethBacked = await sys.fundAccount(alice, "weth", ONE);
    const usdcBacked = await sys.fundAccount(bob, "usdc", 1_600n * USDC_UNIT);
    await clearing.connect(alice).write(wethBacked, sys.call, ONE, carol.address);
    await clearing.connect(bob).write(usdcBacked, sys.call, ONE, carol.address);
    const [weth, usdc] = [await clearing.health(wethBacked), await clearing.health(usdcBacked)];
    expect(
      weth.maintenanceWad < usdc.maintenanceWad,
      `${weth.maintenanceWad} vs ${usdc.maintenanceWad}`,
    ).to.equal(true);
    const collateralWad = mulWadDown(ONE, WAD - WETH_HAIRCUT_WAD);
    await expectReference(sys, weth.maintenanceWad, sys.call, -ONE, collateralWad);
  });

  it("refuses a WETH-backed put write that equal USDC collateral allows (BelowInitialMargin), state unchanged", async () => {
    const sys = await book();
    const { clearing, alice, bob, carol } = sys;
    // Just enough USDC for the put's initial requirement at spot; the same value in WETH is not.
    const risk = riskParamsFrom(await clearing.riskParams(await sys.weth.getAddress()));
    const s = await clearing.series(sys.put);
    const position = { strikeWad: s.strikeWad, expiry: s.expiry, isCall: false, amount: -ONE };
    const plain = requirements([position], SPOT_WETH, risk, BigInt(await time.latest()));
    const usdcNeeded = plain.initialWad / 10n ** 12n + 10n * USDC_UNIT;
    const usdcBacked = await sys.fundAccount(bob, "usdc", usdcNeeded);
    await clearing.connect(bob).write(usdcBacked, sys.put, ONE, carol.address);
    // WETH worth the same after haircut: usdcNeeded / (2,000 · 0.8) WETH.
    const wethAssets = (usdcNeeded * 10n ** 12n * WAD) / mulWadDown(SPOT_WETH, WAD - WETH_HAIRCUT_WAD);
    const wethBacked = await sys.fundAccount(alice, "weth", wethAssets);
    const before = await clearing.positionOf(wethBacked, sys.put);
    await expect(
      clearing.connect(alice).write(wethBacked, sys.put, ONE, carol.address),
    ).to.be.revertedWithCustomError(clearing, "BelowInitialMargin");
    expect(await clearing.positionOf(wethBacked, sys.put)).to.equal(before);
  });

  it("collateral in another asset than the underlying keeps price × (1 - haircut): no scenario term", async () => {
    const sys = await book();
    const { clearing, alice, carol } = sys;
    // USDC and WETH in one account, positions on WETH: only the WETH is correlated; adding USDC changes nothing.
    const id = await sys.fundAccount(alice, "weth", 2n * ONE);
    await clearing.connect(alice).write(id, sys.put, ONE, carol.address);
    const before = await clearing.health(id);
    const shares = await sys.fundVaultShares(alice, "usdc", 5_000n * USDC_UNIT);
    await clearing.connect(alice).depositCollateral(id, await sys.usdcVault.getAddress(), shares);
    const after = await clearing.health(id);
    expect(after.collateralValueWad - before.collateralValueWad).to.equal(5_000n * WAD);
    await expectReference(
      sys,
      after.maintenanceWad,
      sys.put,
      -ONE,
      mulWadDown(2n * ONE, WAD - WETH_HAIRCUT_WAD),
    );
  });
});
