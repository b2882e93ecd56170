import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type {
  CollateralVault,
  ICircuitBreaker,
  InsuranceVault,
  ProtocolAccessManager,
  VaultFactory,
} from "../../../typechain-types";
import { restrictFunctions } from "../governance";
import { Roles } from "../roles";

/** Functions of a CollateralVault that only governance (the timelock) may call. */
export const COLLATERAL_VAULT_GOVERNED_FUNCTIONS = [
  "setDepositCap",
  "setPermissioned",
  "setDepositorAllowed",
  "skim",
  "recognizeLoss",
];
/** Functions of a CollateralVault that only the clearing contract may call (the bad-debt cover deposit). */
export const COLLATERAL_VAULT_CLEARING_FUNCTIONS = ["depositCover"];
/** Functions of the InsuranceVault that only governance (the timelock) may call. */
export const INSURANCE_VAULT_GOVERNED_FUNCTIONS = ["setWithdrawalTimings", "skim", "recognizeLoss"];
/** Functions of the InsuranceVault that only the clearing contract may call (payPenalty: no donation path). */
export const INSURANCE_VAULT_CLEARING_FUNCTIONS = ["coverBadDebt", "payPenalty"];

/** Each group of a CollateralVault's restricted functions and the role that may call it. */
export const COLLATERAL_VAULT_RESTRICTIONS: readonly (readonly [string[], bigint])[] = [
  [COLLATERAL_VAULT_GOVERNED_FUNCTIONS, Roles.GOVERNOR_ROLE],
  [COLLATERAL_VAULT_CLEARING_FUNCTIONS, Roles.CLEARING_ROLE],
];
/** Each group of the InsuranceVault's restricted functions and the role that may call it. */
export const INSURANCE_VAULT_RESTRICTIONS: readonly (readonly [string[], bigint])[] = [
  [INSURANCE_VAULT_GOVERNED_FUNCTIONS, Roles.GOVERNOR_ROLE],
  [INSURANCE_VAULT_CLEARING_FUNCTIONS, Roles.CLEARING_ROLE],
];

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
  await restrictFunctions(manager, admin, factory, ["createVault"], Roles.GOVERNOR_ROLE);
  return factory;
}

/**
 * Create the CollateralVault of `params.asset` through the factory (by `governor`, a GOVERNOR_ROLE holder), map its
 * governed functions to GOVERNOR_ROLE and `depositCover` to CLEARING_ROLE, and grant it VAULT_ROLE on the breaker (by `admin`, the manager's admin), then
 * mirror the grant into the breaker (`syncVault`). After the hand-over to the timelock the same calls are timelock
 * operations (the sync is permissionless).
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
  for (const [functions, role] of COLLATERAL_VAULT_RESTRICTIONS) {
    await restrictFunctions(manager, admin, vault, functions, role);
  }
  await (await manager.connect(admin).grantRole(Roles.VAULT_ROLE, await vault.getAddress(), 0)).wait();
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
 * Deploy the InsuranceVault over the quote asset: `coverBadDebt` and `payPenalty` to CLEARING_ROLE, parameters to GOVERNOR_ROLE.
 * `admin` must be the manager's admin.
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
  for (const [functions, role] of INSURANCE_VAULT_RESTRICTIONS) {
    await restrictFunctions(manager, admin, vault, functions, role);
  }
  return vault;
}
