/** OptionsClearing, settleAccount and lazy settlement: debits, long credits from the series' pool, debt repayment, rounding. */
import { expect } from "chai";
import { WAD, mulWadDown, mulWadUp, scale } from "../../../scripts/lib/math/wad";
import { preview, toAssets, toShares } from "../../../scripts/lib/math/erc4626";
import { INV, assertInvariant } from "../../shared/invariants";
import { DAY, USDC_UNIT } from "../../shared/fixtures/system";
import {
  ONE,
  STRIKE,
  USDC_DECIMALS,
  fieldsOf,
  healthsAt,
  quoteShares,
  settleAt,
  vaultState,
  withSeries,
} from "../../shared/fixtures/clearing-edge";

describe("unit/options/OptionsClearing.settleAccount", () => {
  describe("settlement outcomes", () => {
    it("an out-of-the-money short settles with no debit and no debt event", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      const v = await usdcVault.getAddress();
      const shares = await clearing.collateralOf(writer, v);
      await settleAt(sys, expiry, 2000n * WAD, [call]);
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "PositionSettled")
        .withArgs(writer, call, -ONE, 0n)
        .and.not.to.emit(clearing, "DebtUpdated");
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.seriesOf(writer)).to.deep.equal([]);
      expect(await clearing.collateralOf(writer, v)).to.equal(shares);
    });
  });

  describe("lazy settlement: pending values, long credits, debt repayment", () => {
    it("health() is the account after its pending settlement: the short's debit repaid, the long credited once paid", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, expiry, list, fundAccount } = sys;
      const later = await list(STRIKE, expiry + 7 * DAY, true);
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(alice).write(writer, later, ONE, alice.address);
      // A control account with the same open series and collateral, but nothing to settle.
      const control = await fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(carol).write(control, later, ONE, carol.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);

      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);
      const payout = price - STRIKE;
      const debit = mulWadUp(ONE, payout);
      // Nobody has touched the accounts: stored debt and positions are as before settlement.
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.seriesOf(writer)).to.deep.equal([call, later]);

      // The writer: its debit is paid from its quote collateral, so no debt is left and the requirement is the
      // control's. The holder: the short has not paid yet, so its long's credit cannot be paid and is not valued.
      const [h, c, held] = await healthsAt(sys, [writer, control, holder]);
      expect(h.debtWad).to.equal(0n);
      expect([h.maintenanceWad, h.initialWad]).to.deep.equal([c.maintenanceWad, c.initialWad]);
      expect(c.collateralValueWad - h.collateralValueWad).to.equal(debit);
      expect([held.collateralValueWad, held.maintenanceWad, held.initialWad, held.debtWad]).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
      ]);

      // Applying the writer's settlement changes nothing health() showed; it fills the pool, so the holder's long
      // is now valued at its payout, and applying the holder's settlement changes nothing either.
      await clearing.settleAccount(writer);
      const [after, c2, heldNow] = await healthsAt(sys, [writer, control, holder]);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      // (A later block: the open series' requirement has decayed, so it is compared with the control's again.)
      expect([after.collateralValueWad, after.debtWad]).to.deep.equal([h.collateralValueWad, h.debtWad]);
      expect([after.maintenanceWad, after.initialWad]).to.deep.equal([c2.maintenanceWad, c2.initialWad]);
      expect(heldNow.collateralValueWad).to.equal(mulWadDown(ONE, payout));
      await clearing.settleAccount(holder);
      const [heldAfter] = await healthsAt(sys, [holder]);
      expect(fieldsOf(heldAfter)).to.deep.equal(fieldsOf(heldNow));
    });

    it("credits a long held in an account as quote shares once its short has paid (INV_SOLVENCY)", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, usdc, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);
      await clearing.settleAccount(writer);
      expect(await clearing.debtOf(writer)).to.equal(0n);

      const creditWad = mulWadDown(ONE, price - STRIKE);
      const creditAssets = scale(creditWad, 18, USDC_DECIMALS, false);
      const shares = toShares(await vaultState(usdcVault), creditAssets, "down");
      await expect(clearing.settleAccount(holder))
        .to.emit(clearing, "PositionSettled")
        .withArgs(holder, call, ONE, creditWad);
      const v = await usdcVault.getAddress();
      expect(await clearing.collateralOf(holder, v)).to.equal(shares);
      expect(await clearing.seriesOf(holder)).to.deep.equal([]);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
      await clearing.connect(bob).withdrawCollateral(holder, v, shares, bob.address);
      await usdcVault.connect(bob).redeem(shares, bob.address, bob.address);
      expect(await usdc.balanceOf(bob.address)).to.equal(creditAssets);
    });

    it("repays settlement debt partially from too few quote shares, then fully from a later quote deposit", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, usdcVault, fundAccount, fundVaultShares } = sys;
      const writer = await fundAccount(alice, "weth", 2n * WAD);
      const v = await usdcVault.getAddress();
      const smallShares = await fundVaultShares(alice, "usdc", 100n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(writer, v, smallShares);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      const price = 2600n * WAD;
      await settleAt(sys, expiry, price, [call]);

      const debit = mulWadUp(ONE, price - STRIKE);
      const paidWad = scale(
        toAssets(await vaultState(usdcVault), smallShares, "down"),
        USDC_DECIMALS,
        18,
        false,
      );
      expect(paidWad < debit).to.equal(true);
      // The debit is paid at once from the quote collateral as far as it goes: only the rest is booked as debt.
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "DebtUpdated")
        .withArgs(writer, debit - paidWad);
      expect(await clearing.debtOf(writer)).to.equal(debit - paidWad);
      expect(await clearing.collateralOf(writer, v)).to.equal(0n);
      // The paid shares left the account's balance for the series' pool.
      expect(await clearing.totalCollateral(v)).to.equal(0n);

      const remaining = debit - paidWad;
      const topUp = await fundVaultShares(alice, "usdc", 500n * USDC_UNIT);
      const needed = preview.withdraw(await vaultState(usdcVault), scale(remaining, 18, USDC_DECIMALS, true));
      await expect(clearing.connect(alice).depositCollateral(writer, v, topUp))
        .to.emit(clearing, "DebtUpdated")
        .withArgs(writer, 0n);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      expect(await clearing.collateralOf(writer, v)).to.equal(topUp - needed);
      expect((await clearing.health(writer)).debtWad).to.equal(0n);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
    });

    it("credits a long held in an account only once its short has paid: the pool never borrows a bystander's shares", async () => {
      // Regression (found by the invariant campaign and this suite): lazy settlement used to credit an in-account
      // long with quote-vault shares before its short paid, so an unrelated depositor's shares backed the credit.
      const sys = await withSeries();
      const { clearing, alice, bob, carol, call, expiry, usdcVault, fundAccount, fundVaultShares } = sys;
      const bystander = await fundAccount(carol, "usdc", 10_000n * USDC_UNIT);
      const v = await usdcVault.getAddress();
      const bystanderShares = await clearing.collateralOf(bystander, v);
      const writer = await fundAccount(alice, "weth", 2n * WAD); // no quote collateral to pay a debit
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      await settleAt(sys, expiry, 2600n * WAD, [call]);
      await clearing.settleAccount(writer);
      await clearing.settleAccount(holder);
      expect(await clearing.debtOf(writer)).to.equal(400n * WAD); // the short has not paid
      // The long stays pending: no shares credited, the position still in the account, and health() does not value
      // it (as the margin check does not) until its short has paid.
      expect(await clearing.collateralOf(holder, v)).to.equal(0n);
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      expect((await clearing.health(holder)).collateralValueWad).to.equal(0n);
      const { held, owned } = await quoteShares(sys);
      assertInvariant(INV.SOLVENCY, held >= owned, () => `held ${held} < owned ${owned}`);
      // The bystander can always take its own collateral out.
      await clearing.connect(carol).withdrawCollateral(bystander, v, bystanderShares, carol.address);
      // Once the short repays (a quote top-up of its account), the holder's next settlement is credited.
      const shares = await fundVaultShares(alice, "usdc", 400n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(writer, v, shares);
      expect(await clearing.debtOf(writer)).to.equal(0n);
      await clearing.settleAccount(holder);
      expect(await clearing.positionOf(holder, call)).to.equal(0n);
      expect(await usdcVault.convertToAssets(await clearing.collateralOf(holder, v))).to.equal(
        400n * USDC_UNIT,
      );
      const after = await quoteShares(sys);
      assertInvariant(
        INV.SOLVENCY,
        after.held >= after.owned,
        () => `held ${after.held} < owned ${after.owned}`,
      );
    });
  });

  describe("rounding in the protocol's favour (kills the mutation check's rounding mutants)", () => {
    it("debits a settled short's payout rounded up", async () => {
      const sys = await withSeries();
      const { clearing, alice, bob, call, expiry, fundAccount } = sys;
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      const amount = ONE + 1n; // one contract and one wei: amount x payout is not a whole number of wei
      await clearing.connect(alice).write(writer, call, amount, bob.address);
      // 2,600.00000001 (the feeds' last decimal): payout 400.00000001 per contract.
      const price = 2600n * WAD + 10n ** 10n;
      await settleAt(sys, expiry, price, [call]);
      const payout = price - STRIKE;
      expect(mulWadUp(amount, payout)).to.not.equal(mulWadDown(amount, payout));
      await expect(clearing.settleAccount(writer))
        .to.emit(clearing, "PositionSettled")
        .withArgs(writer, call, -amount, -mulWadUp(amount, payout));
    });
  });
});
