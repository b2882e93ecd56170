/**
 * The invariants are named once: test/shared/invariants.ts (the Hardhat suites), the forge campaign's
 * InvariantsSpec.sol and docs/invariants.md must name the same set, so a campaign never cites a name the spec lacks.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { INV } from "../../shared/invariants";

const root = path.join(__dirname, "..", "..", "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("unit/spec/InvariantNames", () => {
  const names = Object.values(INV).sort();

  it("the forge campaign's spec declares every invariant, each under its own name", () => {
    const spec = read("test/foundry/invariants/InvariantsSpec.sol");
    const declared = [...spec.matchAll(/constant (INV_[A-Z_]+) = "(INV_[A-Z_]+)"/g)];
    for (const [, constant, value] of declared) expect(value, constant).to.equal(constant);
    expect(declared.map((m) => m[1]).sort()).to.deep.equal(names);
  });

  it("docs/invariants.md has one row per invariant", () => {
    const rows = [...read("docs/invariants.md").matchAll(/^\| `(INV_[A-Z_]+)`/gm)].map((m) => m[1]);
    expect(rows.sort()).to.deep.equal(names);
  });
});
