/**
 * The `governance.safe` section of the deploy config (scripts/lib/config/governance.ts): a Safe to create (owners,
 * threshold) or an existing one, checked with every problem named; and the warning on a threshold below 2. Pure: the
 * on-chain check of proposers on public chains is in test/unit/deploy/GovernancePreflight.test.ts.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ConfigError, validateConfig, type ValidateOptions } from "../../../scripts/lib/config";
import { governanceWarnings } from "../../../scripts/lib/config/governance";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = Date.UTC(2026, 0, 1) / 1000;
const DEV: ValidateOptions = { now: NOW, allowMocks: true };
const local = (): Json => JSON.parse(readFileSync("config/local.json", "utf8")) as Json;
const A = "0x1111111111111111111111111111111111111111";
const B = "0x2222222222222222222222222222222222222222";
const C = "0x3333333333333333333333333333333333333333";

function problemsOf(raw: unknown, options: ValidateOptions = DEV): string[] {
  try {
    validateConfig(raw, options, "test.json");
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  expect.fail("the config was accepted");
}

describe("unit/config/GovernanceConfig (governance.safe)", () => {
  it("config/local.json creates a 2-of-3 Safe of development accounts #1, #9 and #10 and lists no other proposer", () => {
    const g = validateConfig(local(), DEV).governance;
    expect(g.safe).to.deep.equal({
      kind: "create",
      owners: [
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
        "0xBcd4042DE499D14e55001CcbB24a551F3b954096",
      ],
      threshold: 2,
    });
    expect(g.proposers).to.deep.equal([]);
    expect(governanceWarnings(g)).to.deep.equal([]);
  });

  it("takes an existing Safe by address, beside further proposers, checksummed", () => {
    const raw = local();
    raw.governance.safe = { address: A.toLowerCase() };
    raw.governance.proposers = [B];
    const g = validateConfig(raw, DEV).governance;
    expect(g.safe).to.deep.equal({ kind: "existing", address: A });
    expect(g.proposers).to.deep.equal([B]);
  });

  it("refuses both forms at once, a threshold above the owners, no owner, a missing threshold and repeated owners", () => {
    const cases: [Json, string[]][] = [
      [
        { address: A, owners: [B], threshold: 1 },
        [
          'governance.safe: either "address" (an existing Safe) or "owners" and "threshold" (a Safe to create), not both',
        ],
      ],
      [{ owners: [A, B], threshold: 3 }, ["governance.safe.threshold: 3 is more than the 2 owner(s)"]],
      [{ owners: [], threshold: 1 }, ["governance.safe.owners: a Safe to create needs at least one owner"]],
      [{ owners: [A, B] }, ["governance.safe.threshold: missing"]],
      [{ owners: [A, B, A], threshold: 2 }, [`governance.safe.owners[2]: ${A} is listed twice`]],
      [{ owners: [A], threshold: 0 }, ["governance.safe.threshold: 0 is outside [1, 20]"]],
      [
        { owners: [A], threshold: 1, signers: 2 },
        ["governance.safe.signers: unknown key (expected one of address, owners, threshold)"],
      ],
    ];
    for (const [safe, expected] of cases) {
      const raw = local();
      raw.governance.safe = safe;
      expect(problemsOf(raw), JSON.stringify(safe)).to.deep.equal(expected);
    }
  });

  it("refuses a config with no proposer at all, the Safe listed again as a proposer, and the deployer as an owner", () => {
    const none = local();
    delete none.governance.safe;
    expect(problemsOf(none)).to.deep.equal([
      'governance.proposers: no proposer: name a governance "safe" or at least one proposer',
    ]);
    const twice = local();
    twice.governance.safe = { address: A };
    twice.governance.proposers = [C, A];
    expect(problemsOf(twice)).to.deep.equal([
      `governance.proposers[1]: ${A} is the governance Safe, which proposes already`,
    ]);
    const deployer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    const owned = local();
    owned.governance.safe = { owners: [A, deployer], threshold: 2 };
    expect(problemsOf(owned, { ...DEV, deployer })).to.deep.equal([
      `governance.safe.owners[1]: ${deployer} is the deploying account, which must not own the governance Safe`,
    ]);
  });

  it("warns, without refusing, on a Safe to create with a threshold below 2", () => {
    const raw = local();
    raw.governance.safe = { owners: [A, B, C], threshold: 1 };
    const g = validateConfig(raw, DEV).governance;
    expect(governanceWarnings(g)).to.deep.equal([
      "governance.safe.threshold: 1, below 2: a single owner's key can propose and cancel timelock operations",
    ]);
  });
});
