/** The service's settings, checked with zod: every value with its unit, addresses and keys in their formats. */
import { z } from "zod";

const uint = z
  .union([z.string().regex(/^\d+$/, "a whole number"), z.bigint(), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));
const int = (min: number) => z.coerce.number().int().min(min);

export const bookConfigSchema = z.object({
  host: z.string().min(1),
  port: int(0).max(65_535),
  rpcUrl: z.url(),
  exchange: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address"),
  /** The chain id the deployment record names (checked against the node's). */
  expectedChainId: uint.optional(),
  executorKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex private key")
    .optional(),
  databaseUrl: z.string().min(1).optional(),
  dataDir: z.string().min(1),
  bodyLimitBytes: int(256),
  minLifeSeconds: int(0),
  tickSizeQuoteUnits: uint.refine((v) => v > 0n, "positive"),
  lotSizeContractsWad: uint.refine((v) => v > 0n, "positive"),
  maxOpenOrdersPerOwner: int(1),
  confirmations: int(1),
  pollIntervalMs: int(10),
  maxMakersPerMatch: int(1),
  fromBlock: int(0),
  validation: z.enum(["cached", "call"]),
  writeBatchOrders: int(1).max(1_000),
  revalidateIntervalSeconds: int(1),
  signatureWorkers: z.union([z.literal("auto"), int(0).max(64)]),
});

export type BookConfig = z.output<typeof bookConfigSchema>;
