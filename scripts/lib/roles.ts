/**
 * Role ids of the protocol's AccessManager, mirroring contracts/governance/Roles.sol.
 * test/unit/governance/Roles.test.ts holds the two in agreement.
 */
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
