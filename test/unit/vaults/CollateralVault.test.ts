import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { CollateralVault } from "../../../typechain-types";
import { Scopes } from "../../../scripts/lib/scopes";
import { Roles } from "../../../scripts/lib/roles";
import { handOverToTimelock } from "../../shared/deployers/governance";
import { preview, toShares, type VaultState } from "../../../scripts/lib/math/erc4626";
import { NO_CAP, createCollateralVault } from "../../shared/deployers/vaults";
import { MAX_LIQUIDITY } from "../../../scripts/lib/breaker/rateLimit";
import {
  DECIMALS_OFFSET,
  OUTFLOW_WINDOW_SECONDS,
  TIMELOCK_DELAY_SECONDS,
  deployToken,
  fund,
  vaultFor,
  vaultsFixture,
  type VaultsContext,
} from "../../shared/fixtures/vaults";

const E18 = 10n ** 18n;
const GUARDIAN_PAUSE = 1n; // ICircuitBreaker.TripReason.GuardianPause
/** The largest finite deposit cap (docs/vaults.md: the cap is stored in 120 bits, all ones meaning none). */
const MAX_FINITE_CAP = 2n ** 120n - 2n;

async function stateOf(vault: CollateralVault): Promise<VaultState> {
  return { supply: await vault.totalSupply(), assets: await vault.totalAssets(), offset: DECIMALS_OFFSET };
}

/**
 * A vault over a rebasing token that lost all but 1 wei of alice's 1e18 deposit, the loss booked by governance:
 * 10^24 shares claim 1 wei, so the vault is depleted for deposits.
 */
async function depletedVault(ctx: VaultsContext) {
  const rebasing = await ethers.deployContract("RebasingToken");
  const vault = await vaultFor(ctx, await rebasing.getAddress(), MAX_FINITE_CAP);
  await rebasing.mint(ctx.alice.address, E18);
  await rebasing.connect(ctx.alice).approve(await vault.getAddress(), E18);
  await vault.connect(ctx.alice).deposit(E18, ctx.alice.address);
  await rebasing.rebase(await vault.getAddress(), -(E18 - 1n));
  await vault.connect(ctx.governor).recognizeLoss();
  return { rebasing, vault };
}

