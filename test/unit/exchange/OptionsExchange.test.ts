import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { WAD } from "../../../scripts/lib/math/wad";
import { Scopes } from "../../../scripts/lib/scopes";
import { Roles } from "../../../scripts/lib/roles";
import {
  buildOrder,
  exchangeDomain,
  signOrder,
  Side,
  OrderFlags,
  type Order,
} from "../../../src/exchange/order";
import { deployExchange } from "../../shared/deployers/exchange";
import {
  deployExchangeSystem,
  MAKER_FEE,
  PUT_PREMIUM,
  TAKER_FEE,
  type ExchangeSystem,
  directTrade,
} from "../../shared/fixtures/exchange";
import { DAY, USDC_UNIT, deploySystem } from "../../shared/fixtures/system";

/** Premium or fee of `amount` contracts at `perContract` quote units, rounded up / down, computed here. */
const up = (amount: bigint, perContract: bigint): bigint => (amount * perContract + WAD - 1n) / WAD;
const down = (amount: bigint, perContract: bigint): bigint => (amount * perContract) / WAD;

/** Everything a rejected fill must leave unchanged. */
async function state(sys: ExchangeSystem, hashes: string[]): Promise<string> {
  const { clearing, exchange, usdcVault, put, aliceAccount, bobAccount, carolAccount, feeAccount } = sys;
  const vault = await usdcVault.getAddress();
  const out: unknown[] = [];
  for (const a of [aliceAccount, bobAccount, carolAccount, feeAccount]) {
    out.push(await clearing.positionOf(a, put), await clearing.collateralOf(a, vault));
  }
  out.push(await clearing.openInterest(put));
  for (const h of hashes) out.push(await exchange.filled(h));
  return JSON.stringify(out, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

describe("unit/exchange/OptionsExchange", () => {
  describe("fill", () => {
    it("moves the position, pays the premium in quote-vault shares and the fees, records the fill", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, clearing, alice, bob, usdcVault, put, aliceAccount, bobAccount, feeAccount } = sys;
      const vault = await usdcVault.getAddress();
      const { order, signature, hash } = await sys.order(alice, aliceAccount, {
        side: Side.Sell,
        amount: 2n * WAD,
      });
      const amount = (3n * WAD) / 2n;
      const paidAssets = up(amount, PUT_PREMIUM + TAKER_FEE);
      const receivedAssets = down(amount, PUT_PREMIUM - MAKER_FEE);
      const paidShares = await usdcVault.previewWithdraw(paidAssets);
      const receivedShares = await usdcVault.convertToShares(receivedAssets);
      const before = await Promise.all(
        [aliceAccount, bobAccount, feeAccount].map((a) => clearing.collateralOf(a, vault)),
      );
      await expect(exchange.connect(bob).fill(order, signature, amount, bobAccount, TAKER_FEE))
        .to.emit(exchange, "OrderFilled")
        .withArgs(hash, aliceAccount, bobAccount, put, amount, PUT_PREMIUM, MAKER_FEE, TAKER_FEE)
        .and.to.emit(clearing, "Traded")
        .withArgs(aliceAccount, bobAccount, put, amount, paidShares, receivedShares);
      expect(await clearing.positionOf(aliceAccount, put)).to.equal(-amount);
      expect(await clearing.positionOf(bobAccount, put)).to.equal(amount);
      expect(await clearing.collateralOf(aliceAccount, vault)).to.equal(before[0] + receivedShares);
      expect(await clearing.collateralOf(bobAccount, vault)).to.equal(before[1] - paidShares);
      expect(await clearing.collateralOf(feeAccount, vault)).to.equal(
        before[2] + paidShares - receivedShares,
      );
      expect(await exchange.filled(hash)).to.equal(amount);
      const [shorts, longsInAccounts, longTokens] = await clearing.openInterest(put);
      expect([shorts, longsInAccounts, longTokens]).to.deep.equal([amount, amount, 0n]);
      // The buyer paid at least the premium plus its fee, the seller received at most the premium less its fee.
      expect(await usdcVault.convertToAssets(paidShares)).to.be.gte(paidAssets - 1n);
      expect(await usdcVault.convertToAssets(receivedShares)).to.be.lte(receivedAssets);
    });

    it("lets a buy order be filled by a seller, netting the seller's longs first", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, clearing, alice, bob, carol, put, aliceAccount, bobAccount, carolAccount } = sys;
      // Bob holds 1 long from alice; carol's buy order takes it from him (he sells his long: a reducing side).
      const first = await sys.order(alice, aliceAccount, { side: Side.Sell });
      await exchange.connect(bob).fill(first.order, first.signature, WAD, bobAccount, TAKER_FEE);
      const bid = await sys.order(carol, carolAccount, {
        side: Side.Buy,
        limitPremiumPerContract: 45n * USDC_UNIT,
      });
      await exchange.connect(bob).fill(bid.order, bid.signature, WAD, bobAccount, TAKER_FEE);
      expect(await clearing.positionOf(bobAccount, put)).to.equal(0n);
      expect(await clearing.positionOf(carolAccount, put)).to.equal(WAD);
      expect(await clearing.seriesOf(bobAccount)).to.deep.equal([]);
      const [shorts, longsInAccounts] = await clearing.openInterest(put);
      expect([shorts, longsInAccounts]).to.deep.equal([WAD, WAD]);
    });

    it("lets an operator of the taker account fill, and refuses anyone else", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, clearing, alice, bob, carol, keeper, aliceAccount, bobAccount } = sys;
      const { order, signature } = await sys.order(alice, aliceAccount, { side: Side.Sell });
      await expect(exchange.connect(keeper).fill(order, signature, WAD, bobAccount, TAKER_FEE))
        .to.be.revertedWithCustomError(exchange, "NotAccountController")
        .withArgs(bobAccount, keeper.address);
      await clearing.connect(bob).setOperator(carol.address, true);
      await exchange.connect(carol).fill(order, signature, WAD, bobAccount, TAKER_FEE);
      expect(await clearing.positionOf(bobAccount, sys.put)).to.equal(WAD);
    });
  });

  describe("guards (each leaves state unchanged)", () => {
    type Case = {
      name: string;
      setup: (sys: ExchangeSystem) => Promise<{
        call: () => Promise<unknown>;
        error: string;
        args?: unknown[];
        fromClearing?: boolean;
        hashes: string[];
      }>;
    };

    const cases: Case[] = [
      {
        name: "self-trade (same owner on both sides)",
        setup: async (sys) => {
          const acct2 = await sys.fundAccount(sys.alice, "usdc", 10_000n * USDC_UNIT);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          return {
            call: () => sys.exchange.connect(sys.alice).fill(o.order, o.signature, WAD, acct2, TAKER_FEE),
            error: "SelfTrade",
            args: [sys.alice.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "overfill",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          await sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD / 2n, sys.bobAccount, TAKER_FEE);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "Overfill",
            args: [o.hash, WAD, WAD / 2n],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "replay of a filled order",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          await sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE);
          return {
            call: () =>
              sys.exchange.connect(sys.carol).fill(o.order, o.signature, WAD, sys.carolAccount, TAKER_FEE),
            error: "Overfill",
            args: [o.hash, WAD, 0n],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "expired order",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          await time.increaseTo(o.order.expiry + 1n);
          await sys.refreshPrices();
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "OrderExpired",
            args: [o.hash, o.order.expiry],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "expired series",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            expiry: BigInt(sys.expiry + DAY),
          });
          await time.increaseTo(sys.expiry);
          await sys.refreshPrices();
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "SeriesExpired",
            args: [sys.put, sys.expiry],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "settled series",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            expiry: BigInt(sys.expiry + 2 * DAY),
          });
          await time.increaseTo(sys.expiry + 60);
          await sys.refreshPrices();
          await sys.clearing.settle(sys.put);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "SeriesExpired",
            args: [sys.put, sys.expiry],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "series not listed",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, seriesId: 12345n });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "SeriesNotListed",
            args: [12345n],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "cancelled by its owner",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          await expect(sys.exchange.connect(sys.alice).cancel([o.hash]))
            .to.emit(sys.exchange, "OrderCancelled")
            .withArgs(sys.alice.address, o.hash);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "OrderIsCancelled",
            args: [o.hash],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "cancelled by its signer (an operator)",
        setup: async (sys) => {
          await sys.clearing.connect(sys.alice).setOperator(sys.keeper.address, true);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell }, sys.keeper);
          await sys.exchange.connect(sys.keeper).cancel([o.hash]);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "OrderIsCancelled",
            args: [o.hash],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "nonce below the owner's minimum",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, nonce: 4n });
          await expect(sys.exchange.connect(sys.alice).setMinNonce(5n))
            .to.emit(sys.exchange, "MinNonceSet")
            .withArgs(sys.alice.address, 5n);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "NonceBelowMin",
            args: [o.hash, 4n, 5n],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "signed for another chain",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const other = exchangeDomain(await sys.exchange.getAddress(), 1n);
          const signature = await signOrder(sys.alice, other, o.order);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "InvalidSignature",
            args: [o.hash, sys.alice.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "signed for another exchange contract",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const { chainId } = await ethers.provider.getNetwork();
          const other = exchangeDomain(await sys.clearing.getAddress(), chainId);
          const signature = await signOrder(sys.alice, other, o.order);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "InvalidSignature",
            args: [o.hash, sys.alice.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "malleable (high-s) signature",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const sig = ethers.Signature.from(o.signature);
          const n = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
          const highS = ethers.toBeHex(n - BigInt(sig.s), 32);
          const v = sig.v === 27 ? 28 : 27;
          const malleable = ethers.concat([sig.r, highS, ethers.toBeHex(v, 1)]);
          // The same signature with s mirrored recovers the same signer: only the low-s rule refuses it.
          const recovered = await ethers.provider.call({
            to: "0x0000000000000000000000000000000000000001",
            data: ethers.concat([o.hash, ethers.toBeHex(v, 32), sig.r, highS]),
          });
          expect(ethers.getAddress(ethers.dataSlice(recovered, 12))).to.equal(sys.alice.address);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, malleable, WAD, sys.bobAccount, TAKER_FEE),
            error: "InvalidSignature",
            args: [o.hash, sys.alice.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "signature of a revoked operator",
        setup: async (sys) => {
          await sys.clearing.connect(sys.alice).setOperator(sys.keeper.address, true);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell }, sys.keeper);
          await sys.clearing.connect(sys.alice).setOperator(sys.keeper.address, false);
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "SignerNotAuthorized",
            args: [o.hash, sys.alice.address, sys.keeper.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "an owner who does not own the account",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.carolAccount, { side: Side.Sell });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "OwnerMismatch",
            args: [o.hash, sys.carolAccount, sys.alice.address, sys.carol.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "an ERC-1271 wallet that says no",
        setup: async (sys) => {
          const wallet = await ethers.deployContract("ERC1271WalletMock", [sys.alice.address]);
          await sys.clearing.connect(sys.alice).setOperator(await wallet.getAddress(), true);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const order: Order = { ...o.order, signer: await wallet.getAddress() };
          // The wallet's owner key signs; the wallet refuses all.
          const signature = await sys.alice.signTypedData(
            sys.domain,
            { Order: (await import("../../../src/exchange/order")).ORDER_TYPES.Order },
            order,
          );
          await wallet.setRefuse(true);
          const hash = await sys.exchange.hashOrder(order);
          return {
            call: () => sys.exchange.connect(sys.bob).fill(order, signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "InvalidSignature",
            args: [hash, await wallet.getAddress()],
            hashes: [hash],
          };
        },
      },
      {
        name: "maker fee above the signed maximum",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            maxFeePerContract: MAKER_FEE - 1n,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "FeeAboveMax",
            args: [MAKER_FEE, MAKER_FEE - 1n],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "taker fee above the filler's maximum",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE - 1n),
            error: "FeeAboveMax",
            args: [TAKER_FEE, TAKER_FEE - 1n],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "zero price",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            limitPremiumPerContract: 0n,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "ZeroPremium",
            args: [o.hash],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "amount below the minimum lot",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const lot = await sys.exchange.MIN_LOT_CONTRACTS_WAD();
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, lot - 1n, sys.bobAccount, TAKER_FEE),
            error: "AmountBelowMinLot",
            args: [lot - 1n, lot],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a dust fill whose premium rounds to zero",
        setup: async (sys) => {
          // 1 quote unit per contract on 0.001 contract: the seller's premium after its fee is nothing.
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            limitPremiumPerContract: MAKER_FEE + 1n,
          });
          const lot = await sys.exchange.MIN_LOT_CONTRACTS_WAD();
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, lot, sys.bobAccount, TAKER_FEE),
            error: "DustTrade",
            args: [sys.put, lot, MAKER_FEE + 1n],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a premium that does not cover the seller's fee",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            limitPremiumPerContract: MAKER_FEE,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "DustTrade",
            args: [sys.put, WAD, MAKER_FEE],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "unknown flag bits",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, flags: 4 });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "UnknownFlags",
            args: [o.hash, 4],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "fill-or-kill filled in part",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            flags: OrderFlags.FILL_OR_KILL,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD / 2n, sys.bobAccount, TAKER_FEE),
            error: "FillOrKillNotWhole",
            args: [o.hash, WAD / 2n, WAD],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a reduce-only sell that would open a short",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            flags: OrderFlags.REDUCE_ONLY,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "ReduceOnlyViolated",
            args: [sys.aliceAccount, sys.put, 0n, WAD],
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "an executor other than the caller",
        setup: async (sys) => {
          const o = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            executor: sys.keeper.address,
          });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "ExecutorMismatch",
            args: [o.hash, sys.keeper.address, sys.bob.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a counterparty other than the named taker (checked against the taker account's owner)",
        setup: async (sys) => {
          await sys.clearing.connect(sys.carol).setOperator(sys.bob.address, true);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, taker: sys.bob.address });
          // Bob submits, but for carol's account: the counterparty is carol.
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.carolAccount, TAKER_FEE),
            error: "TakerMismatch",
            args: [o.hash, sys.bob.address, sys.carol.address],
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a seller without the initial margin",
        setup: async (sys) => {
          const poor = await sys.fundAccount(sys.carol, "usdc", 10n * USDC_UNIT);
          const o = await sys.order(sys.carol, poor, { side: Side.Sell });
          return {
            call: () =>
              sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE),
            error: "BelowInitialMargin",
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
      {
        name: "a buyer without the premium",
        setup: async (sys) => {
          const poor = await sys.fundAccount(sys.carol, "usdc", 10n * USDC_UNIT);
          const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          return {
            call: () => sys.exchange.connect(sys.carol).fill(o.order, o.signature, WAD, poor, TAKER_FEE),
            error: "InsufficientCollateral",
            fromClearing: true,
            hashes: [o.hash],
          };
        },
      },
    ];

    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        const sys = await loadFixture(deployExchangeSystem);
        const r = await c.setup(sys);
        const before = await state(sys, r.hashes);
        const target = r.fromClearing === true ? sys.clearing : sys.exchange;
        const assertion = expect(r.call()).to.be.revertedWithCustomError(target, r.error);
        if (r.args !== undefined) await assertion.withArgs(...r.args);
        else await assertion;
        expect(await state(sys, r.hashes)).to.equal(before);
      });
    }

    it("accepts an ERC-1271 wallet's signature when it says yes", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { ORDER_TYPES } = await import("../../../src/exchange/order");
      const wallet = await ethers.deployContract("ERC1271WalletMock", [sys.alice.address]);
      await sys.clearing.connect(sys.alice).setOperator(await wallet.getAddress(), true);
      const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
      const order: Order = { ...o.order, signer: await wallet.getAddress() };
      const signature = await sys.alice.signTypedData(sys.domain, ORDER_TYPES, order);
      await sys.exchange.connect(sys.bob).fill(order, signature, WAD, sys.bobAccount, TAKER_FEE);
      expect(await sys.clearing.positionOf(sys.bobAccount, sys.put)).to.equal(WAD);
    });

    it("refuses a setMinNonce that does not raise the minimum", async () => {
      const { exchange, alice } = await loadFixture(deployExchangeSystem);
      await exchange.connect(alice).setMinNonce(3n);
      await expect(exchange.connect(alice).setMinNonce(3n))
        .to.be.revertedWithCustomError(exchange, "NonceNotIncreasing")
        .withArgs(3n, 3n);
      expect(await exchange.minNonce(alice.address)).to.equal(3n);
    });

    it("a cancel by a stranger binds nothing", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
      await sys.exchange.connect(sys.carol).cancel([o.hash]);
      expect(await sys.exchange.cancelled(sys.carol.address, o.hash)).to.equal(true);
      await sys.exchange.connect(sys.bob).fill(o.order, o.signature, WAD, sys.bobAccount, TAKER_FEE);
      expect(await sys.exchange.filled(o.hash)).to.equal(WAD);
    });
  });

  describe("liquidation and the breaker", () => {
    /** Alice's account written down to just above initial, then pushed below maintenance by a price fall. */
    async function inAuction(sys: ExchangeSystem) {
      const { clearing, alice, bob, usdcVault, aliceAccount, bobAccount, put } = sys;
      const o = await sys.order(alice, aliceAccount, { side: Side.Sell, amount: 20n * WAD });
      await sys.exchange.connect(bob).fill(o.order, o.signature, 20n * WAD, bobAccount, TAKER_FEE);
      const h = await clearing.health(aliceAccount);
      const excess = h.collateralValueWad - (h.initialWad * 101n) / 100n;
      const shares = await usdcVault.convertToShares(excess / 10n ** 12n);
      await clearing
        .connect(alice)
        .withdrawCollateral(aliceAccount, await usdcVault.getAddress(), shares, alice.address);
      await sys.setSpot(await sys.weth.getAddress(), 1500n * WAD);
      await clearing.flagLiquidatable(aliceAccount);
      expect((await clearing.liquidationQuote(aliceAccount)).belowMaintenance).to.equal(true);
      expect(await clearing.positionOf(aliceAccount, put)).to.equal(-20n * WAD);
    }

    it("refuses a risk-increasing fill of an account in a liquidation auction", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      await inAuction(sys);
      const o = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
      const before = await state(sys, [o.hash]);
      await expect(
        sys.exchange.connect(sys.carol).fill(o.order, o.signature, WAD, sys.carolAccount, TAKER_FEE),
      ).to.be.revertedWithCustomError(sys.clearing, "AccountInLiquidation");
      expect(await state(sys, [o.hash])).to.equal(before);
    });

    it("lets an account in a liquidation auction buy back shorts when its margin excess does not fall", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      await inAuction(sys);
      // Carol sells 1 put to alice at a price below its worth: alice's excess over maintenance rises.
      const ask = await sys.order(sys.carol, sys.carolAccount, {
        side: Side.Sell,
        limitPremiumPerContract: 1n * USDC_UNIT,
      });
      const bid = await sys.order(sys.alice, sys.aliceAccount, {
        side: Side.Buy,
        limitPremiumPerContract: 1n * USDC_UNIT,
        flags: OrderFlags.REDUCE_ONLY,
      });
      await sys.exchange
        .connect(sys.keeper)
        .matchOrders(bid.order, bid.signature, [ask.order], [ask.signature], [WAD]);
      expect(await sys.clearing.positionOf(sys.aliceAccount, sys.put)).to.equal(-19n * WAD);
    });

    it("refuses a buy-back by an account below initial that pays more than it frees", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      await inAuction(sys);
      const price = 5_000n * USDC_UNIT;
      const ask = await sys.order(sys.carol, sys.carolAccount, {
        side: Side.Sell,
        limitPremiumPerContract: price,
      });
      const bid = await sys.order(sys.alice, sys.aliceAccount, {
        side: Side.Buy,
        limitPremiumPerContract: price,
      });
      const before = await state(sys, [ask.hash, bid.hash]);
      await expect(
        sys.exchange
          .connect(sys.keeper)
          .matchOrders(bid.order, bid.signature, [ask.order], [ask.signature], [WAD]),
      ).to.be.revertedWithCustomError(sys.clearing, "MarginExcessDecreased");
      expect(await state(sys, [ask.hash, bid.hash])).to.equal(before);
    });

    it("TRADE pauses risk-increasing fills only; reduce-only fills still go", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, breaker, guardian, alice, bob, carol, aliceAccount, bobAccount, carolAccount } = sys;
      const o = await sys.order(alice, aliceAccount, { side: Side.Sell, amount: 2n * WAD });
      await exchange.connect(bob).fill(o.order, o.signature, WAD, bobAccount, TAKER_FEE);
      await breaker.connect(guardian).pause(Scopes.TRADE, "test");
      const before = await state(sys, [o.hash]);
      await expect(exchange.connect(carol).fill(o.order, o.signature, WAD, carolAccount, TAKER_FEE))
        .to.be.revertedWithCustomError(breaker, "ScopeTripped")
        .withArgs(Scopes.TRADE, anyValue, anyValue);
      expect(await state(sys, [o.hash])).to.equal(before);
      // Bob sells his long back to alice, who buys back her short: both sides reduce.
      const bid = await sys.order(alice, aliceAccount, { side: Side.Buy, flags: OrderFlags.REDUCE_ONLY });
      await exchange.connect(bob).fill(bid.order, bid.signature, WAD, bobAccount, TAKER_FEE);
      expect(await sys.clearing.positionOf(bobAccount, sys.put)).to.equal(0n);
      expect(await sys.clearing.positionOf(aliceAccount, sys.put)).to.equal(0n);
    });

    it("WRITE and the underlying's price scope pause risk-increasing fills", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, breaker, guardian, alice, bob, aliceAccount, bobAccount } = sys;
      const o = await sys.order(alice, aliceAccount, { side: Side.Sell });
      for (const scope of [Scopes.WRITE, Scopes.asset(await sys.weth.getAddress())]) {
        const id = await ethers.provider.send("evm_snapshot", []);
        await breaker.connect(guardian).pause(scope, "test");
        await expect(exchange.connect(bob).fill(o.order, o.signature, WAD, bobAccount, TAKER_FEE))
          .to.be.revertedWithCustomError(breaker, "ScopeTripped")
          .withArgs(scope, anyValue, anyValue);
        await ethers.provider.send("evm_revert", [id]);
      }
    });
  });

  describe("an impaired series (shorts written off in a socialised loss)", () => {
    it("refuses a fill that opens new shorts, and lets existing longs change hands", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, clearing, alice, bob, carol, aliceAccount, bobAccount, carolAccount, call } = sys;
      // Bob buys 1 call from alice; a thin writer's calls are written off by a liquidation after a price jump.
      const ask = await sys.order(alice, aliceAccount, {
        side: Side.Sell,
        seriesId: call,
        limitPremiumPerContract: 20n * USDC_UNIT,
      });
      await exchange.connect(bob).fill(ask.order, ask.signature, WAD, bobAccount, TAKER_FEE);
      const victim = await sys.fundAccount(carol, "usdc", 1_450n * USDC_UNIT);
      await clearing.connect(carol).write(victim, call, 2n * WAD, carol.address);
      await sys.setSpot(await sys.weth.getAddress(), 2_900n * WAD);
      const keeper = await sys.fundAccount(sys.keeper, "usdc", 100_000n * USDC_UNIT);
      await clearing.connect(sys.keeper).liquidate(victim, keeper, WAD, 0, 2n ** 63n);
      const written = await clearing.writtenOff(call);
      expect(written > 0n, "the empty insurance vault leaves a socialised loss").to.equal(true);
      const more = await sys.order(alice, aliceAccount, {
        side: Side.Sell,
        seriesId: call,
        limitPremiumPerContract: 900n * USDC_UNIT,
      });
      const before = await state(sys, [more.hash]);
      await expect(exchange.connect(carol).fill(more.order, more.signature, WAD, carolAccount, TAKER_FEE))
        .to.be.revertedWithCustomError(clearing, "SeriesImpaired")
        .withArgs(call, written);
      expect(await state(sys, [more.hash])).to.equal(before);
      // Bob's long changes hands: no new short, so the impaired series still trades.
      const bid = await sys.order(carol, carolAccount, {
        side: Side.Buy,
        seriesId: call,
        limitPremiumPerContract: 900n * USDC_UNIT,
      });
      await exchange.connect(bob).fill(bid.order, bid.signature, WAD, bobAccount, TAKER_FEE);
      expect(await clearing.positionOf(carolAccount, call)).to.equal(WAD);
      expect(await clearing.positionOf(bobAccount, call)).to.equal(0n);
    });
  });

  describe("matchOrders", () => {
    it("crosses a taker against two makers at each maker's price, within the taker's limit", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const {
        exchange,
        clearing,
        alice,
        bob,
        carol,
        keeper,
        usdcVault,
        put,
        aliceAccount,
        bobAccount,
        carolAccount,
      } = sys;
      const vault = await usdcVault.getAddress();
      const ask1 = await sys.order(alice, aliceAccount, {
        side: Side.Sell,
        limitPremiumPerContract: 38n * USDC_UNIT,
        maxFeePerContract: MAKER_FEE,
      });
      const ask2 = await sys.order(carol, carolAccount, {
        side: Side.Sell,
        limitPremiumPerContract: 40n * USDC_UNIT,
        maxFeePerContract: MAKER_FEE,
      });
      const bid = await sys.order(bob, bobAccount, {
        side: Side.Buy,
        amount: 2n * WAD,
        limitPremiumPerContract: 41n * USDC_UNIT,
      });
      const bobBefore = await clearing.collateralOf(bobAccount, vault);
      const paid =
        (await usdcVault.previewWithdraw(up(WAD, 38n * USDC_UNIT + TAKER_FEE))) +
        (await usdcVault.previewWithdraw(up(WAD, 40n * USDC_UNIT + TAKER_FEE)));
      await expect(
        exchange
          .connect(keeper)
          .matchOrders(
            bid.order,
            bid.signature,
            [ask1.order, ask2.order],
            [ask1.signature, ask2.signature],
            [WAD, WAD],
          ),
      )
        .to.emit(exchange, "OrdersMatched")
        .withArgs(bid.hash, 2n, 2n * WAD);
      expect(await clearing.positionOf(bobAccount, put)).to.equal(2n * WAD);
      expect(await clearing.positionOf(aliceAccount, put)).to.equal(-WAD);
      expect(await clearing.positionOf(carolAccount, put)).to.equal(-WAD);
      expect(await clearing.collateralOf(bobAccount, vault)).to.equal(bobBefore - paid);
      expect(await exchange.filled(bid.hash)).to.equal(2n * WAD);
    });

    const matchCases: Array<{
      name: string;
      error: string;
      build: (sys: ExchangeSystem) => Promise<{
        args: Parameters<ExchangeSystem["exchange"]["matchOrders"]>;
        hashes: string[];
        errArgs: unknown[];
      }>;
    }> = [
      {
        name: "a maker price outside the taker's limit",
        error: "PriceNotCrossed",
        build: async (sys) => {
          const ask = await sys.order(sys.alice, sys.aliceAccount, {
            side: Side.Sell,
            limitPremiumPerContract: 42n * USDC_UNIT,
            maxFeePerContract: MAKER_FEE,
          });
          const bid = await sys.order(sys.bob, sys.bobAccount, {
            side: Side.Buy,
            limitPremiumPerContract: 41n * USDC_UNIT,
          });
          return {
            args: [bid.order, bid.signature, [ask.order], [ask.signature], [WAD]],
            hashes: [ask.hash, bid.hash],
            errArgs: [ask.hash, 42n * USDC_UNIT, 41n * USDC_UNIT],
          };
        },
      },
      {
        name: "two orders on the same side",
        error: "SameSide",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Buy });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [b.hash, a.hash],
          };
        },
      },
      {
        name: "two different series",
        error: "SeriesMismatch",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, seriesId: sys.call });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [sys.put, sys.call],
          };
        },
      },
      {
        name: "a total beyond the taker's amount",
        error: "Overfill",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell, amount: 2n * WAD });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy, amount: WAD });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [2n * WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [b.hash, 2n * WAD, WAD],
          };
        },
      },
      {
        name: "mismatched array lengths",
        error: "InvalidMakerList",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [WAD, WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [1n, 1n, 2n],
          };
        },
      },
      {
        name: "a taker order naming another counterparty",
        error: "TakerMismatch",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy, taker: sys.carol.address });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [b.hash, sys.carol.address, sys.alice.address],
          };
        },
      },
      {
        name: "a taker fee above the taker's signed maximum",
        error: "FeeAboveMax",
        build: async (sys) => {
          const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
          const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy, maxFeePerContract: 0n });
          return {
            args: [b.order, b.signature, [a.order], [a.signature], [WAD]],
            hashes: [a.hash, b.hash],
            errArgs: [TAKER_FEE, 0n],
          };
        },
      },
    ];
    for (const c of matchCases) {
      it(`refuses ${c.name}`, async () => {
        const sys = await loadFixture(deployExchangeSystem);
        const r = await c.build(sys);
        const before = await state(sys, r.hashes);
        await expect(sys.exchange.connect(sys.keeper).matchOrders(...r.args))
          .to.be.revertedWithCustomError(sys.exchange, c.error)
          .withArgs(...r.errArgs);
        expect(await state(sys, r.hashes)).to.equal(before);
      });
    }

    it("is for the EXECUTOR role only, and the clearing's trade for the exchange only", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const a = await sys.order(sys.alice, sys.aliceAccount, { side: Side.Sell });
      const b = await sys.order(sys.bob, sys.bobAccount, { side: Side.Buy });
      await expect(
        sys.exchange.connect(sys.bob).matchOrders(b.order, b.signature, [a.order], [a.signature], [WAD]),
      )
        .to.be.revertedWithCustomError(sys.exchange, "AccessManagedUnauthorized")
        .withArgs(sys.bob.address);
      const trade = directTrade(sys);
      await expect(sys.clearing.connect(sys.bob).trade([trade], sys.feeAccount))
        .to.be.revertedWithCustomError(sys.clearing, "AccessManagedUnauthorized")
        .withArgs(sys.bob.address);
      expect(
        await sys.manager.canCall(
          await sys.exchange.getAddress(),
          await sys.clearing.getAddress(),
          sys.clearing.interface.getFunction("trade").selector,
        ),
      ).to.deep.equal([true, 0n]);
      expect((await sys.manager.hasRole(Roles.EXECUTOR_ROLE, sys.keeper.address))[0]).to.equal(true);
    });
  });

  describe("governance and views", () => {
    it("sets the fee schedule within the code cap, for governance only", async () => {
      const { exchange, governor, bob } = await loadFixture(deployExchangeSystem);
      const cap = await exchange.MAX_FEE_PER_CONTRACT();
      expect(cap).to.equal(10n * USDC_UNIT);
      const schedule = { makerFeePerContract: cap, takerFeePerContract: 0n, recipient: bob.address };
      await expect(exchange.connect(bob).setFeeSchedule(schedule)).to.be.revertedWithCustomError(
        exchange,
        "AccessManagedUnauthorized",
      );
      await expect(exchange.connect(governor).setFeeSchedule(schedule)).to.emit(exchange, "FeeScheduleSet");
      expect((await exchange.feeSchedule()).makerFeePerContract).to.equal(cap);
      await expect(exchange.connect(governor).setFeeSchedule({ ...schedule, takerFeePerContract: cap + 1n }))
        .to.be.revertedWithCustomError(exchange, "InvalidFeeSchedule")
        .withArgs(bob.address, cap, cap + 1n);
      await expect(exchange.connect(governor).setFeeSchedule({ ...schedule, recipient: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(exchange, "InvalidFeeSchedule")
        .withArgs(ethers.ZeroAddress, cap, 0n);
      expect((await exchange.feeSchedule()).recipient).to.equal(bob.address);
    });

    it("opens no account at deployment; the first fill opens the fee account, once", async () => {
      const sys = await loadFixture(deploySystem);
      const { clearing, manager, deployer, governor, keeper, alice, bob, usdcVault } = sys;
      const accountsBefore = await clearing.accountCount();
      const exchange = await deployExchange(manager, deployer, clearing, {
        feeRecipient: governor.address,
        makerFeePerContract: MAKER_FEE,
        takerFeePerContract: TAKER_FEE,
        executors: [keeper.address],
      });
      expect(await clearing.accountCount()).to.equal(accountsBefore);
      expect(await exchange.feeAccountId()).to.equal(0n);
      expect(await exchange.sweepFees.staticCall()).to.equal(0n);
      const put = await sys.list(1800n * WAD, (await time.latest()) + 30 * DAY, false);
      const aliceAccount = await sys.fundAccount(alice, "usdc", 100_000n * USDC_UNIT);
      const bobAccount = await sys.fundAccount(bob, "usdc", 100_000n * USDC_UNIT);
      expect(aliceAccount).to.equal(accountsBefore + 1n);
      const { chainId } = await ethers.provider.getNetwork();
      const order = buildOrder({
        accountId: aliceAccount,
        owner: alice.address,
        signer: alice.address,
        seriesId: put,
        side: Side.Sell,
        amount: WAD,
        limitPremiumPerContract: PUT_PREMIUM,
        maxFeePerContract: MAKER_FEE,
        expiry: BigInt((await time.latest()) + DAY),
      });
      const signature = await signOrder(alice, exchangeDomain(await exchange.getAddress(), chainId), order);
      await expect(exchange.connect(bob).fill(order, signature, WAD / 2n, bobAccount, TAKER_FEE))
        .to.emit(exchange, "FeeAccountOpened")
        .withArgs(bobAccount + 1n);
      const feeAccount = await exchange.feeAccountId();
      expect(feeAccount).to.equal(bobAccount + 1n);
      expect(await clearing.ownerOf(feeAccount)).to.equal(await exchange.getAddress());
      const shares = await clearing.collateralOf(feeAccount, await usdcVault.getAddress());
      expect(await usdcVault.convertToAssets(shares)).to.be.gte((MAKER_FEE + TAKER_FEE) / 2n - 1n);
      await expect(exchange.connect(bob).fill(order, signature, WAD / 2n, bobAccount, TAKER_FEE)).not.to.emit(
        exchange,
        "FeeAccountOpened",
      );
      expect(await exchange.openFeeAccount.staticCall()).to.equal(feeAccount);
      await exchange.openFeeAccount();
      expect(await clearing.accountCount()).to.equal(feeAccount);
    });

    it("keeps fees in its own clearing account and sweeps them to the recipient only", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const {
        exchange,
        clearing,
        usdcVault,
        alice,
        bob,
        carol,
        governor,
        aliceAccount,
        bobAccount,
        feeAccount,
      } = sys;
      expect(await clearing.ownerOf(feeAccount)).to.equal(await exchange.getAddress());
      expect(await exchange.connect(carol).sweepFees.staticCall()).to.equal(0n);
      const { order, signature } = await sys.order(alice, aliceAccount, { side: Side.Sell });
      await exchange.connect(bob).fill(order, signature, WAD, bobAccount, TAKER_FEE);
      const shares = await clearing.collateralOf(feeAccount, await usdcVault.getAddress());
      expect(await usdcVault.convertToAssets(shares)).to.be.gte(MAKER_FEE + TAKER_FEE - 1n);
      const before = await usdcVault.balanceOf(governor.address);
      await expect(exchange.connect(carol).sweepFees())
        .to.emit(exchange, "FeesSwept")
        .withArgs(governor.address, shares);
      expect(await usdcVault.balanceOf(governor.address)).to.equal(before + shares);
      expect(await clearing.collateralOf(feeAccount, await usdcVault.getAddress())).to.equal(0n);
    });

    it("validate names the first failing rule without a transaction", async () => {
      const sys = await loadFixture(deployExchangeSystem);
      const { exchange, alice, aliceAccount } = sys;
      const o = await sys.order(alice, aliceAccount, { side: Side.Sell });
      expect(await exchange.validate(o.order, o.signature, WAD)).to.equal(0n);
      expect(await exchange.validate(o.order, o.signature, 2n * WAD)).to.equal(7n); // Overfill
      expect(await exchange.validate(o.order, o.signature, 1n)).to.equal(1n); // BelowMinLot
      const bad = await sys.order(alice, aliceAccount, { side: Side.Sell, seriesId: 7n });
      expect(await exchange.validate(bad.order, bad.signature, WAD)).to.equal(12n); // SeriesNotTradable
      expect(await exchange.validate(o.order, bad.signature, WAD)).to.equal(11n); // InvalidSignature
    });
  });
});
