/**
 * Price paths of the scenarios, as multipliers of the initial spot (index 0 = 1 at the start, index t = after
 * step t), and what each mock feed reports at each step (faults: a stale feed stops updating, a rogue one reports
 * a multiple of the market). All randomness from the seeded Rng.
 */
import type { FeedFault, PathSpec } from "./scenarios";
import { Rng } from "../lib/math/rng";

export const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** Multiplicative GBM noise of annual volatility `vol` (no drift, martingale correction included). */
function gbmFactor(rng: Rng, vol: number, dtYears: number): number {
  return Math.exp(-0.5 * vol * vol * dtYears + vol * Math.sqrt(dtYears) * rng.normal());
}

/** The market path of `steps` steps of `stepSeconds` each: `steps + 1` multipliers, the first 1. */
export function marketPath(spec: PathSpec, steps: number, stepSeconds: number, seed: number): number[] {
  const rng = new Rng(seed);
  const dt = stepSeconds / SECONDS_PER_YEAR;
  const out = [1];
  if (spec.kind === "gbm") {
    let m = 1;
    for (let t = 1; t <= steps; t++) {
      m *= Math.exp(spec.drift * dt) * gbmFactor(rng, spec.vol, dt);
      // Always draw the jump size, so the noise stream does not depend on whether a jump happened.
      const jump = rng.bernoulli(spec.jumpProbability);
      const size = spec.jumpMean + spec.jumpStdev * rng.normal();
      if (jump) m *= Math.max(0.05, Math.exp(size));
      out.push(m);
    }
    return out;
  }
  let noise = 1;
  for (let t = 1; t <= steps; t++) {
    noise *= gbmFactor(rng, spec.noise, dt);
    out.push(shape(spec, t, steps) * noise);
  }
  return out;
}

/** The deterministic part of a path at step `t`. */
function shape(spec: Exclude<PathSpec, { kind: "gbm" }>, t: number, steps: number): number {
  switch (spec.kind) {
    case "flash-crash": {
      if (t < spec.at) return 1;
      const bottom = 1 - spec.drop;
      const k = t - spec.at;
      if (k >= spec.recoverSteps) return spec.recoverTo;
      return bottom + ((spec.recoverTo - bottom) * k) / spec.recoverSteps;
    }
    case "bleed":
      return Math.pow(1 - spec.totalDrop, t / steps);
    case "crash": {
      let m = 1;
      spec.drops.forEach((d, i) => {
        if (t >= spec.at + i) m *= 1 - d;
      });
      return m;
    }
  }
}

/** What feed `feed` does at step `step`: report `factor` × the market price, or keep its last round (stale). */
export interface FeedQuote {
  factor: number;
  update: boolean;
}

export function feedQuote(faults: readonly FeedFault[], feed: number, step: number): FeedQuote {
  for (const f of faults) {
    if (f.feed !== feed || step < f.from || (f.to !== undefined && step >= f.to)) continue;
    return f.kind === "stale" ? { factor: 1, update: false } : { factor: f.factor, update: true };
  }
  return { factor: 1, update: true };
}

/** A WAD price from a float multiple of a WAD base, exact to 1e-12 relative. */
export function scaleWad(baseWad: bigint, factor: number): bigint {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`scaleWad: bad factor ${factor}`);
  return (baseWad * BigInt(Math.round(factor * 1e12))) / 10n ** 12n;
}
