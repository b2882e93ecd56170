/**
 * The devnet's options, from the environment (`npm run devnet`): validated with zod, every problem named by its
 * variable. Defaults give a node on 127.0.0.1:8545 whose feeds move every 5 seconds until stopped.
 */
import { z } from "zod";

export const DEVNET_DEFAULTS = {
  port: 8545,
  node: "hardhat",
  seed: 1,
  tickMs: 5_000,
  ticks: 0,
  volPerTickBps: 50,
  record: "deployments/localhost.json",
  prices: "reports/devnet-prices.json",
} as const;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  DEVNET_PORT: integer(1, 65_535).default(DEVNET_DEFAULTS.port),
  DEVNET_NODE: z.enum(["hardhat", "anvil"]).default(DEVNET_DEFAULTS.node),
  DEVNET_SEED: integer(0, 0xffffffff).default(DEVNET_DEFAULTS.seed),
  DEVNET_TICK_MS: integer(100, 3_600_000).default(DEVNET_DEFAULTS.tickMs),
  DEVNET_TICKS: integer(0, 1_000_000_000).default(DEVNET_DEFAULTS.ticks),
  DEVNET_VOL_PER_TICK_BPS: integer(0, 1_000).default(DEVNET_DEFAULTS.volPerTickBps),
  DEVNET_RECORD: z.string().min(1).default(DEVNET_DEFAULTS.record),
  DEVNET_PRICES: z.string().min(1).default(DEVNET_DEFAULTS.prices),
});

export interface DevnetOptions {
  /** Loopback port of the node. */
  port: number;
  node: "hardhat" | "anvil";
  /** Seed of the price path: the same seed moves the feeds the same way. */
  seed: number;
  /** Wall-clock milliseconds between two moves of the feeds. */
  tickMs: number;
  /** Moves before the market stops on its own (0: until stopped). */
  ticks: number;
  /** Standard deviation of one move of a price, in basis points. */
  volPerTickBps: number;
  /** Where the deployment record is written. */
  record: string;
  /** Where each move's prices are written as the reporter's price document (REPORTER_PRICES). */
  prices: string;
}

export class DevnetOptionsError extends Error {}

/** The options of `env`, or a DevnetOptionsError naming every bad variable. */
export function devnetOptions(env: NodeJS.ProcessEnv): DevnetOptions {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key.startsWith("DEVNET_") && value !== undefined && value !== "",
    ),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new DevnetOptionsError(`bad devnet options:\n  ${problems.join("\n  ")}`);
  }
  const o = parsed.data;
  return {
    port: o.DEVNET_PORT,
    node: o.DEVNET_NODE,
    seed: o.DEVNET_SEED,
    tickMs: o.DEVNET_TICK_MS,
    ticks: o.DEVNET_TICKS,
    volPerTickBps: o.DEVNET_VOL_PER_TICK_BPS,
    record: o.DEVNET_RECORD,
    prices: o.DEVNET_PRICES,
  };
}
