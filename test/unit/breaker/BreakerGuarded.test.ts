import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Scopes } from "../../../scripts/lib/scopes";
import { INV, assertInvariant } from "../../shared/invariants";
import {
  BREAKER_TEST_PARAMS,
  deployBreakerFixture,
  type BreakerFixture,
} from "../../shared/fixtures/breaker";

type Guarded = {
  name: string;
  scopes: (f: BreakerFixture) => string[];
  call: (f: BreakerFixture) => Promise<unknown>;
};

/** Every guarded function of the target, with the scopes that must block it (spec: ICircuitBreaker NatSpec). */
const GUARDED: Guarded[] = [
  {
    name: "withdrawAction",
    scopes: () => [Scopes.WITHDRAW, Scopes.GLOBAL],
    call: (f) => f.target.withdrawAction(),
  },
  {
    name: "depositAction",
    scopes: () => [Scopes.DEPOSIT, Scopes.GLOBAL],
    call: (f) => f.target.depositAction(),
  },
  {
    name: "writeAction",
    scopes: (f) => [Scopes.WRITE, Scopes.asset(f.asset), Scopes.GLOBAL],
    call: (f) => f.target.writeAction(f.asset),
  },
  {
    name: "settleAction",
    scopes: (f) => [Scopes.SETTLE, Scopes.asset(f.asset), Scopes.GLOBAL],
    call: (f) => f.target.settleAction(f.asset),
  },
  {
    name: "liquidateAction",
    scopes: (f) => [Scopes.LIQUIDATE, Scopes.asset(f.asset), Scopes.GLOBAL],
    call: (f) => f.target.liquidateAction(f.asset),
  },
  {
    name: "withdraw",
    scopes: () => [Scopes.WITHDRAW, Scopes.GLOBAL],
    call: (f) => f.target.withdraw(f.token, 0n),
  },
  {
    name: "deposit",
    scopes: () => [Scopes.DEPOSIT, Scopes.GLOBAL],
    call: (f) => f.target.deposit(f.token, 1n),
  },
];

const TRIGGERS: {
  name: string;
  scope: (f: BreakerFixture) => string;
  trip: (f: BreakerFixture) => Promise<unknown>;
}[] = [
  ...[Scopes.DEPOSIT, Scopes.WITHDRAW, Scopes.WRITE, Scopes.LIQUIDATE, Scopes.SETTLE, Scopes.GLOBAL].map(
    (scope) => ({
      name: `guardian pause of ${scope.slice(0, 10)}`,
      scope: () => scope,
      trip: (f: BreakerFixture) => f.breaker.connect(f.guardian).pause(scope, "drill"),
    }),
  ),
  {
    name: "price band breach",
    scope: (f) => Scopes.asset(f.asset),
    trip: (f) => f.breaker.connect(f.oracle).reportPriceBandBreach(f.asset, 100n, 200n),
  },
  {
    name: "quorum loss",
    scope: (f) => Scopes.asset(f.asset),
    trip: (f) => f.breaker.connect(f.oracle).reportQuorumLoss(f.asset, 1n, 2n),
  },
  {
    name: "sequencer down",
    scope: () => Scopes.GLOBAL,
    trip: (f) => f.breaker.connect(f.oracle).reportSequencerDown(),
  },
];

async function succeeds(p: Promise<unknown>): Promise<boolean> {
  try {
    await (await (p as Promise<{ wait(): Promise<unknown> }>)).wait();
    return true;
  } catch {
    return false;
  }
}

