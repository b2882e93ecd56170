import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Scopes } from "../../../scripts/lib/scopes";
import { WAD, mulWadDown } from "../../../scripts/lib/math/wad";
import { deploySystem, DAY, SPOT_WETH, USDC_UNIT } from "../../shared/fixtures/system";

const STRIKE = 2200n * WAD;
const ONE = WAD; // one contract

describe("unit/options/OptionsClearing", () => {
  async function withSeries() {
    const sys = await loadFixture(deploySystem);
    const expiry = (await time.latest()) + 7 * DAY;
    const call = await sys.list(STRIKE, expiry, true);
    const put = await sys.list(1800n * WAD, expiry, false);
    return { ...sys, expiry, call, put };
  }

  describe("listing", () => {
    it("lists a series under its deterministic id with its terms", async () => {
      const { clearing, weth, call, expiry } = await withSeries();
      expect(call).to.equal(await clearing.seriesIdOf(await weth.getAddress(), STRIKE, expiry, true));
      const s = await clearing.series(call);
      expect(s.underlying).to.equal(await weth.getAddress());
      expect(s.strikeWad).to.equal(STRIKE);
      expect(s.expiry).to.equal(BigInt(expiry));
      expect(s.isCall).to.equal(true);
      expect(s.settled).to.equal(false);
    });

    it("refuses a strike outside the underlying's bounds", async () => {
      const { clearing, weth, lister, expiry } = await withSeries();
      const cfg = await clearing.underlyingConfig(await weth.getAddress());
      const tooHigh = cfg.maxStrikeWad + 1n;
      await expect(clearing.connect(lister).listSeries(await weth.getAddress(), tooHigh, expiry, true))
        .to.be.revertedWithCustomError(clearing, "StrikeOutOfBounds")
        .withArgs(await weth.getAddress(), tooHigh, cfg.minStrikeWad, cfg.maxStrikeWad);
    });

    it("refuses an expiry in the past or beyond the listing window", async () => {
      const { clearing, weth, lister } = await withSeries();
      const now = await time.latest();
      await expect(
        clearing.connect(lister).listSeries(await weth.getAddress(), STRIKE, now - 1, true),
      ).to.be.revertedWithCustomError(clearing, "ExpiryOutOfBounds");
      const cfg = await clearing.underlyingConfig(await weth.getAddress());
      const far = BigInt(now) + cfg.maxTimeToExpirySeconds + 10n * DAY_BI;
      await expect(
        clearing.connect(lister).listSeries(await weth.getAddress(), STRIKE, far, true),
      ).to.be.revertedWithCustomError(clearing, "ExpiryOutOfBounds");
    });

    it("refuses an underlying that is not enabled, a duplicate, and a caller without the lister role", async () => {
      const { clearing, usdc, weth, lister, alice, expiry } = await withSeries();
      await expect(clearing.connect(lister).listSeries(await usdc.getAddress(), STRIKE, expiry, true))
        .to.be.revertedWithCustomError(clearing, "UnderlyingNotEnabled")
        .withArgs(await usdc.getAddress());
      const id = await clearing.seriesIdOf(await weth.getAddress(), STRIKE, expiry, true);
      await expect(clearing.connect(lister).listSeries(await weth.getAddress(), STRIKE, expiry, true))
        .to.be.revertedWithCustomError(clearing, "SeriesAlreadyListed")
        .withArgs(id);
      await expect(
        clearing.connect(alice).listSeries(await weth.getAddress(), STRIKE, expiry + 1, true),
      ).to.be.revertedWithCustomError(clearing, "AccessManagedUnauthorized");
    });
  });

  describe("accounts and collateral", () => {
    it("opens accounts with increasing ids owned by the caller", async () => {
      const { clearing, alice, bob } = await withSeries();
      const before = await clearing.accountCount();
      await expect(clearing.connect(alice).openAccount())
        .to.emit(clearing, "AccountOpened")
        .withArgs(before + 1n, alice.address);
      await clearing.connect(bob).openAccount();
      expect(await clearing.ownerOf(before + 1n)).to.equal(alice.address);
      expect(await clearing.ownerOf(before + 2n)).to.equal(bob.address);
    });

    it("values collateral at oracle price less the haircut", async () => {
      const { clearing, alice, fundAccount, wethVault } = await withSeries();
      const id = await fundAccount(alice, "weth", 2n * WAD);
      const cfg = await clearing.collateralConfig(await wethVault.getAddress());
      const expected = mulWadDown(mulWadDown(2n * WAD, SPOT_WETH), WAD - cfg.haircutWad);
      const h = await clearing.health(id);
      // convertToAssets may lose at most one wei of the asset to rounding in the vault's favour.
      expect(h.collateralValueWad <= expected).to.equal(true);
      expect(expected - h.collateralValueWad <= SPOT_WETH / WAD + 1n).to.equal(true);
    });

    it("refuses a deposit of zero or into an unapproved vault, leaving the account unchanged", async () => {
      const { clearing, alice, fundAccount, usdcVault, weth } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      const before = await clearing.collateralOf(id, await usdcVault.getAddress());
      await expect(
        clearing.connect(alice).depositCollateral(id, await usdcVault.getAddress(), 0),
      ).to.be.revertedWithCustomError(clearing, "ZeroAmount");
      await expect(clearing.connect(alice).depositCollateral(id, await weth.getAddress(), 1))
        .to.be.revertedWithCustomError(clearing, "CollateralNotApproved")
        .withArgs(await weth.getAddress());
      expect(await clearing.collateralOf(id, await usdcVault.getAddress())).to.equal(before);
    });

    it("refuses a withdrawal beyond the balance and one by a non-owner non-operator", async () => {
      const { clearing, alice, bob, fundAccount, usdcVault } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      const vault = await usdcVault.getAddress();
      const bal = await clearing.collateralOf(id, vault);
      await expect(clearing.connect(alice).withdrawCollateral(id, vault, bal + 1n, alice.address))
        .to.be.revertedWithCustomError(clearing, "InsufficientCollateral")
        .withArgs(id, vault, bal + 1n, bal);
      await expect(clearing.connect(bob).withdrawCollateral(id, vault, 1n, bob.address))
        .to.be.revertedWithCustomError(clearing, "NotOwnerOrOperator")
        .withArgs(id, bob.address);
    });

    it("lets an approved operator act for the owner, and not after revocation", async () => {
      const { clearing, alice, bob, fundAccount, usdcVault } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      const vault = await usdcVault.getAddress();
      await expect(clearing.connect(alice).setOperator(bob.address, true))
        .to.emit(clearing, "OperatorSet")
        .withArgs(alice.address, bob.address, true);
      await clearing.connect(bob).withdrawCollateral(id, vault, 1n, bob.address);
      expect(await usdcVault.balanceOf(bob.address)).to.equal(1n);
      await clearing.connect(alice).setOperator(bob.address, false);
      await expect(clearing.connect(bob).withdrawCollateral(id, vault, 1n, bob.address))
        .to.be.revertedWithCustomError(clearing, "NotOwnerOrOperator")
        .withArgs(id, bob.address);
    });

    it("refuses a withdrawal that would leave the account below initial margin, state unchanged", async () => {
      const { clearing, alice, bob, fundAccount, usdcVault, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 2000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, bob.address);
      const vault = await usdcVault.getAddress();
      const bal = await clearing.collateralOf(id, vault);
      await expect(
        clearing.connect(alice).withdrawCollateral(id, vault, bal, alice.address),
      ).to.be.revertedWithCustomError(clearing, "BelowInitialMargin");
      expect(await clearing.collateralOf(id, vault)).to.equal(bal);
    });
  });

  describe("write", () => {
    it("opens a short, mints the longs to the recipient and keeps open interest balanced", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await expect(clearing.connect(alice).write(id, call, 2n * ONE, bob.address))
        .to.emit(clearing, "Written")
        .withArgs(id, call, bob.address, 2n * ONE);
      expect(await clearing.positionOf(id, call)).to.equal(-2n * ONE);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(2n * ONE);
      const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
      expect(shorts).to.equal(inAccounts + tokens);
      expect(shorts).to.equal(2n * ONE);
      const h = await clearing.health(id);
      expect(h.collateralValueWad >= h.initialWad).to.equal(true);
      expect(h.initialWad > h.maintenanceWad).to.equal(true);
    });

    it("refuses to write without enough collateral (BelowInitialMargin), state unchanged", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 10n * USDC_UNIT);
      await expect(
        clearing.connect(alice).write(id, call, 10n * ONE, bob.address),
      ).to.be.revertedWithCustomError(clearing, "BelowInitialMargin");
      expect(await clearing.positionOf(id, call)).to.equal(0n);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(0n);
    });

    it("never opens a tiny short without collateral, however small the amount and low the strike", async () => {
      const { clearing, alice, bob, lister, weth, expiry } = await withSeries();
      const cfg = await clearing.underlyingConfig(await weth.getAddress());
      const lowPut = await clearing.seriesIdOf(await weth.getAddress(), cfg.minStrikeWad, expiry, false);
      await clearing.connect(lister).listSeries(await weth.getAddress(), cfg.minStrikeWad, expiry, false);
      await clearing.connect(alice).openAccount();
      const id = await clearing.accountCount();
      await expect(clearing.connect(alice).write(id, lowPut, 1n, bob.address)).to.be.reverted;
      expect(await clearing.positionOf(id, lowPut)).to.equal(0n);
      const h = await clearing.health(id);
      expect(h.initialWad).to.equal(0n);
    });

    it("refuses an unlisted series, a zero amount and an amount that overflows a signed position", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1000n * USDC_UNIT);
      await expect(clearing.connect(alice).write(id, 12345n, ONE, bob.address))
        .to.be.revertedWithCustomError(clearing, "SeriesNotListed")
        .withArgs(12345n);
      await expect(clearing.connect(alice).write(id, call, 0n, bob.address)).to.be.revertedWithCustomError(
        clearing,
        "ZeroAmount",
      );
      const huge = 2n ** 255n;
      await expect(clearing.connect(alice).write(id, call, huge, bob.address))
        .to.be.revertedWithCustomError(clearing, "AmountTooLarge")
        .withArgs(huge);
    });

    it("refuses to write at exactly the expiry timestamp, and allows it one second before", async () => {
      const { clearing, alice, bob, fundAccount, call, expiry, refreshPrices } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await time.increaseTo(expiry - 30);
      await refreshPrices();
      await time.setNextBlockTimestamp(expiry - 1);
      await clearing.connect(alice).write(id, call, ONE / 10n, bob.address);
      await time.setNextBlockTimestamp(expiry);
      await expect(clearing.connect(alice).write(id, call, ONE / 10n, bob.address))
        .to.be.revertedWithCustomError(clearing, "SeriesExpired")
        .withArgs(call, expiry);
    });

    it("refuses a new series once the account holds the maximum", async () => {
      const { clearing, alice, bob, fundAccount, list, expiry } = await withSeries();
      const id = await fundAccount(alice, "usdc", 1_000_000n * USDC_UNIT);
      const max = await clearing.MAX_SERIES_PER_ACCOUNT();
      for (let i = 0n; i < max; i++) {
        const s = await list(3000n * WAD + i * 50n * WAD, expiry, true);
        await clearing.connect(alice).write(id, s, ONE / 100n, bob.address);
      }
      const extra = await list(1500n * WAD, expiry, false);
      await expect(clearing.connect(alice).write(id, extra, ONE / 100n, bob.address))
        .to.be.revertedWithCustomError(clearing, "TooManySeries")
        .withArgs(id, max);
      expect((await clearing.seriesOf(id)).length).to.equal(Number(max));
    });

    it("nets spreads: a call spread needs less margin than its naked short leg", async () => {
      const { clearing, alice, bob, fundAccount, call, list, expiry } = await withSeries();
      const naked = await fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
      await clearing.connect(alice).write(naked, call, ONE, bob.address);
      const spread = await fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
      const higher = await list(STRIKE + 200n * WAD, expiry, true);
      const helper = await fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
      await clearing.connect(bob).write(helper, higher, ONE, alice.address);
      await clearing.connect(alice).depositLongs(spread, higher, ONE);
      await clearing.connect(alice).write(spread, call, ONE, bob.address);
      const nakedReq = (await clearing.health(naked)).maintenanceWad;
      const spreadReq = (await clearing.health(spread)).maintenanceWad;
      expect(spreadReq < nakedReq).to.equal(true);
      // A call spread can never lose more than the strike difference per contract.
      expect(spreadReq <= 200n * WAD + mulWadDown(nakedReq, WAD / 10n)).to.equal(true);
    });
  });

  describe("close and longs", () => {
    it("burns longs against a short; anyone holding longs may close any account's short", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, 2n * ONE, bob.address);
      await expect(clearing.connect(bob).close(id, call, ONE))
        .to.emit(clearing, "Closed")
        .withArgs(id, call, bob.address, ONE);
      expect(await clearing.positionOf(id, call)).to.equal(-ONE);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
      const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
      expect(shorts).to.equal(inAccounts + tokens);
    });

    it("refuses to close more than the short", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, alice.address);
      await expect(clearing.connect(alice).close(id, call, 2n * ONE))
        .to.be.revertedWithCustomError(clearing, "CloseExceedsShort")
        .withArgs(id, call, 2n * ONE, ONE);
      expect(bob.address).to.not.equal(alice.address);
    });

    it("moves longs into an account and out again, refusing more than held", async () => {
      const { clearing, alice, bob, fundAccount, call } = await withSeries();
      const writer = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await clearing.connect(bob).openAccount();
      const holder = await clearing.accountCount();
      await clearing.connect(bob).depositLongs(holder, call, ONE);
      expect(await clearing.positionOf(holder, call)).to.equal(ONE);
      await expect(clearing.connect(bob).withdrawLongs(holder, call, 2n * ONE, bob.address))
        .to.be.revertedWithCustomError(clearing, "InsufficientLongs")
        .withArgs(holder, call, 2n * ONE, ONE);
      await clearing.connect(bob).withdrawLongs(holder, call, ONE, bob.address);
      expect(await clearing.balanceOf(bob.address, call)).to.equal(ONE);
      const [shorts, inAccounts, tokens] = await clearing.openInterest(call);
      expect(shorts).to.equal(inAccounts + tokens);
    });
  });

  describe("breaker guards (INV_BREAKER_GUARDS)", () => {
    it("blocks write and withdrawals while tripped, and never blocks deposits and closes", async () => {
      const { clearing, breaker, guardian, alice, bob, fundAccount, call, usdcVault, weth, fundVaultShares } =
        await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, bob.address);
      await breaker.connect(guardian).pause(Scopes.asset(await weth.getAddress()), "test");
      await expect(clearing.connect(alice).write(id, call, ONE, bob.address)).to.be.revertedWithCustomError(
        breaker,
        "ScopeTripped",
      );
      await breaker.connect(guardian).pause(Scopes.WITHDRAW, "test");
      const vault = await usdcVault.getAddress();
      await expect(
        clearing.connect(alice).withdrawCollateral(id, vault, 1n, alice.address),
      ).to.be.revertedWithCustomError(breaker, "ScopeTripped");
      // Risk-reducing actions still work.
      const shares = await fundVaultShares(alice, "usdc", 100n * USDC_UNIT);
      await clearing.connect(alice).depositCollateral(id, vault, shares);
      await clearing.connect(bob).close(id, call, ONE);
      expect(await clearing.positionOf(id, call)).to.equal(0n);
    });
  });

  describe("settlement and exercise", () => {
    it("refuses settlement before expiry, and exercise before settlement", async () => {
      const { clearing, alice, bob, fundAccount, call, expiry } = await withSeries();
      const id = await fundAccount(alice, "usdc", 5000n * USDC_UNIT);
      await clearing.connect(alice).write(id, call, ONE, bob.address);
      await expect(clearing.settle(call))
        .to.be.revertedWithCustomError(clearing, "SeriesNotExpired")
        .withArgs(call, expiry);
      await expect(clearing.connect(bob).exercise(call, ONE, bob.address))
        .to.be.revertedWithCustomError(clearing, "SeriesNotSettled")
        .withArgs(call);
    });

    it("refuses a price observed before expiry and settles with one observed after it, once", async () => {
      const { clearing, call, expiry, setSpot, weth } = await withSeries();
      await time.increaseTo(expiry - 1800);
      await setSpot(await weth.getAddress(), 2300n * WAD);
      const observedAt = await time.latest();
      await time.increaseTo(expiry + 60);
      // Still fresh for the oracle (within the heartbeat), but observed before expiry.
      const windowEnd = BigInt(expiry) + (await clearing.SETTLEMENT_WINDOW_SECONDS());
      await expect(clearing.settle(call))
        .to.be.revertedWithCustomError(clearing, "SettlementPriceOutsideWindow")
        .withArgs(call, (v: bigint) => v <= BigInt(observedAt), expiry, windowEnd);
      const price = 2500n * WAD;
      await setSpot(await weth.getAddress(), price);
      await expect(clearing.settle(call))
        .to.emit(clearing, "SeriesSettled")
        .withArgs(call, price, price - STRIKE, false);
      await expect(clearing.settle(call))
        .to.be.revertedWithCustomError(clearing, "SeriesAlreadySettled")
        .withArgs(call);
    });

    it("refuses settlement on a stale oracle (no fresh quorum): the oracle's refusal surfaces", async () => {
      const { clearing, oracle, call, expiry } = await withSeries();
      await time.increaseTo(expiry + 2 * 3600);
      await expect(clearing.settle(call)).to.be.revertedWithCustomError(oracle, "QuorumNotMet");
      expect((await clearing.series(call)).settled).to.equal(false);
    });

    it("refuses settlement while the underlying's scope is tripped", async () => {
      const { clearing, breaker, guardian, call, expiry, setSpot, weth } = await withSeries();
      await time.increaseTo(expiry + 60);
      await setSpot(await weth.getAddress(), 2100n * WAD);
      await breaker.connect(guardian).pause(Scopes.asset(await weth.getAddress()), "test");
      await expect(clearing.settle(call)).to.be.revertedWithCustomError(breaker, "ScopeTripped");
      expect((await clearing.series(call)).settled).to.equal(false);
    });

    it("after the window only governance settles, with a fallback price, and not before the window ends", async () => {
      const { clearing, governor, alice, call, expiry, referenceRound } = await withSeries();
      const windowEnd = BigInt(expiry) + (await clearing.SETTLEMENT_WINDOW_SECONDS());
      await time.increaseTo(expiry + 60);
      await expect(
        clearing.connect(governor).settleWithFallbackPrice(call, 2000n * WAD, await referenceRound(call)),
      )
        .to.be.revertedWithCustomError(clearing, "SettlementWindowStillOpen")
        .withArgs(call, windowEnd);
      await time.increaseTo(windowEnd + 1n);
      await expect(clearing.settle(call))
        .to.be.revertedWithCustomError(clearing, "SettlementWindowClosed")
        .withArgs(call, windowEnd);
      await expect(
        clearing.connect(alice).settleWithFallbackPrice(call, 2000n * WAD, await referenceRound(call)),
      ).to.be.revertedWithCustomError(clearing, "AccessManagedUnauthorized");
      await expect(clearing.connect(governor).settleWithFallbackPrice(call, 0n, await referenceRound(call)))
        .to.be.revertedWithCustomError(clearing, "InvalidSettlementPrice")
        .withArgs(0n);
      await expect(
        clearing.connect(governor).settleWithFallbackPrice(call, 2400n * WAD, await referenceRound(call)),
      )
        .to.emit(clearing, "SeriesSettled")
        .withArgs(call, 2400n * WAD, 200n * WAD, true);
    });

    it("pays holders from settled shorts: exercise waits for the short's lazy settlement, then pays exactly", async () => {
      const { clearing, alice, bob, fundAccount, call, expiry, setSpot, weth, usdc } = await withSeries();
      const writer = await fundAccount(alice, "usdc", 10_000n * USDC_UNIT);
      await clearing.connect(alice).write(writer, call, 2n * ONE, bob.address);
      await time.increaseTo(expiry + 60);
      const price = 2500n * WAD;
      await setSpot(await weth.getAddress(), price);
      await clearing.settle(call);
      // The free pool is empty until the short account is settled.
      await expect(clearing.connect(bob).exercise(call, ONE, bob.address)).to.be.revertedWithCustomError(
        clearing,
        "InsufficientSettledFunds",
      );
      await expect(clearing.settleAccount(writer)).to.emit(clearing, "PositionSettled");
      expect((await clearing.seriesOf(writer)).length).to.equal(0);
      const payoutPerContract = (price - STRIKE) / 10n ** 12n; // WAD -> 6 decimals
      const before = await usdc.balanceOf(bob.address);
      await clearing.connect(bob).exercise(call, 2n * ONE, bob.address);
      expect((await usdc.balanceOf(bob.address)) - before).to.equal(2n * payoutPerContract);
      await expect(clearing.connect(bob).exercise(call, 1n, bob.address)).to.be.revertedWithCustomError(
        clearing,
        "ERC1155InsufficientBalance",
      );
    });

    it("records settlement debt when the short has no quote collateral to pay it", async () => {
      const { clearing, alice, bob, fundAccount, call, expiry, setSpot, weth } = await withSeries();
      const writer = await fundAccount(alice, "weth", 2n * WAD);
      await clearing.connect(alice).write(writer, call, ONE, bob.address);
      await time.increaseTo(expiry + 60);
      await setSpot(await weth.getAddress(), 2600n * WAD);
      await clearing.settle(call);
      await clearing.settleAccount(writer);
      expect(await clearing.debtOf(writer)).to.equal(400n * WAD);
      const h = await clearing.health(writer);
      expect(h.maintenanceWad >= 400n * WAD).to.equal(true);
    });
  });
});

const DAY_BI = BigInt(DAY);
