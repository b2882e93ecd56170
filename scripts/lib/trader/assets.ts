/** Tokens and collateral vaults of a deployment by symbol, with decimals, for amounts in asset units. */
import type { ContractRunner } from "ethers";
import {
  CollateralVault__factory,
  ERC20__factory,
  type CollateralVault,
  type ERC20,
} from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { quoteSymbol } from "../ops/fund";

export interface AssetVault {
  symbol: string;
  token: ERC20;
  tokenAddress: string;
  decimals: number;
  vault: CollateralVault;
  vaultAddress: string;
  /** Whether the token is a mock of a local deployment (public `mint`). */
  isMock: boolean;
}

/** The symbols that have a collateral vault in the record ("USDC", "WETH", ...). */
export function vaultSymbols(p: Protocol): string[] {
  return Object.keys(p.record.contracts)
    .filter((name) => name.startsWith("CollateralVault."))
    .map((name) => name.slice("CollateralVault.".length));
}

/** The collateral vault of asset `symbol` (case-insensitive), bound to `runner`. */
export async function assetVault(p: Protocol, symbol: string, runner: ContractRunner): Promise<AssetVault> {
  const known = vaultSymbols(p);
  const match = known.find((s) => s.toLowerCase() === symbol.trim().toLowerCase());
  if (match === undefined) {
    throw new OperatorError(`unknown collateral asset '${symbol}' (vaults: ${known.join(", ")})`);
  }
  const vaultAddress = p.record.contracts[`CollateralVault.${match}`];
  const tokenAddress = p.record.tokens[match];
  const token = ERC20__factory.connect(tokenAddress, runner);
  return {
    symbol: match,
    token,
    tokenAddress,
    decimals: Number(await token.decimals()),
    vault: CollateralVault__factory.connect(vaultAddress, runner),
    vaultAddress,
    isMock: p.record.mocks?.tokens?.[match] !== undefined,
  };
}

/** The quote asset (symbol and decimals): WAD quote values are shown in it. */
export async function quoteAsset(
  p: Protocol,
  runner: ContractRunner,
): Promise<{ symbol: string; decimals: number }> {
  const symbol = quoteSymbol(p);
  return {
    symbol,
    decimals: Number(await ERC20__factory.connect(p.record.tokens[symbol], runner).decimals()),
  };
}
