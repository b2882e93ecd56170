/**
 * The VaultFactory (`createVault` to GOVERNOR_ROLE), one CollateralVault per collateral asset created through it by
 * the deployer as temporary governor (governed functions to GOVERNOR_ROLE, VAULT_ROLE to the vault, mirrored into
 * the breaker with `syncVault`, so it can record flows on the breaker), and the InsuranceVault over the quote asset.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture } from "@nomicfoundation/ignition-core";
import {
  CollateralVault__factory,
  InsuranceVault__factory,
  VaultFactory__factory,
} from "../../../typechain-types";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { FUNCTION_ROLES, MODULE_ROLES, roleName } from "../../../scripts/lib/roles";
import type { BreakerModule } from "./breaker";
import type { GovernanceModule } from "./governance";
import { fid, restrictFunctions, type ParameterRecorder } from "./shared";

export const VAULTS_MODULE_ID = "Vaults";

export function buildVaultsModule(
  plan: DeploymentPlan,
  recorder: ParameterRecorder,
  governance: GovernanceModule,
  breakerModule: BreakerModule,
) {
  return buildModule(VAULTS_MODULE_ID, (m) => {
    const param = recorder.forModule(VAULTS_MODULE_ID, m);
    const { manager } = m.useModule(governance);
    const { breaker } = m.useModule(breakerModule);

    const factory = m.contract("VaultFactory", [breaker, manager]);
    const factoryWiring = restrictFunctions(
      m,
      manager,
      factory,
      VaultFactory__factory.createInterface(),
      "VaultFactory",
      "VaultFactory",
      FUNCTION_ROLES.VaultFactory,
    );

    const vaults: Record<string, ContractFuture<string>> = {};
    const vaultInterface = CollateralVault__factory.createInterface();
    for (const c of plan.config.collateral) {
      const sym = c.asset;
      const create = m.call(
        factory,
        "createVault",
        [
          param(`${sym}_token`, plan.tokens[sym]),
          param(`${sym}_name`, c.name),
          param(`${sym}_symbol`, c.symbol),
          param(`${sym}_depositCap`, c.depositCap),
          param(`${sym}_permissioned`, c.permissioned),
        ],
        // After the whole governance module: the deployer's temporary GOVERNOR_ROLE is in place.
        { id: fid("createVault", sym), after: [governance, ...factoryWiring] },
      );
      const address = m.readEventArgument(create, "VaultCreated", "vault", { id: fid("VaultCreated", sym) });
      const vault = m.contractAt("CollateralVault", address, { id: fid("CollateralVault", sym) });
      restrictFunctions(
        m,
        manager,
        vault,
        vaultInterface,
        "CollateralVault",
        fid("CollateralVault", sym),
        FUNCTION_ROLES.CollateralVault,
      );
      const held = MODULE_ROLES.CollateralVault;
      const grant = m.call(manager, "grantRole", [held, vault, 0], { id: fid("grant", roleName(held), sym) });
      // The breaker's record functions check its mirror of VAULT_ROLE (permissionless sync after the grant).
      m.call(breaker, "syncVault", [vault], { id: fid("syncVault", sym), after: [grant] });
      vaults[fid("CollateralVault", sym)] = vault;
    }

    const ins = plan.config.insurance;
    const insurance = m.contract("InsuranceVault", [
      param("insurance_quoteToken", plan.tokens[plan.config.quote]),
      manager,
      param("insurance_name", ins.name),
      param("insurance_symbol", ins.symbol),
      param("insurance_cooldownSeconds", BigInt(ins.cooldownSeconds)),
      param("insurance_windowSeconds", BigInt(ins.windowSeconds)),
    ]);
    restrictFunctions(
      m,
      manager,
      insurance,
      InsuranceVault__factory.createInterface(),
      "InsuranceVault",
      "InsuranceVault",
      FUNCTION_ROLES.InsuranceVault,
    );
    const results: Record<string, ContractFuture<string>> = { factory, insurance, ...vaults };
    return results;
  });
}

export type VaultsModule = ReturnType<typeof buildVaultsModule>;
