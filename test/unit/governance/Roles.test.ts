import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Roles } from "../../../scripts/lib/roles";
import { deployGovernance, handOverToTimelock } from "../../shared/deployers/governance";

const DELAY = 2n * 24n * 3600n;

describe("unit/governance/ProtocolAccessManager and ProtocolTimelock", () => {
  async function deploy() {
    const [deployer, proposer, guardian, stranger] = await ethers.getSigners();
    const gov = await deployGovernance(deployer, {
      timelockDelaySeconds: DELAY,
      proposers: [proposer.address],
      executors: [],
      guardians: [guardian.address],
    });
    await handOverToTimelock(gov, deployer);
    return { gov, deployer, proposer, guardian, stranger };
  }

  it("gives the timelock the admin and governor roles and leaves the deployer with none", async () => {
    const { gov, deployer } = await loadFixture(deploy);
    const timelock = await gov.timelock.getAddress();
    expect((await gov.manager.hasRole(Roles.ADMIN_ROLE, timelock))[0]).to.equal(true);
    expect((await gov.manager.hasRole(Roles.GOVERNOR_ROLE, timelock))[0]).to.equal(true);
    expect((await gov.manager.hasRole(Roles.ADMIN_ROLE, deployer.address))[0]).to.equal(false);
  });

  it("grants the guardian its role with no execution delay", async () => {
    const { gov, guardian } = await loadFixture(deploy);
    const [isMember, delay] = await gov.manager.hasRole(Roles.GUARDIAN_ROLE, guardian.address);
    expect(isMember).to.equal(true);
    expect(delay).to.equal(0n);
  });

  it("refuses a role grant from anyone but the admin", async () => {
    const { gov, guardian, stranger } = await loadFixture(deploy);
    await expect(gov.manager.connect(guardian).grantRole(Roles.GOVERNOR_ROLE, stranger.address, 0))
      .to.be.revertedWithCustomError(gov.manager, "AccessManagerUnauthorizedAccount")
      .withArgs(guardian.address, Roles.ADMIN_ROLE);
  });

  it("lets a role change through only after the timelock delay", async () => {
    const { gov, proposer, stranger } = await loadFixture(deploy);
    const data = gov.manager.interface.encodeFunctionData("grantRole", [
      Roles.LISTER_ROLE,
      stranger.address,
      0,
    ]);
    const target = await gov.manager.getAddress();
    const salt = ethers.id("grant-lister");
    await gov.timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await expect(
      gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(gov.timelock, "TimelockUnexpectedOperationState");
    await time.increase(DELAY);
    await gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt);
    expect((await gov.manager.hasRole(Roles.LISTER_ROLE, stranger.address))[0]).to.equal(true);
  });
});

describe("unit/governance/Roles and libraries/Scopes: TypeScript mirrors", () => {
  it("scripts/lib/roles.ts and scripts/lib/scopes.ts agree with the Solidity constants", async () => {
    const { Scopes } = await import("../../../scripts/lib/scopes");
    const harness = await ethers.deployContract("ConstantsHarness");
    expect(await harness.roles()).to.deep.equal([
      Roles.GOVERNOR_ROLE,
      Roles.GUARDIAN_ROLE,
      Roles.ORACLE_ROLE,
      Roles.VAULT_ROLE,
      Roles.CLEARING_ROLE,
      Roles.LISTER_ROLE,
      Roles.EXCHANGE_ROLE,
      Roles.EXECUTOR_ROLE,
    ]);
    expect(await harness.scopes()).to.deep.equal([
      Scopes.DEPOSIT,
      Scopes.WITHDRAW,
      Scopes.WRITE,
      Scopes.LIQUIDATE,
      Scopes.SETTLE,
      Scopes.TRADE,
      Scopes.GLOBAL,
    ]);
    const asset = ethers.Wallet.createRandom().address;
    expect(await harness.assetScope(asset)).to.equal(Scopes.asset(asset));
  });
});
