import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { InsuranceVault } from "../../../typechain-types";
import { preview, toAssets, toShares, type VaultState } from "../../../scripts/lib/math/erc4626";
import { deployInsuranceVault } from "../../shared/deployers/vaults";
import { Roles } from "../../../scripts/lib/roles";
import {
  COOLDOWN_SECONDS,
  DECIMALS_OFFSET,
  USER_FUNDS,
  WINDOW_SECONDS,
  vaultsFixture,
} from "../../shared/fixtures/vaults";

const E18 = 10n ** 18n;
const SHARE = 10n ** DECIMALS_OFFSET;
/** Largest booked assets a deposit may reach: the breaker's bound on a token's liquidity (docs/vaults.md). */
const MAX_TOTAL_ASSETS = 2n ** 127n - 1n;
const INSURANCE_FUNCTIONS = [
  "coverBadDebt",
  "payPenalty",
  "setWithdrawalTimings",
  "skim",
  "recognizeLoss",
] as const;

async function stateOf(vault: InsuranceVault): Promise<VaultState> {
  return { supply: await vault.totalSupply(), assets: await vault.totalAssets(), offset: DECIMALS_OFFSET };
}

describe("unit/vaults/InsuranceVault", () => {
  async function staked() {
    const ctx = await loadFixture(vaultsFixture);
    await ctx.insurance.connect(ctx.alice).deposit(100n * E18, ctx.alice.address);
    await ctx.insurance.connect(ctx.bob).deposit(300n * E18, ctx.bob.address);
    return ctx;
  }

  describe("penalties and cover", () => {
    it("payPenalty pulls the quote and raises the share price by the reference amount", async () => {
      const { insurance, quote, clearing, alice } = await loadFixture(staked);
      const shares = await insurance.balanceOf(alice.address);
      const penalty = 40n * E18;
      await expect(insurance.connect(clearing).payPenalty(penalty))
        .to.emit(insurance, "PenaltyPaid")
        .withArgs(clearing.address, penalty);
      const s = await stateOf(insurance);
      expect(s.assets).to.equal(440n * E18);
      expect(await quote.balanceOf(await insurance.getAddress())).to.equal(440n * E18);
      // Alice holds a quarter of the shares: she earns a quarter of the penalty (less virtual-share rounding).
      const worth = await insurance.convertToAssets(shares);
      expect(worth).to.equal(toAssets(s, shares, "down"));
      expect(110n * E18 - worth <= 1n).to.equal(true);
      await expect(insurance.connect(clearing).payPenalty(0)).to.be.revertedWithCustomError(
        insurance,
        "ZeroAmount",
      );
      await expect(insurance.connect(alice).payPenalty(E18))
        .to.be.revertedWithCustomError(insurance, "AccessManagedUnauthorized")
        .withArgs(alice.address);
    });

    it("coverBadDebt pays min(assets, available), lowers the share price, and is CLEARING_ROLE only", async () => {
      const { insurance, quote, clearing, treasury, stranger, alice } = await loadFixture(staked);
      await expect(insurance.connect(stranger).coverBadDebt(E18, stranger.address))
        .to.be.revertedWithCustomError(insurance, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      expect(await insurance.availableCover()).to.equal(400n * E18);
      expect(
        await insurance.connect(clearing).coverBadDebt.staticCall(100n * E18, treasury.address),
      ).to.equal(100n * E18);
      await expect(insurance.connect(clearing).coverBadDebt(100n * E18, treasury.address))
        .to.emit(insurance, "BadDebtCovered")
        .withArgs(treasury.address, 100n * E18, 100n * E18);
      expect(await quote.balanceOf(treasury.address)).to.equal(100n * E18);
      const s = await stateOf(insurance);
      expect(await insurance.convertToAssets(await insurance.balanceOf(alice.address))).to.equal(
        toAssets(s, 100n * E18 * SHARE, "down"),
      );
      // More than available: pays what there is.
      await expect(insurance.connect(clearing).coverBadDebt(1_000n * E18, treasury.address))
        .to.emit(insurance, "BadDebtCovered")
        .withArgs(treasury.address, 1_000n * E18, 300n * E18);
      expect(await insurance.availableCover()).to.equal(0n);
      // Nothing left: pays nothing and transfers nothing.
      expect(await insurance.connect(clearing).coverBadDebt.staticCall(5n, treasury.address)).to.equal(0n);
      await expect(insurance.connect(clearing).coverBadDebt(5n, treasury.address))
        .to.emit(insurance, "BadDebtCovered")
        .withArgs(treasury.address, 5n, 0n);
      await expect(insurance.connect(clearing).coverBadDebt(5n, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(insurance, "InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses a deposit worth zero shares after the price rose above one asset per share", async () => {
      const { insurance, clearing, alice, bob } = await loadFixture(vaultsFixture);
      // One whole token staked (the minimum that earns penalties), then a penalty a million times larger.
      await insurance.connect(alice).deposit(E18, alice.address);
      await insurance.connect(clearing).payPenalty(USER_FUNDS);
      await expect(insurance.connect(bob).deposit(1n, bob.address))
        .to.be.revertedWithCustomError(insurance, "ZeroShares")
        .withArgs(1n);
    });

    it("mints by the reference and reports the room below MAX_TOTAL_ASSETS", async () => {
      const { insurance, carol } = await loadFixture(staked);
      const s = await stateOf(insurance);
      expect(await insurance.maxDeposit(carol.address)).to.equal(MAX_TOTAL_ASSETS - s.assets);
      expect(await insurance.maxMint(carol.address)).to.equal(
        toShares(s, MAX_TOTAL_ASSETS - s.assets, "down"),
      );
      await expect(insurance.connect(carol).mint(5n * E18, carol.address))
        .to.emit(insurance, "Deposit")
        .withArgs(carol.address, carol.address, preview.mint(s, 5n * E18), 5n * E18);
    });

    it("refuses a penalty paid in a fee-on-transfer quote", async () => {
      const { gov, deployer, clearing: alice } = await loadFixture(vaultsFixture);
      const fee = await ethers.deployContract("FeeOnTransferToken", [100n]);
      const v = await deployInsuranceVault(gov.manager, deployer, {
        quote: await fee.getAddress(),
        name: "i",
        symbol: "i",
        cooldownSeconds: 0n,
        windowSeconds: 3600n,
      });
      await fee.mint(alice.address, E18);
      await fee.connect(alice).approve(await v.getAddress(), E18);
      await expect(v.connect(alice).payPenalty(E18))
        .to.be.revertedWithCustomError(v, "AssetTransferShortfall")
        .withArgs(E18, E18 - E18 / 100n);
    });
  });

  describe("withdrawal requests", () => {
    it("refuses a withdrawal without a request", async () => {
      const { insurance, alice } = await loadFixture(staked);
      expect(await insurance.maxRedeem(alice.address)).to.equal(0n);
      expect(await insurance.maxWithdraw(alice.address)).to.equal(0n);
      await expect(insurance.connect(alice).redeem(SHARE, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "WithdrawalNotClaimable")
        .withArgs(alice.address, 0, 0, (await time.latest()) + 1);
    });

    it("refuses bad requests", async () => {
      const { insurance, alice, carol } = await loadFixture(staked);
      await expect(insurance.connect(alice).requestWithdraw(0)).to.be.revertedWithCustomError(
        insurance,
        "ZeroAmount",
      );
      const balance = await insurance.balanceOf(alice.address);
      await expect(insurance.connect(alice).requestWithdraw(balance + 1n))
        .to.be.revertedWithCustomError(insurance, "RequestExceedsBalance")
        .withArgs(alice.address, balance + 1n, balance);
      await expect(insurance.connect(carol).cancelWithdraw())
        .to.be.revertedWithCustomError(insurance, "NoLiveRequest")
        .withArgs(carol.address);
    });

    it("cooldown, then a window for at most the requested shares, then expiry", async () => {
      const { insurance, quote, alice } = await loadFixture(staked);
      const requested = 40n * E18 * SHARE;
      await insurance.connect(alice).requestWithdraw(requested);
      const t0 = BigInt(await time.latest());
      const claimableAt = t0 + COOLDOWN_SECONDS;
      const expiresAt = claimableAt + WINDOW_SECONDS;
      expect(await insurance.withdrawalRequest(alice.address)).to.deep.equal([
        requested,
        claimableAt,
        expiresAt,
      ]);
      expect(await insurance.lockedShares(alice.address)).to.equal(requested);
      expect(await insurance.maxRedeem(alice.address)).to.equal(0n);
      await expect(insurance.connect(alice).redeem(SHARE, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "WithdrawalNotClaimable")
        .withArgs(alice.address, claimableAt, expiresAt, t0 + 1n);

      await time.increaseTo(claimableAt);
      expect(await insurance.maxRedeem(alice.address)).to.equal(requested);
      const s = await stateOf(insurance);
      expect(await insurance.maxWithdraw(alice.address)).to.equal(preview.redeem(s, requested));
      await expect(insurance.connect(alice).redeem(requested + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, requested + 1n, requested);
      const maxAssets = preview.redeem(s, requested);
      await expect(insurance.connect(alice).withdraw(maxAssets + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, maxAssets + 1n, maxAssets);
      // Partial completion leaves the rest of the request claimable.
      const before = await quote.balanceOf(alice.address);
      await insurance.connect(alice).withdraw(10n * E18, alice.address, alice.address);
      expect(await quote.balanceOf(alice.address)).to.equal(before + 10n * E18);
      const left = requested - preview.withdraw(s, 10n * E18);
      expect(await insurance.maxRedeem(alice.address)).to.equal(left);
      await insurance.connect(alice).redeem(left / 2n, alice.address, alice.address);
      expect(await insurance.maxRedeem(alice.address)).to.equal(left - left / 2n);

      await time.increaseTo(expiresAt);
      expect(await insurance.maxRedeem(alice.address)).to.equal(0n);
      expect(await insurance.lockedShares(alice.address)).to.equal(0n);
      await expect(insurance.connect(alice).redeem(SHARE, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "WithdrawalNotClaimable")
        .withArgs(alice.address, claimableAt, expiresAt, expiresAt + 1n);
      await expect(insurance.connect(alice).cancelWithdraw())
        .to.be.revertedWithCustomError(insurance, "NoLiveRequest")
        .withArgs(alice.address);
    });

    it("closes the window at expiresAt itself: a claim in that very second is refused", async () => {
      const { insurance, alice } = await loadFixture(staked);
      await insurance.connect(alice).requestWithdraw(10n * E18 * SHARE);
      const [, claimableAt, expiresAt] = await insurance.withdrawalRequest(alice.address);
      await time.setNextBlockTimestamp(claimableAt);
      await insurance.connect(alice).redeem(SHARE, alice.address, alice.address);
      await time.setNextBlockTimestamp(expiresAt);
      await expect(insurance.connect(alice).redeem(SHARE, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "WithdrawalNotClaimable")
        .withArgs(alice.address, claimableAt, expiresAt, expiresAt);
    });

    it("a loss booked during the cooldown hits the requester: nobody runs ahead of a loss", async () => {
      const { insurance, quote, clearing, treasury, alice } = await loadFixture(staked);
      const shares = await insurance.balanceOf(alice.address);
      await insurance.connect(alice).requestWithdraw(shares);
      await insurance.connect(clearing).coverBadDebt(200n * E18, treasury.address);
      await time.increase(COOLDOWN_SECONDS);
      const s = await stateOf(insurance);
      const before = await quote.balanceOf(alice.address);
      await insurance.connect(alice).redeem(shares, alice.address, alice.address);
      const got = (await quote.balanceOf(alice.address)) - before;
      expect(got).to.equal(preview.redeem(s, shares));
      expect(got <= 50n * E18).to.equal(true);
    });

    it("locks requested shares: no transfer can pass them on or dodge the cooldown", async () => {
      const { insurance, alice, bob, carol } = await loadFixture(staked);
      const balance = await insurance.balanceOf(alice.address);
      const requested = balance / 2n;
      await insurance.connect(alice).requestWithdraw(requested);
      // The unrequested half moves freely; one share more does not.
      await insurance.connect(alice).transfer(carol.address, balance - requested);
      await expect(insurance.connect(alice).transfer(carol.address, 1n))
        .to.be.revertedWithCustomError(insurance, "SharesLocked")
        .withArgs(alice.address, requested, requested - 1n);
      await insurance.connect(alice).approve(carol.address, 1n);
      await expect(insurance.connect(carol).transferFrom(alice.address, carol.address, 1n))
        .to.be.revertedWithCustomError(insurance, "SharesLocked")
        .withArgs(alice.address, requested, requested - 1n);
      // Bob passes his shares to alice, whose request is ripe: she still may redeem only what she requested.
      await time.increase(COOLDOWN_SECONDS);
      await insurance.connect(bob).transfer(alice.address, await insurance.balanceOf(bob.address));
      expect(await insurance.maxRedeem(alice.address)).to.equal(requested);
      await insurance.connect(alice).redeem(requested, alice.address, alice.address);
      expect(await insurance.maxRedeem(alice.address)).to.equal(0n);
      expect(await insurance.lockedShares(alice.address)).to.equal(0n);
    });

    it("cancelling unlocks the shares; a new request restarts the cooldown", async () => {
      const { insurance, alice, carol } = await loadFixture(staked);
      await insurance.connect(alice).requestWithdraw(SHARE);
      await expect(insurance.connect(alice).cancelWithdraw())
        .to.emit(insurance, "WithdrawRequestCancelled")
        .withArgs(alice.address);
      expect(await insurance.lockedShares(alice.address)).to.equal(0n);
      await insurance.connect(alice).transfer(carol.address, await insurance.balanceOf(alice.address));
      await insurance.connect(carol).requestWithdraw(SHARE);
      await time.increase(COOLDOWN_SECONDS - 10n);
      await expect(insurance.connect(carol).requestWithdraw(2n * SHARE)).to.emit(
        insurance,
        "WithdrawRequested",
      );
      await time.increase(20n);
      expect(await insurance.maxRedeem(carol.address)).to.equal(0n);
    });

    it("retires a depleted vault for deposits: no astronomic share minting after a total loss", async () => {
      const { insurance, clearing, treasury, carol } = await loadFixture(staked);
      const supply = await insurance.totalSupply();
      // Leave one part in 10^13 of par: below the 10^-12 floor.
      await insurance.connect(clearing).coverBadDebt(400n * E18 - 10n ** 7n + 1n, treasury.address);
      const assets = await insurance.totalAssets();
      expect(supply > (assets + 1n) * 10n ** 18n).to.equal(true);
      expect(await insurance.maxDeposit(carol.address)).to.equal(0n);
      expect(await insurance.maxMint(carol.address)).to.equal(0n);
      await expect(insurance.connect(carol).deposit(E18, carol.address))
        .to.be.revertedWithCustomError(insurance, "VaultDepleted")
        .withArgs(assets, supply);
      await expect(insurance.connect(carol).mint(E18, carol.address))
        .to.be.revertedWithCustomError(insurance, "VaultDepleted")
        .withArgs(assets, supply);
    });

    it("a redemption worth zero assets after a total loss is refused", async () => {
      const { insurance, clearing, treasury, alice } = await loadFixture(staked);
      await insurance.connect(alice).requestWithdraw(SHARE);
      await insurance.connect(clearing).coverBadDebt(400n * E18, treasury.address);
      await time.increase(COOLDOWN_SECONDS);
      await expect(insurance.connect(alice).redeem(SHARE, alice.address, alice.address))
        .to.be.revertedWithCustomError(insurance, "ZeroAssets")
        .withArgs(SHARE);
    });
  });

  describe("governance", () => {
    it("sets withdrawal timings within bounds, for new requests only", async () => {
      const { insurance, governor, stranger, alice } = await loadFixture(staked);
      await expect(insurance.connect(stranger).setWithdrawalTimings(0, 3600))
        .to.be.revertedWithCustomError(insurance, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      const maxCooldown = await insurance.MAX_COOLDOWN_SECONDS();
      const minWindow = await insurance.MIN_WINDOW_SECONDS();
      const maxWindow = await insurance.MAX_WINDOW_SECONDS();
      for (const [c, w] of [
        [maxCooldown + 1n, minWindow],
        [0n, minWindow - 1n],
        [0n, maxWindow + 1n],
      ]) {
        await expect(insurance.connect(governor).setWithdrawalTimings(c, w))
          .to.be.revertedWithCustomError(insurance, "InvalidWithdrawalTimings")
          .withArgs(c, w);
      }
      await insurance.connect(alice).requestWithdraw(SHARE);
      const old = await insurance.withdrawalRequest(alice.address);
      await expect(insurance.connect(governor).setWithdrawalTimings(3600, 7200))
        .to.emit(insurance, "WithdrawalTimingsSet")
        .withArgs(3600, 7200);
      expect(await insurance.cooldownSeconds()).to.equal(3600n);
      expect(await insurance.windowSeconds()).to.equal(7200n);
      expect(await insurance.withdrawalRequest(alice.address)).to.deep.equal(old);
    });

    it("refuses invalid timings at creation", async () => {
      const { gov, quote } = await loadFixture(vaultsFixture);
      const f = await ethers.getContractFactory("InsuranceVault");
      await expect(f.deploy(await quote.getAddress(), await gov.manager.getAddress(), "i", "i", 0, 0))
        .to.be.revertedWithCustomError(f, "InvalidWithdrawalTimings")
        .withArgs(0, 0);
    });

    it("wires coverBadDebt and payPenalty to CLEARING_ROLE and the parameters to GOVERNOR_ROLE", async () => {
      const { gov, insurance } = await loadFixture(vaultsFixture);
      const target = await insurance.getAddress();
      const role = (name: (typeof INSURANCE_FUNCTIONS)[number]) =>
        gov.manager.getTargetFunctionRole(target, insurance.interface.getFunction(name).selector);
      expect(await role("coverBadDebt")).to.equal(Roles.CLEARING_ROLE);
      expect(await role("payPenalty")).to.equal(Roles.CLEARING_ROLE);
      for (const name of ["setWithdrawalTimings", "skim", "recognizeLoss"] as const) {
        expect(await role(name)).to.equal(Roles.GOVERNOR_ROLE);
      }
    });

    it("skims donations without touching the share price", async () => {
      const { insurance, quote, governor, treasury, carol } = await loadFixture(staked);
      const price = await insurance.convertToAssets(E18);
      await quote.connect(carol).transfer(await insurance.getAddress(), 3n * E18);
      expect(await insurance.convertToAssets(E18)).to.equal(price);
      await expect(insurance.connect(governor).skim(treasury.address))
        .to.emit(insurance, "Skimmed")
        .withArgs(treasury.address, 3n * E18);
    });
  });
  describe("ERC-4626 limits are exactly what the entries accept (issue 14, defect 9)", () => {
    it("MAX_DEPOSIT_ACCEPTED: deposit(maxDeposit) succeeds and one more unit is refused", async () => {
      const { insurance, quote, carol } = await loadFixture(staked);
      const room = MAX_TOTAL_ASSETS - 400n * E18;
      expect(await insurance.maxDeposit(carol.address)).to.equal(room);
      await quote.mint(carol.address, room);
      await expect(insurance.connect(carol).deposit(room + 1n, carol.address))
        .to.be.revertedWithCustomError(insurance, "ERC4626ExceededMaxDeposit")
        .withArgs(carol.address, room + 1n, room);
      await insurance.connect(carol).deposit(room, carol.address);
      expect(await insurance.totalAssets()).to.equal(MAX_TOTAL_ASSETS);
      expect(await insurance.maxDeposit(carol.address)).to.equal(0n);
      expect(await insurance.maxMint(carol.address)).to.equal(0n);
    });

    it("MAX_MINT_ACCEPTED: mint(maxMint) succeeds and one more share is refused", async () => {
      const { insurance, quote, clearing, carol } = await loadFixture(staked);
      await insurance.connect(clearing).payPenalty(7n * E18 + 3n);
      await quote.mint(carol.address, MAX_TOTAL_ASSETS);
      const s = await stateOf(insurance);
      const shares = toShares(s, MAX_TOTAL_ASSETS - s.assets, "down");
      expect(await insurance.maxMint(carol.address)).to.equal(shares);
      await expect(insurance.connect(carol).mint(shares + 1n, carol.address))
        .to.be.revertedWithCustomError(insurance, "ERC4626ExceededMaxMint")
        .withArgs(carol.address, shares + 1n, shares);
      await expect(insurance.connect(carol).mint(shares, carol.address))
        .to.emit(insurance, "Deposit")
        .withArgs(carol.address, carol.address, preview.mint(s, shares), shares);
    });

    it("MAX_REDEEM_ACCEPTED: a request worth zero assets reports maxRedeem 0 (its redemption reverts ZeroAssets)", async () => {
      const { insurance, alice, bob } = await loadFixture(staked);
      await insurance.connect(alice).transfer(bob.address, 1n);
      await insurance.connect(bob).requestWithdraw(1n);
      await time.increase(COOLDOWN_SECONDS);
      await expect(insurance.connect(bob).redeem(1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(insurance, "ZeroAssets")
        .withArgs(1n);
      expect(await insurance.maxRedeem(bob.address)).to.equal(0n);
      expect(await insurance.maxWithdraw(bob.address)).to.equal(0n);
    });
  });

  describe("penalties into a near-empty vault are held aside (issue 14)", () => {
    /** One wei staked by alice, then a penalty of 100 tokens. */
    async function dustStaked() {
      const ctx = await loadFixture(vaultsFixture);
      await ctx.insurance.connect(ctx.alice).deposit(1n, ctx.alice.address);
      await expect(ctx.insurance.connect(ctx.clearing).payPenalty(100n * E18))
        .to.emit(ctx.insurance, "PenaltyHeld")
        .withArgs(ctx.clearing.address, 100n * E18);
      return ctx;
    }

    it("MIN_STAKE_SHARES is the shares of one whole quote token at par", async () => {
      const { insurance, quote } = await loadFixture(vaultsFixture);
      expect(await insurance.MIN_STAKE_SHARES()).to.equal(
        10n ** ((await quote.decimals()) + DECIMALS_OFFSET),
      );
    });

    it("PENALTY_NOT_CAPTURED_BY_DUST: a 1-wei stake captures none of a penalty and later stakers lose at most 1 ppm", async () => {
      const { insurance, alice, bob } = await dustStaked();
      // Alice's wei is still worth at most a wei: the penalty is not in the share price.
      expect(await insurance.convertToAssets(await insurance.balanceOf(alice.address))).to.be.lessThanOrEqual(
        1n,
      );
      expect(await insurance.totalAssets()).to.equal(1n);
      expect(await insurance.heldPenalties()).to.equal(100n * E18);
      expect(await insurance.availableCover()).to.equal(100n * E18 + 1n);
      // A later staker's deposit keeps its value to within OpenZeppelin's 1 ppm dust bound.
      await insurance.connect(bob).deposit(E18, bob.address);
      const worth = await insurance.convertToAssets(await insurance.balanceOf(bob.address));
      expect((E18 - worth) * 1_000_000n <= E18).to.equal(true);
    });

    it("releases the held penalties into the share price at the first penalty with the minimum stake", async () => {
      const { insurance, clearing, alice, bob } = await dustStaked();
      await insurance.connect(bob).deposit(E18, bob.address);
      expect((await insurance.totalSupply()) >= (await insurance.MIN_STAKE_SHARES())).to.equal(true);
      expect(await insurance.heldPenalties()).to.equal(100n * E18);
      await expect(insurance.connect(clearing).payPenalty(E18))
        .to.emit(insurance, "HeldPenaltiesReleased")
        .withArgs(100n * E18)
        .and.to.emit(insurance, "PenaltyPaid")
        .withArgs(clearing.address, E18);
      expect(await insurance.heldPenalties()).to.equal(0n);
      const s = await stateOf(insurance);
      expect(s.assets).to.equal(1n + E18 + 101n * E18);
      // Bob, holding all but alice's dust, earns all but a dust share of both penalties.
      const bobWorth = await insurance.convertToAssets(await insurance.balanceOf(bob.address));
      expect(bobWorth).to.equal(toAssets(s, await insurance.balanceOf(bob.address), "down"));
      expect(102n * E18 - bobWorth < (102n * E18) / 1_000_000n).to.equal(true);
      await expect(insurance.connect(clearing).payPenalty(E18)).to.not.emit(
        insurance,
        "HeldPenaltiesReleased",
      );
    });

    it("held penalties cover bad debt first, then the stakers' assets", async () => {
      const { insurance, quote, clearing, treasury } = await dustStaked();
      await expect(insurance.connect(clearing).coverBadDebt(30n * E18, treasury.address))
        .to.emit(insurance, "BadDebtCovered")
        .withArgs(treasury.address, 30n * E18, 30n * E18);
      expect(await insurance.heldPenalties()).to.equal(70n * E18);
      expect(await insurance.totalAssets()).to.equal(1n);
      await expect(insurance.connect(clearing).coverBadDebt(200n * E18, treasury.address))
        .to.emit(insurance, "BadDebtCovered")
        .withArgs(treasury.address, 200n * E18, 70n * E18 + 1n);
      expect(await insurance.heldPenalties()).to.equal(0n);
      expect(await insurance.totalAssets()).to.equal(0n);
      expect(await quote.balanceOf(treasury.address)).to.equal(100n * E18 + 1n);
    });

    it("a booked loss falls on the held penalties first", async () => {
      const { gov, deployer, governor, clearing, alice } = await loadFixture(vaultsFixture);
      const rebasing = await ethers.deployContract("RebasingToken");
      const v = await deployInsuranceVault(gov.manager, deployer, {
        quote: await rebasing.getAddress(),
        name: "i",
        symbol: "i",
        cooldownSeconds: 0n,
        windowSeconds: 3600n,
      });
      for (const who of [alice, clearing]) {
        await rebasing.mint(who.address, 100n * E18);
        await rebasing.connect(who).approve(await v.getAddress(), ethers.MaxUint256);
      }
      await v.connect(alice).deposit(1n, alice.address);
      await v.connect(clearing).payPenalty(10n * E18);
      await rebasing.rebase(await v.getAddress(), -4n * E18);
      await expect(v.connect(governor).recognizeLoss())
        .to.emit(v, "LossRecognized")
        .withArgs(10n * E18 + 1n, 6n * E18 + 1n);
      expect(await v.heldPenalties()).to.equal(6n * E18);
      expect(await v.totalAssets()).to.equal(1n);
    });
  });
});
