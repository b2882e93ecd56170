/** What the routes share: settings, database, chain and its cached state, clock, stream, the writer, the engine's wake-up. */
import type { BookConfig } from "../config/schema";
import type { Database } from "../db/database";
import type { Chain } from "../chain/exchange";
import type { Clock } from "../chain/clock";
import type { StreamHub } from "../stream/hub";
import type { LevelFeed } from "../stream/levels";
import type { OrderWriter } from "../db/orderWriter";
import type { ChainState } from "../validation/chainState";
import type { SignaturePool } from "../validation/signatures";

export interface BookContext {
  config: BookConfig;
  db: Database;
  chain: Chain;
  clock: Clock;
  hub: StreamHub;
  /** Coalesced level deltas of accepted orders. */
  levels: LevelFeed;
  /** Group commit of accepted orders. */
  writer: OrderWriter;
  /** Order digests and signature recovery, on worker threads. */
  signatures: SignaturePool;
  /** The chain state the order checks read (cached, refreshed on events). */
  state: ChainState;
  /** Ask the engine to run now (new order, cancel). */
  wake(): void;
  /** The indexer's last block, the node's head as last seen, whether this instance runs the engine. */
  status(): { indexedBlock: number | undefined; headBlock: number | undefined; leader: boolean };
}
