import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { CollateralVault, InsuranceVault, MockERC20 } from "../../typechain-types";
import { preview, toAssets, toShares, type VaultState } from "../../scripts/lib/math/erc4626";
import { fuzzParams } from "../shared/fuzz";
import { INV, assertInvariant } from "../shared/invariants";
import { DECIMALS_OFFSET, vaultsFixture } from "../shared/fixtures/vaults";

type Vault = CollateralVault | InsuranceVault;
type OpKind = "deposit" | "mint" | "withdraw" | "redeem" | "donate";
interface Op {
  kind: OpKind;
  actor: number;
  /** An amount in assets or shares for deposit/mint/donate, a fraction in ppm of the maximum for withdraw/redeem. */
  amount: bigint;
}

/** Amounts across rounding-sensitive tiny values and large ones. */
const amountArb = fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 10n ** 24n }));
const opArb = (kinds: OpKind[]): fc.Arbitrary<Op> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    actor: fc.integer({ min: 0, max: 2 }),
    amount: amountArb,
  });
const PPM = 1_000_000n;

async function stateOf(vault: Vault): Promise<VaultState> {
  return { supply: await vault.totalSupply(), assets: await vault.totalAssets(), offset: DECIMALS_OFFSET };
}

/** INV_VAULT_BACKING: the token balance backs the booked assets; shares sum to the supply. */
async function checkBacking(vault: Vault, token: MockERC20, holders: HardhatEthersSigner[]): Promise<void> {
  const balance = await token.balanceOf(await vault.getAddress());
  const tracked = await vault.totalAssets();
  assertInvariant(INV.VAULT_BACKING, balance >= tracked, () => `balance ${balance} < totalAssets ${tracked}`);
  let sum = 0n;
  for (const h of holders) sum += await vault.balanceOf(h.address);
  assertInvariant(INV.VAULT_BACKING, sum === (await vault.totalSupply()), () => `shares ${sum} != supply`);
}

/**
 * INV_VAULT_ROUNDING: every preview equals the exact rational result rounded in the vault's favour (TypeScript
 * reference), and round trips never create value.
 */
async function checkRounding(vault: Vault, x: bigint): Promise<void> {
  const s = await stateOf(vault);
  const vs = s.supply + 10n ** s.offset;
  const va = s.assets + 1n;
  const pd = await vault.previewDeposit(x);
  const pm = await vault.previewMint(x);
  const pw = await vault.previewWithdraw(x);
  const pr = await vault.previewRedeem(x);
  assertInvariant(
    INV.VAULT_ROUNDING,
    pd === preview.deposit(s, x) && pd * va <= x * vs,
    () => `previewDeposit(${x})=${pd}`,
  );
  assertInvariant(
    INV.VAULT_ROUNDING,
    pm === preview.mint(s, x) && pm * vs >= x * va,
    () => `previewMint(${x})=${pm}`,
  );
  assertInvariant(
    INV.VAULT_ROUNDING,
    pw === preview.withdraw(s, x) && pw * va >= x * vs,
    () => `previewWithdraw(${x})=${pw}`,
  );
  assertInvariant(
    INV.VAULT_ROUNDING,
    pr === preview.redeem(s, x) && pr * vs <= x * va,
    () => `previewRedeem(${x})=${pr}`,
  );
  assertInvariant(
    INV.VAULT_ROUNDING,
    (await vault.convertToShares(x)) === toShares(s, x, "down"),
    () => "convertToShares",
  );
  assertInvariant(
    INV.VAULT_ROUNDING,
    (await vault.convertToAssets(x)) === toAssets(s, x, "down"),
    () => "convertToAssets",
  );
  // Round trips: deposit then redeem, or mint then withdraw, never yields more than was put in.
  assertInvariant(INV.VAULT_ROUNDING, preview.redeem(s, pd) <= x, () => `deposit->redeem of ${x} gains`);
  assertInvariant(INV.VAULT_ROUNDING, preview.withdraw(s, pm) >= x, () => `mint->withdraw of ${x} gains`);
}

