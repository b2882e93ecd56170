/**
 * The CircuitBreaker, its function roles (`FUNCTION_ROLES.CircuitBreaker` of scripts/lib/roles.ts) and the initial
 * outflow limit of every configured token, set by the deployer as temporary governor.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { CircuitBreaker__factory } from "../../../typechain-types";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { FUNCTION_ROLES } from "../../../scripts/lib/roles";
import type { GovernanceModule } from "./governance";
import { fid, restrictFunctions, type ParameterRecorder } from "./shared";

export const BREAKER_MODULE_ID = "Breaker";

export function buildBreakerModule(
  plan: DeploymentPlan,
  recorder: ParameterRecorder,
  governance: GovernanceModule,
) {
  return buildModule(BREAKER_MODULE_ID, (m) => {
    const param = recorder.forModule(BREAKER_MODULE_ID, m);
    const { manager } = m.useModule(governance);
    const b = plan.config.breaker;
    const breaker = m.contract("CircuitBreaker", [
      manager,
      param("cooldownSeconds", BigInt(b.cooldownSeconds)),
      param("gracePeriodSeconds", BigInt(b.gracePeriodSeconds)),
    ]);
    const wiring = restrictFunctions(
      m,
      manager,
      breaker,
      CircuitBreaker__factory.createInterface(),
      "CircuitBreaker",
      "CircuitBreaker",
      FUNCTION_ROLES.CircuitBreaker,
    );
    for (const limit of b.outflowLimits) {
      m.call(
        breaker,
        "setOutflowLimit",
        [
          param(`${limit.asset}_token`, plan.tokens[limit.asset]),
          param(`${limit.asset}_maxOutflowBps`, BigInt(limit.maxOutflowBps)),
          param(`${limit.asset}_windowSeconds`, BigInt(limit.windowSeconds)),
        ],
        { id: fid("setOutflowLimit", limit.asset), after: [governance, ...wiring] },
      );
    }
    return { breaker };
  });
}

export type BreakerModule = ReturnType<typeof buildBreakerModule>;
