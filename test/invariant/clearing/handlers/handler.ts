/**
 * What a handler of the invariant campaign is: one action of one module, run with a step's raw random inputs, which
 * it maps into meaningful ranges at run time, predicting the outcome and checking what the action must keep.
 */
import fc from "fast-check";
import { DRAWN_SCOPES, type World } from "../world";

/** Raw random inputs of a step; each handler maps them into meaningful ranges at run time. */
export interface Params {
  actor: number; // 0..2
  other: number; // 0..2 (recipient / counterparty)
  account: number; // 0..5 (the book's four accounts and the two leveraged ones)
  series: number; // 0..3
  vault: number; // 0..1
  permille: number; // 1..1000: a fraction of what the state allows
  flag: number; // 0..9: 0 picks an out-of-range or unauthorised variant, 1 picks "tiny"
  scope: number; // index into SCOPE_NAMES, below DRAWN_SCOPES
}

export const paramsArb: fc.Arbitrary<Params> = fc.record({
  actor: fc.integer({ min: 0, max: 2 }),
  other: fc.integer({ min: 0, max: 2 }),
  account: fc.integer({ min: 0, max: 5 }),
  series: fc.integer({ min: 0, max: 3 }),
  vault: fc.integer({ min: 0, max: 1 }),
  permille: fc.integer({ min: 1, max: 1000 }),
  flag: fc.integer({ min: 0, max: 9 }),
  scope: fc.integer({ min: 0, max: DRAWN_SCOPES - 1 }),
});

export interface Handler {
  /** The name a step prints (`kind(actor=...,...)`). */
  kind: string;
  /** Relative frequency in the generated sequences. */
  weight: number;
  run(w: World, p: Params): Promise<void>;
}
