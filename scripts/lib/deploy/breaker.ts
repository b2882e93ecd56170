import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { CircuitBreaker, ProtocolAccessManager } from "../../../typechain-types";
import { restrictFunctions } from "../governance";
import { Roles } from "../roles";

export interface OutflowLimitParams {
  token: string;
  /** Share of the token's liquidity that may leave within the window, in bps (1..10,000). */
  maxOutflowBps: bigint;
  /** Width of the window (and of each of the two buckets), in seconds. */
  windowSeconds: bigint;
}

export interface BreakerParams {
  /** Cooldown between a trip and the earliest resume. */
  cooldownSeconds: bigint;
  /** Grace period after a resume, during which liquidations stay off. */
  gracePeriodSeconds: bigint;
  /** Outflow limits set during the deployment (before the hand-over to the timelock). */
  outflowLimits?: OutflowLimitParams[];
}

/** Which role may call which restricted function of the CircuitBreaker. */
export const BREAKER_FUNCTION_ROLES: ReadonlyArray<{ role: bigint; functions: string[] }> = [
  { role: Roles.GUARDIAN_ROLE, functions: ["pause"] },
  {
    role: Roles.GOVERNOR_ROLE,
    functions: ["resume", "setCooldown", "setGracePeriod", "setOutflowLimit"],
  },
  {
    role: Roles.ORACLE_ROLE,
    functions: ["reportPriceBandBreach", "reportQuorumLoss", "reportSequencerDown"],
  },
  { role: Roles.VAULT_ROLE, functions: ["recordOutflow", "recordInflow", "recordLoss"] },
];

/** Map every restricted function of `breaker` to its role. `admin` must be the manager's admin. */
export async function wireBreakerRoles(
  manager: ProtocolAccessManager,
  admin: Signer,
  breaker: CircuitBreaker,
): Promise<void> {
  for (const { role, functions } of BREAKER_FUNCTION_ROLES) {
    await restrictFunctions(manager, admin, breaker, functions, role);
  }
}

/**
 * Deploy the CircuitBreaker under `manager`, wire its function roles and set the initial outflow limits. `admin`
 * must be the manager's admin (the deployer, before `handOverToTimelock`). The limits are set by granting `admin`
 * GOVERNOR_ROLE for the duration and revoking it afterwards, so the deployer keeps no role.
 */
export async function deployBreaker(
  manager: ProtocolAccessManager,
  admin: Signer,
  params: BreakerParams,
): Promise<CircuitBreaker> {
  const breaker = await ethers.deployContract(
    "CircuitBreaker",
    [await manager.getAddress(), params.cooldownSeconds, params.gracePeriodSeconds],
    admin,
  );
  await breaker.waitForDeployment();
  await wireBreakerRoles(manager, admin, breaker);
  const limits = params.outflowLimits ?? [];
  if (limits.length > 0) {
    const adminAddress = await admin.getAddress();
    await (await manager.connect(admin).grantRole(Roles.GOVERNOR_ROLE, adminAddress, 0)).wait();
    for (const limit of limits) {
      await (
        await breaker.connect(admin).setOutflowLimit(limit.token, limit.maxOutflowBps, limit.windowSeconds)
      ).wait();
    }
    await (await manager.connect(admin).revokeRole(Roles.GOVERNOR_ROLE, adminAddress)).wait();
  }
  return breaker;
}
