import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { Scopes } from "../../../scripts/lib/scopes";
import { TripReason } from "../../../scripts/lib/breaker/tripReason";
import { Roles } from "../../../scripts/lib/roles";
import { BREAKER_TEST_PARAMS, DAY, HOUR, deployBreakerFixture } from "../../shared/fixtures/breaker";

const { cooldownSeconds: COOLDOWN, gracePeriodSeconds: GRACE } = BREAKER_TEST_PARAMS;

/** The timestamp of the block that included `tx`. */
async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

describe("unit/breaker/CircuitBreaker: trips, pause, resume, grace", () => {
  describe("deployment", () => {
    it("stores the cooldown and grace period it was given", async () => {
      const { breaker } = await loadFixture(deployBreakerFixture);
      expect(await breaker.cooldownSeconds()).to.equal(COOLDOWN);
      expect(await breaker.gracePeriodSeconds()).to.equal(GRACE);
      expect(await breaker.trippedScopeCount()).to.equal(0n);
    });

    it("refuses a cooldown or grace period out of bounds", async () => {
      const { manager } = await loadFixture(deployBreakerFixture);
      const factory = await ethers.getContractFactory("CircuitBreaker");
      const authority = await manager.getAddress();
      await expect(factory.deploy(authority, HOUR - 1n, GRACE))
        .to.be.revertedWithCustomError(factory, "CooldownOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 14n * DAY);
      await expect(factory.deploy(authority, COOLDOWN, 7n * DAY + 1n))
        .to.be.revertedWithCustomError(factory, "GracePeriodOutOfBounds")
        .withArgs(7n * DAY + 1n, 600n, 7n * DAY);
    });
  });

  describe("triggers", () => {
    it("trips an asset's price scope on the oracle's price-band report", async () => {
      const { breaker, oracle, asset } = await loadFixture(deployBreakerFixture);
      const reference = ethers.parseEther("2000");
      const jumped = ethers.parseEther("1500");
      const tx = breaker.connect(oracle).reportPriceBandBreach(asset, reference, jumped);
      await expect(tx)
        .to.emit(breaker, "Tripped")
        .withArgs(Scopes.asset(asset), TripReason.PriceBand, oracle.address, ethers.toBeHex(jumped, 32));
      await expect(tx).to.emit(breaker, "PriceBandBreachReported").withArgs(asset, reference, jumped);
      const at = await minedAt(tx);
      expect(await breaker.scopeState(Scopes.asset(asset))).to.deep.equal([TripReason.PriceBand, at, 0n]);
      expect(await breaker.isTripped(Scopes.asset(asset))).to.equal(true);
      await expect(breaker.checkAction(Scopes.WRITE, asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.asset(asset), TripReason.PriceBand, at);
      // Other assets and pure action scopes are untouched.
      await breaker.checkAction(Scopes.WRITE, ethers.Wallet.createRandom().address);
      await breaker.checkScope(Scopes.WITHDRAW);
    });

    it("trips an asset's price scope on the oracle's quorum-loss report", async () => {
      const { breaker, oracle, asset } = await loadFixture(deployBreakerFixture);
      const tx = breaker.connect(oracle).reportQuorumLoss(asset, 1n, 3n);
      await expect(tx)
        .to.emit(breaker, "Tripped")
        .withArgs(Scopes.asset(asset), TripReason.QuorumLost, oracle.address, ethers.toBeHex(1n, 32));
      await expect(tx).to.emit(breaker, "QuorumLossReported").withArgs(asset, 1n, 3n);
      const at = await minedAt(tx);
      await expect(breaker.checkLiquidation(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.asset(asset), TripReason.QuorumLost, at);
    });

    it("fails closed on an inconsistent quorum report (fresh sources >= quorum still trips)", async () => {
      const { breaker, oracle, asset } = await loadFixture(deployBreakerFixture);
      await breaker.connect(oracle).reportQuorumLoss(asset, 3n, 2n);
      expect(await breaker.isTripped(Scopes.asset(asset))).to.equal(true);
    });

    it("trips GLOBAL when the sequencer is down, which blocks every check", async () => {
      const { breaker, oracle, asset } = await loadFixture(deployBreakerFixture);
      const tx = breaker.connect(oracle).reportSequencerDown();
      await expect(tx)
        .to.emit(breaker, "Tripped")
        .withArgs(Scopes.GLOBAL, TripReason.SequencerDown, oracle.address, ethers.ZeroHash);
      const at = await minedAt(tx);
      for (const scope of [Scopes.DEPOSIT, Scopes.WITHDRAW, Scopes.WRITE, Scopes.SETTLE]) {
        await expect(breaker.checkScope(scope))
          .to.be.revertedWithCustomError(breaker, "ScopeTripped")
          .withArgs(Scopes.GLOBAL, TripReason.SequencerDown, at);
      }
      await expect(breaker.checkAction(Scopes.WRITE, asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.GLOBAL, TripReason.SequencerDown, at);
      await expect(breaker.checkLiquidation(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.GLOBAL, TripReason.SequencerDown, at);
    });

    it("lets the guardian pause any scope at once, in the very next block, with no delay", async () => {
      const { breaker, guardian, target } = await loadFixture(deployBreakerFixture);
      const reason = "collateral token minting without limit";
      const tx = breaker.connect(guardian).pause(Scopes.DEPOSIT, reason);
      await expect(tx)
        .to.emit(breaker, "Tripped")
        .withArgs(Scopes.DEPOSIT, TripReason.GuardianPause, guardian.address, ethers.id(reason));
      const at = await minedAt(tx);
      await expect(target.depositAction())
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.DEPOSIT, TripReason.GuardianPause, at);
      // Only the paused scope: withdrawals still work.
      await target.withdrawAction();
    });

    it("reports the GLOBAL trip before an action scope's when both are tripped", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerFixture);
      await breaker.connect(guardian).pause(Scopes.WITHDRAW, "first");
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.GLOBAL, "second"));
      await expect(breaker.checkScope(Scopes.WITHDRAW))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.GLOBAL, TripReason.GuardianPause, at);
    });

    it("rejects a trip of the zero scope or of address(0), leaving the state unchanged", async () => {
      const { breaker, guardian, oracle } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(guardian).pause(ethers.ZeroHash, "x")).to.be.revertedWithCustomError(
        breaker,
        "ScopeIsZero",
      );
      await expect(
        breaker.connect(oracle).reportPriceBandBreach(ethers.ZeroAddress, 1n, 2n),
      ).to.be.revertedWithCustomError(breaker, "AssetIsZeroAddress");
      await expect(
        breaker.connect(oracle).reportQuorumLoss(ethers.ZeroAddress, 0n, 1n),
      ).to.be.revertedWithCustomError(breaker, "AssetIsZeroAddress");
      expect(await breaker.trippedScopeCount()).to.equal(0n);
    });
  });

  describe("a trip arriving while already tripped", () => {
    it("keeps the first reason and time and emits TripIgnored", async () => {
      const { breaker, guardian, oracle, asset } = await loadFixture(deployBreakerFixture);
      const scope = Scopes.asset(asset);
      const first = await minedAt(breaker.connect(oracle).reportPriceBandBreach(asset, 1n, 2n));
      await time.increase(600);
      await expect(breaker.connect(oracle).reportQuorumLoss(asset, 0n, 2n))
        .to.emit(breaker, "TripIgnored")
        .withArgs(scope, TripReason.QuorumLost, oracle.address)
        .and.not.to.emit(breaker, "Tripped");
      await expect(breaker.connect(guardian).pause(scope, "again"))
        .to.emit(breaker, "TripIgnored")
        .withArgs(scope, TripReason.GuardianPause, guardian.address);
      expect(await breaker.scopeState(scope)).to.deep.equal([TripReason.PriceBand, first, 0n]);
      expect(await breaker.trippedScopeCount()).to.equal(1n);
    });

    it("one resume clears a scope however many trips arrived: ignored trips do not stack", async () => {
      const { breaker, guardian, governor } = await loadFixture(deployBreakerFixture);
      const first = await minedAt(breaker.connect(guardian).pause(Scopes.SETTLE, "one"));
      await breaker.connect(guardian).pause(Scopes.SETTLE, "two");
      await breaker.connect(guardian).pause(Scopes.SETTLE, "three");
      await time.setNextBlockTimestamp(first + COOLDOWN);
      await breaker.connect(governor).resume(Scopes.SETTLE);
      expect(await breaker.trippedScopeCount()).to.equal(0n);
      await breaker.checkScope(Scopes.SETTLE);
    });

    it("a second sequencer report keeps GLOBAL's first trip", async () => {
      const { breaker, oracle } = await loadFixture(deployBreakerFixture);
      const first = await minedAt(breaker.connect(oracle).reportSequencerDown());
      await expect(breaker.connect(oracle).reportSequencerDown())
        .to.emit(breaker, "TripIgnored")
        .withArgs(Scopes.GLOBAL, TripReason.SequencerDown, oracle.address);
      expect(await breaker.scopeState(Scopes.GLOBAL)).to.deep.equal([TripReason.SequencerDown, first, 0n]);
    });
  });

  describe("access control", () => {
    it("refuses every restricted function to every role but its own, changing nothing", async () => {
      const { breaker, guardian, oracle, vault, governor, stranger, token, asset } =
        await loadFixture(deployBreakerFixture);
      const calls: { name: string; allowed: string; args: unknown[] }[] = [
        { name: "pause", allowed: guardian.address, args: [Scopes.WITHDRAW, "x"] },
        { name: "resume", allowed: governor.address, args: [Scopes.WITHDRAW] },
        { name: "reportPriceBandBreach", allowed: oracle.address, args: [asset, 1n, 2n] },
        { name: "reportQuorumLoss", allowed: oracle.address, args: [asset, 0n, 1n] },
        { name: "reportSequencerDown", allowed: oracle.address, args: [] },
        { name: "recordOutflow", allowed: vault.address, args: [token, 0n] },
        { name: "recordInflow", allowed: vault.address, args: [token, 1n] },
        { name: "recordLoss", allowed: vault.address, args: [token, 0n] },
        { name: "setCooldown", allowed: governor.address, args: [HOUR] },
        { name: "setGracePeriod", allowed: governor.address, args: [600n] },
        { name: "setOutflowLimit", allowed: governor.address, args: [token, 1n, DAY] },
      ];
      for (const call of calls) {
        for (const signer of [guardian, oracle, vault, governor, stranger]) {
          if (signer.address === call.allowed) continue;
          await expect(
            breaker.connect(signer).getFunction(call.name)(...call.args),
            `${call.name} by ${signer.address}`,
          )
            .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
            .withArgs(signer.address);
        }
      }
      expect(await breaker.trippedScopeCount()).to.equal(0n);
      expect(await breaker.cooldownSeconds()).to.equal(COOLDOWN);
      expect(await breaker.trackedLiquidity(token)).to.equal(0n);
    });

    it("gives the guardian no execution delay on pause and no way to resume", async () => {
      const { breaker, manager, guardian } = await loadFixture(deployBreakerFixture);
      const [allowed, delay] = await manager.canCall(
        guardian.address,
        await breaker.getAddress(),
        breaker.interface.getFunction("pause").selector,
      );
      expect(allowed).to.equal(true);
      expect(delay).to.equal(0n);
      const [canResume] = await manager.canCall(
        guardian.address,
        await breaker.getAddress(),
        breaker.interface.getFunction("resume").selector,
      );
      expect(canResume).to.equal(false);
      expect(
        await manager.getTargetFunctionRole(
          await breaker.getAddress(),
          breaker.interface.getFunction("resume").selector,
        ),
      ).to.equal(Roles.GOVERNOR_ROLE);
    });
  });

  describe("vault registry (the mirror of VAULT_ROLE)", () => {
    type Fixture = Awaited<ReturnType<typeof deployBreakerFixture>>;
    /** Run `data` on the AccessManager through the timelock (the manager's admin after the hand-over). */
    async function managerViaTimelock(f: Fixture, data: string, salt: string): Promise<void> {
      const target = await f.manager.getAddress();
      const delay = BREAKER_TEST_PARAMS.timelockDelaySeconds;
      await f.timelock
        .connect(f.proposer)
        .schedule(target, 0n, data, ethers.ZeroHash, ethers.id(salt), delay);
      await time.increase(delay);
      await f.timelock.connect(f.stranger).execute(target, 0n, data, ethers.ZeroHash, ethers.id(salt));
    }

    it("lets an account record flows only once a permissionless sync mirrored its VAULT_ROLE, both ways", async () => {
      const f = await loadFixture(deployBreakerFixture);
      const { breaker, manager, vault, stranger, guardian, token } = f;
      expect(await breaker.isVault(vault.address)).to.equal(true);
      expect(await breaker.isVault(await f.target.getAddress())).to.equal(true);
      expect(await breaker.isVault(stranger.address)).to.equal(false);

      // Granted in the AccessManager, not yet mirrored: still refused.
      await managerViaTimelock(
        f,
        manager.interface.encodeFunctionData("grantRole", [Roles.VAULT_ROLE, stranger.address, 0n]),
        "grant",
      );
      await expect(breaker.connect(stranger).recordInflow(token, 5n))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      expect(await breaker.connect(guardian).syncVault.staticCall(stranger.address)).to.equal(true);
      await expect(breaker.connect(guardian).syncVault(stranger.address))
        .to.emit(breaker, "VaultSynced")
        .withArgs(stranger.address, true);
      await breaker.connect(stranger).recordInflow(token, 5n);
      expect(await breaker.trackedLiquidity(token)).to.equal(5n);

      // Revoked in the AccessManager: effective for the record functions at the next sync, by anyone.
      await managerViaTimelock(
        f,
        manager.interface.encodeFunctionData("revokeRole", [Roles.VAULT_ROLE, stranger.address]),
        "revoke",
      );
      await expect(breaker.connect(vault).syncVault(stranger.address))
        .to.emit(breaker, "VaultSynced")
        .withArgs(stranger.address, false);
      expect(await breaker.isVault(stranger.address)).to.equal(false);
      await expect(breaker.connect(stranger).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      expect(await breaker.trackedLiquidity(token)).to.equal(5n);

      // A sync that changes nothing emits nothing.
      await expect(breaker.connect(stranger).syncVault(vault.address)).not.to.emit(breaker, "VaultSynced");
      expect(await breaker.isVault(vault.address)).to.equal(true);
    });

    it("does not mirror a grant with an execution delay, nor any grant while the breaker is closed", async () => {
      const f = await loadFixture(deployBreakerFixture);
      const { breaker, manager, vault, stranger, token } = f;
      await managerViaTimelock(
        f,
        manager.interface.encodeFunctionData("grantRole", [Roles.VAULT_ROLE, stranger.address, HOUR]),
        "delayed",
      );
      expect(await breaker.syncVault.staticCall(stranger.address)).to.equal(false);
      await expect(breaker.syncVault(stranger.address)).not.to.emit(breaker, "VaultSynced");

      await managerViaTimelock(
        f,
        manager.interface.encodeFunctionData("setTargetClosed", [await breaker.getAddress(), true]),
        "close",
      );
      await expect(breaker.syncVault(vault.address))
        .to.emit(breaker, "VaultSynced")
        .withArgs(vault.address, false);
      await expect(breaker.connect(vault).recordInflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(vault.address);
    });
  });

  describe("resume and cooldown", () => {
    it("refuses to resume a scope that is not tripped", async () => {
      const { breaker, governor } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(governor).resume(Scopes.WRITE))
        .to.be.revertedWithCustomError(breaker, "ScopeNotTripped")
        .withArgs(Scopes.WRITE);
    });

    it("refuses to resume before the cooldown, one second before the edge, and resumes exactly at it", async () => {
      const { breaker, guardian, governor } = await loadFixture(deployBreakerFixture);
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.WRITE, "incident"));
      const resumable = at + COOLDOWN;
      expect(await breaker.resumableAt(Scopes.WRITE)).to.equal(resumable);
      await expect(breaker.connect(governor).resume(Scopes.WRITE))
        .to.be.revertedWithCustomError(breaker, "CooldownNotElapsed")
        .withArgs(Scopes.WRITE, resumable);
      await time.setNextBlockTimestamp(resumable - 1n);
      await expect(breaker.connect(governor).resume(Scopes.WRITE))
        .to.be.revertedWithCustomError(breaker, "CooldownNotElapsed")
        .withArgs(Scopes.WRITE, resumable);
      // The failed attempts changed nothing.
      expect(await breaker.scopeState(Scopes.WRITE)).to.deep.equal([TripReason.GuardianPause, at, 0n]);
      await time.setNextBlockTimestamp(resumable);
      const tx = breaker.connect(governor).resume(Scopes.WRITE);
      await expect(tx)
        .to.emit(breaker, "Resumed")
        .withArgs(Scopes.WRITE, governor.address, resumable + GRACE);
      expect(await minedAt(tx)).to.equal(resumable);
      expect(await breaker.scopeState(Scopes.WRITE)).to.deep.equal([TripReason.None, at, resumable]);
      expect(await breaker.isTripped(Scopes.WRITE)).to.equal(false);
      expect(await breaker.trippedScopeCount()).to.equal(0n);
      expect(await breaker.resumableAt(Scopes.WRITE)).to.equal(0n);
      expect(await breaker.graceEndsAt(Scopes.WRITE)).to.equal(resumable + GRACE);
      await breaker.checkScope(Scopes.WRITE);
    });

    it("applies a changed cooldown to a scope already tripped", async () => {
      const { breaker, guardian, governor } = await loadFixture(deployBreakerFixture);
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.SETTLE, "x"));
      await breaker.connect(governor).setCooldown(2n * COOLDOWN);
      expect(await breaker.resumableAt(Scopes.SETTLE)).to.equal(at + 2n * COOLDOWN);
    });

    it("resumes through the timelock: proposed, delayed, executed", async () => {
      const { breaker, timelock, manager, guardian, proposer, stranger } =
        await loadFixture(deployBreakerFixture);
      // The timelock is the production holder of GOVERNOR_ROLE.
      expect((await manager.hasRole(Roles.GOVERNOR_ROLE, await timelock.getAddress()))[0]).to.equal(true);
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.WITHDRAW, "incident"));
      const data = breaker.interface.encodeFunctionData("resume", [Scopes.WITHDRAW]);
      const target = await breaker.getAddress();
      const salt = ethers.id("resume-withdraw");
      const delay = BREAKER_TEST_PARAMS.timelockDelaySeconds;
      await timelock.connect(proposer).schedule(target, 0n, data, ethers.ZeroHash, salt, delay);
      await expect(
        timelock.connect(stranger).execute(target, 0n, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      await time.increase(delay);
      const tx = timelock.connect(stranger).execute(target, 0n, data, ethers.ZeroHash, salt);
      await expect(tx).to.emit(breaker, "Resumed");
      const resumedAt = await minedAt(tx);
      expect(resumedAt >= at + COOLDOWN).to.equal(true);
      expect(await breaker.scopeState(Scopes.WITHDRAW)).to.deep.equal([TripReason.None, at, resumedAt]);
    });
  });

  describe("grace period", () => {
    async function resumedAsset() {
      const f = await loadFixture(deployBreakerFixture);
      const at = await minedAt(f.breaker.connect(f.oracle).reportPriceBandBreach(f.asset, 1n, 2n));
      await time.setNextBlockTimestamp(at + COOLDOWN);
      await f.breaker.connect(f.governor).resume(Scopes.asset(f.asset));
      return { ...f, graceEnd: at + COOLDOWN + GRACE };
    }

    it("keeps liquidations off until the grace period ends while everything else works", async () => {
      const { breaker, asset, graceEnd, target } = await resumedAsset();
      await expect(breaker.checkLiquidation(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.asset(asset), graceEnd);
      await expect(target.liquidateAction(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.asset(asset), graceEnd);
      await breaker.checkAction(Scopes.WRITE, asset);
      await target.writeAction(asset);
      await target.withdrawAction();
      await target.riskReducingAction();
      // A liquidation of an account exposed to another asset is not held back.
      await target.liquidateAction(ethers.Wallet.createRandom().address);
      await time.setNextBlockTimestamp(graceEnd - 1n);
      await expect(target.liquidateAction(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.asset(asset), graceEnd);
      await time.setNextBlockTimestamp(graceEnd);
      await expect(target.liquidateAction(asset)).not.to.be.reverted;
    });

    it("holds back every liquidation after GLOBAL resumes from a sequencer outage", async () => {
      const { breaker, oracle, governor, target } = await loadFixture(deployBreakerFixture);
      const at = await minedAt(breaker.connect(oracle).reportSequencerDown());
      await time.setNextBlockTimestamp(at + COOLDOWN);
      await breaker.connect(governor).resume(Scopes.GLOBAL);
      const anyAsset = ethers.Wallet.createRandom().address;
      await expect(target.liquidateAction(anyAsset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.GLOBAL, at + COOLDOWN + GRACE);
      await target.depositAction();
    });

    it("holds back liquidations after LIQUIDATE itself was paused and resumed", async () => {
      const { breaker, guardian, governor, target, asset } = await loadFixture(deployBreakerFixture);
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.LIQUIDATE, "keeper bug"));
      await expect(target.liquidateAction(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.LIQUIDATE, TripReason.GuardianPause, at);
      await time.setNextBlockTimestamp(at + COOLDOWN);
      await breaker.connect(governor).resume(Scopes.LIQUIDATE);
      await expect(target.liquidateAction(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.LIQUIDATE, at + COOLDOWN + GRACE);
    });

    it("a new trip during the grace period trips the scope again with its own time", async () => {
      const { breaker, oracle, asset } = await resumedAsset();
      const again = await minedAt(breaker.connect(oracle).reportQuorumLoss(asset, 0n, 2n));
      await expect(breaker.checkLiquidation(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.asset(asset), TripReason.QuorumLost, again);
      expect(await breaker.resumableAt(Scopes.asset(asset))).to.equal(again + COOLDOWN);
    });

    it("a changed grace period applies to later resumes only", async () => {
      const { breaker, governor, guardian, asset, graceEnd } = await resumedAsset();
      await breaker.connect(governor).setGracePeriod(2n * GRACE);
      expect(await breaker.graceEndsAt(Scopes.asset(asset))).to.equal(graceEnd);
      const at = await minedAt(breaker.connect(guardian).pause(Scopes.WRITE, "x"));
      await time.setNextBlockTimestamp(at + COOLDOWN);
      await expect(breaker.connect(governor).resume(Scopes.WRITE))
        .to.emit(breaker, "Resumed")
        .withArgs(Scopes.WRITE, governor.address, at + COOLDOWN + 2n * GRACE);
    });

    it("a later resume with a shorter grace does not cut short a running grace period", async () => {
      const { breaker, guardian, governor, asset, target } = await loadFixture(deployBreakerFixture);
      await breaker.connect(guardian).pause(Scopes.WRITE, "b");
      const a = await minedAt(breaker.connect(guardian).pause(Scopes.asset(asset), "a"));
      await breaker.connect(governor).setGracePeriod(3n * GRACE);
      await time.setNextBlockTimestamp(a + COOLDOWN);
      await breaker.connect(governor).resume(Scopes.asset(asset)); // grace until a + COOLDOWN + 3 GRACE
      await breaker.connect(governor).setGracePeriod(GRACE);
      const b = await minedAt(breaker.connect(governor).resume(Scopes.WRITE)); // grace until b + GRACE, earlier
      await time.setNextBlockTimestamp(b + GRACE + 1n);
      await expect(target.liquidateAction(asset))
        .to.be.revertedWithCustomError(breaker, "ScopeInGracePeriod")
        .withArgs(Scopes.asset(asset), a + COOLDOWN + 3n * GRACE);
      await time.setNextBlockTimestamp(a + COOLDOWN + 3n * GRACE);
      await expect(target.liquidateAction(asset)).not.to.be.reverted;
    });
  });

  describe("governance setters", () => {
    it("sets the cooldown and grace period within bounds and emits the change", async () => {
      const { breaker, governor } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(governor).setCooldown(HOUR))
        .to.emit(breaker, "CooldownSet")
        .withArgs(COOLDOWN, HOUR);
      await expect(breaker.connect(governor).setGracePeriod(600n))
        .to.emit(breaker, "GracePeriodSet")
        .withArgs(GRACE, 600n);
      expect(await breaker.cooldownSeconds()).to.equal(HOUR);
      expect(await breaker.gracePeriodSeconds()).to.equal(600n);
    });

    it("refuses a cooldown or grace period out of bounds, leaving them unchanged", async () => {
      const { breaker, governor } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(governor).setCooldown(14n * DAY + 1n))
        .to.be.revertedWithCustomError(breaker, "CooldownOutOfBounds")
        .withArgs(14n * DAY + 1n, HOUR, 14n * DAY);
      await expect(breaker.connect(governor).setCooldown(0n))
        .to.be.revertedWithCustomError(breaker, "CooldownOutOfBounds")
        .withArgs(0n, HOUR, 14n * DAY);
      await expect(breaker.connect(governor).setGracePeriod(599n))
        .to.be.revertedWithCustomError(breaker, "GracePeriodOutOfBounds")
        .withArgs(599n, 600n, 7n * DAY);
      expect(await breaker.cooldownSeconds()).to.equal(COOLDOWN);
      expect(await breaker.gracePeriodSeconds()).to.equal(GRACE);
    });
  });
});
