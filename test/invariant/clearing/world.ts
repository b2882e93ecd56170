/**
 * The invariant campaign's world: its starting book (deployment and actors), the ghost state a run keeps beside the
 * chain (scopes tripped and by whom, failing price sources, what each settled series' longs receive), the bounds
 * of the actions and the counters printed at the end.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, TypedDataDomain } from "ethers";
import { WAD } from "../../../scripts/lib/math/wad";
import { exchangeDomain, type Order } from "../../../src/exchange/order";
import { HOUR, USDC_UNIT } from "../../shared/fixtures/system";
import { deployClearingBook, type BookAccount } from "../../shared/fixtures/clearing";
import { deployExchange } from "../../shared/deployers/exchange";
import type { BookUnderCheck } from "../../shared/campaign/checks";

/** Runs and commands per run of the bounded campaign (`npm test`); FUZZ_RUNS overrides the runs. */
export const DEFAULT_RUNS = 25;
export const MAX_COMMANDS = 50;
/** Runs under `npm run coverage` (`fuzzParams`'s coverage runs); the full bounded campaign is npm test's. */
export const COVERAGE_RUNS = 3;
/**
 * Spot is kept in [SPOT_MIN, SPOT_MAX]. Small moves (±15%) can add up beyond the oracle's band within one window,
 * and gaps (55% to 150%) always exceed it: `report` predicts from the oracle's band state whether a poke trips the
 * asset's scope.
 */
export const SPOT_MIN = 400n * WAD;
export const SPOT_MAX = 8000n * WAD;
/** The keeper's own account (the liquidator) and the insurance vault's first-loss capital. */
const KEEPER_USDC = 2_000_000n * USDC_UNIT;
const LEVERAGED_USDC = 3_000n * USDC_UNIT;
/** Index of the keeper's account in `World.accounts` (after the book's six). */
export const KEEPER_INDEX = 6;
/** The exchange's fees in quote units per contract (0.25 and 0.5 USDC): every fill pays some. */
export const MAKER_FEE = USDC_UNIT / 4n;
export const TAKER_FEE = USDC_UNIT / 2n;
/** Small enough that a run's insolvencies exhaust it: both the cover and the socialisation of a loss are exercised
 * (with 50,000 every insolvency was covered, and nothing was socialised once dust stopped being written off). */
const INSURANCE_USDC = 1_500n * USDC_UNIT;
export const FAR_DEADLINE = 2n ** 63n;
/** Near a time boundary (expiry, window end, cooldown) the next block's timestamp is not exactly predictable. */
export const TIME_SLACK_SECONDS = 120;
/** Seconds a failing source's last report lies in the past: two of the fixture's one-hour heartbeats. */
export const STALE_SECONDS = 2 * HOUR;
export const PERMILLE = 1000n;

export const SCOPE_NAMES = [
  "WRITE",
  "WITHDRAW",
  "SETTLE",
  "DEPOSIT",
  "GLOBAL",
  "ASSET",
  "LIQUIDATE",
  "TRADE",
] as const;
/**
 * The scopes a step's raw `scope` draws from (the guardian's `pause` handler): TRADE came with the exchange and is
 * paused by the exchange's own handler, so the draws of earlier seeds are unchanged.
 */
export const DRAWN_SCOPES = 7;
export type ScopeName = (typeof SCOPE_NAMES)[number];
/** Who tripped a scope: the guardian's pause, or the oracle's report of a jump beyond the band or a lost quorum. */
export type TripCause = "guardian" | "band" | "quorum";
/** ICircuitBreaker.TripReason of each cause. */
export const TRIP_REASON: Record<TripCause, bigint> = { guardian: 1n, band: 2n, quorum: 3n };

/** Counters printed at the end: proof of depth. */
export class Stats {
  runs = 0;
  steps = 0;
  ok: Record<string, number> = {};
  reverts: Record<string, number> = {};
  guardBlocked = 0;
  riskReducingWhileTripped = 0;
  marginChecks = 0;
  trips: Record<TripCause, number> = { guardian: 0, band: 0, quorum: 0 };
  gaps = 0;
  oracleFailures = 0;
  quorumLost = 0;
  settlements = { oracle: 0, fallback: 0 };
  liquidations = { solvent: 0, insolvent: 0, socialised: 0, insuranceDrawn: 0 };
  healthyRefused = 0;
  /** Exchange trades by how INV_EXCHANGE_PREMIUM was checked: per account ("exact") or in aggregate only, when a
   * party's lazy settlement moved collateral in the same call ("settled"). */
  premiumChecks = { exact: 0, settled: 0 };
  inc(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }
}
export const stats = new Stats();

/**
 * The campaign's starting book: `deployClearingBook`, plus two leveraged accounts written to about 90% of their
 * initial margin (carol: calls K=2200, bob: puts K=1800, both 4 days out; the first gap against them makes them
 * liquidatable), an account of the keeper's funded with its own USDC (the liquidator) and a staker's first-loss
 * capital in the insurance vault.
 */
