/**
 * Governance: the ProtocolAccessManager (the deployer as initial admin), the governance Safe when the config names
 * one (ignition/modules/protocol/safe.ts) and the ProtocolTimelock (self-administered; the Safe and any further
 * proposers propose and cancel): the timelock gets GOVERNOR_ROLE, the guardians GUARDIAN_ROLE, the listers
 * LISTER_ROLE, all without execution delay. The deployer also takes GOVERNOR_ROLE (and LISTER_ROLE when the config
 * lists initial series) for the configuration steps of the other modules; the Protocol module revokes both and hands
 * the admin role to the timelock.
 */
import { ZeroAddress } from "ethers";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { DeploymentPlan } from "../../../scripts/lib/deploy/plan";
import { LABELLED_ROLES, Roles } from "../../../scripts/lib/roles";
import { buildSafeModule } from "./safe";
import { fid, type ParameterRecorder } from "./shared";

export const GOVERNANCE_MODULE_ID = "Governance";

export function buildGovernanceModule(plan: DeploymentPlan, recorder: ParameterRecorder) {
  const g = plan.config.governance;
  const safeModule = g.safe === undefined ? undefined : buildSafeModule(g.safe, recorder);
  return buildModule(GOVERNANCE_MODULE_ID, (m) => {
    const param = recorder.forModule(GOVERNANCE_MODULE_ID, m);
    const deployer = m.getAccount(0);
    const safe = safeModule === undefined ? undefined : m.useModule(safeModule);
    // The proposers (OpenZeppelin's timelock also makes each a canceller): the Safe first, then any listed.
    const proposers =
      safe === undefined
        ? param("proposers", g.proposers)
        : [safe.governanceSafe, ...g.proposers.map((p, i) => param(`proposer${i}`, p))];

    const manager = m.contract("ProtocolAccessManager", [deployer]);
    // The timelock administers itself (admin = address(0)); no executor listed means anyone may execute.
    const timelock = m.contract("ProtocolTimelock", [
      param("timelockDelaySeconds", BigInt(g.timelockDelaySeconds)),
      proposers,
      param("executors", g.executors.length === 0 ? [ZeroAddress] : g.executors),
      ZeroAddress,
    ]);

    m.call(manager, "grantRole", [Roles.GOVERNOR_ROLE, timelock, 0], {
      id: fid("grant", "GOVERNOR_ROLE", "timelock"),
    });
    g.guardians.forEach((guardian, i) => {
      m.call(manager, "grantRole", [Roles.GUARDIAN_ROLE, param(`guardian${i}`, guardian), 0], {
        id: fid("grant", "GUARDIAN_ROLE", i),
      });
    });
    g.listers.forEach((lister, i) => {
      m.call(manager, "grantRole", [Roles.LISTER_ROLE, param(`lister${i}`, lister), 0], {
        id: fid("grant", "LISTER_ROLE", i),
      });
    });
    for (const name of LABELLED_ROLES) {
      m.call(manager, "labelRole", [Roles[name], name.replace(/_ROLE$/, "")], { id: fid("label", name) });
    }

    // Temporary: the deployer configures the modules as governor (and lists the initial series), then the
    // Protocol module revokes these roles before renouncing its admin role.
    m.call(manager, "grantRole", [Roles.GOVERNOR_ROLE, deployer, 0], {
      id: fid("grant", "GOVERNOR_ROLE", "deployer"),
    });
    if (plan.config.series.length > 0) {
      m.call(manager, "grantRole", [Roles.LISTER_ROLE, deployer, 0], {
        id: fid("grant", "LISTER_ROLE", "deployer"),
      });
    }
    return { manager, timelock, ...safe };
  });
}

export type GovernanceModule = ReturnType<typeof buildGovernanceModule>;
