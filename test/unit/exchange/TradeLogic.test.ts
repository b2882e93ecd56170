import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Roles } from "../../../scripts/lib/roles";
import { WAD } from "../../../scripts/lib/math/wad";
import type { TradeStruct } from "../../../typechain-types/contracts/options/OptionsClearing";
import { deployExchangeSystem } from "../../shared/fixtures/exchange";
import { USDC_UNIT } from "../../shared/fixtures/system";

/**
 * The clearing's own checks of `trade`, which the exchange never lets through: called here by a signer governance
 * granted EXCHANGE_ROLE, so each defensive branch is shown to refuse, leaving state unchanged.
 */
describe("unit/exchange/OptionsClearing.trade (TradeLogic)", () => {
  async function direct() {
    const sys = await deployExchangeSystem();
    await sys.manager.connect(sys.deployer).grantRole(Roles.EXCHANGE_ROLE, sys.lister.address, 0);
    const trade = (fields: Partial<TradeStruct> = {}): TradeStruct => ({
      sellerAccountId: sys.aliceAccount,
      buyerAccountId: sys.bobAccount,
      seriesId: sys.put,
      amount: WAD,
      premiumPerContract: 40n * USDC_UNIT,
      sellerFeePerContract: 0n,
      buyerFeePerContract: 0n,
      flags: 0,
      ...fields,
    });
    return { ...sys, trade };
  }

  const cases: Array<{
    name: string;
    error: string;
    build: (s: Awaited<ReturnType<typeof direct>>) => { trades: TradeStruct[]; fee: bigint; args: unknown[] };
  }> = [
    {
      name: "an empty list",
      error: "ZeroAmount",
      build: (s) => ({ trades: [], fee: s.feeAccount, args: [] }),
    },
    {
      name: "a fee account that does not exist",
      error: "AccountNotFound",
      build: (s) => ({ trades: [s.trade()], fee: 999n, args: [999n] }),
    },
    {
      name: "a party account that does not exist",
      error: "AccountNotFound",
      build: (s) => ({ trades: [s.trade({ buyerAccountId: 998n })], fee: s.feeAccount, args: [998n] }),
    },
    {
      name: "the same account on both sides",
      error: "SelfTrade",
      build: (s) => ({
        trades: [s.trade({ buyerAccountId: s.aliceAccount })],
        fee: s.feeAccount,
        args: [s.aliceAccount],
      }),
    },
    {
      name: "a zero amount",
      error: "ZeroAmount",
      build: (s) => ({ trades: [s.trade({ amount: 0n })], fee: s.feeAccount, args: [] }),
    },
    {
      name: "an amount beyond int256",
      error: "AmountTooLarge",
      build: (s) => ({ trades: [s.trade({ amount: 2n ** 255n })], fee: s.feeAccount, args: [2n ** 255n] }),
    },
    {
      name: "a buyer reduce-only flag on a buyer opening a long",
      error: "ReduceOnlyViolated",
      build: (s) => ({
        trades: [s.trade({ flags: 2 })],
        fee: s.feeAccount,
        args: [s.bobAccount, s.put, 0n, WAD],
      }),
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const s = await loadFixture(direct);
      const { trades, fee, args } = c.build(s);
      const before = [
        await s.clearing.positionOf(s.aliceAccount, s.put),
        await s.clearing.positionOf(s.bobAccount, s.put),
        await s.clearing.collateralOf(s.bobAccount, await s.usdcVault.getAddress()),
      ];
      await expect(s.clearing.connect(s.lister).trade(trades, fee))
        .to.be.revertedWithCustomError(s.clearing, c.error)
        .withArgs(...args);
      expect([
        await s.clearing.positionOf(s.aliceAccount, s.put),
        await s.clearing.positionOf(s.bobAccount, s.put),
        await s.clearing.collateralOf(s.bobAccount, await s.usdcVault.getAddress()),
      ]).to.deep.equal(before);
    });
  }

  it("applies several trades with one margin check per account, netting an account's sides", async () => {
    const s = await loadFixture(direct);
    // Alice sells 2 to bob and buys 1 back from carol in one call: she ends short 1, bob long 2, carol short 1.
    await s.clearing
      .connect(s.lister)
      .trade(
        [
          s.trade({ amount: 2n * WAD }),
          s.trade({ sellerAccountId: s.carolAccount, buyerAccountId: s.aliceAccount }),
        ],
        s.feeAccount,
      );
    expect(await s.clearing.positionOf(s.aliceAccount, s.put)).to.equal(-WAD);
    expect(await s.clearing.positionOf(s.bobAccount, s.put)).to.equal(2n * WAD);
    expect(await s.clearing.positionOf(s.carolAccount, s.put)).to.equal(-WAD);
    const [shorts, longsInAccounts, longTokens] = await s.clearing.openInterest(s.put);
    expect([shorts, longsInAccounts, longTokens]).to.deep.equal([2n * WAD, 2n * WAD, 0n]);
  });
});
