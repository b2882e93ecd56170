-- Orders as accepted (signed), their fill state, the matcher's transactions and trades, and the indexed chain events.
-- Addresses and hashes are lower-case hex; uint256 values are numeric(78, 0).

CREATE TABLE orders (
  hash text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  owner text NOT NULL,
  signer text NOT NULL,
  account_id numeric(78, 0) NOT NULL,
  series_id numeric(78, 0) NOT NULL,
  side smallint NOT NULL,
  amount numeric(78, 0) NOT NULL,
  price numeric(78, 0) NOT NULL,
  max_fee numeric(78, 0) NOT NULL,
  expiry bigint NOT NULL,
  nonce numeric(78, 0) NOT NULL,
  taker text NOT NULL,
  executor text NOT NULL,
  flags smallint NOT NULL,
  signature text NOT NULL,
  -- OPEN, CANCELLED (soft, by a signed message), EVICTED (refused by the exchange at match time)
  status text NOT NULL DEFAULT 'OPEN',
  reason text,
  -- contracts in the matcher's transactions that have not failed
  reserved numeric(78, 0) NOT NULL DEFAULT 0,
  -- contracts filled on-chain by others (`fill`), from the indexer
  external_filled numeric(78, 0) NOT NULL DEFAULT 0,
  -- cancelled on-chain (`cancel` by its owner or signer, or below its owner's `minNonce`), from the indexer
  chain_cancelled boolean NOT NULL DEFAULT false,
  -- the matcher has crossed it as a taker against the book; from then on it rests as a maker
  processed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_book ON orders (series_id, side, price, seq) WHERE status = 'OPEN';
CREATE INDEX orders_owner ON orders (owner, seq);
CREATE INDEX orders_unprocessed ON orders (seq) WHERE NOT processed;

CREATE TABLE matches (
  id bigserial PRIMARY KEY,
  tx_hash text NOT NULL UNIQUE,
  raw_tx text NOT NULL,
  nonce bigint NOT NULL,
  taker_hash text NOT NULL REFERENCES orders (hash),
  -- PENDING (sent, not in a block), MINED (in a block, fewer confirmations than required), CONFIRMED, FAILED
  status text NOT NULL DEFAULT 'PENDING',
  block_number bigint,
  block_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matches_open ON matches (id) WHERE status IN ('PENDING', 'MINED');

CREATE TABLE trades (
  id bigserial PRIMARY KEY,
  match_id bigint NOT NULL REFERENCES matches (id),
  series_id numeric(78, 0) NOT NULL,
  maker_hash text NOT NULL REFERENCES orders (hash),
  taker_hash text NOT NULL REFERENCES orders (hash),
  maker_owner text NOT NULL,
  taker_owner text NOT NULL,
  taker_side smallint NOT NULL,
  amount numeric(78, 0) NOT NULL,
  price numeric(78, 0) NOT NULL
);
CREATE INDEX trades_match ON trades (match_id);

-- The exchange's events, once each by (transaction, log index): kind fill (order_hash, amount), cancel (order_hash,
-- owner = the canceller), min_nonce (owner, amount = the new minimum).
CREATE TABLE chain_events (
  tx_hash text NOT NULL,
  log_index integer NOT NULL,
  block_number bigint NOT NULL,
  block_hash text NOT NULL,
  kind text NOT NULL,
  order_hash text,
  owner text,
  amount numeric(78, 0),
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_events_block ON chain_events (block_number);
CREATE INDEX chain_events_order ON chain_events (order_hash);

-- The indexer's cursor (the last block it has read) and the hashes of recent blocks it read, to detect reorgs.
CREATE TABLE indexer_cursor (id smallint PRIMARY KEY, block_number bigint NOT NULL);
CREATE TABLE indexed_blocks (block_number bigint PRIMARY KEY, block_hash text NOT NULL);
