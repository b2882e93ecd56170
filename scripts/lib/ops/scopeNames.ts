/**
 * Breaker scopes by name for operators: "WITHDRAW", "GLOBAL", ... (action scopes), an asset's symbol of the
 * deployment ("WETH": its price scope), a token address, or a raw 32-byte scope id.
 */
import { isAddress, isHexString } from "ethers";
import type { DeploymentRecord } from "../../../src/deployment";
import { Scopes } from "../scopes";
import { TripReason } from "../breaker/tripReason";
import { OperatorError } from "../operator/errors";

export const ACTION_SCOPES = ["DEPOSIT", "WITHDRAW", "WRITE", "LIQUIDATE", "SETTLE", "GLOBAL"] as const;
export type ActionScope = (typeof ACTION_SCOPES)[number];

export interface NamedScope {
  id: string;
  label: string;
}

/** Every scope an operator of `record` cares about: the action scopes and the price scope of each priced asset. */
export function knownScopes(record: DeploymentRecord): NamedScope[] {
  const actions = ACTION_SCOPES.map((name) => ({ id: Scopes[name], label: name }));
  const prices = Object.keys(record.feeds).map((symbol) => ({
    id: Scopes.asset(record.tokens[symbol]),
    label: `price:${symbol}`,
  }));
  return [...actions, ...prices];
}

/** Resolve an operator's scope argument. */
export function parseScope(input: string, record: DeploymentRecord): NamedScope {
  const text = input.trim();
  const upper = text.toUpperCase().replace(/^PRICE:/, "");
  if ((ACTION_SCOPES as readonly string[]).includes(text.toUpperCase())) {
    const name = text.toUpperCase() as ActionScope;
    return { id: Scopes[name], label: name };
  }
  for (const [symbol, token] of Object.entries(record.tokens)) {
    if (symbol.toUpperCase() === upper) return { id: Scopes.asset(token), label: `price:${symbol}` };
  }
  if (isHexString(text, 32)) {
    const known = knownScopes(record).find((s) => s.id.toLowerCase() === text.toLowerCase());
    return known ?? { id: text, label: text };
  }
  if (isAddress(text)) return { id: Scopes.asset(text), label: `price:${text}` };
  throw new OperatorError(
    `unknown scope '${input}': use one of ${ACTION_SCOPES.join(", ")}, an asset symbol (${Object.keys(record.feeds).join(", ")}), a token address or a 32-byte scope id`,
  );
}

/** The name of a TripReason value. */
export function tripReasonName(value: bigint | number): string {
  const v = BigInt(value);
  const entry = Object.entries(TripReason).find(([, n]) => n === v);
  return entry === undefined ? `TripReason(${v})` : entry[0];
}