describe("unit/breaker/BreakerGuarded: the one-line integration surface", () => {
  it("refuses a zero breaker or one without code", async () => {
    const { stranger } = await loadFixture(deployBreakerFixture);
    const factory = await ethers.getContractFactory("GuardedTargetMock");
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(
      factory,
      "BreakerIsZeroAddress",
    );
    await expect(factory.deploy(stranger.address))
      .to.be.revertedWithCustomError(factory, "BreakerHasNoCode")
      .withArgs(stranger.address);
  });

  for (const trigger of TRIGGERS) {
    it(`${INV.BREAKER_GUARDS}: after a ${trigger.name}, exactly the guarded calls of that scope revert`, async () => {
      const f = await loadFixture(deployBreakerFixture);
      await trigger.trip(f);
      const tripped = trigger.scope(f);
      for (const g of GUARDED) {
        const mustBlock = g.scopes(f).includes(tripped);
        if (mustBlock) {
          await expect(g.call(f), g.name).to.be.revertedWithCustomError(f.breaker, "ScopeTripped");
        } else {
          const ok = await succeeds(g.call(f));
          assertInvariant(INV.BREAKER_GUARDS, ok, () => `${g.name} blocked by a trip of ${tripped}`);
        }
      }
      // Risk-reducing calls always go through.
      assertInvariant(
        INV.BREAKER_GUARDS,
        await succeeds(f.target.riskReducingAction()),
        () => "risk-reducing call blocked",
      );
    });
  }

  it("bubbles up the breaker's exact error through the guard", async () => {
    const f = await loadFixture(deployBreakerFixture);
    const tx = await f.breaker.connect(f.oracle).reportPriceBandBreach(f.asset, 100n, 200n);
    const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
    await expect(f.target.writeAction(f.asset))
      .to.be.revertedWithCustomError(f.breaker, "ScopeTripped")
      .withArgs(Scopes.asset(f.asset), 2n, at);
  });

  it("a trip elsewhere sends the guard to the full check, which passes for an untripped scope", async () => {
    const f = await loadFixture(deployBreakerFixture);
    await f.breaker.connect(f.guardian).pause(Scopes.SETTLE, "x");
    expect(await f.breaker.trippedScopeCount()).to.equal(1n);
    await f.target.withdrawAction();
    await f.target.writeAction(f.asset);
    await f.target.liquidateAction(f.asset);
    expect(await f.target.counter()).to.equal(4n);
  });

  it("fails closed with a breaker that does not answer the status probe", async () => {
    const f = await loadFixture(deployBreakerFixture);
    // The AccessManager has code but neither the probe nor checkScope: the guard must revert, not pass.
    const odd = await ethers.deployContract("GuardedTargetMock", [await f.manager.getAddress()]);
    await expect(odd.withdrawAction()).to.be.reverted;
    await expect(odd.writeAction(f.asset)).to.be.reverted;
    await expect(odd.liquidateAction(f.asset)).to.be.reverted;
    await odd.riskReducingAction();
  });

  describe("the status word", () => {
    it("counts tripped scopes and records the latest grace end, for the probe and the view alike", async () => {
      const f = await loadFixture(deployBreakerFixture);
      const breaker = await f.breaker.getAddress();
      const probe = async () => BigInt(await ethers.provider.call({ to: breaker, data: "0x" }));
      expect(await probe()).to.equal(0n);
      await f.breaker.connect(f.guardian).pause(Scopes.WRITE, "a");
      const tx = await f.breaker.connect(f.oracle).reportSequencerDown();
      const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      expect(await probe()).to.equal(2n);
      await time.setNextBlockTimestamp(at + BREAKER_TEST_PARAMS.cooldownSeconds);
      await f.breaker.connect(f.governor).resume(Scopes.GLOBAL);
      const horizon = at + BREAKER_TEST_PARAMS.cooldownSeconds + BREAKER_TEST_PARAMS.gracePeriodSeconds;
      const expected = (horizon << 32n) | 1n;
      expect(await probe()).to.equal(expected);
      expect(await f.breaker.statusWord()).to.equal(expected);
    });

    it("refuses unknown calldata and ETH", async () => {
      const f = await loadFixture(deployBreakerFixture);
      const breaker = await f.breaker.getAddress();
      await expect(f.stranger.sendTransaction({ to: breaker, data: "0xdeadbeef" }))
        .to.be.revertedWithCustomError(f.breaker, "UnknownCall")
        .withArgs("0xdeadbeef");
      await expect(f.stranger.sendTransaction({ to: breaker, value: 1n })).to.be.reverted;
    });
  });
});
