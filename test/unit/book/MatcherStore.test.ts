/**
 * What the matcher reads from and writes to the store, on PGlite: the makers a batch of takers may cross (one query:
 * processed, live, the opposite side of each taker's series, within the most aggressive limit), and a match recorded
 * only while its orders are still open with enough left (a soft cancel or a reservation in between refuses it whole).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ethers } from "ethers";
import type { Database } from "../../../scripts/book/db/database";
import { migrate } from "../../../scripts/book/db/migrate";
import { openPglite } from "../../../scripts/book/db/pglite";
import {
  crossableMakers,
  getOrder,
  insertOrder,
  markProcessed,
  softCancel,
  unprocessedOrders,
} from "../../../scripts/book/db/orders";
import { recordMatch, StaleOrderError, type NewTrade } from "../../../scripts/book/db/matches";
import { buildOrder, Side } from "../../../src/exchange/order";

const NOW = 1_000n;
const WAD = 10n ** 18n;

describe("unit/book/MatcherStore (the matcher's batch read and its guarded match record, PGlite)", function () {
  this.timeout(120_000);
  let dir: string;
  let db: Database;
  let nonce = 0n;

  async function put(
    owner: number,
    seriesId: bigint,
    side: Side,
    price: bigint,
    processed = true,
  ): Promise<string> {
    const order = buildOrder({
      accountId: BigInt(owner),
      owner: ethers.zeroPadValue(ethers.toBeHex(owner), 20),
      seriesId,
      side,
      amount: WAD,
      limitPremiumPerContract: price,
      maxFeePerContract: 0n,
      expiry: NOW + 3_600n,
      nonce: nonce++,
    });
    const hash = ethers.id(`order ${nonce}`);
    expect(await insertOrder(db, hash, order, "0x" + "11".repeat(65))).to.equal(true);
    if (processed) await markProcessed(db, [hash]);
    return hash;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "optiq-matcher-store-"));
    db = await openPglite(join(dir, "db"));
    await migrate(db);
  });
  after(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the makers a batch may cross: per series, the opposite side within the most aggressive limit", async () => {
    const ask100 = await put(1, 7n, Side.Sell, 100n);
    const ask105 = await put(2, 7n, Side.Sell, 105n);
    await put(3, 7n, Side.Sell, 111n);
    const bid90 = await put(4, 7n, Side.Buy, 90n);
    await put(5, 7n, Side.Buy, 80n);
    const otherSeries = await put(6, 8n, Side.Sell, 100n);
    await put(7, 9n, Side.Sell, 1n);
    const cancelled = await put(8, 7n, Side.Sell, 101n);
    expect(await softCancel(db, cancelled)).to.equal(true);
    await put(9, 7n, Side.Sell, 102n, false);
    const buyTo110 = await put(10, 7n, Side.Buy, 110n, false);
    const buyTo105 = await put(11, 7n, Side.Buy, 105n, false);
    const sellTo85 = await put(12, 7n, Side.Sell, 85n, false);
    const buyOther = await put(13, 8n, Side.Buy, 100n, false);

    const takers = (await unprocessedOrders(db, 10)).filter((t) =>
      [buyTo110, buyTo105, sellTo85, buyOther].includes(t.hash),
    );
    expect(takers.map((t) => t.hash)).to.deep.equal([buyTo110, buyTo105, sellTo85, buyOther]);
    const makers = await crossableMakers(db, takers, NOW);
    expect(makers.map((m) => m.hash).sort()).to.deep.equal([ask100, ask105, bid90, otherSeries].sort());
    expect(await crossableMakers(db, [], NOW)).to.deep.equal([]);
  });

  it("records a match while its orders are open with enough left, and refuses it whole otherwise", async () => {
    const maker = await put(20, 10n, Side.Sell, 100n);
    const other = await put(21, 10n, Side.Sell, 100n);
    const taker = await put(22, 10n, Side.Buy, 100n, false);
    const trade = (makerHash: string, amount: bigint): NewTrade => ({
      seriesId: 10n,
      makerHash,
      takerHash: taker,
      makerOwner: "0x" + "00".repeat(20),
      takerOwner: "0x" + "00".repeat(20),
      takerSide: Side.Buy,
      amount,
      price: 100n,
    });
    const matches = async () =>
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM matches"))[0].n;
    const tx = (n: number) => ({ hash: ethers.id(`tx ${n}`), raw: "0x01", nonce: n });

    await db.transaction((q) => recordMatch(q, tx(1), taker, [trade(maker, WAD / 2n)]));
    expect([(await getOrder(db, maker))!.reserved, (await getOrder(db, taker))!.reserved]).to.deep.equal([
      (WAD / 2n).toString(),
      (WAD / 2n).toString(),
    ]);
    expect(await matches()).to.equal(1);

    // More than the maker has left: nothing of the match is stored.
    let error: unknown;
    try {
      await db.transaction((q) => recordMatch(q, tx(2), taker, [trade(other, WAD / 4n), trade(maker, WAD)]));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StaleOrderError);
    expect((error as StaleOrderError).orderHash).to.equal(maker);
    expect([(await getOrder(db, other))!.reserved, await matches()]).to.deep.equal(["0", 1]);

    // A soft cancel in between: refused too.
    expect(await softCancel(db, other)).to.equal(true);
    error = undefined;
    try {
      await db.transaction((q) => recordMatch(q, tx(3), taker, [trade(other, WAD / 4n)]));
    } catch (e) {
      error = e;
    }
    expect((error as StaleOrderError).orderHash).to.equal(other);
    expect([(await getOrder(db, taker))!.reserved, await matches()]).to.deep.equal([
      (WAD / 2n).toString(),
      1,
    ]);
  });
});
