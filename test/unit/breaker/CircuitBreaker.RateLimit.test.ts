import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { MAX_LIQUIDITY, checkOutflowLimit, type Flow } from "../../../scripts/lib/breaker/rateLimit";
import { INV, assertInvariant } from "../../shared/invariants";
import { BREAKER_TEST_PARAMS, DAY, HOUR, deployBreakerFixture } from "../../shared/fixtures/breaker";

const W = BREAKER_TEST_PARAMS.windowSeconds; // 1 day
const BPS = BREAKER_TEST_PARAMS.maxOutflowBps; // 10%
/** Liquidity of the seeded token; 10% of it is 100,000. */
const L = 1_000_000n;
const CAP = 100_000n;

async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
}

/**
 * `L` deposited, then two full buckets of quiet: the base of the limit is `L`, both buckets are empty and the
 * current bucket starts at `start`.
 */
async function seeded() {
  const f = await loadFixture(deployBreakerFixture);
  const now = BigInt(await time.latest());
  const depositAt = (now / W + 1n) * W + 10n;
  await time.setNextBlockTimestamp(depositAt);
  await f.breaker.connect(f.vault).recordInflow(f.token, L);
  const start = (depositAt / W + 2n) * W;
  const flows: Flow[] = [{ at: depositAt, net: -L }];
  return { ...f, start, flows };
}

