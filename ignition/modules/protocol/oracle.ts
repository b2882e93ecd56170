/**
 * The OracleAggregator (governed functions to GOVERNOR_ROLE, ORACLE_ROLE to the aggregator so it can trip the
 * breaker), a ChainlinkFeedAdapter per configured feed, a SignedReportSource per asset that configures signed reports
 * (governed functions to GOVERNOR_ROLE, its reporters authorised), the asset configuration of every priced asset
 * (the feeds in the config's order, then the signed source), and an AggregatorV3Facade per priced asset.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type {
  ContractCallFuture,
  ContractFuture,
  ModuleParameterRuntimeValue,
} from "@nomicfoundation/ignition-core";
import { OracleAggregator__factory, SignedReportSource__factory } from "../../../typechain-types";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { pricedAssets } from "../../../scripts/lib/config";
import { FUNCTION_ROLES, MODULE_ROLES, roleName } from "../../../scripts/lib/roles";
import type { BreakerModule } from "./breaker";
import type { GovernanceModule } from "./governance";
import { fid, restrictFunctions, type ParameterRecorder } from "./shared";

export const ORACLE_MODULE_ID = "Oracle";

export function buildOracleModule(
  plan: DeploymentPlan,
  recorder: ParameterRecorder,
  governance: GovernanceModule,
  breakerModule: BreakerModule,
) {
  return buildModule(ORACLE_MODULE_ID, (m) => {
    const param = recorder.forModule(ORACLE_MODULE_ID, m);
    const { manager } = m.useModule(governance);
    const { breaker } = m.useModule(breakerModule);
    const aggregator = m.contract("OracleAggregator", [manager, breaker]);
    const wiring = restrictFunctions(
      m,
      manager,
      aggregator,
      OracleAggregator__factory.createInterface(),
      "OracleAggregator",
      "OracleAggregator",
      FUNCTION_ROLES.OracleAggregator,
    );
    const held = MODULE_ROLES.OracleAggregator;
    m.call(manager, "grantRole", [held, aggregator, 0], { id: fid("grant", roleName(held), "aggregator") });

    const results: Record<string, ContractFuture<string>> = {};
    for (const asset of pricedAssets(plan.config)) {
      const sym = asset.symbol;
      const token = param(`${sym}_token`, plan.tokens[sym]);
      const sources: {
        source: ContractFuture<string>;
        heartbeatSeconds: ModuleParameterRuntimeValue<bigint>;
      }[] = asset.sources.map((source, i) => {
        const adapter = m.contract(
          "ChainlinkFeedAdapter",
          [
            param(`${sym}_feed${i}`, plan.feeds[sym][i]),
            token,
            param(`${sym}_feed${i}_minPriceWad`, source.minPriceWad),
            param(`${sym}_feed${i}_maxPriceWad`, source.maxPriceWad),
          ],
          { id: fid("ChainlinkFeedAdapter", sym, i) },
        );
        results[fid("ChainlinkFeedAdapter", sym, i)] = adapter;
        return {
          source: adapter,
          heartbeatSeconds: param(`${sym}_feed${i}_heartbeatSeconds`, BigInt(source.heartbeatSeconds)),
        };
      });
      const signed = asset.signedReports;
      const signedWiring: ContractCallFuture<string, string>[] = [];
      if (signed !== undefined) {
        const maxAge = param(`${sym}_signed_maxReportAgeSeconds`, BigInt(signed.maxReportAgeSeconds));
        const source = m.contract(
          "SignedReportSource",
          [manager, token, param(`${sym}_signed_minSigners`, BigInt(signed.minSigners)), maxAge],
          { id: fid("SignedReportSource", sym) },
        );
        results[fid("SignedReportSource", sym)] = source;
        const restricted = restrictFunctions(
          m,
          manager,
          source,
          SignedReportSource__factory.createInterface(),
          "SignedReportSource",
          fid("SignedReportSource", sym),
          FUNCTION_ROLES.SignedReportSource,
        );
        signed.reporters.forEach((reporter, i) => {
          signedWiring.push(
            m.call(source, "setReporter", [param(`${sym}_signed_reporter${i}`, reporter), true], {
              id: fid("setReporter", sym, i),
              after: [governance, ...restricted],
            }),
          );
        });
        // The aggregator takes a signed price for as long as the source counts its reports.
        sources.push({ source, heartbeatSeconds: maxAge });
      }
      const o = asset.oracle;
      if (o === undefined) throw new Error(`assets.${sym}.oracle: missing (the config was not validated)`);
      m.call(
        aggregator,
        "setAssetConfig",
        [
          token,
          {
            quorum: param(`${sym}_quorum`, BigInt(o.quorum)),
            maxSpreadWad: param(`${sym}_maxSpreadWad`, o.maxSpreadWad),
            bandWad: param(`${sym}_bandWad`, o.bandWad),
            bandWindowSeconds: param(`${sym}_bandWindowSeconds`, BigInt(o.bandWindowSeconds)),
          },
          sources,
        ],
        { id: fid("setAssetConfig", sym), after: [governance, ...wiring, ...signedWiring] },
      );
      results[fid("AggregatorV3Facade", sym)] = m.contract(
        "AggregatorV3Facade",
        [aggregator, token, param(`${sym}_description`, `${sym} / ${plan.config.quote}`)],
        { id: fid("AggregatorV3Facade", sym) },
      );
    }
    return { aggregator, ...results };
  });
}

export type OracleModule = ReturnType<typeof buildOracleModule>;
