/** OptionsClearing, health(): collateral valued at par and after haircuts (rounded down), requirements summed per underlying. */
import { expect } from "chai";
import { WAD, mulWadDown, mulWadUp, scale } from "../../../scripts/lib/math/wad";
import { toAssets } from "../../../scripts/lib/math/erc4626";
import { SPOT_WETH, USDC_UNIT, WETH_HAIRCUT_WAD } from "../../shared/fixtures/system";
import {
  ONE,
  SPOT_WBTC,
  USDC_DECIMALS,
  healthsAt,
  vaultState,
  withSeries,
} from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.health", () => {
  describe("several underlyings", () => {
    it("sums the requirement per underlying, with no netting across underlyings", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, put, expiry, listWbtc, setWbtcSpot, fundAccount } = sys;
      const btcPut = await listWbtc(55_000n * WAD, expiry, false);
      const btcCall = await listWbtc(65_000n * WAD, expiry, true);
      const amount = ONE / 10n;
      // Interleaved order: WETH, WBTC, WETH.
      const mixed = await fundAccount(alice, "usdc", 1_000_000n * USDC_UNIT);
      for (const s of [call, btcPut, put]) await clearing.connect(alice).write(mixed, s, amount, bob.address);
      const ethOnly = await fundAccount(bob, "usdc", 1_000_000n * USDC_UNIT);
      for (const s of [call, put]) await clearing.connect(bob).write(ethOnly, s, amount, bob.address);
      const btcOnly = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(carol).write(btcOnly, btcPut, amount, carol.address);

      const check = async (): Promise<[bigint, bigint]> => {
        const [m, e, b] = await healthsAt(sys, [mixed, ethOnly, btcOnly]);
        expect(m.maintenanceWad).to.equal(e.maintenanceWad + b.maintenanceWad);
        expect(m.initialWad).to.equal(e.initialWad + b.initialWad);
        expect(e.maintenanceWad > 0n && b.maintenanceWad > 0n).to.equal(true);
        return [e.maintenanceWad, b.maintenanceWad];
      };
      const [, btcBefore] = await check();
      // A 10% WBTC drop raises the WBTC put's part; the sum still holds at the new price.
      await setWbtcSpot((SPOT_WBTC * 9n) / 10n);
      const [, btcAfter] = await check();
      expect(btcAfter > btcBefore + btcBefore / 10n).to.equal(true);

      // A WETH long does not offset a WBTC short.
      const hedged = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(bob).safeTransferFrom(bob.address, carol.address, call, amount, "0x");
      await clearing.connect(carol).depositLongs(hedged, call, amount);
      await clearing.connect(carol).write(hedged, btcCall, amount, carol.address);
      const naked = await fundAccount(carol, "usdc", 1_000_000n * USDC_UNIT);
      await clearing.connect(carol).write(naked, btcCall, amount, carol.address);
      const [h, n] = await healthsAt(sys, [hedged, naked]);
      expect(h.maintenanceWad).to.equal(n.maintenanceWad);
      expect(h.initialWad).to.equal(n.initialWad);
    });

    it("values quote collateral at par and WETH collateral at the oracle price less its haircut", async () => {
      const sys = await withSeries();
      const { clearing, alice, usdcVault, wethVault, weth, fundAccount, fundVaultShares } = sys;
      const id = await fundAccount(alice, "usdc", 1234n * USDC_UNIT + 567n);
      const wethShares = await fundVaultShares(alice, "weth", (3n * WAD) / 2n + 7n);
      await clearing.connect(alice).depositCollateral(id, await wethVault.getAddress(), wethShares);
      const usdcShares = await clearing.collateralOf(id, await usdcVault.getAddress());
      const expected = async (spot: bigint): Promise<bigint> => {
        const usdcWad = scale(
          toAssets(await vaultState(usdcVault), usdcShares, "down"),
          USDC_DECIMALS,
          18,
          false,
        );
        const wethWad = toAssets(await vaultState(wethVault), wethShares, "down");
        return usdcWad + mulWadDown(mulWadDown(wethWad, spot), WAD - WETH_HAIRCUT_WAD);
      };
      expect((await clearing.health(id)).collateralValueWad).to.equal(await expected(SPOT_WETH));
      const moved = 2345n * WAD;
      await sys.setSpot(await weth.getAddress(), moved);
      expect((await clearing.health(id)).collateralValueWad).to.equal(await expected(moved));
    });
  });

  describe("rounding in the protocol's favour (kills the mutation check's rounding mutants)", () => {
    it("values collateral after its haircut rounded down", async () => {
      const sys = await withSeries();
      const { clearing, alice, fundAccount, weth, wethVault } = sys;
      // 2,000.00000001 per WETH and 1.0000000003 WETH: value x (1 - 20%) is not a whole number of wei.
      const price = 2000n * WAD + 10n ** 10n;
      await sys.setSpot(await weth.getAddress(), price);
      const assets = WAD + 3n * 10n ** 8n;
      const account = await fundAccount(alice, "weth", assets);
      const shares = await clearing.collateralOf(account, await wethVault.getAddress());
      const valueWad = mulWadDown(await wethVault.convertToAssets(shares), price);
      const expected = mulWadDown(valueWad, WAD - WETH_HAIRCUT_WAD);
      expect(expected).to.not.equal(mulWadUp(valueWad, WAD - WETH_HAIRCUT_WAD));
      expect((await clearing.health(account)).collateralValueWad).to.equal(expected);
    });
  });
});