/** Run `op` and check that its result equals its preview (taken just before, by the reference). */
async function runOp(
  vault: Vault,
  token: MockERC20,
  actors: HardhatEthersSigner[],
  op: Op,
  exits: boolean,
): Promise<void> {
  const who = actors[op.actor];
  const s = await stateOf(vault);
  const v = vault.connect(who);
  const wallet = await token.balanceOf(who.address);
  if ((op.kind === "deposit" || op.kind === "donate") && op.amount > wallet) return;
  if (op.kind === "mint" && preview.mint(s, op.amount) > wallet) return;
  // A depleted vault (price below 10^-18 per share) refuses deposits by design (VaultDepleted).
  if ((op.kind === "deposit" || op.kind === "mint") && s.supply > (s.assets + 1n) * 10n ** 18n) {
    expect(await vault.maxDeposit(who.address)).to.equal(0n);
    return;
  }
  // Beyond a deposit cap the vault refuses by design (ERC4626ExceededMaxDeposit / ERC4626ExceededMaxMint).
  if (op.kind === "deposit" && op.amount > (await vault.maxDeposit(who.address))) return;
  if (op.kind === "mint" && op.amount > (await vault.maxMint(who.address))) return;
  if (op.kind === "deposit") {
    const shares = preview.deposit(s, op.amount);
    if (shares === 0n) return;
    expect(await v.deposit.staticCall(op.amount, who.address)).to.equal(shares);
    await v.deposit(op.amount, who.address);
  } else if (op.kind === "mint") {
    const assets = preview.mint(s, op.amount);
    expect(await v.mint.staticCall(op.amount, who.address)).to.equal(assets);
    const before = await token.balanceOf(who.address);
    await v.mint(op.amount, who.address);
    expect(before - (await token.balanceOf(who.address))).to.equal(assets);
  } else if (op.kind === "withdraw" && exits) {
    const max = await vault.maxWithdraw(who.address);
    const assets = (max * op.amount) / 10n ** 24n;
    if (assets === 0n) return;
    const shares = preview.withdraw(s, assets);
    expect(await v.withdraw.staticCall(assets, who.address, who.address)).to.equal(shares);
    const before = await vault.balanceOf(who.address);
    await v.withdraw(assets, who.address, who.address);
    expect(before - (await vault.balanceOf(who.address))).to.equal(shares);
  } else if (op.kind === "redeem" && exits) {
    const max = await vault.maxRedeem(who.address);
    const shares = (max * op.amount) / 10n ** 24n;
    const assets = preview.redeem(s, shares);
    if (assets === 0n) return;
    expect(await v.redeem.staticCall(shares, who.address, who.address)).to.equal(assets);
    const before = await token.balanceOf(who.address);
    await v.redeem(shares, who.address, who.address);
    expect((await token.balanceOf(who.address)) - before).to.equal(assets);
  } else if (op.kind === "donate") {
    await token.connect(who).transfer(await vault.getAddress(), op.amount);
  }
}

