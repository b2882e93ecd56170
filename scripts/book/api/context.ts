/** What the routes share: settings, database, chain, clock, stream, and the matcher's wake-up. */
import type { BookConfig } from "../config/schema";
import type { Database } from "../db/database";
import type { Chain } from "../chain/exchange";
import type { Clock } from "../chain/clock";
import type { StreamHub } from "../stream/hub";

export interface BookContext {
  config: BookConfig;
  db: Database;
  chain: Chain;
  clock: Clock;
  hub: StreamHub;
  /** Ask the engine to run now (new order, cancel). */
  wake(): void;
  /** The indexer's last block, the node's head as last seen. */
  status(): { indexedBlock: number | undefined; headBlock: number | undefined };
}
