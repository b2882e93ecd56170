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