describe("unit/breaker/CircuitBreaker: outflow rate limiter", () => {
  describe("configuration", () => {
    it("sets a limit, emits it and reports it", async () => {
      const { breaker, governor, unconfiguredToken } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(governor).setOutflowLimit(unconfiguredToken, 2_500n, 6n * HOUR))
        .to.emit(breaker, "OutflowLimitSet")
        .withArgs(unconfiguredToken, 2_500n, 6n * HOUR);
      expect(await breaker.outflowLimit(unconfiguredToken)).to.deep.equal([2_500n, 6n * HOUR]);
    });

    it("rejects a share of zero or above 100%, a window out of bounds and the zero token, unchanged", async () => {
      const { breaker, governor, token } = await loadFixture(deployBreakerFixture);
      const set = (bps: bigint, window: bigint) =>
        breaker.connect(governor).setOutflowLimit(token, bps, window);
      await expect(set(0n, W))
        .to.be.revertedWithCustomError(breaker, "OutflowShareOutOfBounds")
        .withArgs(token, 0n, 10_000n);
      await expect(set(10_001n, W))
        .to.be.revertedWithCustomError(breaker, "OutflowShareOutOfBounds")
        .withArgs(token, 10_001n, 10_000n);
      await expect(set(BPS, 299n))
        .to.be.revertedWithCustomError(breaker, "OutflowWindowOutOfBounds")
        .withArgs(token, 299n, 300n, 7n * DAY);
      await expect(set(BPS, 7n * DAY + 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowWindowOutOfBounds")
        .withArgs(token, 7n * DAY + 1n, 300n, 7n * DAY);
      await expect(
        breaker.connect(governor).setOutflowLimit(ethers.ZeroAddress, BPS, W),
      ).to.be.revertedWithCustomError(breaker, "TokenIsZeroAddress");
      expect(await breaker.outflowLimit(token)).to.deep.equal([BPS, W]);
      // The bounds themselves are accepted.
      await set(10_000n, 300n);
      await set(1n, 7n * DAY);
    });

    it("refuses in- and outflows of a token without a limit (unlimited by omission is a misconfiguration)", async () => {
      const { breaker, vault, unconfiguredToken } = await loadFixture(deployBreakerFixture);
      await expect(breaker.connect(vault).recordOutflow(unconfiguredToken, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitNotConfigured")
        .withArgs(unconfiguredToken);
      await expect(breaker.connect(vault).recordInflow(unconfiguredToken, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitNotConfigured")
        .withArgs(unconfiguredToken);
      expect(await breaker.outflowCapacity(unconfiguredToken)).to.equal(0n);
      expect(await breaker.outflowLimit(unconfiguredToken)).to.deep.equal([0n, 0n]);
    });

    it("changes a limit through the timelock", async () => {
      const { breaker, timelock, proposer, stranger, token } = await loadFixture(deployBreakerFixture);
      const data = breaker.interface.encodeFunctionData("setOutflowLimit", [token, 500n, 12n * HOUR]);
      const target = await breaker.getAddress();
      const salt = ethers.id("limit-5pct-12h");
      const delay = BREAKER_TEST_PARAMS.timelockDelaySeconds;
      await timelock.connect(proposer).schedule(target, 0n, data, ethers.ZeroHash, salt, delay);
      await time.increase(delay - 2n);
      await expect(
        timelock.connect(stranger).execute(target, 0n, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      await time.increase(1n);
      await expect(timelock.connect(stranger).execute(target, 0n, data, ethers.ZeroHash, salt))
        .to.emit(breaker, "OutflowLimitSet")
        .withArgs(token, 500n, 12n * HOUR);
      expect(await breaker.outflowLimit(token)).to.deep.equal([500n, 12n * HOUR]);
    });
  });

  describe("limit", () => {
    it("lets a fresh deposit out again at once and bases the limit on it only after a full bucket", async () => {
      const { breaker, vault, token } = await loadFixture(deployBreakerFixture);
      const now = BigInt(await time.latest());
      const at = (now / W + 1n) * W + 10n;
      await time.setNextBlockTimestamp(at);
      await breaker.connect(vault).recordInflow(token, L);
      // Same bucket: the inflow nets, base still 0.
      expect(await breaker.outflowCapacity(token)).to.equal(L);
      await time.increaseTo(at + W);
      // Next bucket: the inflow is in the previous bucket, still netted.
      expect(await breaker.outflowCapacity(token)).to.equal(L);
      await time.increaseTo(at + 2n * W);
      // Two buckets on: the base is L, and 10% of it may leave.
      expect(await breaker.outflowCapacity(token)).to.equal(CAP);
      expect(await breaker.trackedLiquidity(token)).to.equal(L);
    });

    it("reverts beyond the limit with the amount still allowed, leaving the state unchanged", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 100n);
      await expect(breaker.connect(vault).recordOutflow(token, CAP + 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, CAP + 1n, CAP);
      await breaker.connect(vault).recordOutflow(token, 40_000n);
      await expect(breaker.connect(vault).recordOutflow(token, 60_001n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 60_001n, 60_000n);
      expect(await breaker.outflowCapacity(token)).to.equal(60_000n);
      expect(await breaker.trackedLiquidity(token)).to.equal(L - 40_000n);
    });

    it("a zero outflow is accepted and changes nothing", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, 0n);
      expect(await breaker.outflowCapacity(token)).to.equal(CAP);
    });

    it("a burst split across many transactions and accounts gets no more than one withdrawal would", async () => {
      const { breaker, vault, target, token, start, flows } = await seeded();
      // Two protected vaults of the same token (an EOA holding VAULT_ROLE and a guarded module), twenty pieces.
      const piece = CAP / 20n;
      for (let i = 0n; i < 20n; i++) {
        const at = start + 1_000n * i + 1n;
        await time.setNextBlockTimestamp(at);
        if (i % 2n === 0n) await breaker.connect(vault).recordOutflow(token, piece);
        else await target.withdraw(token, piece);
        flows.push({ at, net: piece });
      }
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      await expect(target.withdraw(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      // Still nothing in the next bucket: the burst is remembered for the whole window.
      await time.setNextBlockTimestamp(start + W + 20_000n);
      await expect(target.withdraw(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      const violation = checkOutflowLimit(flows, BPS, W);
      assertInvariant(INV.BREAKER_OUTFLOW_LIMIT, violation === null, () => violation ?? "");
    });

    it("a flash deposit and withdrawal in one transaction consumes nothing and raises nothing", async () => {
      const { breaker, target, token, start } = await seeded();
      const flash = 50n * L;
      await time.setNextBlockTimestamp(start + 5n);
      await target.depositThenWithdraw(token, flash, flash);
      expect(await breaker.outflowCapacity(token)).to.equal(CAP);
      // A flash deposit lets out no more than itself plus the limit.
      await expect(target.depositThenWithdraw(token, flash, flash + CAP + 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, flash + CAP + 1n, flash + CAP);
      // The base did not move: two buckets on, the limit is still 10% of L.
      await time.increaseTo(start + 2n * W);
      expect(await breaker.outflowCapacity(token)).to.equal(CAP);
      expect(await breaker.trackedLiquidity(token)).to.equal(L);
    });

    it("a deposit and a withdrawal in separate transactions of the same block net the same way", async () => {
      const { breaker, vault, target, token, start } = await seeded();
      const deposit = 10n * L;
      await time.setNextBlockTimestamp(start + 7n);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const tx1 = await breaker.connect(vault).recordInflow(token, deposit, { gasLimit: 200_000n });
        const tx2 = await target.withdraw(token, deposit + CAP, { gasLimit: 300_000n });
        await network.provider.send("evm_mine", []);
        const [r1, r2] = [await tx1.wait(), await tx2.wait()];
        expect(r1!.blockNumber).to.equal(r2!.blockNumber);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      expect(await breaker.outflowCapacity(token)).to.equal(0n);
      expect(await breaker.trackedLiquidity(token)).to.equal(L - CAP);
    });

    it("lets 100% leave when governance sets 10,000 bps, and no more than the tracked liquidity", async () => {
      const { breaker, governor, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(governor).setOutflowLimit(token, 10_000n, W);
      await breaker.connect(vault).recordOutflow(token, L);
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      expect(await breaker.trackedLiquidity(token)).to.equal(0n);
    });

    it("rounds the limit down", async () => {
      const { breaker, governor, vault, unconfiguredToken: token } = await loadFixture(deployBreakerFixture);
      await breaker.connect(governor).setOutflowLimit(token, 1_000n, W);
      await breaker.connect(vault).recordInflow(token, 999n);
      await time.increase(2n * W);
      // 10% of 999 is 99.9.
      expect(await breaker.outflowCapacity(token)).to.equal(99n);
    });

    it("refuses an inflow that would take the tracked liquidity above 2^127 - 1", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordInflow(token, MAX_LIQUIDITY - L);
      await expect(breaker.connect(vault).recordInflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "LiquidityOverflow")
        .withArgs(token, MAX_LIQUIDITY, 1n, MAX_LIQUIDITY);
      // The whole inflow may leave again in the same bucket (it nets), plus 10% of the base.
      expect(await breaker.outflowCapacity(token)).to.equal(MAX_LIQUIDITY - L + CAP);
    });
  });

  describe("window boundaries", () => {
    it("an outflow in the last second of a bucket is remembered through the next bucket, exactly", async () => {
      const { breaker, vault, token, start, flows } = await seeded();
      const last = start + W - 1n;
      await time.setNextBlockTimestamp(last);
      await breaker.connect(vault).recordOutflow(token, CAP);
      flows.push({ at: last, net: CAP });
      for (const at of [start + W, start + 2n * W - 1n]) {
        await time.setNextBlockTimestamp(at);
        await expect(breaker.connect(vault).recordOutflow(token, 1n))
          .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
          .withArgs(token, 1n, 0n);
      }
      // First second two buckets on: 10% of the liquidity left (900,000).
      const refilled = 90_000n;
      await time.setNextBlockTimestamp(start + 2n * W);
      await expect(breaker.connect(vault).recordOutflow(token, refilled + 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, refilled + 1n, refilled);
      await time.setNextBlockTimestamp(start + 2n * W + 1n);
      await breaker.connect(vault).recordOutflow(token, refilled);
      flows.push({ at: start + 2n * W + 1n, net: refilled });
      const violation = checkOutflowLimit(flows, BPS, W);
      assertInvariant(INV.BREAKER_OUTFLOW_LIMIT, violation === null, () => violation ?? "");
    });

    it("an outflow in the first second of a bucket is remembered for two buckets (the price of exactness)", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start);
      await breaker.connect(vault).recordOutflow(token, CAP);
      await time.setNextBlockTimestamp(start + 2n * W - 1n);
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      await time.setNextBlockTimestamp(start + 2n * W);
      await breaker.connect(vault).recordOutflow(token, 90_000n);
    });

    it("after a long idle period both buckets are empty and the base is the current liquidity", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, 60_000n);
      await breaker.connect(vault).recordInflow(token, 10_000n);
      await time.increaseTo(start + 30n * W + 12_345n);
      // Liquidity 950,000; 10% of it.
      expect(await breaker.outflowCapacity(token)).to.equal(95_000n);
      await breaker.connect(vault).recordOutflow(token, 95_000n);
      expect(await breaker.outflowCapacity(token)).to.equal(0n);
      expect(await breaker.trackedLiquidity(token)).to.equal(855_000n);
    });
  });

  describe("limit changes keep what was recorded", () => {
    it("a higher share counts the outflow already made", async () => {
      const { breaker, vault, governor, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, CAP);
      await breaker.connect(governor).setOutflowLimit(token, 2_000n, W);
      // 20% of L minus the 100,000 already out.
      expect(await breaker.outflowCapacity(token)).to.equal(100_000n);
    });

    it("a share below what already left leaves no capacity (never negative)", async () => {
      const { breaker, vault, governor, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, CAP);
      await breaker.connect(governor).setOutflowLimit(token, 500n, W);
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
    });

    it("a shorter window does not refill early: the recorded outflow moves into its current bucket", async () => {
      const { breaker, vault, governor, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, CAP);
      const changedAt = await minedAt(breaker.connect(governor).setOutflowLimit(token, BPS, HOUR));
      const nextHour = (changedAt / HOUR + 1n) * HOUR;
      await time.setNextBlockTimestamp(nextHour);
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      await time.setNextBlockTimestamp(nextHour + HOUR - 1n);
      await expect(breaker.connect(vault).recordOutflow(token, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 1n, 0n);
      await time.increaseTo(nextHour + HOUR);
      expect(await breaker.outflowCapacity(token)).to.equal(90_000n);
    });

    it("a longer window rolled under its old width first: a change after a long idle starts from the liquidity", async () => {
      const { breaker, vault, governor, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await breaker.connect(vault).recordOutflow(token, CAP);
      await time.setNextBlockTimestamp(start + 5n * W);
      await breaker.connect(governor).setOutflowLimit(token, BPS, 2n * W);
      expect(await breaker.outflowCapacity(token)).to.equal(90_000n);
    });
  });
  describe("booked losses (recordLoss, issue 14)", () => {
    it("LOSS_LIMITS_WHAT_IS_LEFT: after a 90% loss a 10% limit lets at most 10% of what is left leave", async () => {
      const { breaker, vault, token, start } = await seeded();
      await time.setNextBlockTimestamp(start + 1n);
      await expect(breaker.connect(vault).recordLoss(token, (L * 9n) / 10n))
        .to.emit(breaker, "LossRecorded")
        .withArgs(token, vault.address, (L * 9n) / 10n, L / 10n);
      expect(await breaker.trackedLiquidity(token)).to.equal(L / 10n);
      const left = L / 100n; // 10% of the 10% left
      expect(await breaker.outflowCapacity(token)).to.equal(left);
      await expect(breaker.connect(vault).recordOutflow(token, left + 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, left + 1n, left);
      await breaker.connect(vault).recordOutflow(token, left);
      // The reduced base stays after the window rolls: the next window again allows 10% of what is left.
      await time.setNextBlockTimestamp(start + 2n * W);
      await breaker.connect(vault).recordOutflow(token, (L / 10n - left) / 10n);
      expect(await breaker.outflowCapacity(token)).to.equal(0n);
    });

    it("charges a loss beyond the base to the current bucket: a fresh deposit's remainder may still leave, no more", async () => {
      const { breaker, governor, vault, unconfiguredToken: token } = await loadFixture(deployBreakerFixture);
      await breaker.connect(governor).setOutflowLimit(token, 1_000n, W);
      await breaker.connect(vault).recordInflow(token, 1_000n);
      expect(await breaker.outflowCapacity(token)).to.equal(1_000n);
      await breaker.connect(vault).recordLoss(token, 900n);
      expect(await breaker.trackedLiquidity(token)).to.equal(100n);
      expect(await breaker.outflowCapacity(token)).to.equal(100n);
      await expect(breaker.connect(vault).recordOutflow(token, 101n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(token, 101n, 100n);
    });

    it("refuses a loss above the tracked liquidity and a token without a limit, state unchanged", async () => {
      const { breaker, vault, token, unconfiguredToken } = await seeded();
      await expect(breaker.connect(vault).recordLoss(token, L + 1n))
        .to.be.revertedWithCustomError(breaker, "LossExceedsLiquidity")
        .withArgs(token, L, L + 1n);
      expect(await breaker.trackedLiquidity(token)).to.equal(L);
      await expect(breaker.connect(vault).recordLoss(unconfiguredToken, 1n))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitNotConfigured")
        .withArgs(unconfiguredToken);
      await breaker.connect(vault).recordLoss(token, L);
      expect(await breaker.trackedLiquidity(token)).to.equal(0n);
      expect(await breaker.outflowCapacity(token)).to.equal(0n);
    });

    it("INFLOW_CAPACITY: reports what may still enter, 0 for a token without a limit", async () => {
      const { breaker, vault, token, unconfiguredToken } = await seeded();
      expect(await breaker.inflowCapacity(token)).to.equal(MAX_LIQUIDITY - L);
      expect(await breaker.inflowCapacity(unconfiguredToken)).to.equal(0n);
      await breaker.connect(vault).recordInflow(token, MAX_LIQUIDITY - L);
      expect(await breaker.inflowCapacity(token)).to.equal(0n);
    });
  });
});
