/** Publish the current state of the price levels some orders sit on (the book deltas of the stream). */
import type { Queryable } from "../db/database";
import { levels } from "../db/orders";
import type { StreamHub } from "./hub";

export interface LevelKey {
  series_id: string;
  side: number;
  price: string;
}

export async function publishLevels(
  q: Queryable,
  hub: StreamHub,
  keys: LevelKey[],
  now: bigint,
): Promise<void> {
  if (hub.size === 0) return;
  const seen = new Set<string>();
  for (const k of keys) {
    const id = `${k.series_id}/${k.side}/${k.price}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const [level] = await levels(q, BigInt(k.series_id), now, {
      side: Number(k.side),
      price: BigInt(k.price),
    });
    hub.publish({
      type: "level",
      seriesId: k.series_id,
      side: Number(k.side) === 0 ? "buy" : "sell",
      price: k.price,
      amount: level?.amount ?? "0",
      orders: level?.orders ?? 0,
    });
  }
}

/**
 * Level deltas of the API's writes, coalesced: the levels touched while a publish runs go out together after it, one
 * query per distinct level, so a burst of orders on one price costs one read.
 */
export class LevelFeed {
  private pending = new Map<string, LevelKey>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly q: Queryable,
    private readonly hub: StreamHub,
    private readonly now: () => bigint,
  ) {}

  touch(keys: LevelKey[]): void {
    if (this.hub.size === 0) return;
    for (const k of keys) this.pending.set(`${k.series_id}/${k.side}/${k.price}`, k);
    if (this.running === undefined) this.running = this.drain();
  }

  /** Resolves when everything touched so far is published. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const keys = [...this.pending.values()];
        this.pending = new Map();
        await publishLevels(this.q, this.hub, keys, this.now()).catch((error: unknown) =>
          process.stderr.write(
            JSON.stringify({ event: "stream-error", message: (error as Error).message.split("\n")[0] }) +
              "\n",
          ),
        );
      }
    } finally {
      this.running = undefined;
    }
  }
}
