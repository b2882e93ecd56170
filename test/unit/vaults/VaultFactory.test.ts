import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { NO_CAP } from "../../shared/deployers/vaults";
import { Roles } from "../../../scripts/lib/roles";
import { deployToken, vaultsFixture } from "../../shared/fixtures/vaults";

const EIP170_LIMIT_BYTES = 24_576;

describe("unit/vaults/VaultFactory", () => {
  it("creates the vault at the CREATE2 address computed off-chain and records it", async () => {
    const { factory, governor, gov, breaker } = await loadFixture(vaultsFixture);
    const token = await deployToken(6, "USDX");
    const asset = await token.getAddress();
    const args = [asset, "optiq USDX", "oUSDX", 1_000n, true] as const;
    const vaultFactory = await ethers.getContractFactory("CollateralVault");
    const deployTx = await vaultFactory.getDeployTransaction(
      asset,
      await breaker.contract.getAddress(),
      await gov.manager.getAddress(),
      "optiq USDX",
      "oUSDX",
      1_000n,
      true,
    );
    const expected = ethers.getCreate2Address(
      await factory.getAddress(),
      ethers.zeroPadValue(asset, 32),
      ethers.keccak256(deployTx.data),
    );
    expect(await factory.predictVault(...args)).to.equal(expected);
    await expect(factory.connect(governor).createVault(...args))
      .to.emit(factory, "VaultCreated")
      .withArgs(asset, expected, 1_000n, true);
    expect(await factory.vaultOf(asset)).to.equal(expected);
    const vault = await ethers.getContractAt("CollateralVault", expected);
    expect(await vault.depositCap()).to.equal(1_000n);
    expect(await vault.permissioned()).to.equal(true);
    expect(await vault.name()).to.equal("optiq USDX");
    expect(await vault.symbol()).to.equal("oUSDX");
  });

  it("refuses a second vault for the same asset, whatever the parameters", async () => {
    const { factory, governor, token, vault } = await loadFixture(vaultsFixture);
    const asset = await token.getAddress();
    await expect(factory.connect(governor).createVault(asset, "other", "o2", NO_CAP, true))
      .to.be.revertedWithCustomError(factory, "VaultAlreadyExists")
      .withArgs(asset, await vault.getAddress());
  });

  it("lets only GOVERNOR_ROLE create vaults", async () => {
    const { factory, stranger } = await loadFixture(vaultsFixture);
    const token = await deployToken(18, "X");
    await expect(factory.connect(stranger).createVault(await token.getAddress(), "n", "s", NO_CAP, false))
      .to.be.revertedWithCustomError(factory, "AccessManagedUnauthorized")
      .withArgs(stranger.address);
  });

  it("the deploy helper wires VAULT_ROLE, the governed functions and the clearing's depositCover", async () => {
    const { gov, vault } = await loadFixture(vaultsFixture);
    const vaultAddress = await vault.getAddress();
    expect((await gov.manager.hasRole(Roles.VAULT_ROLE, vaultAddress))[0]).to.equal(true);
    for (const name of [
      "setDepositCap",
      "setPermissioned",
      "setDepositorAllowed",
      "skim",
      "recognizeLoss",
    ] as const) {
      const selector = vault.interface.getFunction(name).selector;
      expect(await gov.manager.getTargetFunctionRole(vaultAddress, selector)).to.equal(Roles.GOVERNOR_ROLE);
    }
    const depositCover = vault.interface.getFunction("depositCover").selector;
    expect(await gov.manager.getTargetFunctionRole(vaultAddress, depositCover)).to.equal(Roles.CLEARING_ROLE);
  });

  it("keeps the factory and the vaults under the EIP-170 size limit", async () => {
    // solidity-coverage instruments the bytecode (and lifts the limit): the size is only meaningful uninstrumented.
    if ("__SOLIDITY_COVERAGE_RUNNING" in hre) return;
    const { factory, vault, insurance } = await loadFixture(vaultsFixture);
    for (const c of [factory, vault, insurance]) {
      const code = await ethers.provider.getCode(await c.getAddress());
      expect((code.length - 2) / 2).to.be.lessThan(EIP170_LIMIT_BYTES);
    }
  });
});
