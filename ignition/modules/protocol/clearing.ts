/**
 * The MarginCalculator, the MarginLogic, LiquidationLogic, SettlementLogic and TradeLogic external libraries and
 * OptionsClearing linked to them (governed functions to GOVERNOR_ROLE, `listSeries` to LISTER_ROLE, `trade` to
 * EXCHANGE_ROLE, CLEARING_ROLE to the clearing for the insurance and collateral vaults); then, by the deployer as
 * temporary governor and lister: every collateral vault with its haircut, every underlying with its listing bounds
 * and risk parameters, and the initial series.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractCallFuture } from "@nomicfoundation/ignition-core";
import { OptionsClearing__factory } from "../../../typechain-types";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { FUNCTION_ROLES, MODULE_ROLES, roleName } from "../../../scripts/lib/roles";
import type { BreakerModule } from "./breaker";
import type { GovernanceModule } from "./governance";
import type { OracleModule } from "./oracle";
import { fid, restrictFunctions, type ParameterRecorder } from "./shared";
import type { VaultsModule } from "./vaults";

export const CLEARING_MODULE_ID = "Clearing";

export function buildClearingModule(
  plan: DeploymentPlan,
  recorder: ParameterRecorder,
  modules: {
    governance: GovernanceModule;
    breaker: BreakerModule;
    oracle: OracleModule;
    vaults: VaultsModule;
  },
) {
  return buildModule(CLEARING_MODULE_ID, (m) => {
    const param = recorder.forModule(CLEARING_MODULE_ID, m);
    const { manager } = m.useModule(modules.governance);
    const { breaker } = m.useModule(modules.breaker);
    const { aggregator } = m.useModule(modules.oracle);
    const vaults = m.useModule(modules.vaults);
    const vaultOf = (sym: string) => vaults[fid("CollateralVault", sym)];
    const config = plan.config;

    const calculator = m.contract("MarginCalculator", []);
    const marginLogic = m.library("MarginLogic");
    const liquidationLogic = m.library("LiquidationLogic", { libraries: { MarginLogic: marginLogic } });
    const settlementLogic = m.library("SettlementLogic");
    const tradeLogic = m.library("TradeLogic");
    const clearing = m.contract(
      "OptionsClearing",
      [
        manager,
        breaker,
        aggregator,
        calculator,
        vaultOf(config.quote),
        vaults.insurance,
        param("uri", config.clearing.uri),
      ],
      {
        libraries: {
          MarginLogic: marginLogic,
          LiquidationLogic: liquidationLogic,
          SettlementLogic: settlementLogic,
          TradeLogic: tradeLogic,
        },
      },
    );
    const wiring = restrictFunctions(
      m,
      manager,
      clearing,
      OptionsClearing__factory.createInterface(),
      "OptionsClearing",
      "OptionsClearing",
      FUNCTION_ROLES.OptionsClearing,
    );
    const held = MODULE_ROLES.OptionsClearing;
    m.call(manager, "grantRole", [held, clearing, 0], { id: fid("grant", roleName(held), "clearing") });

    const after = [modules.governance, ...wiring];
    for (const c of config.collateral) {
      m.call(
        clearing,
        "configureCollateral",
        [vaultOf(c.asset), true, param(`${c.asset}_haircutWad`, c.haircutWad)],
        {
          id: fid("configureCollateral", c.asset),
          after,
        },
      );
    }
    const configured: Record<string, ContractCallFuture<string, string>> = {};
    for (const u of config.underlyings) {
      const sym = u.asset;
      configured[sym] = m.call(
        clearing,
        "configureUnderlying",
        [
          param(`${sym}_token`, plan.tokens[sym]),
          {
            enabled: true,
            minStrikeWad: param(`${sym}_minStrikeWad`, u.minStrikeWad),
            maxStrikeWad: param(`${sym}_maxStrikeWad`, u.maxStrikeWad),
            minTimeToExpirySeconds: param(`${sym}_minTimeToExpirySeconds`, BigInt(u.minTimeToExpirySeconds)),
            maxTimeToExpirySeconds: param(`${sym}_maxTimeToExpirySeconds`, BigInt(u.maxTimeToExpirySeconds)),
          },
          {
            volWad: param(`${sym}_volWad`, u.risk.volWad),
            spotShocksWad: param(`${sym}_spotShocksWad`, u.risk.spotShocksWad),
            volShockUpWad: param(`${sym}_volShockUpWad`, u.risk.volShockUpWad),
            volShockDownWad: param(`${sym}_volShockDownWad`, u.risk.volShockDownWad),
            minPerShortSpotWad: param(`${sym}_minPerShortSpotWad`, u.risk.minPerShortSpotWad),
            initialBufferWad: param(`${sym}_initialBufferWad`, u.risk.initialBufferWad),
          },
        ],
        { id: fid("configureUnderlying", sym), after },
      );
    }
    config.series.forEach((s, i) => {
      m.call(
        clearing,
        "listSeries",
        [
          plan.tokens[s.underlying],
          param(`series${i}_strikeWad`, s.strikeWad),
          param(`series${i}_expiry`, BigInt(s.expiry)),
          param(`series${i}_isCall`, s.isCall),
        ],
        { id: fid("listSeries", i), after: [...after, configured[s.underlying]] },
      );
    });
    return { calculator, marginLogic, liquidationLogic, settlementLogic, tradeLogic, clearing };
  });
}

export type ClearingModule = ReturnType<typeof buildClearingModule>;
