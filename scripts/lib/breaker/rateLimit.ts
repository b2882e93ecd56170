/**
 * TypeScript reference of the CircuitBreaker's outflow rate limiter (docs/breaker.md, "Window algorithm").
 *
 * Two views of the same rule, written independently of the Solidity:
 * - `RateLimitModel`: the incremental state machine (two buckets, base liquidity), used to predict every
 *   accept/revert and every capacity the contract reports;
 * - `capacityFromLog`: the definition computed from the full history of flows (O(n), for fixed parameters),
 *   used to check the model, and `checkOutflowLimit`: INV_BREAKER_OUTFLOW_LIMIT over every interval of a history.
 */

export const BPS_DENOMINATOR = 10_000n;
export const MAX_LIQUIDITY = 2n ** 127n - 1n;

export interface Flow {
  /** Block timestamp of the flow. */
  at: bigint;
  /** Positive: outflow; negative: inflow. */
  net: bigint;
}

/** Incremental model: mirrors the limiter's state, in unbounded bigints. */
export class RateLimitModel {
  base = 0n;
  epoch = 0n;
  prev = 0n;
  cur = 0n;
  windowSeconds = 0n;
  bps = 0n;

  get configured(): boolean {
    return this.bps !== 0n;
  }

  /** The state as of time `now` (does not mutate). */
  private at(now: bigint): { base: bigint; prev: bigint; cur: bigint } {
    const epoch = now / this.windowSeconds;
    if (epoch === this.epoch) return { base: this.base, prev: this.prev, cur: this.cur };
    if (epoch === this.epoch + 1n) return { base: this.base - this.prev, prev: this.cur, cur: 0n };
    return { base: this.base - this.prev - this.cur, prev: 0n, cur: 0n };
  }

  private advance(now: bigint): void {
    const s = this.at(now);
    this.base = s.base;
    this.prev = s.prev;
    this.cur = s.cur;
    this.epoch = now / this.windowSeconds;
  }

  liquidity(): bigint {
    return this.base - this.prev - this.cur;
  }

  capacity(now: bigint): bigint {
    if (!this.configured) return 0n;
    const s = this.at(now);
    const available = (s.base * this.bps) / BPS_DENOMINATOR - s.prev - s.cur;
    return available > 0n ? available : 0n;
  }

  /** Apply an outflow; returns `null` when accepted, else the capacity the revert must carry. */
  outflow(now: bigint, amount: bigint): bigint | null {
    const available = this.capacity(now);
    if (amount > available) return available;
    this.advance(now);
    this.cur += amount;
    return null;
  }

  /** Apply an inflow; returns false when it would overflow the tracked liquidity. */
  inflow(now: bigint, amount: bigint): boolean {
    this.advance(now);
    if (this.liquidity() + amount > MAX_LIQUIDITY) return false;
    this.cur -= amount;
    return true;
  }

  /**
   * Apply a booked loss (`recordLoss`): the liquidity falls by `amount`, off the base first (the limit then measures
   * what is left), the rest charged to the current bucket. Returns false when it exceeds the liquidity.
   */
  loss(now: bigint, amount: bigint): boolean {
    this.advance(now);
    if (amount > this.liquidity()) return false;
    const fromBase = amount <= this.base ? amount : this.base;
    this.base -= fromBase;
    this.cur += amount - fromBase;
    return true;
  }

  reconfigure(now: bigint, bps: bigint, windowSeconds: bigint): void {
    if (this.windowSeconds !== 0n) {
      this.advance(now);
      this.cur += this.prev;
      this.prev = 0n;
    }
    this.bps = bps;
    this.windowSeconds = windowSeconds;
    this.epoch = now / windowSeconds;
  }
}

/**
 * The capacity at `now` by definition, from the whole history (fixed `bps` and `windowSeconds`, configured before
 * the first flow): base = liquidity before the start of the previous bucket; the net outflow of the previous and
 * the current bucket is charged against `bps` of the base.
 */
export function capacityFromLog(flows: Flow[], now: bigint, bps: bigint, windowSeconds: bigint): bigint {
  const prevStart = (now / windowSeconds - 1n) * windowSeconds;
  let base = 0n;
  let net = 0n;
  for (const f of flows) {
    if (f.at < prevStart) base -= f.net;
    else net += f.net;
  }
  const available = (base * bps) / BPS_DENOMINATOR - net;
  return available > 0n ? available : 0n;
}

/**
 * INV_BREAKER_OUTFLOW_LIMIT over a history of accepted flows (fixed parameters, configured before the first flow):
 * for every interval [s, t] of at most `windowSeconds`, the outflow in it is at most `bps` of the liquidity just
 * before s, plus what flowed in from the start of the bucket before s's bucket up to t (inflows may be withdrawn
 * again). Without inflows: at most `bps` of the liquidity at the interval's start. Returns a description of the
 * first violation, or null.
 */
export function checkOutflowLimit(flows: Flow[], bps: bigint, windowSeconds: bigint): string | null {
  const times = [...new Set(flows.map((f) => f.at))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const s of times) {
    const before = flows.filter((f) => f.at < s).reduce((acc, f) => acc - f.net, 0n);
    for (const t of times) {
      if (t < s || t - s > windowSeconds) continue;
      const out = flows.filter((f) => f.at >= s && f.at <= t && f.net > 0n).reduce((a, f) => a + f.net, 0n);
      const spanStart = (s / windowSeconds - 1n) * windowSeconds;
      const inflow = flows
        .filter((f) => f.at >= spanStart && f.at <= t && f.net < 0n)
        .reduce((a, f) => a - f.net, 0n);
      if (out * BPS_DENOMINATOR > bps * before + inflow * BPS_DENOMINATOR) {
        return `outflow ${out} in [${s}, ${t}] > ${bps} bps of ${before} + inflows ${inflow}`;
      }
    }
  }
  return null;
}
