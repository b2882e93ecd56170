// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { BaseContract, Signer } from "ethers";
import { ethers } from "hardhat";
import type { ProtocolAccessManager, ProtocolTimelock } from "../../../typechain-types";
import { Roles, selectorsOf, type FunctionRole } from "../../../scripts/lib/roles";

export interface GovernanceParams {
  /** Timelock delay for every parameter change and resume. */
  timelockDelaySeconds: bigint;
  /** Accounts that may propose timelock operations (a governance multisig in production). */
  proposers: string[];
  /** Accounts that may execute ready operations; empty means anyone. */
  executors: string[];
  /** Accounts that may pause breaker scopes at once. */
  guardians: string[];
}

export interface Governance {
  manager: ProtocolAccessManager;
  timelock: ProtocolTimelock;
}

/**
 * Deploy the AccessManager and the timelock. The deployer stays admin of the manager until
 * `handOverToTimelock`, so it can wire the modules' function roles first.
 */
export async function deployGovernance(deployer: Signer, params: GovernanceParams): Promise<Governance> {
  const deployerAddress = await deployer.getAddress();
  const manager = await ethers.deployContract("ProtocolAccessManager", [deployerAddress], deployer);
  await manager.waitForDeployment();
  const executors = params.executors.length === 0 ? [ethers.ZeroAddress] : params.executors;
  // The timelock administers itself (admin = address(0)): its own delay applies to changes of its roles.
  const timelock = await ethers.deployContract(
    "ProtocolTimelock",
    [params.timelockDelaySeconds, params.proposers, executors, ethers.ZeroAddress],
    deployer,
  );
  await timelock.waitForDeployment();
  const timelockAddress = await timelock.getAddress();
  await (await manager.connect(deployer).grantRole(Roles.GOVERNOR_ROLE, timelockAddress, 0)).wait();
  for (const guardian of params.guardians) {
    await (await manager.connect(deployer).grantRole(Roles.GUARDIAN_ROLE, guardian, 0)).wait();
  }
  await (await manager.connect(deployer).labelRole(Roles.GOVERNOR_ROLE, "GOVERNOR")).wait();
  await (await manager.connect(deployer).labelRole(Roles.GUARDIAN_ROLE, "GUARDIAN")).wait();
  return { manager, timelock };
}

/** Map `functionNames` of `target` to `role` in the manager. The caller must be the manager's admin. */
export async function restrictFunctions(
  manager: ProtocolAccessManager,
  admin: Signer,
  target: BaseContract,
  functionNames: readonly string[],
  role: bigint,
): Promise<void> {
  const address = await target.getAddress();
  const selectors = selectorsOf(target.interface, `the contract at ${address}`, functionNames);
  await (await manager.connect(admin).setTargetFunctionRole(address, selectors, role)).wait();
}

/** Map every group of a role table (scripts/lib/roles.ts) on `target`, in the table's order. */
export async function restrictAll(
  manager: ProtocolAccessManager,
  admin: Signer,
  target: BaseContract,
  table: readonly FunctionRole[],
): Promise<void> {
  for (const { functions, role } of table) await restrictFunctions(manager, admin, target, functions, role);
}

/**
 * Give the manager's admin role to the timelock and renounce the deployer's: from then on every role and
 * function mapping changes only through the timelock.
 */
export async function handOverToTimelock(gov: Governance, deployer: Signer): Promise<void> {
  const timelockAddress = await gov.timelock.getAddress();
  await (await gov.manager.connect(deployer).grantRole(Roles.ADMIN_ROLE, timelockAddress, 0)).wait();
  await (
    await gov.manager.connect(deployer).renounceRole(Roles.ADMIN_ROLE, await deployer.getAddress())
  ).wait();
}
