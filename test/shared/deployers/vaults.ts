// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type {
  CollateralVault,
  ICircuitBreaker,
  InsuranceVault,
  ProtocolAccessManager,
  VaultFactory,
} from "../../../typechain-types";
import { FUNCTION_ROLES, MODULE_ROLES } from "../../../scripts/lib/roles";
import { restrictAll } from "./governance";

/** Deposit cap meaning "no cap". */
export const NO_CAP = ethers.MaxUint256;

export interface CollateralVaultParams {
  asset: string;
  name: string;
  symbol: string;
  /** Cap on totalAssets through deposits, in the asset's units; `NO_CAP` for none. */
  depositCap: bigint;
  permissioned: boolean;
}

export interface InsuranceVaultParams {
  quote: string;
  name: string;
  symbol: string;
  cooldownSeconds: bigint;
  windowSeconds: bigint;
}

/**
 * Deploy the VaultFactory and map `createVault` to GOVERNOR_ROLE. `admin` must be the AccessManager's admin
 * (the deployer before `handOverToTimelock`).
 */
export async function deployVaultFactory(
  manager: ProtocolAccessManager,
  admin: Signer,
  breaker: ICircuitBreaker,
): Promise<VaultFactory> {
  const factory = await ethers.deployContract(
    "VaultFactory",
    [await breaker.getAddress(), await manager.getAddress()],
    admin,
  );
  await factory.waitForDeployment();
  await restrictAll(manager, admin, factory, FUNCTION_ROLES.VaultFactory);
  return factory;
}

/**
 * Create the CollateralVault of `params.asset` through the factory (by `governor`, a GOVERNOR_ROLE holder), map its
 * governed functions to GOVERNOR_ROLE and `depositCover` to CLEARING_ROLE, and grant it VAULT_ROLE on the breaker
 * (by `admin`, the manager's admin), then mirror the grant into the breaker (`syncVault`). After the hand-over to the
 * timelock the same calls are timelock operations (the sync is permissionless).
 */
export async function createCollateralVault(
  manager: ProtocolAccessManager,
  admin: Signer,
  governor: Signer,
  factory: VaultFactory,
  params: CollateralVaultParams,
): Promise<CollateralVault> {
  const args = [params.asset, params.name, params.symbol, params.depositCap, params.permissioned] as const;
  await (await factory.connect(governor).createVault(...args)).wait();
  const vault = await ethers.getContractAt("CollateralVault", await factory.vaultOf(params.asset));
  await restrictAll(manager, admin, vault, FUNCTION_ROLES.CollateralVault);
  const held = MODULE_ROLES.CollateralVault;
  await (await manager.connect(admin).grantRole(held, await vault.getAddress(), 0)).wait();
  await syncBreakerVault(await vault.BREAKER(), await vault.getAddress(), admin);
  return vault;
}

/**
 * Mirror `vault`'s VAULT_ROLE into the breaker (`syncVault`, permissionless): the breaker's record functions check
 * the mirror, so every grant or revocation of VAULT_ROLE is followed by this call.
 */
export async function syncBreakerVault(breaker: string, vault: string, caller: Signer): Promise<void> {
  const circuitBreaker = await ethers.getContractAt("CircuitBreaker", breaker, caller);
  await (await circuitBreaker.syncVault(vault)).wait();
}

/**
 * Deploy the InsuranceVault over the quote asset: `coverBadDebt` and `payPenalty` to CLEARING_ROLE, parameters to
 * GOVERNOR_ROLE. `admin` must be the manager's admin.
 */
export async function deployInsuranceVault(
  manager: ProtocolAccessManager,
  admin: Signer,
  params: InsuranceVaultParams,
): Promise<InsuranceVault> {
  const vault = await ethers.deployContract(
    "InsuranceVault",
    [
      params.quote,
      await manager.getAddress(),
      params.name,
      params.symbol,
      params.cooldownSeconds,
      params.windowSeconds,
    ],
    admin,
  );
  await vault.waitForDeployment();
  await restrictAll(manager, admin, vault, FUNCTION_ROLES.InsuranceVault);
  return vault;
}
