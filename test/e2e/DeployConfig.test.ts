/**
 * The deployment config's bounds (scripts/lib/config/bounds.ts) agree with the deployed contracts' constants, and the
 * risk bounds with what the MarginCalculator accepts at the edges. The pure schema tests are in test/unit/config/.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  BREAKER_COOLDOWN_BOUNDS,
  BREAKER_GRACE_BOUNDS,
  INSURANCE_MAX_COOLDOWN_SECONDS,
  INSURANCE_WINDOW_BOUNDS,
  MAX_ASSET_DECIMALS,
  MAX_BAND_WAD,
  MAX_BAND_WINDOW_SECONDS,
  MAX_COLLATERAL_VAULTS,
  MAX_FEED_DECIMALS,
  MAX_HAIRCUT_WAD,
  MAX_HEARTBEAT_SECONDS,
  MAX_OUTFLOW_BPS,
  MAX_REPORT_AGE_SECONDS,
  MAX_REPORTERS,
  MAX_SOURCES,
  MAX_SPREAD_WAD,
  OUTFLOW_WINDOW_BOUNDS,
  RISK_BOUNDS,
} from "../../scripts/lib/config";
import type { RiskParamsStruct } from "../../typechain-types/contracts/interfaces/IMarginCalculator";
import { deploySystem, wethRisk } from "../shared/fixtures/system";

describe("e2e/DeployConfig (config bounds against the deployed contracts)", () => {
  describe("bounds agree with the contracts", () => {
    it("has the contracts' constants", async () => {
      const s = await deploySystem();
      const adapter = await ethers.getContractAt(
        "ChainlinkFeedAdapter",
        (await s.oracle.assetConfig(await s.weth.getAddress()))[1][0].source,
      );
      expect(await s.oracle.MAX_SOURCES()).to.equal(BigInt(MAX_SOURCES));
      expect(await s.oracle.MAX_SPREAD_WAD()).to.equal(MAX_SPREAD_WAD);
      expect(await s.oracle.MAX_BAND_WAD()).to.equal(MAX_BAND_WAD);
      expect(await s.oracle.MAX_BAND_WINDOW_SECONDS()).to.equal(BigInt(MAX_BAND_WINDOW_SECONDS));
      expect(await s.oracle.MAX_HEARTBEAT_SECONDS()).to.equal(BigInt(MAX_HEARTBEAT_SECONDS));
      expect(await adapter.MAX_FEED_DECIMALS()).to.equal(BigInt(MAX_FEED_DECIMALS));
      expect(await s.wethVault.MAX_ASSET_DECIMALS()).to.equal(BigInt(MAX_ASSET_DECIMALS));
      expect([await s.breaker.MIN_COOLDOWN_SECONDS(), await s.breaker.MAX_COOLDOWN_SECONDS()]).to.deep.equal(
        BREAKER_COOLDOWN_BOUNDS.map(BigInt),
      );
      expect([
        await s.breaker.MIN_GRACE_PERIOD_SECONDS(),
        await s.breaker.MAX_GRACE_PERIOD_SECONDS(),
      ]).to.deep.equal(BREAKER_GRACE_BOUNDS.map(BigInt));
      expect([
        await s.breaker.MIN_OUTFLOW_WINDOW_SECONDS(),
        await s.breaker.MAX_OUTFLOW_WINDOW_SECONDS(),
      ]).to.deep.equal(OUTFLOW_WINDOW_BOUNDS.map(BigInt));
      expect(await s.breaker.MAX_OUTFLOW_BPS()).to.equal(BigInt(MAX_OUTFLOW_BPS));
      expect(await s.insurance.MAX_COOLDOWN_SECONDS()).to.equal(BigInt(INSURANCE_MAX_COOLDOWN_SECONDS));
      expect([await s.insurance.MIN_WINDOW_SECONDS(), await s.insurance.MAX_WINDOW_SECONDS()]).to.deep.equal(
        INSURANCE_WINDOW_BOUNDS.map(BigInt),
      );
      expect(await s.clearing.MAX_HAIRCUT_WAD()).to.equal(MAX_HAIRCUT_WAD);
      expect(await s.clearing.MAX_COLLATERAL_VAULTS()).to.equal(BigInt(MAX_COLLATERAL_VAULTS));
      const signed = await ethers.deployContract("SignedReportSource", [
        await s.oracle.authority(),
        await s.weth.getAddress(),
        1,
        3600,
      ]);
      expect(await signed.MAX_REPORTERS()).to.equal(BigInt(MAX_REPORTERS));
      expect(await signed.MAX_REPORT_AGE_SECONDS()).to.equal(BigInt(MAX_REPORT_AGE_SECONDS));
    });

    it("accepts exactly the risk parameters the MarginCalculator accepts at the edges", async () => {
      const s = await deploySystem();
      const base = wethRisk();
      const edge = (patch: Partial<RiskParamsStruct>) => ({ ...base, ...patch });
      const inside = [
        edge({ volWad: RISK_BOUNDS.volWad[0] }),
        edge({ volWad: RISK_BOUNDS.volWad[1] }),
        edge({ spotShocksWad: [RISK_BOUNDS.spotShockWad[0], RISK_BOUNDS.spotShockWad[1]] }),
        edge({ spotShocksWad: Array(RISK_BOUNDS.maxSpotShocks).fill(0n) }),
        edge({ volShockUpWad: RISK_BOUNDS.volShockUpWad, volShockDownWad: RISK_BOUNDS.volShockDownWad }),
        edge({ minPerShortSpotWad: RISK_BOUNDS.minPerShortSpotWad[0] }),
        edge({
          minPerShortSpotWad: RISK_BOUNDS.minPerShortSpotWad[1],
          initialBufferWad: RISK_BOUNDS.initialBufferWad,
        }),
      ];
      for (const params of inside) await s.calculator.validate(params);
      const { volWad, spotShockWad, maxSpotShocks, volShockUpWad, volShockDownWad, minPerShortSpotWad } =
        RISK_BOUNDS;
      const outside: [Partial<RiskParamsStruct>, string, unknown[]][] = [
        [{ volWad: volWad[0] - 1n }, "InvalidVolatility", [volWad[0] - 1n]],
        [{ volWad: volWad[1] + 1n }, "InvalidVolatility", [volWad[1] + 1n]],
        [{ spotShocksWad: [spotShockWad[0] - 1n] }, "InvalidSpotShock", [0n, spotShockWad[0] - 1n]],
        [{ spotShocksWad: [0n, spotShockWad[1] + 1n] }, "InvalidSpotShock", [1n, spotShockWad[1] + 1n]],
        [
          { spotShocksWad: Array(maxSpotShocks + 1).fill(0n) },
          "InvalidSpotShockCount",
          [BigInt(maxSpotShocks + 1)],
        ],
        [{ volShockUpWad: volShockUpWad + 1n }, "InvalidVolShockUp", [volShockUpWad + 1n]],
        [{ volShockDownWad: volShockDownWad + 1n }, "InvalidVolShockDown", [volShockDownWad + 1n]],
        [
          { minPerShortSpotWad: minPerShortSpotWad[0] - 1n },
          "InvalidMinPerShort",
          [minPerShortSpotWad[0] - 1n],
        ],
        [
          { minPerShortSpotWad: minPerShortSpotWad[1] + 1n },
          "InvalidMinPerShort",
          [minPerShortSpotWad[1] + 1n],
        ],
        [
          { initialBufferWad: RISK_BOUNDS.initialBufferWad + 1n },
          "InvalidInitialBuffer",
          [RISK_BOUNDS.initialBufferWad + 1n],
        ],
      ];
      for (const [patch, error, args] of outside) {
        await expect(s.calculator.validate(edge(patch)))
          .to.be.revertedWithCustomError(s.calculator, error)
          .withArgs(...args);
      }
    });
  });
});