describe("fuzz/vaults/CollateralVault and InsuranceVault: ERC-4626 rules", () => {
  it("previews equal the actual results and round in the vault's favour; balance backs the books (collateral)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb(["deposit", "mint", "withdraw", "redeem", "donate"]), { minLength: 1, maxLength: 8 }),
        amountArb,
        async (ops, probe) => {
          const { vault, token, alice, bob, carol } = await loadFixture(vaultsFixture);
          const actors = [alice, bob, carol];
          for (const op of ops) {
            await runOp(vault, token, actors, op, true);
            await checkRounding(vault, probe);
            await checkBacking(vault, token, actors);
          }
        },
      ),
      fuzzParams(25),
    );
  });

  it("previews and rounding hold at any share price (insurance vault: penalties and bad debt move it)", async () => {
    const priceMove = fc.record({ penalty: fc.boolean(), amount: amountArb });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(opArb(["deposit", "mint", "donate"]), priceMove), { minLength: 1, maxLength: 6 }),
        amountArb,
        async (steps, probe) => {
          const { insurance, quote, alice, bob, carol, clearing, treasury } =
            await loadFixture(vaultsFixture);
          const actors = [alice, bob, carol];
          for (const [op, move] of steps) {
            await runOp(insurance, quote, actors, op, false);
            if (move.penalty) {
              if (move.amount <= (await quote.balanceOf(clearing.address))) {
                await insurance.connect(clearing).payPenalty(move.amount);
              }
            } else await insurance.connect(clearing).coverBadDebt(move.amount, treasury.address);
            await checkRounding(insurance, probe);
            await checkBacking(insurance, quote, actors);
          }
        },
      ),
      fuzzParams(20),
    );
  });

  it("convertToShares and convertToAssets are monotone (and so are the previews)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(amountArb, fc.boolean()), { minLength: 1, maxLength: 4 }),
        amountArb,
        amountArb,
        async (moves, x, y) => {
          const { insurance, quote, alice, clearing, treasury } = await loadFixture(vaultsFixture);
          await insurance.connect(alice).deposit(10n ** 20n, alice.address);
          for (const [amount, up] of moves) {
            if (up) {
              if (amount <= (await quote.balanceOf(clearing.address))) {
                await insurance.connect(clearing).payPenalty(amount);
              }
            } else await insurance.connect(clearing).coverBadDebt(amount, treasury.address);
          }
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          expect(await insurance.convertToShares(lo)).to.be.lte(await insurance.convertToShares(hi));
          expect(await insurance.convertToAssets(lo)).to.be.lte(await insurance.convertToAssets(hi));
          expect(await insurance.previewDeposit(lo)).to.be.lte(await insurance.previewDeposit(hi));
          expect(await insurance.previewMint(lo)).to.be.lte(await insurance.previewMint(hi));
          expect(await insurance.previewWithdraw(lo)).to.be.lte(await insurance.previewWithdraw(hi));
          expect(await insurance.previewRedeem(lo)).to.be.lte(await insurance.previewRedeem(hi));
        },
      ),
      fuzzParams(30),
    );
  });

  it("no attacker sequence of deposits, donations and withdrawals takes an honest depositor's funds", async () => {
    /** Rounding dust the honest depositor may lose: one unit on the way in and one on the way out. */
    const DUST = 2n;
    const attackerOps = fc.array(opArb(["deposit", "mint", "withdraw", "redeem", "donate"]), {
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(attackerOps, attackerOps, amountArb, async (before, after, honestAssets) => {
        const { vault, token, alice, bob } = await loadFixture(vaultsFixture);
        // bob attacks around alice's deposit (front-running and back-running it); alice is honest.
        const attacker = [bob, bob, bob];
        const attackerStart = await token.balanceOf(bob.address);
        for (const op of before) await runOp(vault, token, attacker, op, true);
        if (preview.deposit(await stateOf(vault), honestAssets) === 0n) return;
        await vault.connect(alice).deposit(honestAssets, alice.address);
        for (const op of after) await runOp(vault, token, attacker, op, true);
        const bobShares = await vault.balanceOf(bob.address);
        if (bobShares > 0n && (await vault.previewRedeem(bobShares)) > 0n) {
          await vault.connect(bob).redeem(bobShares, bob.address, bob.address);
        }
        // Shares worth zero assets cannot be redeemed (the vault refuses with ZeroAssets): they count as 0 out.
        const aliceShares = await vault.balanceOf(alice.address);
        let aliceOut = 0n;
        if ((await vault.previewRedeem(aliceShares)) > 0n) {
          const aliceStart = await token.balanceOf(alice.address);
          await vault.connect(alice).redeem(aliceShares, alice.address, alice.address);
          aliceOut = (await token.balanceOf(alice.address)) - aliceStart;
        }
        assertInvariant(
          INV.VAULT_NO_THEFT,
          aliceOut + DUST >= honestAssets,
          () => `honest deposited ${honestAssets}, got back ${aliceOut}`,
        );
        const attackerEnd = await token.balanceOf(bob.address);
        assertInvariant(
          INV.VAULT_NO_THEFT,
          attackerEnd <= attackerStart,
          () => `attacker gained ${attackerEnd - attackerStart}`,
        );
      }),
      fuzzParams(30),
    );
  });
  it("MAX_DEPOSIT_ACCEPTED: deposit(maxDeposit) and mint(maxMint) never revert for the limit; one unit more does", async () => {
    /** Asserts the four calls for `who` on `vault` (static calls: the state is not changed). */
    async function checkLimits(vault: Vault, who: HardhatEthersSigner): Promise<void> {
      const v = vault.connect(who);
      const maxDeposit = await vault.maxDeposit(who.address);
      if (maxDeposit > 0n && (await vault.previewDeposit(maxDeposit)) > 0n) {
        await v.deposit.staticCall(maxDeposit, who.address);
      }
      await expect(v.deposit.staticCall(maxDeposit + 1n, who.address), "deposit(maxDeposit + 1)").to.be
        .reverted;
      const maxMint = await vault.maxMint(who.address);
      if (maxMint > 0n) await v.mint.staticCall(maxMint, who.address);
      await expect(v.mint.staticCall(maxMint + 1n, who.address), "mint(maxMint + 1)").to.be.reverted;
    }
    const capArb = fc.option(fc.bigInt({ min: 0n, max: 10n ** 25n }), { nil: undefined });
    const priceMove = fc.record({ penalty: fc.boolean(), amount: amountArb });
    await fc.assert(
      fc.asyncProperty(
        capArb,
        fc.array(fc.tuple(opArb(["deposit", "mint", "withdraw", "redeem", "donate"]), priceMove), {
          maxLength: 5,
        }),
        async (cap, steps) => {
          const { vault, insurance, token, quote, alice, bob, carol, clearing, governor, treasury } =
            await loadFixture(vaultsFixture);
          if (cap !== undefined) await vault.connect(governor).setDepositCap(cap);
          const actors = [alice, bob, carol];
          for (const [op, move] of steps) {
            await runOp(vault, token, actors, op, true);
            await runOp(
              insurance,
              quote,
              actors,
              { ...op, kind: op.kind === "donate" ? "donate" : "deposit" },
              false,
            );
            if (move.penalty) {
              if (move.amount <= (await quote.balanceOf(clearing.address))) {
                await insurance.connect(clearing).payPenalty(move.amount);
              }
            } else await insurance.connect(clearing).coverBadDebt(move.amount, treasury.address);
          }
          // carol can pay for any deposit the vaults accept (at most 2^127 - 1 assets each).
          await token.mint(carol.address, 2n ** 128n);
          await quote.mint(carol.address, 2n ** 128n);
          await checkLimits(vault, carol);
          await checkLimits(insurance, carol);
        },
      ),
      fuzzParams(20),
    );
  });
});
