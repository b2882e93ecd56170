/**
 * TypeScript reference of the vaults' ERC-4626 arithmetic (OpenZeppelin's virtual shares and assets): the oracle of
 * the vault tests. `offset` is the vault's decimals offset; `supply` and `assets` are totalSupply and totalAssets.
 */
export type Rounding = "down" | "up";

function mulDiv(x: bigint, y: bigint, d: bigint, rounding: Rounding): bigint {
  const p = x * y;
  const q = p / d;
  return rounding === "up" && q * d !== p ? q + 1n : q;
}

export interface VaultState {
  supply: bigint;
  assets: bigint;
  offset: bigint;
}

export function toShares(s: VaultState, assets: bigint, rounding: Rounding): bigint {
  return mulDiv(assets, s.supply + 10n ** s.offset, s.assets + 1n, rounding);
}

export function toAssets(s: VaultState, shares: bigint, rounding: Rounding): bigint {
  return mulDiv(shares, s.assets + 1n, s.supply + 10n ** s.offset, rounding);
}

/** ERC-4626 previews: deposit and redeem round down, mint and withdraw round up (in the vault's favour). */
export const preview = {
  deposit: (s: VaultState, assets: bigint) => toShares(s, assets, "down"),
  mint: (s: VaultState, shares: bigint) => toAssets(s, shares, "up"),
  withdraw: (s: VaultState, assets: bigint) => toShares(s, assets, "up"),
  redeem: (s: VaultState, shares: bigint) => toAssets(s, shares, "down"),
};
