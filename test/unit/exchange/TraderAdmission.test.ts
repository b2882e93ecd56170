/**
 * The clearing's record of the AccessManager's answer for `trade` (`isTrader`, `syncTrader`): a caller is admitted on
 * its first trade only if the manager allows it, and a revocation in the manager (role revoked, clearing closed)
 * stops trading once anyone syncs the record.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";
import { Roles } from "../../../scripts/lib/roles";
import { Side } from "../../../src/exchange/order";
import {
  deployExchangeSystem,
  TAKER_FEE,
  type ExchangeSystem,
  directTrade,
} from "../../shared/fixtures/exchange";

/** Alice's signed ask of 10 contracts, Bob filling `amount` of it. */
async function fillOnce(sys: ExchangeSystem, amount: bigint = WAD) {
  const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, amount: 10n * WAD });
  return sys.exchange.connect(sys.bob).fill(a.order, a.signature, amount, sys.bobAccount, TAKER_FEE);
}

describe("unit/exchange/OptionsClearing trader admission (isTrader, syncTrader)", () => {
  it("admits the exchange on its first trade, asking the manager once, and records it", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const exchange = await sys.exchange.getAddress();
    expect(await sys.clearing.isTrader(exchange)).to.equal(false);
    await expect(fillOnce(sys)).to.emit(sys.clearing, "TraderSynced").withArgs(exchange, true);
    expect(await sys.clearing.isTrader(exchange)).to.equal(true);
    await expect(fillOnce(sys)).to.not.emit(sys.clearing, "TraderSynced");
    expect(await sys.clearing.positionOf(sys.bobAccount, sys.put)).to.equal(2n * WAD);
  });

  it("refuses a caller without EXCHANGE_ROLE (AccessManagedUnauthorized) and records nothing", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const trade = directTrade(sys);
    await expect(sys.clearing.connect(sys.carol).trade([trade], sys.feeAccount))
      .to.be.revertedWithCustomError(sys.clearing, "AccessManagedUnauthorized")
      .withArgs(sys.carol.address);
    expect(await sys.clearing.isTrader(sys.carol.address)).to.equal(false);
    await expect(sys.clearing.connect(sys.bob).syncTrader(sys.carol.address)).to.not.emit(
      sys.clearing,
      "TraderSynced",
    );
    expect(await sys.clearing.positionOf(sys.aliceAccount, sys.put)).to.equal(0n);
  });

  it("a revoked EXCHANGE_ROLE stops the exchange once anyone syncs it", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const exchange = await sys.exchange.getAddress();
    await fillOnce(sys);
    await sys.manager.connect(sys.deployer).revokeRole(Roles.EXCHANGE_ROLE, exchange);
    // The documented window: the record stands until it is synced.
    expect(await sys.clearing.isTrader(exchange)).to.equal(true);
    await expect(sys.clearing.connect(sys.carol).syncTrader(exchange))
      .to.emit(sys.clearing, "TraderSynced")
      .withArgs(exchange, false);
    expect(await sys.clearing.isTrader(exchange)).to.equal(false);
    await expect(fillOnce(sys))
      .to.be.revertedWithCustomError(sys.clearing, "AccessManagedUnauthorized")
      .withArgs(exchange);
    expect(await sys.clearing.positionOf(sys.bobAccount, sys.put)).to.equal(WAD);
    // Granted again, the exchange is admitted again on its next trade.
    await sys.manager.connect(sys.deployer).grantRole(Roles.EXCHANGE_ROLE, exchange, 0);
    await expect(fillOnce(sys)).to.emit(sys.clearing, "TraderSynced").withArgs(exchange, true);
  });

  it("a clearing closed in the manager stops the exchange once synced", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const exchange = await sys.exchange.getAddress();
    await fillOnce(sys);
    await sys.manager.connect(sys.deployer).setTargetClosed(await sys.clearing.getAddress(), true);
    await expect(sys.clearing.syncTrader(exchange))
      .to.emit(sys.clearing, "TraderSynced")
      .withArgs(exchange, false);
    await expect(fillOnce(sys))
      .to.be.revertedWithCustomError(sys.clearing, "AccessManagedUnauthorized")
      .withArgs(exchange);
  });

  it("a permission with an execution delay is not an admission", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const exchange = await sys.exchange.getAddress();
    await sys.manager.connect(sys.deployer).grantRole(Roles.EXCHANGE_ROLE, exchange, 3600);
    await expect(sys.clearing.syncTrader(exchange)).to.not.emit(sys.clearing, "TraderSynced");
    await expect(fillOnce(sys))
      .to.be.revertedWithCustomError(sys.clearing, "AccessManagedUnauthorized")
      .withArgs(exchange);
    expect(await sys.clearing.isTrader(exchange)).to.equal(false);
  });
});
