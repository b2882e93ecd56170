/**
 * The protocol's roles in one place: the role ids of the AccessManager (mirroring contracts/governance/Roles.sol,
 * held in agreement by test/unit/governance/Roles.test.ts), which role may call which restricted function of each
 * module, and which roles the modules themselves hold. The Ignition modules (the production deploy path) and the
 * direct deployers of the tests and the bench both wire from these tables; free of the Hardhat runtime.
 */
import type { Interface } from "ethers";

export const Roles = {
  ADMIN_ROLE: 0n,
  GOVERNOR_ROLE: 1n,
  GUARDIAN_ROLE: 2n,
  ORACLE_ROLE: 3n,
  VAULT_ROLE: 4n,
  CLEARING_ROLE: 5n,
  LISTER_ROLE: 6n,
  EXCHANGE_ROLE: 7n,
  EXECUTOR_ROLE: 8n,
  PUBLIC_ROLE: 2n ** 64n - 1n,
} as const;

export type RoleName = keyof typeof Roles;

/** A group of a contract's restricted functions and the role that may call them. */
export interface FunctionRole {
  readonly role: bigint;
  readonly functions: readonly string[];
}

/** The restricted functions of every module, grouped by role, in the order the deployments wire them. */
export const FUNCTION_ROLES = {
  CircuitBreaker: [
    { role: Roles.GUARDIAN_ROLE, functions: ["pause"] },
    { role: Roles.GOVERNOR_ROLE, functions: ["resume", "setCooldown", "setGracePeriod", "setOutflowLimit"] },
    {
      role: Roles.ORACLE_ROLE,
      functions: ["reportPriceBandBreach", "reportQuorumLoss", "reportSequencerDown"],
    },
    { role: Roles.VAULT_ROLE, functions: ["recordOutflow", "recordInflow", "recordLoss"] },
  ],
  OracleAggregator: [{ role: Roles.GOVERNOR_ROLE, functions: ["setAssetConfig", "setSequencerUptimeFeed"] }],
  SignedReportSource: [
    { role: Roles.GOVERNOR_ROLE, functions: ["setReporter", "setMinSigners", "setMaxReportAge"] },
  ],
  VaultFactory: [{ role: Roles.GOVERNOR_ROLE, functions: ["createVault"] }],
  CollateralVault: [
    {
      role: Roles.GOVERNOR_ROLE,
      functions: ["setDepositCap", "setPermissioned", "setDepositorAllowed", "skim", "recognizeLoss"],
    },
    // The bad-debt cover deposit.
    { role: Roles.CLEARING_ROLE, functions: ["depositCover"] },
  ],
  InsuranceVault: [
    { role: Roles.GOVERNOR_ROLE, functions: ["setWithdrawalTimings", "skim", "recognizeLoss"] },
    // payPenalty is restricted so that penalties have no donation path.
    { role: Roles.CLEARING_ROLE, functions: ["coverBadDebt", "payPenalty"] },
  ],
  OptionsClearing: [
    {
      role: Roles.GOVERNOR_ROLE,
      functions: ["configureUnderlying", "configureCollateral", "settleWithFallbackPrice"],
    },
    { role: Roles.LISTER_ROLE, functions: ["listSeries"] },
    // The settlement of signed-order trades: the exchange holds EXCHANGE_ROLE.
    { role: Roles.EXCHANGE_ROLE, functions: ["trade"] },
  ],
  OptionsExchange: [
    { role: Roles.GOVERNOR_ROLE, functions: ["setFeeSchedule"] },
    // The order book's matcher.
    { role: Roles.EXECUTOR_ROLE, functions: ["matchOrders"] },
  ],
} as const satisfies Record<string, readonly FunctionRole[]>;

export type RestrictedContract = keyof typeof FUNCTION_ROLES;

/** The role each module holds to call the others (the aggregator trips the breaker, a vault records its flows, the
 * clearing draws on the insurance and pays cover into the vaults). */
export const MODULE_ROLES = {
  OracleAggregator: Roles.ORACLE_ROLE,
  CollateralVault: Roles.VAULT_ROLE,
  OptionsClearing: Roles.CLEARING_ROLE,
  OptionsExchange: Roles.EXCHANGE_ROLE,
} as const;

/** Roles the production deployment labels in the manager (shown by explorers and AccessManager tooling). */
export const LABELLED_ROLES = [
  "GOVERNOR_ROLE",
  "GUARDIAN_ROLE",
  "ORACLE_ROLE",
  "VAULT_ROLE",
  "CLEARING_ROLE",
  "LISTER_ROLE",
  "EXCHANGE_ROLE",
  "EXECUTOR_ROLE",
] as const satisfies readonly RoleName[];

/** The name of a role id. */
export function roleName(role: bigint): RoleName {
  const entry = Object.entries(Roles).find(([, id]) => id === role);
  if (entry === undefined) throw new Error(`unknown role id ${role}`);
  return entry[0] as RoleName;
}

/** Selectors of `functionNames` in `iface`; fails naming `contractName` and the function it does not have. */
export function selectorsOf(
  iface: Interface,
  contractName: string,
  functionNames: readonly string[],
): string[] {
  return functionNames.map((name) => {
    const fragment = iface.getFunction(name);
    if (fragment === null) throw new Error(`${contractName} has no function ${name}`);
    return fragment.selector;
  });
}
