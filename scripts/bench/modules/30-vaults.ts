import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { BenchRow } from "../types";
import { deployGovernance } from "../../../test/shared/deployers/governance";
import { Roles } from "../../lib/roles";
import { createCollateralVault, deployVaultFactory, NO_CAP } from "../../../test/shared/deployers/vaults";
import { deployBreaker } from "../../../test/shared/deployers/breaker";

/** The target: within +15% of the plain OpenZeppelin ERC4626 over the same token. */
const BUDGET_PCT = 115n;
const E18 = 10n ** 18n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

/**
 * deposit, mint, withdraw, redeem of the CollateralVault beside a plain OpenZeppelin ERC4626 over the same token,
 * in the same run. Steady state: both vaults already hold other users' deposits, the measured user already holds
 * shares and tokens, and each operation is measured on its second call, so no measured transaction pays for a
 * zero-to-non-zero storage write that only a first-ever user pays. The CollateralVault runs against the real CircuitBreaker
 * with a generous outflow limit (100% of liquidity per day), so the rate limiter's bookkeeping is measured too.
 */
export async function bench(): Promise<BenchRow[]> {
  const [deployer, governor, seed, user] = await ethers.getSigners();
  const gov = await deployGovernance(deployer, {
    timelockDelaySeconds: 86_400n,
    proposers: [governor.address],
    executors: [],
    guardians: [],
  });
  await (await gov.manager.grantRole(Roles.GOVERNOR_ROLE, governor.address, 0)).wait();
  const token = await ethers.deployContract("MockERC20", ["Bench token", "BEN", 18]);
  const breaker = await deployBreaker(gov.manager, deployer, {
    cooldownSeconds: 3_600n,
    gracePeriodSeconds: 600n,
    outflowLimits: [{ token: await token.getAddress(), maxOutflowBps: 10_000n, windowSeconds: 86_400n }],
  });
  const factory = await deployVaultFactory(gov.manager, deployer, breaker);
  const ours = await createCollateralVault(gov.manager, deployer, governor, factory, {
    asset: await token.getAddress(),
    name: "optiq BEN",
    symbol: "oBEN",
    depositCap: NO_CAP,
    permissioned: false,
  });
  const plain = await ethers.deployContract("PlainERC4626", [await token.getAddress()]);

  const measure = async (vault: typeof ours | typeof plain) => {
    const address = await vault.getAddress();
    for (const who of [seed, user]) {
      await (await token.mint(who.address, 1_000_000n * E18)).wait();
      await (await token.connect(who).approve(address, ethers.MaxUint256)).wait();
      await (await vault.connect(who).deposit(1_000n * E18, who.address)).wait();
    }
    const v = vault.connect(user);
    const shares = await vault.previewDeposit(10n * E18);
    const run = {
      deposit: () => v.deposit(10n * E18, user.address),
      mint: () => v.mint(shares, user.address),
      withdraw: () => v.withdraw(10n * E18, user.address, user.address),
      redeem: () => v.redeem(shares, user.address, user.address),
    };
    const gas: Record<string, bigint> = {};
    for (const [name, call] of Object.entries(run)) {
      await gasOf(call()); // warm-up: the steady state of a returning user
      gas[name] = await gasOf(call());
    }
    return gas;
  };
  const plainGas = await measure(plain);
  const ourGas = await measure(ours);
  return ["deposit", "mint", "withdraw", "redeem"].map((op) => ({
    module: "vaults",
    operation: `CollateralVault.${op}`,
    gas: ourGas[op],
    reference: `plain OZ ERC4626.${op}`,
    referenceGas: plainGas[op],
    budget: (plainGas[op] * BUDGET_PCT) / 100n,
    note: "tx gasUsed, steady state (2nd call, warm balances)",
  }));
}
