/**
 * The whole suite as Hardhat Ignition modules, built from a deployment plan (a validated config with every token
 * and feed address resolved): Governance, Breaker, Oracle, Vaults, Clearing and Exchange (ignition/modules/protocol/), then
 * the hand-over: the timelock becomes the manager's admin, the deployer's temporary GOVERNOR_ROLE (and LISTER_ROLE)
 * is revoked and its admin role renounced. After it the deployer holds no role, and every parameter change, role
 * change and resume is a timelock operation.
 *
 * The structure (which assets, how many feeds, guardians, series) comes from the plan; every value reaches the
 * modules as an Ignition parameter (`parameters`, pass them to `ignition.deploy`), so Ignition's journal records
 * them and a resumed deployment with a changed config fails reconciliation instead of mixing two configs.
 * scripts/lib/deploy/ignition.ts runs it (for scripts/deploy.ts); the modules import only the pure definitions of
 * scripts/lib (roles, config, plan).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import type { DeploymentPlan } from "../../scripts/lib/deploy/plan";
import { Roles } from "../../scripts/lib/roles";
import { buildBreakerModule } from "./protocol/breaker";
import { buildClearingModule } from "./protocol/clearing";
import { buildExchangeModule } from "./protocol/exchange";
import { buildGovernanceModule } from "./protocol/governance";
import { buildOracleModule } from "./protocol/oracle";
import { fid, ParameterRecorder } from "./protocol/shared";
import { buildVaultsModule } from "./protocol/vaults";

export const PROTOCOL_MODULE_ID = "Protocol";

export function buildProtocolModule(plan: DeploymentPlan) {
  const recorder = new ParameterRecorder();
  const governance = buildGovernanceModule(plan, recorder);
  const breaker = buildBreakerModule(plan, recorder, governance);
  const oracle = buildOracleModule(plan, recorder, governance, breaker);
  const vaults = buildVaultsModule(plan, recorder, governance, breaker);
  const clearing = buildClearingModule(plan, recorder, { governance, breaker, oracle, vaults });
  const exchange = buildExchangeModule(plan, recorder, { governance, clearing });
  const submodules = [governance, breaker, oracle, vaults, clearing, exchange];

  const module = buildModule(PROTOCOL_MODULE_ID, (m) => {
    const deployer = m.getAccount(0);
    const gov = m.useModule(governance);
    const results = {
      ...gov,
      ...m.useModule(breaker),
      ...m.useModule(oracle),
      ...m.useModule(vaults),
      ...m.useModule(clearing),
      ...m.useModule(exchange),
    };
    const { manager, timelock } = gov;
    // Only after every step of every module: the temporary roles are no longer needed.
    const revokes = [
      m.call(manager, "revokeRole", [Roles.GOVERNOR_ROLE, deployer], {
        id: fid("revoke", "GOVERNOR_ROLE", "deployer"),
        after: submodules,
      }),
    ];
    if (plan.config.series.length > 0) {
      revokes.push(
        m.call(manager, "revokeRole", [Roles.LISTER_ROLE, deployer], {
          id: fid("revoke", "LISTER_ROLE", "deployer"),
          after: submodules,
        }),
      );
    }
    const grantAdmin = m.call(manager, "grantRole", [Roles.ADMIN_ROLE, timelock, 0], {
      id: fid("grant", "ADMIN_ROLE", "timelock"),
      after: submodules,
    });
    m.call(manager, "renounceRole", [Roles.ADMIN_ROLE, deployer], {
      id: fid("renounce", "ADMIN_ROLE", "deployer"),
      after: [grantAdmin, ...revokes],
    });
    return results;
  });
  // Reading `recorder.parameters` is only complete after every module was built (above).
  const parameters: DeploymentParameters = recorder.parameters;
  return { module, parameters };
}
