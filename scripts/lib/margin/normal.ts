/**
 * The standard normal distribution function Φ in float64: W. J. Cody's rational Chebyshev approximations
 * (ACM TOMS Algorithm 715 "ANORM", 1993; the algorithm behind R's `pnorm`). Relative error near the float64
 * unit roundoff (~1e-16) over the whole line, including the tails (the upper tail is computed directly, never
 * as 1 - Φ). contracts/libraries/NormalCdf.sol evaluates the same approximations in 18-decimal fixed point.
 */

/** 1/√(2π). */
export const INV_SQRT_2PI = 0.3989422804014327;

// Cody's coefficients (first interval: |x| <= qnorm(3/4); second: up to √32; third: beyond, in 1/x²).
const A = [
  2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
  0.065682337918207449113,
];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
  2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
  1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
  18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
  2.9112874951168792e-5, 0.02307344176494017303,
];
const Q = [
  1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
  7.29751555083966205e-5,
];

const SPLIT_1 = 0.67448975;
const SPLIT_2 = Math.sqrt(32);

/** exp(-y²/2) without the cancellation of y² in float64: y split into a part with 4 fraction bits and the rest. */
function gaussianKernel(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5);
}

/** Upper tail Q(y) = 1 - Φ(y) for y >= 0, accurate in relative terms. */
export function normUpperTail(y: number): number {
  if (Number.isNaN(y)) throw new RangeError("normUpperTail: NaN");
  if (y < 0) return 1 - normUpperTail(-y);
  if (y <= SPLIT_1) {
    const xsq = y * y;
    let num = A[4] * xsq;
    let den = xsq;
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]) * xsq;
      den = (den + B[i]) * xsq;
    }
    return 0.5 - (y * (num + A[3])) / (den + B[3]);
  }
  if (y <= SPLIT_2) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return gaussianKernel(y) * ((num + C[7]) / (den + D[7]));
  }
  if (y >= 38.5) return 0; // below the smallest float64
  const r = 1 / (y * y);
  let num = P[5] * r;
  let den = r;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * r;
    den = (den + Q[i]) * r;
  }
  const t = (r * (num + P[4])) / (den + Q[4]);
  return gaussianKernel(y) * ((INV_SQRT_2PI - t) / y);
}

/** Φ(x), the standard normal cumulative distribution function. */
export function normCdf(x: number): number {
  return x <= 0 ? normUpperTail(-x) : 1 - normUpperTail(x);
}

/**
 * Φ(x) to about 60 significant digits from the Taylor series of the error function in bigint fixed point, for
 * |x| <= 12 given as a WAD (x · 1e18). An independent check of both Cody implementations; slow (tests only).
 * Returns Φ(x) scaled by 10^SERIES_DIGITS.
 */
export const SERIES_DIGITS = 60n;
const SERIES_SCALE = 10n ** SERIES_DIGITS;
const GUARD = 10n ** 40n; // extra digits carried through the alternating sum (terms reach e^(x²/2) ~ 1e32)
const WORK = SERIES_SCALE * GUARD;
// π to 80 digits.
const PI_80 = 314159265358979323846264338327950288419716939937510582097494459230781640628620899n;
const PI_SCALE = 10n ** 80n;

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) {
      // Newton from above converges monotonically; fix a possible off-by-one from the float seed.
      while (x * x > n) x -= 1n;
      while ((x + 1n) * (x + 1n) <= n) x += 1n;
      return x;
    }
    x = y;
  }
}

/** 1/√(2π) in WORK scale. */
const INV_SQRT_2PI_WORK = (WORK * WORK) / isqrt((2n * PI_80 * WORK * WORK) / PI_SCALE);

export function normCdfSeries(xWad: bigint): bigint {
  const WADN = 10n ** 18n;
  if (xWad > 12n * WADN || xWad < -12n * WADN) throw new RangeError("normCdfSeries: |x| > 12");
  // Φ(x) = 1/2 + (1/√(2π)) Σ (-1)^n x^(2n+1) / (2^n n! (2n+1)); u_n = x^(2n+1) / (2^n n!).
  const x = (xWad * WORK) / WADN;
  const xsq = (x * x) / WORK;
  let u = x;
  let sum = 0n;
  for (let n = 0n; ; n++) {
    const term = u / (2n * n + 1n);
    sum += n % 2n === 0n ? term : -term;
    u = (u * xsq) / WORK / (2n * (n + 1n));
    if (u === 0n) break;
  }
  const phi = WORK / 2n + (sum * INV_SQRT_2PI_WORK) / WORK;
  return phi / GUARD;
}
