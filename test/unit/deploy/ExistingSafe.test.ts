/**
 * A deployment whose config names an existing governance Safe (`governance.safe.address`), through the deploy
 * script's logic and Ignition on the in-process network: the Safe becomes the timelock's proposer and canceller as it
 * is, nothing Safe-related is deployed, the record lists it as not created, and a threshold of 1 is warned about.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../../scripts/lib/deploy/suite";
import { createSafe, deploySafeInfrastructure } from "../../../scripts/lib/safe/deploy";
import { ProtocolTimelock__factory } from "../../../typechain-types";

async function deployedWithExistingSafe() {
  const s = await ethers.getSigners();
  const owners = [s[11].address, s[12].address];
  const infra = await deploySafeInfrastructure(s[0]);
  const safe = await createSafe(infra, s[0], owners, 1n);
  const safeAddress = await safe.getAddress();
  const dir = mkdtempSync(join(tmpdir(), "optiq-existing-safe-"));
  const raw = JSON.parse(readFileSync("config/local.json", "utf8")) as {
    governance: Record<string, unknown>;
  };
  raw.governance.safe = { address: safeAddress };
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(raw));
  const log: string[] = [];
  const record = await deploySuite(hre, {
    configPath,
    recordPath: join(dir, "record.json"),
    deploymentId: "existing-safe",
    log: (line) => log.push(line),
  });
  return { record, safeAddress, owners, log };
}

describe("unit/deploy/ExistingSafe (governance.safe.address)", () => {
  it("makes the existing Safe the timelock's proposer and canceller and records it as not created", async () => {
    const { record, safeAddress, owners } = await loadFixture(deployedWithExistingSafe);
    expect(record.governance).to.deep.equal({
      safe: { address: safeAddress, owners, threshold: 1, created: false },
      proposers: [safeAddress],
    });
    expect(record.contracts.GovernanceSafe).to.equal(safeAddress);
    for (const name of ["SafeL2", "SafeProxyFactory", "CompatibilityFallbackHandler"]) {
      expect(record.contracts, name).to.not.have.property(name);
    }
    const timelock = ProtocolTimelock__factory.connect(record.contracts.ProtocolTimelock, ethers.provider);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), safeAddress)).to.equal(true);
    expect(await timelock.hasRole(await timelock.CANCELLER_ROLE(), safeAddress)).to.equal(true);
  });

  it("warns that a threshold of 1 lets a single owner's key propose, and still deploys", async () => {
    const { log, safeAddress, record } = await loadFixture(deployedWithExistingSafe);
    expect(log).to.include(
      `warning: the Safe ${safeAddress}'s threshold: 1, below 2: a single owner's key can propose and cancel timelock operations`,
    );
    expect(record.complete).to.equal(true);
  });
});
