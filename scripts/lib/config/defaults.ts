/** Values a config may leave out. */
import { MaxUint256 } from "ethers";

/** Deposit cap meaning "no cap" (the vault's NO_CAP). */
export const UNLIMITED = MaxUint256;
/** What a config writes for no deposit cap. */
export const UNLIMITED_TEXT = "unlimited";

export const defaultVaultName = (symbol: string): string => `optiq ${symbol} collateral`;
export const defaultVaultSymbol = (symbol: string): string => `oq${symbol}`;
export const DEFAULT_INSURANCE_NAME = "optiq insurance";
export const DEFAULT_INSURANCE_SYMBOL = "oqINS";
export const DEFAULT_SERIES_URI = "https://optiq.invalid/series/{id}.json";
