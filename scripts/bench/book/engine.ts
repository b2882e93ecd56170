/**
 * The matching engine alone (scripts/book/matching/engine.ts): no chain, no database. A seeded book of resting orders
 * and a stream of crossing takers, replayed as the matcher does (each taker crosses until nothing crosses it, then
 * rests the rest); the reference is the naive matcher of the same workload (every resting order filtered and sorted
 * for every taker, what one SQL query per taker does), on a prefix of the takers, whose crossings must be identical.
 */
import { MatchingEngine } from "../../book/matching/engine";
import {
  copyOrders,
  NaiveBook,
  replay,
  workload,
  type WorkloadShape,
} from "../../../test/shared/bookWorkload";

export interface EngineFigures {
  shape: WorkloadShape;
  maxMakers: number;
  engine: { takers: number; crossings: number; fills: number; seconds: number };
  naive: { takers: number; crossings: number; fills: number; seconds: number };
}

export function benchEngine(shape: WorkloadShape, naiveTakers: number, maxMakers: number): EngineFigures {
  const w = workload(shape);
  const run = (book: MatchingEngine | NaiveBook, takers: number) => {
    const resting = copyOrders(w.resting);
    const stream = copyOrders(w.takers.slice(0, takers));
    const t = performance.now();
    for (const o of resting) book.add(o);
    const fills = replay(book, stream);
    return { fills, seconds: (performance.now() - t) / 1000 };
  };
  // Warm the JIT on a short run first, as a long-running service would be.
  run(new MatchingEngine(maxMakers), Math.min(1_000, shape.takers));
  const engine = run(new MatchingEngine(maxMakers), shape.takers);
  const naive = run(new NaiveBook(maxMakers), naiveTakers);
  const prefix = engine.fills.filter((f) => Number(f.taker.slice(1)) <= shape.resting + naiveTakers);
  if (
    JSON.stringify(prefix, (_, v) => (typeof v === "bigint" ? v.toString() : v)) !==
    JSON.stringify(naive.fills, (_, v) => (typeof v === "bigint" ? v.toString() : v))
  )
    throw new Error(`the engine and the naive matcher disagree on seed ${shape.seed}`);
  const count = (fills: { makers: string[] }[]) => fills.reduce((n, f) => n + f.makers.length, 0);
  return {
    shape,
    maxMakers,
    engine: {
      takers: shape.takers,
      crossings: engine.fills.length,
      fills: count(engine.fills),
      seconds: engine.seconds,
    },
    naive: {
      takers: naiveTakers,
      crossings: naive.fills.length,
      fills: count(naive.fills),
      seconds: naive.seconds,
    },
  };
}
