/**
 * The lifecycle's scenario on config/local.json. Cast (the development accounts the config names): #0 deployer,
 * #1 and #9 owners of the 2-of-3 governance Safe (the timelock's proposer; #10 is its third owner), #2 guardian,
 * #3 lister; #4 Alice (sells puts), #5 Bob (buys them), #6 Carol (market maker, liquidator), #7 Dave (gets some of
 * Bob's options), #8 Erin (insurance staker).
 */
import { WAD } from "../math/wad";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
const USDC = 10n ** 6n;
const ETH = 10n ** 18n;

/** The scenario's inputs: amounts in token units, prices in WAD. */
export const SCENARIO = {
  spotWad: 2_000n * WAD,
  strikeWad: 1_800n * WAD,
  expirySeconds: 7 * DAY,
  /** A crash of 52.5%, beyond config/local.json's 50% band. */
  crashWad: 950n * WAD,
  settlementWad: 1_300n * WAD,
  insuranceStakeUsdc: 20_000n * USDC,
  aliceDepositUsdc: 2_000n * USDC,
  aliceTopUpUsdc: 100n * USDC,
  /** Bob's collateral, from which he pays the premium. */
  bobDepositUsdc: 100n * USDC,
  /** The premium of Alice's signed sell order, in USDC per contract. */
  putPremiumUsdc: 40n * USDC,
  carolDepositUsdc: 60_000n * USDC,
  carolDepositWeth: 10n * ETH,
  putsWritten: 2n * WAD,
  putsToDave: WAD / 2n,
  /** Times after the flag at which the auction discount is shown; the liquidation happens at the last one. */
  auctionSamplesSeconds: [0, 5 * 60, 10 * 60, 15 * 60, 20 * 60, 25 * 60, 30 * 60],
} as const;
