/**
 * The role tables of scripts/lib/roles.ts, which both deploy paths wire from: every function they name exists on
 * its contract and sits under one role only, and a name the contract lacks fails naming both.
 */
import { expect } from "chai";
import type { Interface } from "ethers";
import {
  CircuitBreaker__factory,
  CollateralVault__factory,
  InsuranceVault__factory,
  OptionsClearing__factory,
  OptionsExchange__factory,
  OracleAggregator__factory,
  SignedReportSource__factory,
  VaultFactory__factory,
} from "../../../typechain-types";
import {
  FUNCTION_ROLES,
  MODULE_ROLES,
  Roles,
  roleName,
  selectorsOf,
  type RestrictedContract,
} from "../../../scripts/lib/roles";

const INTERFACES: Record<RestrictedContract, Interface> = {
  CircuitBreaker: CircuitBreaker__factory.createInterface(),
  OracleAggregator: OracleAggregator__factory.createInterface(),
  SignedReportSource: SignedReportSource__factory.createInterface(),
  VaultFactory: VaultFactory__factory.createInterface(),
  CollateralVault: CollateralVault__factory.createInterface(),
  InsuranceVault: InsuranceVault__factory.createInterface(),
  OptionsClearing: OptionsClearing__factory.createInterface(),
  OptionsExchange: OptionsExchange__factory.createInterface(),
};

describe("unit/governance/role tables (scripts/lib/roles.ts)", () => {
  it("name only state-changing functions of their contract, each under one role", () => {
    for (const [contract, table] of Object.entries(FUNCTION_ROLES) as [
      RestrictedContract,
      (typeof FUNCTION_ROLES)[RestrictedContract],
    ][]) {
      const iface = INTERFACES[contract];
      const names = table.flatMap((group) => [...group.functions]);
      expect(new Set(names).size, `${contract} lists a function twice`).to.equal(names.length);
      for (const name of names) {
        const fragment = iface.getFunction(name);
        expect(fragment, `${contract}.${name}`).to.not.equal(null);
        expect(["nonpayable", "payable"], `${contract}.${name}`).to.include(fragment!.stateMutability);
      }
      for (const group of table) {
        expect(group.role, `${contract}: a function left to the admin or to anyone`).to.not.be.oneOf([
          Roles.ADMIN_ROLE,
          Roles.PUBLIC_ROLE,
        ]);
      }
    }
  });

  it("give the modules the roles their callees restrict to", () => {
    const restrictedTo = (contract: RestrictedContract, fn: string): bigint | undefined =>
      FUNCTION_ROLES[contract].find((g) => (g.functions as readonly string[]).includes(fn))?.role;
    // The aggregator reports to the breaker, a vault records its flows there, the clearing draws on the insurance.
    expect(restrictedTo("CircuitBreaker", "reportPriceBandBreach")).to.equal(MODULE_ROLES.OracleAggregator);
    expect(restrictedTo("CircuitBreaker", "recordOutflow")).to.equal(MODULE_ROLES.CollateralVault);
    expect(restrictedTo("InsuranceVault", "coverBadDebt")).to.equal(MODULE_ROLES.OptionsClearing);
    expect(restrictedTo("CollateralVault", "depositCover")).to.equal(MODULE_ROLES.OptionsClearing);
  });

  it("resolve selectors, and refuse a function the contract lacks by naming both", () => {
    const iface = INTERFACES.OracleAggregator;
    expect(selectorsOf(iface, "OracleAggregator", ["setAssetConfig"])).to.deep.equal([
      iface.getFunction("setAssetConfig")!.selector,
    ]);
    expect(() => selectorsOf(iface, "OracleAggregator", ["setAssetConfig", "pause"])).to.throw(
      "OracleAggregator has no function pause",
    );
  });

  it("name a role id, and refuse an unknown one", () => {
    expect(roleName(6n)).to.equal("LISTER_ROLE");
    expect(roleName(8n)).to.equal("EXECUTOR_ROLE");
    expect(() => roleName(9n)).to.throw("unknown role id 9");
  });
});
