import { ethers, network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  deployGovernance,
  handOverToTimelock,
  restrictFunctions,
} from "../../../test/shared/deployers/governance";
import { deployBreaker } from "../../../test/shared/deployers/breaker";
import { Roles } from "../../lib/roles";
import type { BenchRow } from "../types";

const DAY = 86_400n;
const UNTRIPPED_CHECK_BUDGET = 5_000n;
const RATE_LIMIT_BUDGET = 10_000n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt!.gasUsed;
}

/**
 * The CircuitBreaker's costs as seen by a guarded module, each beside the same call without the guard, in one run:
 * GuardedTargetMock vs UnguardedTargetMock (same functions, same storage writes). Every measured transaction is in
 * the steady state: the targets' counters and the limiter's slots are already non-zero, and no bucket rolls over.
 */
export async function bench(): Promise<BenchRow[]> {
  const [deployer, proposer, guardian] = await ethers.getSigners();
  const gov = await deployGovernance(deployer, {
    timelockDelaySeconds: 2n * DAY,
    proposers: [proposer.address],
    executors: [],
    guardians: [guardian.address],
  });
  const token = ethers.getAddress("0x000000000000000000000000000000000000a11c");
  const asset = ethers.getAddress("0x000000000000000000000000000000000000e7e7");
  const breaker = await deployBreaker(gov.manager, deployer, {
    cooldownSeconds: 6n * 3600n,
    gracePeriodSeconds: 3600n,
    outflowLimits: [{ token, maxOutflowBps: 1_000n, windowSeconds: DAY }],
  });
  const sink = await ethers.deployContract("VaultGatedNoopMock", [await gov.manager.getAddress()]);
  await restrictFunctions(gov.manager, deployer, sink, ["recordOutflow"], Roles.VAULT_ROLE);
  const guarded = await ethers.deployContract("GuardedTargetMock", [await breaker.getAddress()]);
  const plain = await ethers.deployContract("UnguardedTargetMock", [await sink.getAddress()]);
  for (const holder of [guarded, plain]) {
    await (await gov.manager.grantRole(Roles.VAULT_ROLE, await holder.getAddress(), 0)).wait();
    await (await breaker.syncVault(await holder.getAddress())).wait();
    await (await sink.syncVault(await holder.getAddress())).wait();
  }
  await handOverToTimelock(gov, deployer);

  // Liquidity, two quiet buckets, then one outflow so both limiter slots are non-zero; all measured below in
  // the same bucket, early in it.
  await (await guarded.deposit(token, 10n ** 30n)).wait();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await network.provider.send("evm_setNextBlockTimestamp", [Number((now / DAY + 2n) * DAY + 1n)]);
  await (await guarded.recordOutflow(token, 1n)).wait();
  await (await plain.recordOutflow(token, 1n)).wait();

  const checkScope = await gasOf(guarded.withdrawAction());
  const checkScopeRef = await gasOf(plain.withdrawAction());
  const checkAction = await gasOf(guarded.writeAction(asset));
  const checkActionRef = await gasOf(plain.writeAction(asset));
  const checkLiquidation = await gasOf(guarded.liquidateAction(asset));
  const checkLiquidationRef = await gasOf(plain.liquidateAction(asset));
  const outflow = await gasOf(guarded.recordOutflow(token, 10n ** 18n));
  const outflowRef = await gasOf(plain.recordOutflow(token, 10n ** 18n));
  const outflowTwice = await gasOf(guarded.recordOutflowTwice(token, 10n ** 18n, 10n ** 18n));
  const outflowTwiceRef = await gasOf(plain.recordOutflowTwice(token, 10n ** 18n, 10n ** 18n));
  const withdraw = await gasOf(guarded.withdraw(token, 10n ** 18n));
  const withdrawRef = await gasOf(plain.withdraw(token, 10n ** 18n));

  const coldBookkeeping = outflow - outflowRef;
  const warmBookkeeping = outflowTwice - outflowTwiceRef - coldBookkeeping;
  return [
    {
      module: "breaker",
      operation: "onlyUntripped(WITHDRAW), nothing tripped",
      gas: checkScope,
      reference: "same call, no guard",
      referenceGas: checkScopeRef,
      budget: checkScopeRef + UNTRIPPED_CHECK_BUDGET,
      note: `guard adds ${checkScope - checkScopeRef} (budget ${UNTRIPPED_CHECK_BUDGET}); cold breaker account + one cold SLOAD`,
    },
    {
      module: "breaker",
      operation: "onlyUntrippedFor(WRITE, asset), nothing tripped",
      gas: checkAction,
      reference: "same call, no guard",
      referenceGas: checkActionRef,
      budget: checkActionRef + UNTRIPPED_CHECK_BUDGET,
      note: `guard adds ${checkAction - checkActionRef} (budget ${UNTRIPPED_CHECK_BUDGET})`,
    },
    {
      module: "breaker",
      operation: "onlyLiquidationAllowed(asset), nothing tripped or in grace",
      gas: checkLiquidation,
      reference: "same call, no guard",
      referenceGas: checkLiquidationRef,
      budget: checkLiquidationRef + UNTRIPPED_CHECK_BUDGET,
      note: `guard adds ${checkLiquidation - checkLiquidationRef} (budget ${UNTRIPPED_CHECK_BUDGET})`,
    },
    {
      module: "breaker",
      operation: "recordOutflow (cold, non-zero slots)",
      gas: outflow,
      reference: "same call and access check to a no-op (VaultGatedNoopMock)",
      referenceGas: outflowRef,
      budget: outflowRef + RATE_LIMIT_BUDGET,
      note: `bookkeeping adds ${coldBookkeeping} (budget ${RATE_LIMIT_BUDGET}); both check the mirrored VAULT_ROLE`,
    },
    {
      module: "breaker",
      operation: "recordOutflow x2 in one tx (2nd on warm slots)",
      gas: outflowTwice,
      reference: "same two calls to the no-op",
      referenceGas: outflowTwiceRef,
      budget: outflowTwiceRef + coldBookkeeping + RATE_LIMIT_BUDGET,
      note: `warm bookkeeping adds ${warmBookkeeping} (budget ${RATE_LIMIT_BUDGET})`,
    },
    {
      module: "breaker",
      operation: "guarded withdrawal: onlyUntripped + recordOutflow",
      gas: withdraw,
      reference: "same call, no guard, no limiter",
      referenceGas: withdrawRef,
      note: `adds ${withdraw - withdrawRef} in all, incl. the check of the mirrored VAULT_ROLE`,
    },
  ];
}
