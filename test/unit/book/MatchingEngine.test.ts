/**
 * The in-memory matching engine (scripts/book/matching/engine.ts): price-time priority at the makers' prices,
 * self-trade prevention by owner, at most `maxMakers` makers per crossing; seeded random books replayed through the
 * engine and through a naive reference (every resting order filtered and sorted per taker) give the same crossings;
 * and a book at the benchmark's scale (10,000 resting orders, 100,000 takers) keeps every rule.
 */
import { expect } from "chai";
import fc from "fast-check";
import { MatchingEngine, type EngineOrder, type EngineSide } from "../../../scripts/book/matching/engine";
import { copyOrders, NaiveBook, replay, workload, type Fill } from "../../shared/bookWorkload";
import { FUZZ_SEED, fuzzParams } from "../../shared/fuzz";

let seq = 0n;
function o(side: EngineSide, price: bigint, remaining: bigint, owner = "maker", seriesId = "1"): EngineOrder {
  seq++;
  return { hash: `h${seq}`, seriesId, owner, side, price, seq, remaining };
}
const BUY: EngineSide = 0;
const SELL: EngineSide = 1;

describe("unit/book/MatchingEngine", function () {
  this.timeout(300_000);

  it("crosses the best price first, then the oldest order at one price, at the makers' prices", () => {
    const engine = new MatchingEngine(8);
    const late = o(SELL, 100n, 5n, "a");
    const cheap = o(SELL, 99n, 2n, "b");
    const early = o(SELL, 100n, 5n, "c");
    early.seq = 0n;
    const dear = o(SELL, 101n, 5n, "d");
    for (const m of [late, cheap, early, dear]) engine.add(m);
    const taker = o(BUY, 100n, 9n, "t");
    const crossing = engine.cross(taker);
    expect(crossing.makers.map((m) => m.hash)).to.deep.equal([cheap.hash, early.hash, late.hash]);
    expect(crossing.amounts).to.deep.equal([2n, 5n, 2n]);
    engine.trade(taker, crossing);
    expect(taker.remaining).to.equal(0n);
    expect([engine.get(cheap.hash), engine.get(early.hash)]).to.deep.equal([undefined, undefined]);
    expect(engine.get(late.hash)?.remaining).to.equal(3n);
    expect(engine.size).to.equal(2);
  });

  it("never crosses beyond the taker's limit, another series, or the taker's own owner", () => {
    const engine = new MatchingEngine(8);
    const own = o(BUY, 105n, 5n, "t");
    const otherSeries = o(BUY, 105n, 5n, "a", "2");
    const below = o(BUY, 94n, 5n, "b");
    const ok = o(BUY, 95n, 1n, "c");
    for (const m of [own, otherSeries, below, ok]) engine.add(m);
    const crossing = engine.cross(o(SELL, 95n, 10n, "t"));
    expect(crossing.makers.map((m) => m.hash)).to.deep.equal([ok.hash]);
    expect(crossing.amounts).to.deep.equal([1n]);
    expect(engine.cross(o(SELL, 96n, 10n, "x")).makers).to.deep.equal([own]);
    expect(engine.cross(o(BUY, 1_000n, 10n, "x")).makers).to.deep.equal([]);
  });

  it("takes at most maxMakers makers per crossing; the rest crosses in the next", () => {
    const engine = new MatchingEngine(2);
    const makers = [1, 2, 3].map((i) => o(SELL, 100n, 1n, `m${i}`));
    for (const m of makers) engine.add(m);
    const taker = o(BUY, 100n, 3n, "t");
    const first = engine.cross(taker);
    expect(first.amounts).to.deep.equal([1n, 1n]);
    engine.trade(taker, first);
    const second = engine.cross(taker);
    expect(second.makers.map((m) => m.hash)).to.deep.equal([makers[2].hash]);
    engine.trade(taker, second);
    expect([taker.remaining, engine.size]).to.deep.equal([0n, 0]);
  });

  it("removes orders by hash and ignores orders with nothing left", () => {
    const engine = new MatchingEngine(8);
    const a = o(SELL, 100n, 1n, "a");
    engine.add(a);
    engine.add(o(SELL, 100n, 0n, "b"));
    expect(engine.size).to.equal(1);
    engine.remove(a.hash);
    engine.remove("unknown");
    expect([engine.size, engine.cross(o(BUY, 100n, 1n, "t")).makers.length]).to.deep.equal([0, 0]);
    expect(() => new MatchingEngine(0)).to.throw("maxMakers");
  });

  it("gives the naive matcher's crossings on seeded random books", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 8 }),
        (seed, maxMakers) => {
          const w = workload({ seed, resting: 200, takers: 400, series: 2, owners: 4 });
          const engine = replay(new MatchingEngine(maxMakers), [
            ...copyOrders(w.resting),
            ...copyOrders(w.takers),
          ]);
          const naive = replay(new NaiveBook(maxMakers), [...copyOrders(w.resting), ...copyOrders(w.takers)]);
          expect(engine.length).to.be.greaterThan(0);
          expect(engine).to.deep.equal(naive);
        },
      ),
      fuzzParams(25),
    );
  });

  it("keeps every rule at the benchmark's scale: 10,000 resting orders, 100,000 crossing takers", () => {
    const MAX_MAKERS = 8;
    const w = workload({ seed: FUZZ_SEED, resting: 10_000, takers: 100_000, series: 4, owners: 32 });
    const all = new Map([...w.resting, ...w.takers].map((x) => [x.hash, { ...x }]));
    const book = new MatchingEngine(MAX_MAKERS);
    for (const r of copyOrders(w.resting)) book.add(r);
    const fills = replay(book, copyOrders(w.takers));
    const seed = `seed ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED})`;
    expect(fills.length, seed).to.be.greaterThan(10_000);
    // Every rule checked on every crossing; the broken ones collected (one assertion: chai per fill is slow).
    const broken: string[] = [];
    const traded = new Map<string, bigint>();
    const add = (hash: string, amount: bigint) => traded.set(hash, (traded.get(hash) ?? 0n) + amount);
    for (const f of fills) {
      const taker = all.get(f.taker)!;
      if (f.makers.length < 1 || f.makers.length > MAX_MAKERS)
        broken.push(`${f.taker}: ${f.makers.length} makers`);
      let last: bigint | undefined;
      for (const [i, hash] of f.makers.entries()) {
        const maker = all.get(hash)!;
        if (maker.seriesId !== taker.seriesId) broken.push(`${f.taker} x ${hash}: another series`);
        if (maker.side === taker.side) broken.push(`${f.taker} x ${hash}: the same side`);
        if (maker.owner === taker.owner) broken.push(`${f.taker} x ${hash}: a self-trade`);
        if (taker.side === BUY ? maker.price > taker.price : maker.price < taker.price)
          broken.push(`${f.taker} x ${hash}: beyond the taker's limit`);
        // Best price first along one crossing.
        if (last !== undefined && (taker.side === BUY ? maker.price < last : maker.price > last))
          broken.push(`${f.taker} x ${hash}: a worse price before a better one`);
        last = maker.price;
        if (f.amounts[i] <= 0n) broken.push(`${f.taker} x ${hash}: amount ${f.amounts[i]}`);
        add(hash, f.amounts[i]);
        add(f.taker, f.amounts[i]);
      }
    }
    for (const [hash, amount] of traded)
      if (amount > all.get(hash)!.remaining)
        broken.push(`${hash}: traded ${amount} of ${all.get(hash)!.remaining}`);
    expect(broken.slice(0, 10), seed).to.deep.equal([]);
    // The first takers as the naive matcher crosses them.
    const PREFIX = 2_000;
    const naive = replay(new NaiveBook(MAX_MAKERS), [
      ...copyOrders(w.resting),
      ...copyOrders(w.takers.slice(0, PREFIX)),
    ]);
    const limit = w.takers[PREFIX - 1].seq;
    const enginePrefix = fills.filter((f: Fill) => all.get(f.taker)!.seq <= limit);
    expect(enginePrefix, seed).to.deep.equal(naive);
  });
});