export async function deployCampaignBook() {
  const book = await deployClearingBook();
  const { keeper, deployer, usdc, insurance, clearing, carol, bob, series } = book;
  const leveraged: BookAccount[] = [];
  for (const [owner, s, recipient] of [
    [carol, series[2], book.alice],
    [bob, series[3], carol],
  ] as const) {
    const id = await book.fundAccount(owner, "usdc", LEVERAGED_USDC);
    await clearing.connect(owner).write(id, s.id, WAD, recipient.address);
    const h = await clearing.health(id);
    // The requirement is about linear in the amount: take the account to ~90% of what its collateral allows.
    const more = (h.collateralValueWad * 9n * WAD) / (10n * h.initialWad) - WAD;
    if (more > 0n) await clearing.connect(owner).write(id, s.id, more, recipient.address);
    leveraged.push({ id, owner });
  }
  const keeperAccount = await book.fundAccount(keeper, "usdc", KEEPER_USDC);
  await usdc.mint(deployer.address, INSURANCE_USDC);
  await usdc.connect(deployer).approve(await insurance.getAddress(), INSURANCE_USDC);
  await insurance.connect(deployer).deposit(INSURANCE_USDC, deployer.address);
  // Deployed last, so the book before it is the same as without it. Its fee account opens on the first fill.
  const exchange = await deployExchange(book.manager, deployer, clearing, {
    feeRecipient: book.governor.address,
    makerFeePerContract: MAKER_FEE,
    takerFeePerContract: TAKER_FEE,
    executors: [keeper.address],
  });
  const { chainId } = await ethers.provider.getNetwork();
  const domain = exchangeDomain(await exchange.getAddress(), chainId);
  return { ...book, accounts: [...book.accounts, ...leveraged], keeperAccount, exchange, domain };
}
export type CampaignBook = Awaited<ReturnType<typeof deployCampaignBook>>;

/** One signed order of the run, as the exchange handlers keep it. */
export interface SignedOrder {
  order: Order;
  signature: string;
  hash: string;
  /** Index of its account in `book.accounts`. */
  account: number;
  /** What the ghost model says is filled: the exchange's `filled(hash)` must equal it. */
  filled: bigint;
  /** Addresses that cancelled it (the exchange honours the owner's and the signer's). */
  cancelledBy: Set<string>;
}

/** The harness's view of the world during one run. */
export interface World {
  book: CampaignBook;
  /** The book's six accounts and the keeper's (KEEPER_INDEX): every account the invariants sum over. */
  accounts: BookAccount[];
  vaults: { usdc: string; weth: string };
  weth: string;
  clearingAddress: string;
  /** The oracle's sources for WETH and the quorum it needs (read from its configuration). */
  sources: number;
  quorum: number;
  spot: bigint;
  /** Scopes tripped in this run and by whom (cross-checked against the breaker: nothing else may trip one). */
  tripped: Map<ScopeName, TripCause>;
  /** Price sources currently failing (index into the fixture's feeds): stale or reverting. */
  failed: Map<number, "stale" | "revert">;
  /** Per settled series id: what one long receives, fixed at settlement (scaled by written-off shorts). */
  longPayout: Map<bigint, bigint>;
  /** The exchange's ghost state: every order signed in this run, what of it was filled, who cancelled it. */
  orders: SignedOrder[];
  /** Per owner: the next nonce its orders take, and the min nonce it set. */
  nonces: Map<string, bigint>;
  minNonce: Map<string, bigint>;
  /** The exchange's fee account once the first fill opened it (0 before). */
  feeAccount: bigint;
  domain: TypedDataDomain;
  /** The receipt of the last successful `attempt`, and the error name of the last reverted one. */
  lastReceipt: ContractTransactionReceipt | null;
  lastRevert: string;
}

export async function newWorld(book: CampaignBook): Promise<World> {
  const weth = await book.weth.getAddress();
  const [params, sources] = await book.oracle.assetConfig(weth);
  return {
    book,
    accounts: [...book.accounts, { id: book.keeperAccount, owner: book.keeper }],
    vaults: { usdc: await book.usdcVault.getAddress(), weth: await book.wethVault.getAddress() },
    weth,
    clearingAddress: await book.clearing.getAddress(),
    sources: sources.length,
    quorum: Number(params.quorum),
    spot: (await book.oracle.getPrice(weth))[0],
    tripped: new Map(),
    failed: new Map(),
    longPayout: new Map(),
    orders: [],
    nonces: new Map(),
    minNonce: new Map(),
    feeAccount: 0n,
    domain: book.domain,
    lastReceipt: null,
    lastRevert: "",
  };
}

/** The world as the shared book checks sum over it: every account, every actor's wallet. */
export function underCheck(w: World): BookUnderCheck {
  return {
    book: w.book,
    clearingAddress: w.clearingAddress,
    vaults: w.vaults,
    series: w.book.series,
    accounts: [...w.accounts.map((a) => a.id), ...(w.feeAccount === 0n ? [] : [w.feeAccount])],
    holders: w.book.actors.map((a: HardhatEthersSigner) => a.address),
    longPayout: w.longPayout,
  };
}
