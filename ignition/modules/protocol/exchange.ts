/**
 * OptionsExchange on the deployed clearing, wired as `deployExchange` in scripts/lib/deploy/exchange.ts:
 * `setFeeSchedule` to GOVERNOR_ROLE, `matchOrders` to EXECUTOR_ROLE (granted to the config's executors), the
 * clearing's `trade` to EXCHANGE_ROLE (granted to the exchange). Fees from the config's `exchange` section, swept to
 * its fee recipient (the timelock by default).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { OptionsClearing__factory, OptionsExchange__factory } from "../../../typechain-types";
import { CLEARING_EXCHANGE_FUNCTIONS } from "../../../scripts/lib/deploy/clearing";
import {
  EXCHANGE_EXECUTOR_FUNCTIONS,
  EXCHANGE_GOVERNED_FUNCTIONS,
} from "../../../scripts/lib/deploy/exchange";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { Roles } from "../../../scripts/lib/roles";
import type { ClearingModule } from "./clearing";
import type { GovernanceModule } from "./governance";
import { fid, restrict, type ParameterRecorder } from "./shared";

export const EXCHANGE_MODULE_ID = "Exchange";

export function buildExchangeModule(
  plan: DeploymentPlan,
  recorder: ParameterRecorder,
  modules: { governance: GovernanceModule; clearing: ClearingModule },
) {
  return buildModule(EXCHANGE_MODULE_ID, (m) => {
    const param = recorder.forModule(EXCHANGE_MODULE_ID, m);
    const { manager, timelock } = m.useModule(modules.governance);
    const { clearing } = m.useModule(modules.clearing);
    const ex = plan.config.exchange;
    const exchange = m.contract("OptionsExchange", [
      manager,
      clearing,
      {
        makerFeePerContract: param("makerFeePerContract", ex.makerFeePerContract),
        takerFeePerContract: param("takerFeePerContract", ex.takerFeePerContract),
        recipient: ex.feeRecipient === null ? timelock : param("feeRecipient", ex.feeRecipient),
      },
    ]);
    const iface = OptionsExchange__factory.createInterface();
    const wiring = [
      restrict(
        m,
        manager,
        exchange,
        iface,
        "OptionsExchange",
        "OptionsExchange",
        EXCHANGE_GOVERNED_FUNCTIONS,
        Roles.GOVERNOR_ROLE,
      ),
      restrict(
        m,
        manager,
        exchange,
        iface,
        "OptionsExchange",
        "OptionsExchange",
        EXCHANGE_EXECUTOR_FUNCTIONS,
        Roles.EXECUTOR_ROLE,
      ),
      restrict(
        m,
        manager,
        clearing,
        OptionsClearing__factory.createInterface(),
        "OptionsClearing",
        "OptionsClearing_trade",
        CLEARING_EXCHANGE_FUNCTIONS,
        Roles.EXCHANGE_ROLE,
      ),
      m.call(manager, "grantRole", [Roles.EXCHANGE_ROLE, exchange, 0], {
        id: fid("grant", "EXCHANGE_ROLE", "exchange"),
      }),
    ];
    ex.executors.forEach((executor, i) => {
      m.call(manager, "grantRole", [Roles.EXECUTOR_ROLE, param(`executor${i}`, executor), 0], {
        id: fid("grant", "EXECUTOR_ROLE", i),
        after: wiring,
      });
    });
    return { exchange };
  });
}

export type ExchangeModule = ReturnType<typeof buildExchangeModule>;
