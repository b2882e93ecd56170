-- An owner's live orders by expiry, for the group commit's count of open orders per owner (the cap): the count reads
-- this index alone, in as many entries as the owner has live orders, instead of every order the owner ever placed.
-- The predicate is LIVE (./orders.ts) but for the expiry, which the query compares with the clock.

CREATE INDEX orders_owner_live ON orders (owner, expiry)
  WHERE status = 'OPEN' AND NOT chain_cancelled AND amount - reserved - external_filled > 0;
