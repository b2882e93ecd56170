/**
 * What every act of the lifecycle shares: the narrator, the cast, the deployed contracts bound to their TypeChain
 * types, the mock market, and the small helpers the acts narrate with (refusals, funding, health and wallets).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Interface } from "ethers";
import {
  CircuitBreaker__factory,
  CollateralVault__factory,
  InsuranceVault__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OptionsExchange__factory,
  OracleAggregator__factory,
  ProtocolTimelock__factory,
  type CircuitBreaker,
  type CollateralVault,
  type InsuranceVault,
  type MockERC20,
  type OptionsClearing,
  type OptionsExchange,
  type OracleAggregator,
  type ProtocolTimelock,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../../../src/deployment";
import { Scopes } from "../scopes";
import { check, expectRefusal } from "./checks";
import { MockMarket } from "./market";
import { contracts, formatUnits, usd, type Narrator } from "./narrator";

export interface Cast {
  deployer: HardhatEthersSigner;
  /** Two of the governance Safe's owners (#1 and #9 in config/local.json): enough to meet its threshold of 2. */
  safeOwners: [HardhatEthersSigner, HardhatEthersSigner];
  guardian: HardhatEthersSigner;
  lister: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  erin: HardhatEthersSigner;
}

export interface LifecycleContext {
  hre: HardhatRuntimeEnvironment;
  n: Narrator;
  record: DeploymentRecord;
  cast: Cast;
  clearing: OptionsClearing;
  exchange: OptionsExchange;
  breaker: CircuitBreaker;
  oracle: OracleAggregator;
  timelock: ProtocolTimelock;
  insurance: InsuranceVault;
  usdcVault: CollateralVault;
  wethVault: CollateralVault;
  usdc: MockERC20;
  weth: MockERC20;
  wethAddress: string;
  /** The price scope of WETH. */
  wethScope: string;
  market: MockMarket;
  /** Refusals shown so far, "what: CustomError". */
  refusals: string[];
  /** USDC minted to each participant, by name. */
  usdcIn: Record<string, bigint>;
  /** The participants whose wallets are shown, by name. */
  names: [string, HardhatEthersSigner][];
  /** Require `attempt` (a static call) to revert with `expected`; record and narrate the refusal. */
  refuse(what: string, attempt: () => Promise<unknown>, expected: string): Promise<void>;
  mintUsdc(name: string, who: HardhatEthersSigner, amount: bigint): Promise<void>;
  /** Deposit `amount` of `token` into `vault` for `who` and approve the shares to the clearing; the shares held. */
  fund(
    name: string,
    who: HardhatEthersSigner,
    vault: CollateralVault,
    token: MockERC20,
    amount: bigint,
  ): Promise<bigint>;
  /** Open a clearing account for `who`; its id. */
  openAccount(who: HardhatEthersSigner): Promise<bigint>;
  showHealth(label: string, accountId: bigint): Promise<void>;
  showWallets(seriesId?: bigint): Promise<void>;
  /** The oracle's WETH price now. */
  priceOf(): Promise<bigint>;
}

/** Send a transaction and wait for it to be mined. */
export async function wait(tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await tx).wait();
}

