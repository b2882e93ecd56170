/**
 * The CircuitBreaker, its function roles (BREAKER_FUNCTION_ROLES of scripts/lib/deploy/breaker.ts) and the initial
 * outflow limit of every configured token, set by the deployer as temporary governor.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { CircuitBreaker__factory } from "../../../typechain-types";
import { BREAKER_FUNCTION_ROLES } from "../../../scripts/lib/deploy/breaker";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import type { GovernanceModule } from "./governance";
import { fid, restrict, type ParameterRecorder } from "./shared";

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
    const iface = CircuitBreaker__factory.createInterface();
    const wiring = BREAKER_FUNCTION_ROLES.map(({ role, functions }) =>
      restrict(m, manager, breaker, iface, "CircuitBreaker", "CircuitBreaker", functions, role),
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