describe("unit/vaults/CollateralVault", () => {
  describe("creation", () => {
    it("is wired to the breaker and the manager, with shares of asset decimals + 6", async () => {
      const { vault, token, breaker, gov } = await loadFixture(vaultsFixture);
      expect(await vault.asset()).to.equal(await token.getAddress());
      expect(await vault.BREAKER()).to.equal(await breaker.contract.getAddress());
      expect(await vault.authority()).to.equal(await gov.manager.getAddress());
      expect(await vault.decimals()).to.equal(18n + DECIMALS_OFFSET);
      expect(await vault.DECIMALS_OFFSET()).to.equal(DECIMALS_OFFSET);
      expect(await vault.depositCap()).to.equal(NO_CAP);
      expect(await vault.permissioned()).to.equal(false);
    });

    for (const decimals of [0, 6, 24, 36]) {
      it(`accepts an asset of ${decimals} decimals and round-trips a deposit`, async () => {
        const ctx = await loadFixture(vaultsFixture);
        const token = await deployToken(decimals, `D${decimals}`);
        const v = await vaultFor(ctx, await token.getAddress());
        const vault = await v.getAddress();
        expect(await v.decimals()).to.equal(BigInt(decimals) + DECIMALS_OFFSET);
        const amount = 123n * 10n ** BigInt(decimals);
        await token.mint(ctx.alice.address, amount);
        await token.connect(ctx.alice).approve(vault, amount);
        await v.connect(ctx.alice).deposit(amount, ctx.alice.address);
        expect(await v.balanceOf(ctx.alice.address)).to.equal(amount * 10n ** DECIMALS_OFFSET);
        await v
          .connect(ctx.alice)
          .redeem(await v.balanceOf(ctx.alice.address), ctx.alice.address, ctx.alice.address);
        expect(await token.balanceOf(ctx.alice.address)).to.equal(amount);
      });
    }

    it("refuses an asset of more than 36 decimals", async () => {
      const { breaker, gov } = await loadFixture(vaultsFixture);
      const token = await deployToken(37, "D37");
      const factory = await ethers.getContractFactory("CollateralVault");
      await expect(
        factory.deploy(
          await token.getAddress(),
          await breaker.contract.getAddress(),
          await gov.manager.getAddress(),
          "n",
          "s",
          NO_CAP,
          false,
        ),
      )
        .to.be.revertedWithCustomError(factory, "AssetDecimalsTooLarge")
        .withArgs(await token.getAddress(), 37, 36);
    });

    it("refuses an asset whose decimals cannot be read (no decimals(), not a contract)", async () => {
      const { breaker, gov, stranger } = await loadFixture(vaultsFixture);
      const noDecimals = await ethers.deployContract("NoDecimalsToken");
      const factory = await ethers.getContractFactory("CollateralVault");
      for (const asset of [await noDecimals.getAddress(), stranger.address]) {
        await expect(
          factory.deploy(
            asset,
            await breaker.contract.getAddress(),
            await gov.manager.getAddress(),
            "n",
            "s",
            NO_CAP,
            false,
          ),
        )
          .to.be.revertedWithCustomError(factory, "AssetDecimalsUnreadable")
          .withArgs(asset);
      }
    });

    it("refuses a zero breaker", async () => {
      const { token, gov } = await loadFixture(vaultsFixture);
      const factory = await ethers.getContractFactory("CollateralVault");
      await expect(
        factory.deploy(
          await token.getAddress(),
          ethers.ZeroAddress,
          await gov.manager.getAddress(),
          "n",
          "s",
          NO_CAP,
          false,
        ),
      ).to.be.revertedWithCustomError(factory, "BreakerIsZeroAddress");
    });
  });

  describe("deposit and mint", () => {
    it("mints the reference share amounts and books the assets", async () => {
      const { vault, token, alice, bob } = await loadFixture(vaultsFixture);
      const a1 = 1_000n * E18;
      let s = await stateOf(vault);
      const expected1 = preview.deposit(s, a1);
      await expect(vault.connect(alice).deposit(a1, alice.address))
        .to.emit(vault, "Deposit")
        .withArgs(alice.address, alice.address, a1, expected1);
      expect(expected1).to.equal(a1 * 10n ** DECIMALS_OFFSET);
      s = await stateOf(vault);
      const shares2 = 333n * E18 + 7n;
      const assets2 = preview.mint(s, shares2);
      await expect(vault.connect(bob).mint(shares2, bob.address))
        .to.emit(vault, "Deposit")
        .withArgs(bob.address, bob.address, assets2, shares2);
      expect(await vault.totalAssets()).to.equal(a1 + assets2);
      expect(await vault.trackedAssets()).to.equal(a1 + assets2);
      expect(await token.balanceOf(await vault.getAddress())).to.equal(a1 + assets2);
    });

    it("refuses zero amounts", async () => {
      const { vault, alice } = await loadFixture(vaultsFixture);
      await expect(vault.connect(alice).deposit(0, alice.address)).to.be.revertedWithCustomError(
        vault,
        "ZeroAmount",
      );
      await expect(vault.connect(alice).mint(0, alice.address)).to.be.revertedWithCustomError(
        vault,
        "ZeroAmount",
      );
    });

    it("refuses the zero address and the vault itself as receiver", async () => {
      const { vault, alice } = await loadFixture(vaultsFixture);
      const self = await vault.getAddress();
      for (const receiver of [ethers.ZeroAddress, self]) {
        await expect(vault.connect(alice).deposit(E18, receiver))
          .to.be.revertedWithCustomError(vault, "InvalidReceiver")
          .withArgs(receiver);
        await expect(vault.connect(alice).mint(E18, receiver))
          .to.be.revertedWithCustomError(vault, "InvalidReceiver")
          .withArgs(receiver);
      }
    });

    it("enforces the cap and reports the room in maxDeposit and maxMint", async () => {
      const { vault, governor, alice } = await loadFixture(vaultsFixture);
      const cap = 100n * E18;
      await expect(vault.connect(governor).setDepositCap(cap))
        .to.emit(vault, "DepositCapSet")
        .withArgs(NO_CAP, cap);
      await vault.connect(alice).deposit(60n * E18, alice.address);
      const room = 40n * E18;
      expect(await vault.maxDeposit(alice.address)).to.equal(room);
      const s = await stateOf(vault);
      expect(await vault.maxMint(alice.address)).to.equal(toShares(s, room, "down"));
      await expect(vault.connect(alice).deposit(room + 1n, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(alice.address, room + 1n, room);
      const tooMany = toShares(s, room, "down") + 1n;
      await expect(vault.connect(alice).mint(tooMany, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(alice.address, tooMany, toShares(s, room, "down"));
      await vault.connect(alice).mint(await vault.maxMint(alice.address), alice.address);
      await vault.connect(governor).setDepositCap(10n * E18);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      // A cap below the booked assets leaves no room (nobody is forced out).
      await expect(vault.connect(alice).deposit(1n, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(alice.address, 1n, 0n);
    });

    it("refuses a finite cap above the largest it stores, at creation and in the setter, leaving it unchanged", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const { vault, governor } = ctx;
      await expect(vault.connect(governor).setDepositCap(MAX_FINITE_CAP + 1n))
        .to.be.revertedWithCustomError(vault, "DepositCapTooLarge")
        .withArgs(MAX_FINITE_CAP + 1n, MAX_FINITE_CAP);
      await expect(vault.connect(governor).setDepositCap(NO_CAP - 1n))
        .to.be.revertedWithCustomError(vault, "DepositCapTooLarge")
        .withArgs(NO_CAP - 1n, MAX_FINITE_CAP);
      expect(await vault.depositCap()).to.equal(NO_CAP);
      await expect(vault.connect(governor).setDepositCap(MAX_FINITE_CAP))
        .to.emit(vault, "DepositCapSet")
        .withArgs(NO_CAP, MAX_FINITE_CAP);
      expect(await vault.depositCap()).to.equal(MAX_FINITE_CAP);
      expect(await vault.maxDeposit(ctx.alice.address)).to.equal(MAX_FINITE_CAP);
      await expect(vault.connect(governor).setDepositCap(NO_CAP))
        .to.emit(vault, "DepositCapSet")
        .withArgs(MAX_FINITE_CAP, NO_CAP);
      expect(await vault.depositCap()).to.equal(NO_CAP);
      const token = await deployToken(18, "BIG");
      await expect(vaultFor(ctx, await token.getAddress(), 2n ** 200n))
        .to.be.revertedWithCustomError(vault, "DepositCapTooLarge")
        .withArgs(2n ** 200n, MAX_FINITE_CAP);
    });

    it("reports maxMint 0 and maxDeposit 0 once the vault is depleted", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const { vault: v } = await depletedVault(ctx);
      // 10^24 shares now claim 1 wei: the vault is depleted for deposits.
      expect(await v.maxMint(ctx.alice.address)).to.equal(0n);
      expect(await v.maxDeposit(ctx.alice.address)).to.equal(0n);
      await expect(v.connect(ctx.alice).deposit(1n, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "VaultDepleted")
        .withArgs(1n, 10n ** 24n);
    });

    it("keeps the booked assets, the cap and the permission flag apart (they share one storage slot)", async () => {
      const { vault, governor, alice } = await loadFixture(vaultsFixture);
      await vault.connect(alice).deposit(7n * E18, alice.address);
      await vault.connect(governor).setDepositCap(MAX_FINITE_CAP);
      await vault.connect(governor).setPermissioned(true);
      expect(await vault.totalAssets()).to.equal(7n * E18);
      expect(await vault.depositCap()).to.equal(MAX_FINITE_CAP);
      expect(await vault.permissioned()).to.equal(true);
      await vault.connect(governor).setPermissioned(false);
      await vault.connect(alice).withdraw(2n * E18, alice.address, alice.address);
      expect(await vault.totalAssets()).to.equal(5n * E18);
      expect(await vault.depositCap()).to.equal(MAX_FINITE_CAP);
      expect(await vault.permissioned()).to.equal(false);
      expect(await vault.maxDeposit(alice.address)).to.equal(MAX_FINITE_CAP - 5n * E18);
    });

    it("permissioned: refuses an unapproved caller and an unapproved receiver", async () => {
      const { vault, governor, alice, bob } = await loadFixture(vaultsFixture);
      await expect(vault.connect(governor).setPermissioned(true))
        .to.emit(vault, "PermissionedSet")
        .withArgs(true);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "DepositorNotAllowed")
        .withArgs(alice.address);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      await expect(vault.connect(governor).setDepositorAllowed(alice.address, true))
        .to.emit(vault, "DepositorAllowedSet")
        .withArgs(alice.address, true);
      expect(await vault.isDepositorAllowed(alice.address)).to.equal(true);
      await expect(vault.connect(alice).mint(E18, bob.address))
        .to.be.revertedWithCustomError(vault, "DepositorNotAllowed")
        .withArgs(bob.address);
      await vault.connect(alice).deposit(E18, alice.address);
      expect(await vault.balanceOf(alice.address)).to.equal(E18 * 10n ** DECIMALS_OFFSET);
      expect(await vault.maxDeposit(alice.address)).to.equal(MAX_LIQUIDITY - E18);
      // Shares stay transferable and redeemable by anyone.
      await vault.connect(alice).transfer(bob.address, 10n ** DECIMALS_OFFSET);
      await vault.connect(bob).redeem(10n ** DECIMALS_OFFSET, bob.address, bob.address);
    });

    it("stops deposits while DEPOSIT is tripped, and not for a GLOBAL trip", async () => {
      const { vault, breaker, alice } = await loadFixture(vaultsFixture);
      await breaker.pause(Scopes.DEPOSIT);
      const trippedAt = BigInt(await time.latest());
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(breaker.contract, "ScopeTripped")
        .withArgs(Scopes.DEPOSIT, GUARDIAN_PAUSE, trippedAt);
      await expect(vault.connect(alice).mint(E18, alice.address))
        .to.be.revertedWithCustomError(breaker.contract, "ScopeTripped")
        .withArgs(Scopes.DEPOSIT, GUARDIAN_PAUSE, trippedAt);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      await breaker.resume(Scopes.DEPOSIT);
      await breaker.pause(Scopes.GLOBAL);
      await vault.connect(alice).deposit(E18, alice.address);
      expect(await vault.totalAssets()).to.equal(E18);
    });
  });

  describe("depositCover (the clearing's bad-debt cover)", () => {
    /** The fixture's clearing signer (CLEARING_ROLE) holding `amount` of the vault's asset, approved. */
    async function clearingFunded(amount: bigint) {
      const ctx = await loadFixture(vaultsFixture);
      await fund(ctx.token, await ctx.vault.getAddress(), [ctx.clearing], amount);
      return ctx;
    }

    it("deposits for the clearing while DEPOSIT is tripped, above the cap and in permissioned mode", async () => {
      const ctx = await clearingFunded(10n * E18);
      const { vault, breaker, governor, alice, clearing, token } = ctx;
      await vault.connect(alice).deposit(3n * E18, alice.address);
      await vault.connect(governor).setDepositCap(3n * E18); // full
      await vault.connect(governor).setPermissioned(true); // the clearing is not on the allowlist
      await breaker.pause(Scopes.DEPOSIT);
      await expect(vault.connect(alice).deposit(E18, alice.address)).to.be.revertedWithCustomError(
        breaker.contract,
        "ScopeTripped",
      );
      const before = await stateOf(vault);
      const liquidityBefore = await breaker.contract.trackedLiquidity(await token.getAddress());
      const cover = 2n * E18 + 7n;
      const shares = preview.deposit(before, cover);
      await expect(vault.connect(clearing).depositCover(cover))
        .to.emit(vault, "Deposit")
        .withArgs(clearing.address, clearing.address, cover, shares);
      expect(await vault.balanceOf(clearing.address)).to.equal(shares);
      expect(await vault.totalAssets()).to.equal(before.assets + cover);
      expect(await token.balanceOf(await vault.getAddress())).to.equal(before.assets + cover);
      // The breaker records the inflow as for any deposit.
      expect(await breaker.contract.trackedLiquidity(await token.getAddress())).to.equal(
        liquidityBefore + cover,
      );
    });

    it("is refused to anyone without CLEARING_ROLE, state unchanged", async () => {
      const { vault, alice } = await loadFixture(vaultsFixture);
      await vault.connect(alice).deposit(E18, alice.address);
      const before = await stateOf(vault);
      await expect(vault.connect(alice).depositCover(E18))
        .to.be.revertedWithCustomError(vault, "AccessManagedUnauthorized")
        .withArgs(alice.address);
      expect(await stateOf(vault)).to.deep.equal(before);
    });

    it("refuses zero assets and a depleted vault, state unchanged", async () => {
      const ctx = await clearingFunded(E18);
      await expect(ctx.vault.connect(ctx.clearing).depositCover(0)).to.be.revertedWithCustomError(
        ctx.vault,
        "ZeroAmount",
      );
      const { rebasing, vault: v } = await depletedVault(ctx);
      await fund(rebasing, await v.getAddress(), [ctx.clearing], E18);
      const before = await stateOf(v);
      await expect(v.connect(ctx.clearing).depositCover(E18))
        .to.be.revertedWithCustomError(v, "VaultDepleted")
        .withArgs(1n, 10n ** 24n);
      expect(await stateOf(v)).to.deep.equal(before);
    });
  });

  describe("withdraw and redeem", () => {
    async function deposited() {
      const ctx = await loadFixture(vaultsFixture);
      await ctx.vault.connect(ctx.alice).deposit(100n * E18, ctx.alice.address);
      await ctx.vault.connect(ctx.bob).deposit(50n * E18 + 3n, ctx.bob.address);
      return ctx;
    }

    it("pays the reference amounts and unbooks them", async () => {
      const { vault, token, alice } = await loadFixture(deposited);
      let s = await stateOf(vault);
      const assets = 30n * E18 + 11n;
      const shares = preview.withdraw(s, assets);
      const before = await token.balanceOf(alice.address);
      await expect(vault.connect(alice).withdraw(assets, alice.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, assets, shares);
      expect(await token.balanceOf(alice.address)).to.equal(before + assets);
      s = await stateOf(vault);
      const redeemShares = await vault.balanceOf(alice.address);
      const out = preview.redeem(s, redeemShares);
      await expect(vault.connect(alice).redeem(redeemShares, alice.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, out, redeemShares);
      expect(await vault.totalAssets()).to.equal(150n * E18 + 3n - assets - out);
    });

    it("lets an approved operator withdraw for the owner and spends its allowance", async () => {
      const { vault, alice, carol } = await loadFixture(deposited);
      const s = await stateOf(vault);
      await expect(vault.connect(carol).withdraw(E18, carol.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance")
        .withArgs(carol.address, 0, preview.withdraw(s, E18));
      await vault.connect(alice).approve(carol.address, preview.withdraw(s, E18));
      await vault.connect(carol).withdraw(E18, carol.address, alice.address);
      expect(await vault.allowance(alice.address, carol.address)).to.equal(0n);
    });

    it("refuses zero amounts, bad receivers and redemptions worth zero assets", async () => {
      const { vault, alice } = await loadFixture(deposited);
      await expect(
        vault.connect(alice).withdraw(0, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "ZeroAmount");
      await expect(
        vault.connect(alice).redeem(0, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "ZeroAmount");
      for (const receiver of [ethers.ZeroAddress, await vault.getAddress()]) {
        await expect(vault.connect(alice).withdraw(1, receiver, alice.address))
          .to.be.revertedWithCustomError(vault, "InvalidReceiver")
          .withArgs(receiver);
        await expect(vault.connect(alice).redeem(1, receiver, alice.address))
          .to.be.revertedWithCustomError(vault, "InvalidReceiver")
          .withArgs(receiver);
      }
      // One share is 10^-6 of an asset unit: it rounds down to nothing.
      await expect(vault.connect(alice).redeem(1, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ZeroAssets")
        .withArgs(1);
    });

    it("refuses a withdrawal or redemption beyond the owner's balance", async () => {
      const { vault, alice } = await loadFixture(deposited);
      const balance = await vault.balanceOf(alice.address);
      const s = await stateOf(vault);
      const maxAssets = preview.redeem(s, balance);
      await expect(vault.connect(alice).withdraw(maxAssets + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, maxAssets + 1n, maxAssets);
      await expect(vault.connect(alice).redeem(balance + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, balance + 1n, balance);
      expect(await vault.maxWithdraw(alice.address)).to.equal(maxAssets);
      expect(await vault.maxRedeem(alice.address)).to.equal(balance);
    });

    it("refuses an outflow beyond the breaker's limit and reports the limit in maxWithdraw/maxRedeem", async () => {
      const { vault, token, breaker, alice } = await loadFixture(deposited);
      const tokenAddress = await token.getAddress();
      await breaker.limitOutflow(tokenAddress, 1_000n); // 10% of the liquidity per window
      // Let the deposits of this window become base liquidity (inflows within a window offset outflows).
      await time.increase(2n * OUTFLOW_WINDOW_SECONDS);
      const capacity = await breaker.contract.outflowCapacity(tokenAddress);
      expect(capacity > 0n && capacity < 100n * E18).to.equal(true);
      const s = await stateOf(vault);
      expect(await vault.maxWithdraw(alice.address)).to.equal(capacity);
      expect(await vault.maxRedeem(alice.address)).to.equal(toShares(s, capacity, "down"));
      await expect(vault.connect(alice).withdraw(capacity + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker.contract, "OutflowLimitExceeded")
        .withArgs(tokenAddress, capacity + 1n, capacity);
      const shares = await vault.maxRedeem(alice.address);
      await vault.connect(alice).redeem(shares, alice.address, alice.address);
      expect(await vault.balanceOf(alice.address)).to.equal(100n * E18 * 10n ** DECIMALS_OFFSET - shares);
    });

    it("rounds maxRedeem down when the outflow limit binds at a share price that is not a whole number", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const tokenAddress = await rebasing.getAddress();
      const v = await vaultFor(ctx, tokenAddress);
      await rebasing.mint(ctx.alice.address, 100n * E18);
      await rebasing.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(100n * E18, ctx.alice.address);
      // A loss of 3%, booked by governance: 97 assets for 100 shares' worth.
      await rebasing.rebase(await v.getAddress(), -3n * E18);
      await v.connect(ctx.governor).recognizeLoss();
      await ctx.breaker.limitOutflow(tokenAddress, 1_000n);
      await time.increase(2n * OUTFLOW_WINDOW_SECONDS);
      const capacity = await ctx.breaker.contract.outflowCapacity(tokenAddress);
      const s = await stateOf(v);
      const down = toShares(s, capacity, "down");
      expect(down, "the conversion must not be exact for this test to mean anything").to.not.equal(
        toShares(s, capacity, "up"),
      );
      expect(await v.maxRedeem(ctx.alice.address)).to.equal(down);
      expect(await v.previewRedeem(down)).to.be.lessThanOrEqual(capacity);
      await v.connect(ctx.alice).redeem(down, ctx.alice.address, ctx.alice.address);
    });

    it("stops withdrawals while WITHDRAW or GLOBAL is tripped and reports zero", async () => {
      const { vault, breaker, alice } = await loadFixture(deposited);
      for (const scope of [Scopes.WITHDRAW, Scopes.GLOBAL]) {
        await breaker.pause(scope);
        const trippedAt = BigInt(await time.latest());
        await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
          .to.be.revertedWithCustomError(breaker.contract, "ScopeTripped")
          .withArgs(scope, GUARDIAN_PAUSE, trippedAt);
        await expect(vault.connect(alice).redeem(E18, alice.address, alice.address))
          .to.be.revertedWithCustomError(breaker.contract, "ScopeTripped")
          .withArgs(scope, GUARDIAN_PAUSE, trippedAt);
        expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
        expect(await vault.maxRedeem(alice.address)).to.equal(0n);
        await breaker.resume(scope);
      }
      await vault.connect(alice).withdraw(E18, alice.address, alice.address);
    });
  });

  describe("governance", () => {
    it("restricts every parameter function to GOVERNOR_ROLE", async () => {
      const { vault, stranger, treasury } = await loadFixture(vaultsFixture);
      const calls = [
        () => vault.connect(stranger).setDepositCap(1),
        () => vault.connect(stranger).setPermissioned(true),
        () => vault.connect(stranger).setDepositorAllowed(stranger.address, true),
        () => vault.connect(stranger).skim(treasury.address),
        () => vault.connect(stranger).recognizeLoss(),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(vault, "AccessManagedUnauthorized")
          .withArgs(stranger.address);
      }
    });

    it("changes the deposit cap only through the timelock after the hand-over", async () => {
      const { vault, gov, deployer, governor, stranger } = await loadFixture(vaultsFixture);
      await handOverToTimelock(gov, deployer);
      await gov.manager.connect(governor).renounceRole(Roles.GOVERNOR_ROLE, governor.address);
      await expect(vault.connect(governor).setDepositCap(5n)).to.be.revertedWithCustomError(
        vault,
        "AccessManagedUnauthorized",
      );
      const data = vault.interface.encodeFunctionData("setDepositCap", [5n]);
      const target = await vault.getAddress();
      const salt = ethers.id("cap");
      await gov.timelock
        .connect(governor)
        .schedule(target, 0, data, ethers.ZeroHash, salt, TIMELOCK_DELAY_SECONDS);
      await expect(
        gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(gov.timelock, "TimelockUnexpectedOperationState");
      await time.increase(TIMELOCK_DELAY_SECONDS);
      await gov.timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt);
      expect(await vault.depositCap()).to.equal(5n);
    });
  });

  describe("token policy", () => {
    it("ignores donations in the share price and lets governance skim them", async () => {
      const { vault, token, alice, bob, governor, treasury } = await loadFixture(vaultsFixture);
      await vault.connect(alice).deposit(10n * E18, alice.address);
      const priceBefore = await vault.convertToAssets(E18);
      const donation = 7n * E18;
      await token.connect(bob).transfer(await vault.getAddress(), donation);
      expect(await vault.totalAssets()).to.equal(10n * E18);
      expect(await vault.convertToAssets(E18)).to.equal(priceBefore);
      expect(await vault.surplus()).to.equal(donation);
      await expect(vault.connect(governor).skim(treasury.address))
        .to.emit(vault, "Skimmed")
        .withArgs(treasury.address, donation);
      expect(await token.balanceOf(treasury.address)).to.equal(donation);
      expect(await vault.surplus()).to.equal(0n);
      await expect(vault.connect(governor).skim(treasury.address))
        .to.be.revertedWithCustomError(vault, "NoSurplus")
        .withArgs(10n * E18, 10n * E18);
      await expect(vault.connect(governor).skim(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(vault, "InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("rebasing up: the rebase is surplus, not share price", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const v = await vaultFor(ctx, await rebasing.getAddress());
      await rebasing.mint(ctx.alice.address, 10n * E18);
      await rebasing.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address);
      await rebasing.rebase(await v.getAddress(), E18);
      expect(await v.totalAssets()).to.equal(10n * E18);
      expect(await v.surplus()).to.equal(E18);
      await v
        .connect(ctx.alice)
        .redeem(await v.balanceOf(ctx.alice.address), ctx.alice.address, ctx.alice.address);
      expect(await rebasing.balanceOf(ctx.alice.address)).to.equal(10n * E18);
    });

    it("rebasing down: every transfer reverts BackingShortfall until governance books the loss", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const v = await vaultFor(ctx, await rebasing.getAddress());
      const vaultAddress = await v.getAddress();
      await rebasing.mint(ctx.alice.address, 100n * E18);
      await rebasing.connect(ctx.alice).approve(vaultAddress, ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address);
      await expect(v.connect(ctx.governor).recognizeLoss())
        .to.be.revertedWithCustomError(v, "NoShortfall")
        .withArgs(10n * E18, 10n * E18);
      await rebasing.rebase(vaultAddress, -2n * E18);
      expect(await v.surplus()).to.equal(0n);
      await expect(v.connect(ctx.alice).deposit(E18, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "BackingShortfall")
        .withArgs(11n * E18, 9n * E18);
      await expect(v.connect(ctx.alice).withdraw(E18, ctx.alice.address, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "BackingShortfall")
        .withArgs(9n * E18, 7n * E18);
      await expect(v.connect(ctx.governor).recognizeLoss())
        .to.emit(v, "LossRecognized")
        .withArgs(10n * E18, 8n * E18);
      // Everyone bears the loss pro rata: alice's shares are worth 8 now (less the virtual share's rounding).
      const shares = await v.balanceOf(ctx.alice.address);
      const expected = preview.redeem({ supply: shares, assets: 8n * E18, offset: DECIMALS_OFFSET }, shares);
      await v.connect(ctx.alice).redeem(shares, ctx.alice.address, ctx.alice.address);
      expect(await rebasing.balanceOf(ctx.alice.address)).to.equal(90n * E18 + expected);
      expect(8n * E18 - expected <= 1n).to.equal(true);
    });

    it("fee on transfer: refuses the deposit naming expected and received", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const fee = await ethers.deployContract("FeeOnTransferToken", [100n]); // 1%
      const v = await vaultFor(ctx, await fee.getAddress());
      await fee.mint(ctx.alice.address, 100n * E18);
      await fee.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await expect(v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "AssetTransferShortfall")
        .withArgs(10n * E18, 10n * E18 - (10n * E18) / 100n);
      expect(await v.totalAssets()).to.equal(0n);
    });

    it("fee switched on later: refuses the withdrawal naming expected and received", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const fee = await ethers.deployContract("FeeOnTransferToken", [0n]);
      const v = await vaultFor(ctx, await fee.getAddress());
      await fee.mint(ctx.alice.address, 100n * E18);
      await fee.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address);
      await fee.setFeeBps(50n);
      await expect(v.connect(ctx.alice).withdraw(4n * E18, ctx.alice.address, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "AssetTransferShortfall")
        .withArgs(4n * E18, 4n * E18 - (4n * E18 * 50n) / 10_000n);
      expect(await v.totalAssets()).to.equal(10n * E18);
    });

    it("no return value: deposits and withdrawals work through SafeERC20", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("NoReturnToken");
      const v = await vaultFor(ctx, await token.getAddress());
      await token.mint(ctx.alice.address, 10n * E18);
      await token.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address);
      expect(await token.balanceOf(await v.getAddress())).to.equal(10n * E18);
      await v.connect(ctx.alice).withdraw(4n * E18, ctx.alice.address, ctx.alice.address);
      expect(await token.balanceOf(ctx.alice.address)).to.equal(4n * E18);
      // A failing transfer (insufficient allowance) reverts instead of passing silently.
      await token.connect(ctx.alice).approve(await v.getAddress(), 0);
      await expect(v.connect(ctx.alice).deposit(E18, ctx.alice.address)).to.be.revertedWithPanic(0x11);
      expect(await v.totalAssets()).to.equal(6n * E18);
    });

    it("returns false: the failed transfer reverts SafeERC20FailedOperation, nothing booked", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("ReturnsFalseToken");
      const v = await vaultFor(ctx, await token.getAddress());
      await token.mint(ctx.alice.address, 10n * E18);
      await token.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(5n * E18, ctx.alice.address);
      await token.setFailing(true);
      await expect(v.connect(ctx.alice).deposit(E18, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "SafeERC20FailedOperation")
        .withArgs(await token.getAddress());
      await expect(v.connect(ctx.alice).withdraw(E18, ctx.alice.address, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "SafeERC20FailedOperation")
        .withArgs(await token.getAddress());
      expect(await v.totalAssets()).to.equal(5n * E18);
      expect(await v.balanceOf(ctx.alice.address)).to.equal(5n * E18 * 10n ** DECIMALS_OFFSET);
    });

    it("reverts on zero transfer: the vault never transfers zero", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("RevertOnZeroToken");
      const v = await vaultFor(ctx, await token.getAddress());
      await token.mint(ctx.alice.address, 10n * E18);
      await token.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(5n * E18, ctx.alice.address);
      await expect(v.connect(ctx.alice).redeem(1, ctx.alice.address, ctx.alice.address))
        .to.be.revertedWithCustomError(v, "ZeroAssets")
        .withArgs(1);
      await v.connect(ctx.alice).withdraw(5n * E18, ctx.alice.address, ctx.alice.address);
      expect(await token.balanceOf(ctx.alice.address)).to.equal(10n * E18);
    });

    it("blocklist (6 decimals): a blocked party's transfer reverts with the token's error, others work", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("BlocklistToken");
      const v = await vaultFor(ctx, await token.getAddress());
      const e6 = 10n ** 6n;
      await token.mint(ctx.alice.address, 100n * e6);
      await token.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(50n * e6, ctx.alice.address);
      await token.setBlocked(ctx.bob.address, true);
      await expect(v.connect(ctx.alice).withdraw(e6, ctx.bob.address, ctx.alice.address))
        .to.be.revertedWithCustomError(token, "Blocked")
        .withArgs(ctx.bob.address);
      await v.connect(ctx.alice).withdraw(e6, ctx.carol.address, ctx.alice.address);
      expect(await token.balanceOf(ctx.carol.address)).to.equal(e6);
      await token.setBlocked(ctx.alice.address, true);
      await expect(v.connect(ctx.alice).deposit(e6, ctx.alice.address))
        .to.be.revertedWithCustomError(token, "Blocked")
        .withArgs(ctx.alice.address);
      expect(await v.totalAssets()).to.equal(49n * e6);
    });

    it("pausable: transfers revert while the token is paused, then work again", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("PausableToken");
      const v = await vaultFor(ctx, await token.getAddress());
      await token.mint(ctx.alice.address, 10n * E18);
      await token.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(5n * E18, ctx.alice.address);
      await token.pause();
      await expect(v.connect(ctx.alice).deposit(E18, ctx.alice.address)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      await expect(
        v.connect(ctx.alice).withdraw(E18, ctx.alice.address, ctx.alice.address),
      ).to.be.revertedWithCustomError(token, "EnforcedPause");
      await token.unpause();
      await v.connect(ctx.alice).withdraw(E18, ctx.alice.address, ctx.alice.address);
      expect(await v.totalAssets()).to.equal(4n * E18);
    });

    it("reentrant hook: re-entering the vault from a transfer hook reverts, a harmless hook is fine", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const token = await ethers.deployContract("HookToken");
      const v = await vaultFor(ctx, await token.getAddress());
      const vaultAddress = await v.getAddress();
      await token.mint(ctx.alice.address, 10n * E18);
      await token.connect(ctx.alice).approve(vaultAddress, ethers.MaxUint256);
      // tokensToSend of alice re-enters deposit.
      await token
        .connect(ctx.alice)
        .setHook(vaultAddress, v.interface.encodeFunctionData("deposit", [1n, ctx.alice.address]));
      await expect(v.connect(ctx.alice).deposit(E18, ctx.alice.address)).to.be.revertedWithCustomError(
        v,
        "ReentrancyGuardReentrantCall",
      );
      // A hook that only reads works.
      await token
        .connect(ctx.alice)
        .setHook(await token.getAddress(), token.interface.encodeFunctionData("totalSupply"));
      await v.connect(ctx.alice).deposit(E18, ctx.alice.address);
      // tokensReceived of alice re-enters redeem during a withdrawal.
      await token
        .connect(ctx.alice)
        .setHook(
          vaultAddress,
          v.interface.encodeFunctionData("redeem", [1n, ctx.alice.address, ctx.alice.address]),
        );
      await expect(
        v.connect(ctx.alice).withdraw(E18 / 2n, ctx.alice.address, ctx.alice.address),
      ).to.be.revertedWithCustomError(v, "ReentrancyGuardReentrantCall");
      expect(await v.totalAssets()).to.equal(E18);
    });
  });
  describe("ERC-4626 limits are exactly what the entries accept (issue 14, defect 9)", () => {
    it("MAX_DEPOSIT_ACCEPTED: without a cap, deposit(maxDeposit) succeeds at the breaker's 2^127 - 1 bound and one more unit is refused", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const { vault, alice, bob } = ctx;
      await vault.connect(alice).deposit(E18, alice.address);
      const room = MAX_LIQUIDITY - E18;
      expect(await vault.maxDeposit(bob.address)).to.equal(room);
      await ctx.token.mint(bob.address, room);
      await expect(vault.connect(bob).deposit(room + 1n, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(bob.address, room + 1n, room);
      await vault.connect(bob).deposit(room, bob.address);
      expect(await vault.totalAssets()).to.equal(MAX_LIQUIDITY);
      expect(await ctx.breaker.contract.trackedLiquidity(await ctx.token.getAddress())).to.equal(
        MAX_LIQUIDITY,
      );
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);
      expect(await vault.maxMint(bob.address)).to.equal(0n);
    });

    it("MAX_MINT_ACCEPTED: without a cap, mint(maxMint) succeeds and one more share is refused", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const { vault, alice, bob } = ctx;
      await vault.connect(alice).deposit(3n * E18 + 7n, alice.address);
      await ctx.token.mint(bob.address, MAX_LIQUIDITY);
      const s = await stateOf(vault);
      const shares = toShares(s, MAX_LIQUIDITY - s.assets, "down");
      expect(await vault.maxMint(bob.address)).to.equal(shares);
      await expect(vault.connect(bob).mint(shares + 1n, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(bob.address, shares + 1n, shares);
      await expect(vault.connect(bob).mint(shares, bob.address))
        .to.emit(vault, "Deposit")
        .withArgs(bob.address, bob.address, preview.mint(s, shares), shares);
      expect((await vault.totalAssets()) <= MAX_LIQUIDITY).to.equal(true);
    });

    it("MAX_DEPOSIT_BREAKER: reports the breaker's remaining room when other flows of the token used it, and 0 without an outflow limit", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const { vault, alice, bob, breaker, deployer } = ctx;
      const tokenAddress = await ctx.token.getAddress();
      // Another protected vault of the same token (an EOA holding VAULT_ROLE) brought liquidity in.
      await (await ctx.gov.manager.connect(deployer).grantRole(Roles.VAULT_ROLE, alice.address, 0)).wait();
      await (await breaker.contract.syncVault(alice.address)).wait();
      const other = MAX_LIQUIDITY - 5n * E18;
      await breaker.contract.connect(alice).recordInflow(tokenAddress, other);
      expect(await vault.maxDeposit(bob.address)).to.equal(5n * E18);
      const s = await stateOf(vault);
      expect(await vault.maxMint(bob.address)).to.equal(toShares(s, 5n * E18, "down"));
      await expect(vault.connect(bob).deposit(5n * E18 + 1n, bob.address))
        .to.be.revertedWithCustomError(breaker.contract, "LiquidityOverflow")
        .withArgs(tokenAddress, other, 5n * E18 + 1n, MAX_LIQUIDITY);
      await vault.connect(bob).deposit(5n * E18, bob.address);
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);
      // A token without an outflow limit: the breaker refuses its inflows, so nothing may be deposited.
      const unlimited = await deployToken(18, "UNL");
      const v = await createCollateralVault(ctx.gov.manager, deployer, ctx.governor, ctx.factory, {
        asset: await unlimited.getAddress(),
        name: "unlimited",
        symbol: "oUNL",
        depositCap: NO_CAP,
        permissioned: false,
      });
      await fund(unlimited, await v.getAddress(), [bob], E18);
      expect(await v.maxDeposit(bob.address)).to.equal(0n);
      expect(await v.maxMint(bob.address)).to.equal(0n);
      await expect(v.connect(bob).deposit(E18, bob.address))
        .to.be.revertedWithCustomError(breaker.contract, "OutflowLimitNotConfigured")
        .withArgs(await unlimited.getAddress());
    });

    it("MAX_ZERO_WHILE_HALTED: every max* is 0 while a downward rebase halts the vault, until the loss is booked", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const v = await vaultFor(ctx, await rebasing.getAddress());
      await rebasing.mint(ctx.alice.address, 100n * E18);
      await rebasing.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(10n * E18, ctx.alice.address);
      await rebasing.rebase(await v.getAddress(), -1n);
      const alice = ctx.alice.address;
      const limits = async () => [
        await v.maxDeposit(alice),
        await v.maxMint(alice),
        await v.maxWithdraw(alice),
        await v.maxRedeem(alice),
      ];
      expect(await limits()).to.deep.equal([0n, 0n, 0n, 0n]);
      await v.connect(ctx.governor).recognizeLoss();
      expect((await limits()).every((x) => x > 0n)).to.equal(true);
      await v.connect(ctx.alice).withdraw(await v.maxWithdraw(alice), alice, alice);
    });

    it("MAX_REDEEM_ACCEPTED: a balance worth zero assets reports maxRedeem 0 (its redemption reverts ZeroAssets)", async () => {
      const { vault, alice, bob } = await loadFixture(vaultsFixture);
      await vault.connect(alice).deposit(E18, alice.address);
      await vault.connect(alice).transfer(bob.address, 1n);
      await expect(vault.connect(bob).redeem(1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(vault, "ZeroAssets")
        .withArgs(1n);
      expect(await vault.maxRedeem(bob.address)).to.equal(0n);
      expect(await vault.maxWithdraw(bob.address)).to.equal(0n);
    });
  });

  describe("booked losses reach the breaker (issue 14)", () => {
    it("LOSS_LIMITS_WHAT_IS_LEFT: after a 90% loss a 10%-per-window limit lets at most 10% of what is left leave", async () => {
      const ctx = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const asset = await rebasing.getAddress();
      const v = await vaultFor(ctx, asset);
      await ctx.breaker.limitOutflow(asset, 1_000n);
      await rebasing.mint(ctx.alice.address, 1_000n * E18);
      await rebasing.connect(ctx.alice).approve(await v.getAddress(), ethers.MaxUint256);
      await v.connect(ctx.alice).deposit(1_000n * E18, ctx.alice.address);
      // The deposit becomes the base of the limit: 10% of 1,000 may leave per window.
      await time.increase(2n * OUTFLOW_WINDOW_SECONDS);
      expect(await ctx.breaker.contract.outflowCapacity(asset)).to.equal(100n * E18);
      await rebasing.rebase(await v.getAddress(), -900n * E18);
      await expect(v.connect(ctx.governor).recognizeLoss())
        .to.emit(ctx.breaker.contract, "LossRecorded")
        .withArgs(asset, await v.getAddress(), 900n * E18, 100n * E18);
      expect(await ctx.breaker.contract.trackedLiquidity(asset)).to.equal(100n * E18);
      const left = 10n * E18; // 10% of the 100 left
      expect(await ctx.breaker.contract.outflowCapacity(asset)).to.equal(left);
      expect(await v.maxWithdraw(ctx.alice.address)).to.equal(left);
      const alice = ctx.alice.address;
      await expect(v.connect(ctx.alice).withdraw(left + 1n, alice, alice))
        .to.be.revertedWithCustomError(ctx.breaker.contract, "OutflowLimitExceeded")
        .withArgs(asset, left + 1n, left);
      await v.connect(ctx.alice).withdraw(left, alice, alice);
      expect(await ctx.breaker.contract.outflowCapacity(asset)).to.equal(0n);
    });
  });
});
