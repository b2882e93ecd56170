// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { CircuitBreaker, ProtocolAccessManager } from "../../../typechain-types";
import { FUNCTION_ROLES, Roles } from "../../../scripts/lib/roles";
import { restrictAll } from "./governance";

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
  await restrictAll(manager, admin, breaker, FUNCTION_ROLES.CircuitBreaker);
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
