import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  RateLimitModel,
  capacityFromLog,
  checkOutflowLimit,
  type Flow,
} from "../../scripts/lib/breaker/rateLimit";
import { fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { BREAKER_TEST_PARAMS, deployBreakerFixture } from "../shared/fixtures/breaker";

const W = BREAKER_TEST_PARAMS.windowSeconds;
const BPS = BREAKER_TEST_PARAMS.maxOutflowBps;
const GAS = { gasLimit: 500_000n };

type Op =
  | { kind: "in"; dt: bigint; amount: bigint }
  | { kind: "out"; dt: bigint; permille: bigint; caller: "vault" | "target" }
  | { kind: "flash"; dt: bigint; amount: bigint; permille: bigint }
  | { kind: "limit"; dt: bigint; bps: bigint; window: bigint }
  | { kind: "loss"; dt: bigint; permille: bigint };

/** Time steps: same-second neighbours, random, and the bucket edges. */
const dt = fc.oneof(
  fc.bigInt({ min: 1n, max: 120n }),
  fc.bigInt({ min: 1n, max: 2n * W }),
  fc.constantFrom(W - 1n, W, W + 1n, 2n * W, 37n * W),
);
/** Outflows as a share of the current capacity, in permille: mostly within, some beyond. */
const permille = fc.oneof(fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 1_001n, max: 1_500n }));
const amount = fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 10n ** 27n }));

const flowOps: fc.Arbitrary<Op>[] = [
  fc.record({ kind: fc.constant("in" as const), dt, amount }),
  fc.record({
    kind: fc.constant("out" as const),
    dt,
    permille,
    caller: fc.constantFrom("vault" as const, "target" as const),
  }),
  fc.record({ kind: fc.constant("flash" as const), dt, amount, permille }),
];
const limitOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant("limit" as const),
  dt,
  bps: fc.bigInt({ min: 1n, max: 10_000n }),
  window: fc.constantFrom(300n, 3_600n, W, 3n * W),
});

/** Booked losses as a share of the tracked liquidity, in permille: mostly within, some beyond (refused). */
const lossOp: fc.Arbitrary<Op> = fc.record({ kind: fc.constant("loss" as const), dt, permille });

