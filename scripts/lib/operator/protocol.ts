/** Typed bindings (TypeChain factories) of every contract of a deployment record the operator scripts use. */
import type { ContractRunner } from "ethers";
import {
  CircuitBreaker__factory,
  InsuranceVault__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
  ProtocolAccessManager__factory,
  ProtocolTimelock__factory,
  type CircuitBreaker,
  type InsuranceVault,
  type OptionsClearing,
  type OracleAggregator,
  type ProtocolAccessManager,
  type ProtocolTimelock,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../../../src/deployment";

export interface Protocol {
  record: DeploymentRecord;
  clearing: OptionsClearing;
  oracle: OracleAggregator;
  breaker: CircuitBreaker;
  insurance: InsuranceVault;
  manager: ProtocolAccessManager;
  timelock: ProtocolTimelock;
  /** Symbol of a token address (lower case), for logs. */
  symbolOf(token: string): string;
}

export function bindProtocol(record: DeploymentRecord, runner: ContractRunner): Protocol {
  const c = record.contracts;
  const symbols = new Map(
    Object.entries(record.tokens).map(([symbol, token]) => [token.toLowerCase(), symbol]),
  );
  return {
    record,
    clearing: OptionsClearing__factory.connect(c.OptionsClearing, runner),
    oracle: OracleAggregator__factory.connect(c.OracleAggregator, runner),
    breaker: CircuitBreaker__factory.connect(c.CircuitBreaker, runner),
    insurance: InsuranceVault__factory.connect(c.InsuranceVault, runner),
    manager: ProtocolAccessManager__factory.connect(c.ProtocolAccessManager, runner),
    timelock: ProtocolTimelock__factory.connect(c.ProtocolTimelock, runner),
    symbolOf: (token) => symbols.get(token.toLowerCase()) ?? token,
  };
}
