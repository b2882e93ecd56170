/**
 * OptionsExchange on the deployed clearing: its restricted functions from FUNCTION_ROLES (`setFeeSchedule` to
 * GOVERNOR_ROLE, `matchOrders` to EXECUTOR_ROLE, granted to the config's executors), and EXCHANGE_ROLE (the
 * clearing's `trade`, mapped by the clearing module) granted to the exchange. Fees from the config's `exchange`
 * section, swept to its fee recipient (the timelock by default).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { OptionsExchange__factory } from "../../../typechain-types";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { FUNCTION_ROLES, MODULE_ROLES, Roles, roleName } from "../../../scripts/lib/roles";
import type { ClearingModule } from "./clearing";
import type { GovernanceModule } from "./governance";
import { fid, restrictFunctions, type ParameterRecorder } from "./shared";

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
    const restricted = restrictFunctions(
      m,
      manager,
      exchange,
      OptionsExchange__factory.createInterface(),
      "OptionsExchange",
      "OptionsExchange",
      FUNCTION_ROLES.OptionsExchange,
    );
    const held = MODULE_ROLES.OptionsExchange;
    const wiring = [
      ...restricted,
      m.call(manager, "grantRole", [held, exchange, 0], { id: fid("grant", roleName(held), "exchange") }),
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