async function run(ops: Op[], fixedLimit: boolean): Promise<void> {
  const { breaker, vault, target, governor, token } = await loadFixture(deployBreakerFixture);
  const configuredAt = BigInt(await time.latest());
  const model = new RateLimitModel();
  // The fixture configured the limit in an earlier block; replay that configuration in the model.
  model.reconfigure(configuredAt, BPS, W);
  const flows: Flow[] = [];
  let now = configuredAt;
  for (const op of ops) {
    now += op.dt;
    await time.setNextBlockTimestamp(now);
    if (op.kind === "in") {
      expect(model.inflow(now, op.amount)).to.equal(true);
      await breaker.connect(vault).recordInflow(token, op.amount, GAS);
      flows.push({ at: now, net: -op.amount });
    } else if (op.kind === "out") {
      const available = model.capacity(now);
      const requested = (available * op.permille) / 1_000n + (op.permille > 1_000n ? 1n : 0n);
      const tx =
        op.caller === "vault"
          ? breaker.connect(vault).recordOutflow(token, requested, GAS)
          : target.recordOutflow(token, requested, GAS);
      const refused = model.outflow(now, requested);
      if (refused === null) {
        await tx;
        flows.push({ at: now, net: requested });
      } else {
        await expect(tx)
          .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
          .withArgs(token, requested, refused);
      }
    } else if (op.kind === "flash") {
      // Deposit and withdraw in one transaction: the deposit plus a share of the capacity left before it.
      const before = model.capacity(now);
      const withdrawn = op.amount + (before * op.permille) / 1_000n + (op.permille > 1_000n ? 1n : 0n);
      const tx = target.depositThenWithdraw(token, op.amount, withdrawn, GAS);
      const probe = new RateLimitModel();
      Object.assign(probe, model);
      probe.inflow(now, op.amount);
      const refused = probe.outflow(now, withdrawn);
      if (refused === null) {
        await tx;
        Object.assign(model, probe);
        flows.push({ at: now, net: -op.amount }, { at: now, net: withdrawn });
      } else {
        await expect(tx)
          .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
          .withArgs(token, withdrawn, refused);
      }
    } else if (op.kind === "loss") {
      const liquidity = model.liquidity();
      const lost = (liquidity * op.permille) / 1_000n + (op.permille > 1_000n ? 1n : 0n);
      const capacityBefore = model.capacity(now);
      const tx = breaker.connect(vault).recordLoss(token, lost, GAS);
      if (model.loss(now, lost)) {
        await tx;
        // A loss never frees capacity, and the liquidity falls by exactly the loss.
        expect(model.capacity(now) <= capacityBefore).to.equal(true);
        expect(model.liquidity()).to.equal(liquidity - lost);
      } else {
        await expect(tx)
          .to.be.revertedWithCustomError(breaker, "LossExceedsLiquidity")
          .withArgs(token, liquidity, lost);
      }
    } else {
      await breaker.connect(governor).setOutflowLimit(token, op.bps, op.window, GAS);
      model.reconfigure(now, op.bps, op.window);
    }
    // The contract, the model and (for a fixed limit) the definition from the full history agree.
    expect(await breaker.trackedLiquidity(token)).to.equal(model.liquidity());
    const capacity = model.capacity(now);
    expect(await breaker.outflowCapacity(token)).to.equal(capacity);
    if (fixedLimit) expect(capacityFromLog(flows, now, BPS, W)).to.equal(capacity);
  }
  if (fixedLimit) {
    const violation = checkOutflowLimit(flows, BPS, W);
    assertInvariant(INV.BREAKER_OUTFLOW_LIMIT, violation === null, () => violation ?? "");
  }
}

describe("fuzz/breaker/RateLimiter against the TypeScript model", () => {
  it(`${INV.BREAKER_OUTFLOW_LIMIT}: random flows and timings, fixed limit: contract == model == definition`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(...flowOps), { minLength: 1, maxLength: 14 }), (ops) =>
        run(ops, true),
      ),
      fuzzParams(20),
    );
  });

  it("random flows, timings, booked losses and limit changes: contract == model", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { arbitrary: fc.oneof(...flowOps), weight: 4 },
            { arbitrary: limitOp, weight: 1 },
            { arbitrary: lossOp, weight: 1 },
          ),
          {
            minLength: 1,
            maxLength: 14,
          },
        ),
        (ops) => run(ops, false),
      ),
      fuzzParams(15),
    );
  });

  it("pure TypeScript: the incremental model equals the definition from the full history", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.bigInt({ min: 0n, max: 3n * W }),
            net: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
          }),
          { maxLength: 40 },
        ),
        fc.bigInt({ min: 0n, max: 10n * W }),
        (steps, tail) => {
          const model = new RateLimitModel();
          model.reconfigure(1_000n, BPS, W);
          const flows: Flow[] = [];
          let now = 1_000n;
          for (const step of steps) {
            now += step.dt;
            if (step.net < 0n) model.inflow(now, -step.net);
            else if (model.outflow(now, step.net) !== null) continue;
            flows.push({ at: now, net: step.net });
            expect(model.capacity(now)).to.equal(capacityFromLog(flows, now, BPS, W));
          }
          expect(model.capacity(now + tail)).to.equal(capacityFromLog(flows, now + tail, BPS, W));
          const violation = checkOutflowLimit(flows, BPS, W);
          assertInvariant(INV.BREAKER_OUTFLOW_LIMIT, violation === null, () => violation ?? "");
        },
      ),
      fuzzParams(300),
    );
  });
});