/** Bind the deployment of `record` and the development accounts into the acts' context. */
export async function lifecycleContext(
  hre: HardhatRuntimeEnvironment,
  n: Narrator,
  record: DeploymentRecord,
): Promise<LifecycleContext> {
  const signers = await hre.ethers.getSigners();
  check(signers.length >= 10, `the lifecycle needs 10 accounts, the network has ${signers.length}`);
  const [deployer, owner1, guardian, lister, alice, bob, carol, dave, erin, owner9] = signers;
  const c = record.contracts;
  const clearing = OptionsClearing__factory.connect(c.OptionsClearing, deployer);
  const exchange = OptionsExchange__factory.connect(c.OptionsExchange, deployer);
  const breaker = CircuitBreaker__factory.connect(c.CircuitBreaker, deployer);
  const oracle = OracleAggregator__factory.connect(c.OracleAggregator, deployer);
  const timelock = ProtocolTimelock__factory.connect(c.ProtocolTimelock, deployer);
  const insurance = InsuranceVault__factory.connect(c.InsuranceVault, deployer);
  const usdcVault = CollateralVault__factory.connect(c["CollateralVault.USDC"], deployer);
  const wethVault = CollateralVault__factory.connect(c["CollateralVault.WETH"], deployer);
  const usdc = MockERC20__factory.connect(record.tokens.USDC, deployer);
  const weth = MockERC20__factory.connect(record.tokens.WETH, deployer);
  const wethAddress = await weth.getAddress();
  const market = new MockMarket(
    hre,
    Object.fromEntries(
      Object.entries(record.mocks.feeds).map(([symbol, byIndex]) => [symbol, Object.values(byIndex)]),
    ),
  );
  const errors: Interface[] = [
    clearing.interface,
    exchange.interface,
    breaker.interface,
    timelock.interface,
    insurance.interface,
    usdcVault.interface,
  ];
  const refusals: string[] = [];
  const usdcIn: Record<string, bigint> = {};
  const names: [string, HardhatEthersSigner][] = [
    ["Alice", alice],
    ["Bob", bob],
    ["Carol", carol],
    ["Dave", dave],
    ["Erin", erin],
  ];
  const mintUsdc = async (name: string, who: HardhatEthersSigner, amount: bigint): Promise<void> => {
    await wait(usdc.mint(who.address, amount));
    usdcIn[name] = (usdcIn[name] ?? 0n) + amount;
  };
  return {
    hre,
    n,
    record,
    cast: { deployer, safeOwners: [owner1, owner9], guardian, lister, alice, bob, carol, dave, erin },
    clearing,
    exchange,
    breaker,
    oracle,
    timelock,
    insurance,
    usdcVault,
    wethVault,
    usdc,
    weth,
    wethAddress,
    wethScope: Scopes.asset(wethAddress),
    market,
    refusals,
    usdcIn,
    names,
    async refuse(what, attempt, expected) {
      const name = await expectRefusal(what, attempt, expected, errors);
      refusals.push(`${what}: ${name}`);
      n.line(`refused as expected: ${what} -> ${name}`);
    },
    mintUsdc,
    async fund(name, who, vault, token, amount) {
      if (token === usdc) await mintUsdc(name, who, amount);
      else await wait(token.mint(who.address, amount));
      await wait(token.connect(who).approve(await vault.getAddress(), amount));
      await wait(vault.connect(who).deposit(amount, who.address));
      const shares = await vault.balanceOf(who.address);
      await wait(vault.connect(who).approve(c.OptionsClearing, shares));
      return shares;
    },
    async openAccount(who) {
      await wait(clearing.connect(who).openAccount());
      return clearing.accountCount();
    },
    async showHealth(label, accountId) {
      const h = await clearing.health(accountId);
      const state =
        h.collateralValueWad >= h.initialWad
          ? "healthy"
          : h.collateralValueWad >= h.maintenanceWad
            ? "below initial"
            : "LIQUIDATABLE";
      n.line(
        `${label} (account ${accountId}): collateral ${usd(h.collateralValueWad)}, maintenance ` +
          `${usd(h.maintenanceWad)}, initial ${usd(h.initialWad)}, debt ${usd(h.debtWad)} USDC -> ${state}`,
      );
    },
    async showWallets(seriesId) {
      const parts: string[] = [];
      for (const [name, who] of names) {
        const longs = seriesId === undefined ? 0n : await clearing.balanceOf(who.address, seriesId);
        parts.push(
          `${name} ${formatUnits(await usdc.balanceOf(who.address), 6)} USDC` +
            (longs > 0n ? ` + ${contracts(longs)} puts` : ""),
        );
      }
      n.line(`wallets: ${parts.join("; ")}`);
    },
    async priceOf() {
      return (await oracle.getPrice(wethAddress))[0];
    },
  };
}
