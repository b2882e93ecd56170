/**
 * The HTML report: one self-contained page (inline CSS and SVG charts drawn here, no script, no external
 * resource), readable from the file system. Per scenario: price path with the breaker state, collateralisation of
 * every account over time, liquidations, cumulative bad debt split into insurance and socialised loss, and the
 * breaker/oracle state strip; plus the summary table and the crash-size sweep. `mainChartHtml` renders the
 * README's figure alone.
 */
import type { ScenarioResult, StepRecord, WriterBook } from "./metrics";

export interface SweepPoint {
  scenario: string;
  /** The move's size (0.4 = 40%), a crash or, in an `up` archetype's sweep, a rally. */
  drop: number;
  badDebt: number;
  insuranceDrawn: number;
  socialised: number;
  liquidations: number;
  insolvent: number;
  insolventAccounts: string[];
  discountPaid: number;
  tripped: boolean;
  checksOk: boolean;
  /** The writers' books when written. */
  books: WriterBook[];
}

/** One writer archetype swept alone. */
export interface ArchetypeSweep {
  name: string;
  description: string;
  direction: "down" | "up";
  points: SweepPoint[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const C = {
  market: "#888888",
  oracle: "#1f4e9c",
  tripped: "#f4b6b6",
  grace: "#fde3a7",
  refused: "#555555",
  insurance: "#4c9f70",
  socialised: "#c0392b",
  volume: "#6a51a3",
  axis: "#333333",
  grid: "#e6e6e6",
};

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A fraction as a percentage, with one decimal only when needed (0.325 -> "32.5"). */
const pct = (x: number): string => {
  const v = Math.round(x * 1000) / 10;
  return Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
};

const fmt = (x: number, digits = 0): string =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Gas used, with its unit: a gas figure never reads as a count. */
const gas = (x: number): string => `${fmt(x)} gas`;

/**
 * Bad debt and its two parts at `digits` decimals: each part rounded, the bad debt shown as the sum of the parts
 * shown, so `bad debt = insurance + socialised` holds on the figures a reader sees (the parts add up to the measured
 * bad debt to the wei less dust).
 */
function badDebtFigures(
  s: { insuranceDrawn: number; socialised: number },
  digits: number,
): { badDebt: string; insurance: string; socialised: string } {
  const unit = 10 ** digits;
  const insurance = Math.round(s.insuranceDrawn * unit);
  const socialised = Math.round(s.socialised * unit);
  return {
    badDebt: fmt((insurance + socialised) / unit, digits),
    insurance: fmt(insurance / unit, digits),
    socialised: fmt(socialised / unit, digits),
  };
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

const short = (v: number): string =>
  Math.abs(v) >= 1e6
    ? `${fmt(v / 1e6, 1)}M`
    : Math.abs(v) >= 1e4
      ? `${fmt(v / 1e3, 0)}k`
      : fmt(v, v !== 0 && Math.abs(v) < 10 ? 2 : 0);

interface Frame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  title: string;
  yLabel?: string;
  xLabel?: string;
  yFormat?: (v: number) => string;
}

const M = { left: 64, right: 16, top: 28, bottom: 36 };

/** A chart frame: the scales and the axes; `body` draws into it with `sx`/`sy`. */
function chart(f: Frame, body: (sx: (x: number) => number, sy: (y: number) => number) => string): string {
  const w = f.width - M.left - M.right;
  const h = f.height - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * w;
  const sy = (y: number) => M.top + h - ((Math.min(Math.max(y, f.y0), f.y1) - f.y0) / (f.y1 - f.y0 || 1)) * h;
  const yf = f.yFormat ?? short;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  parts.push(`<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold" fill="${C.axis}">${esc(f.title)}</text>`,
  );
  for (const t of ticks(f.y0, f.y1)) {
    parts.push(`<line x1="${M.left}" x2="${M.left + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="${C.grid}"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end" fill="${C.axis}">${esc(yf(t))}</text>`,
    );
  }
  for (const t of ticks(f.x0, f.x1, 8)) {
    parts.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${M.top + h}" y2="${M.top + h + 4}" stroke="${C.axis}"/>`,
    );
    parts.push(
      `<text x="${sx(t)}" y="${M.top + h + 16}" text-anchor="middle" fill="${C.axis}">${esc(fmt(t))}</text>`,
    );
  }
  parts.push(body(sx, sy));
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${w}" height="${h}" fill="none" stroke="${C.axis}" stroke-width="1"/>`,
  );
  if (f.xLabel !== undefined)
    parts.push(
      `<text x="${M.left + w / 2}" y="${f.height - 4}" text-anchor="middle" fill="${C.axis}">${esc(f.xLabel)}</text>`,
    );
  if (f.yLabel !== undefined)
    parts.push(
      `<text transform="translate(12 ${M.top + h / 2}) rotate(-90)" text-anchor="middle" fill="${C.axis}">${esc(f.yLabel)}</text>`,
    );
  parts.push("</svg>");
  return parts.join("");
}

/** The frame of a chart over a scenario's steps: x from step 0 to the last, labelled with the step's length. */
function stepFrame(
  r: ScenarioResult,
  width: number,
  height: number,
  [y0, y1]: [number, number],
  title: string,
  more: Pick<Frame, "yLabel" | "yFormat"> = {},
): Frame {
  return {
    width,
    height,
    x0: 0,
    x1: r.steps,
    y0,
    y1,
    title,
    xLabel: `step (${r.stepSeconds / 60} min)`,
    ...more,
  };
}

/** A polyline through the points; null values break the line. */
function line(
  pts: [number, number | null][],
  sx: (x: number) => number,
  sy: (y: number) => number,
  style: string,
): string {
  const segs: string[] = [];
  let cur: string[] = [];
  for (const [x, y] of pts) {
    if (y === null || !Number.isFinite(y)) {
      if (cur.length > 0) segs.push(cur.join(" "));
      cur = [];
    } else cur.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
  }
  if (cur.length > 0) segs.push(cur.join(" "));
  return segs.map((s) => `<polyline fill="none" points="${s}" ${style}/>`).join("");
}

function legend(items: { label: string; color: string; dash?: boolean }[], x: number, y: number): string {
  let cx = x;
  return items
    .map((it) => {
      const s =
        `<line x1="${cx}" x2="${cx + 16}" y1="${y}" y2="${y}" stroke="${it.color}" stroke-width="3"${it.dash === true ? ' stroke-dasharray="4 3"' : ""}/>` +
        `<text x="${cx + 20}" y="${y + 4}" fill="${C.axis}">${esc(it.label)}</text>`;
      cx += 28 + it.label.length * 6;
      return s;
    })
    .join("");
}

/** Background bands of the breaker state (tripped, grace) and refused oracle prices. */
function stateBands(trace: StepRecord[], sx: (x: number) => number, top: number, bottom: number): string {
  return trace
    .map((s) => {
      const fill = s.breaker === "tripped" ? C.tripped : s.breaker === "grace" ? C.grace : undefined;
      if (fill === undefined) return "";
      return `<rect x="${sx(s.step - 1)}" y="${top}" width="${Math.max(1, sx(s.step) - sx(s.step - 1))}" height="${bottom - top}" fill="${fill}" opacity="0.8"/>`;
    })
    .join("");
}

export function priceChart(r: ScenarioResult, width = 560, height = 260): string {
  const values = r.trace.flatMap((s) => [s.market, ...(s.oracle === null ? [] : [s.oracle]), ...s.feeds]);
  const lo = Math.min(r.initialSpot, ...values);
  const hi = Math.max(r.initialSpot, ...values);
  const pad = (hi - lo) * 0.08 || 1;
  return chart(stepFrame(r, width, height, [lo - pad, hi + pad], "Price path (quote per unit)"), (sx, sy) => {
    const out: string[] = [stateBands(r.trace, sx, M.top, height - M.bottom)];
    r.trace[0]?.feeds.forEach((_, i) => {
      out.push(
        line(
          [[0, r.initialSpot], ...r.trace.map((s) => [s.step, s.feeds[i]] as [number, number])],
          sx,
          sy,
          `stroke="${COLORS[(i + 3) % COLORS.length]}" stroke-width="1" opacity="0.55"`,
        ),
      );
    });
    out.push(
      line(
        [[0, r.initialSpot], ...r.trace.map((s) => [s.step, s.market] as [number, number])],
        sx,
        sy,
        `stroke="${C.market}" stroke-width="1.5" stroke-dasharray="4 3"`,
      ),
    );
    out.push(
      line(
        [[0, r.initialSpot], ...r.trace.map((s) => [s.step, s.oracle] as [number, number | null])],
        sx,
        sy,
        `stroke="${C.oracle}" stroke-width="2.5"`,
      ),
    );
    for (const s of r.trace)
      if (s.oracle === null)
        out.push(
          `<rect x="${sx(s.step) - 2}" y="${height - M.bottom - 8}" width="4" height="8" fill="${C.refused}"/>`,
        );
    for (const l of r.liquidations) {
      const s = r.trace[l.step - 1];
      const y = sy(s.oracle ?? s.market);
      const x = sx(l.step);
      const color = l.deficit > 0 ? C.socialised : C.volume;
      out.push(`<path d="M${x - 5},${y - 12} L${x + 5},${y - 12} L${x},${y - 4} Z" fill="${color}"/>`);
    }
    out.push(
      legend(
        [
          { label: "oracle median", color: C.oracle },
          { label: "market", color: C.market, dash: true },
          { label: "feeds", color: COLORS[3] },
          { label: "tripped", color: C.tripped },
          { label: "grace", color: C.grace },
        ],
        M.left + 8,
        M.top + 12,
      ),
    );
    return out.join("");
  });
}

/** The writers' accounts (the keepers' own accounts stay far above 1 and are left out). */
export function collateralChart(r: ScenarioResult, width = 560, height = 260): string {
  const names = (r.trace[0]?.accounts ?? []).filter((a) => a.role === "writer").map((a) => a.name);
  const cap = 4;
  return chart(
    stepFrame(
      r,
      width,
      height,
      [0, cap],
      "Collateral / maintenance per writer account (below 1: liquidatable)",
      { yFormat: (v) => fmt(v, 1) },
    ),
    (sx, sy) => {
      const out: string[] = [stateBands(r.trace, sx, M.top, height - M.bottom)];
      out.push(
        `<line x1="${sx(0)}" x2="${sx(r.steps)}" y1="${sy(1)}" y2="${sy(1)}" stroke="${C.socialised}" stroke-width="1.5" stroke-dasharray="6 3"/>`,
      );
      names.forEach((name, i) => {
        const pts = r.trace.map((s) => {
          const a = s.accounts.find((x) => x.name === name);
          return [s.step, a?.ratio === null || a === undefined ? null : Math.min(a.ratio, cap)] as [
            number,
            number | null,
          ];
        });
        out.push(line(pts, sx, sy, `stroke="${COLORS[i % COLORS.length]}" stroke-width="2"`));
      });
      out.push(
        legend(
          names.map((n, i) => ({ label: n, color: COLORS[i % COLORS.length] })),
          M.left + 8,
          M.top + 12,
        ),
      );
      return out.join("");
    },
  );
}

export function liquidationChart(r: ScenarioResult, width = 560, height = 220): string {
  const hi = Math.max(1, ...r.trace.map((s) => s.liquidatedVolume));
  const maxUnhealthy = Math.max(1, ...r.trace.map((s) => s.unhealthy));
  return chart(
    stepFrame(
      r,
      width,
      height,
      [0, hi * 1.15],
      "Liquidated liability per step (bars) and unhealthy accounts (line, right scale)",
    ),
    (sx, sy) => {
      const out: string[] = [];
      const bw = Math.max(2, (sx(1) - sx(0)) * 0.7);
      for (const s of r.trace) {
        if (s.liquidatedVolume <= 0) continue;
        out.push(
          `<rect x="${sx(s.step) - bw / 2}" y="${sy(s.liquidatedVolume)}" width="${bw}" height="${sy(0) - sy(s.liquidatedVolume)}" fill="${C.volume}"/>`,
        );
        out.push(
          `<text x="${sx(s.step)}" y="${sy(s.liquidatedVolume) - 3}" text-anchor="middle" font-size="10" fill="${C.axis}">${s.liquidations}</text>`,
        );
      }
      const uy = (u: number) => sy((u / maxUnhealthy) * hi * 1.1);
      const pts = r.trace.map((s) => `${sx(s.step).toFixed(1)},${uy(s.unhealthy).toFixed(1)}`);
      out.push(
        `<polyline fill="none" points="${pts.join(" ")}" stroke="${C.socialised}" stroke-width="1.5"/>`,
      );
      for (let u = 0; u <= maxUnhealthy; u++)
        out.push(
          `<text x="${width - M.right + 2}" y="${uy(u) + 4}" font-size="10" fill="${C.socialised}">${u}</text>`,
        );
      return out.join("");
    },
  );
}

export function badDebtChart(r: ScenarioResult, width = 560, height = 220): string {
  const hi = Math.max(1, ...r.trace.map((s) => s.badDebt), ...r.trace.map((s) => s.insuranceAssets));
  return chart(
    stepFrame(
      r,
      width,
      height,
      [0, hi * 1.1],
      "Cumulative bad debt = insurance drawn + socialised; insurance assets",
    ),
    (sx, sy) => {
      const out: string[] = [];
      const xs = [0, ...r.trace.map((s) => s.step)];
      const ins = [0, ...r.trace.map((s) => s.insuranceDrawn)];
      const tot = [0, ...r.trace.map((s) => s.insuranceDrawn + s.socialised)];
      const area = (top: number[], bottom: number[], color: string) => {
        const up = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(top[i]).toFixed(1)}`);
        const down = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(bottom[i]).toFixed(1)}`).reverse();
        return `<polygon points="${[...up, ...down].join(" ")}" fill="${color}" opacity="0.75"/>`;
      };
      out.push(
        area(
          ins,
          xs.map(() => 0),
          C.insurance,
        ),
      );
      out.push(area(tot, ins, C.socialised));
      out.push(
        line(
          r.trace.map((s) => [s.step, s.badDebt] as [number, number]),
          sx,
          sy,
          `stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"`,
        ),
      );
      out.push(
        line(
          r.trace.map((s) => [s.step, s.insuranceAssets] as [number, number]),
          sx,
          sy,
          `stroke="${C.oracle}" stroke-width="2"`,
        ),
      );
      out.push(
        legend(
          [
            { label: "insurance drawn", color: C.insurance },
            { label: "socialised", color: C.socialised },
            { label: "bad debt (views)", color: "#000000", dash: true },
            { label: "insurance assets", color: C.oracle },
          ],
          M.left + 8,
          M.top + 12,
        ),
      );
      return out.join("");
    },
  );
}

export function breakerStrip(r: ScenarioResult, width = 560, height = 96): string {
  const rows = [
    {
      label: "breaker",
      color: (s: StepRecord) =>
        s.breaker === "tripped" ? "#d62728" : s.breaker === "grace" ? "#f0a500" : "#b8e0b8",
    },
    {
      label: "oracle",
      color: (s: StepRecord) =>
        s.oracle === null ? C.refused : s.oracleOutcome === "band-breach" ? "#d62728" : "#b8e0b8",
    },
  ];
  const w = width - M.left - M.right;
  const sx = (x: number) => M.left + (x / r.steps) * w;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold" fill="${C.axis}">Breaker state (green open, red tripped, amber grace) and oracle (grey refused)</text>`,
  ];
  rows.forEach((row, i) => {
    const y = 26 + i * 24;
    out.push(`<text x="${M.left - 6}" y="${y + 14}" text-anchor="end" fill="${C.axis}">${row.label}</text>`);
    for (const s of r.trace)
      out.push(
        `<rect x="${sx(s.step - 1)}" y="${y}" width="${Math.max(1, sx(s.step) - sx(s.step - 1))}" height="18" fill="${row.color(s)}"/>`,
      );
  });
  for (const t of ticks(0, r.steps, 8))
    out.push(`<text x="${sx(t)}" y="${height - 8}" text-anchor="middle" fill="${C.axis}">${t}</text>`);
  out.push("</svg>");
  return out.join("");
}

export function sweepChart(
  points: SweepPoint[],
  width = 560,
  height = 280,
  bandPct = 50,
  shockPct = 30,
): string {
  if (points.length === 0) return "";
  const hi = Math.max(1, ...points.map((p) => p.badDebt));
  const xs = points.map((p) => p.drop * 100);
  const x0 = Math.min(...xs) - 5;
  const x1 = Math.max(...xs) + 5;
  return chart(
    {
      width,
      height,
      x0,
      x1,
      y0: 0,
      y1: hi * 1.15,
      title: "Bad debt by crash size (one-step crash, default parameters)",
      xLabel: "crash size (%)",
      yLabel: "quote",
    },
    (sx, sy) => {
      const out: string[] = [];
      for (const [pct, label] of [
        [shockPct, "margin shock"],
        [bandPct, "oracle band"],
      ] as const) {
        out.push(
          `<line x1="${sx(pct)}" x2="${sx(pct)}" y1="${M.top}" y2="${height - M.bottom}" stroke="#999999" stroke-dasharray="4 3"/>`,
        );
        out.push(`<text x="${sx(pct) + 3}" y="${M.top + 40}" fill="#666666">${label} ${pct}%</text>`);
      }
      const sorted = [...xs].sort((a, b) => a - b);
      const gap = Math.min(5, ...sorted.slice(1).map((x, i) => x - sorted[i]));
      const bw = Math.max(4, (sx(x0 + gap) - sx(x0)) * 0.75);
      for (const p of points) {
        const x = sx(p.drop * 100);
        out.push(
          `<rect x="${x - bw / 2}" y="${sy(p.insuranceDrawn)}" width="${bw}" height="${sy(0) - sy(p.insuranceDrawn)}" fill="${C.insurance}"/>`,
        );
        out.push(
          `<rect x="${x - bw / 2}" y="${sy(p.insuranceDrawn + p.socialised)}" width="${bw}" height="${sy(p.insuranceDrawn) - sy(p.insuranceDrawn + p.socialised)}" fill="${C.socialised}"/>`,
        );
        // Labels on the whole-5% points only, so close bars do not overprint each other.
        if (p.badDebt > 0 && Math.abs(p.drop * 20 - Math.round(p.drop * 20)) < 1e-9)
          out.push(
            `<text x="${x}" y="${sy(p.badDebt) - 4}" text-anchor="middle" font-size="10" fill="${C.axis}">${short(p.badDebt)}</text>`,
          );
      }
      out.push(
        legend(
          [
            { label: "insurance drawn", color: C.insurance },
            { label: "socialised", color: C.socialised },
          ],
          M.left + 8,
          M.top + 12,
        ),
      );
      return out.join("");
    },
  );
}

/**
 * Bad debt by move size, one curve per archetype swept alone; a `baseline` (another run's archetype sweeps, e.g.
 * the contracts before a change) is drawn dashed in the same colour.
 */
export function archetypeChart(
  archetypes: ArchetypeSweep[],
  baseline: ArchetypeSweep[] = [],
  width = 760,
  height = 340,
  bandPct = 50,
  shockPct = 30,
): string {
  const all = [...archetypes, ...baseline].flatMap((a) => a.points);
  if (all.length === 0) return "";
  const xs = all.map((p) => p.drop * 100);
  const x0 = Math.min(...xs) - 2;
  const x1 = Math.max(...xs) + 2;
  const hi = Math.max(1, ...all.map((p) => p.badDebt));
  const colorOf = (name: string): string => {
    const i = [...archetypes, ...baseline].map((a) => a.name).indexOf(name);
    return COLORS[i % COLORS.length];
  };
  return chart(
    {
      width,
      height,
      x0,
      x1,
      y0: 0,
      y1: hi * 1.1,
      title: `Bad debt by move size, one writer archetype alone${baseline.length > 0 ? " (dashed: baseline)" : ""}`,
      xLabel: "one-step move (%): a crash, or a rally for an up archetype",
      yLabel: "quote",
    },
    (sx, sy) => {
      const out: string[] = [];
      for (const [p, label] of [
        [shockPct, "margin shock"],
        [bandPct, "oracle band"],
      ] as const) {
        out.push(
          `<line x1="${sx(p)}" x2="${sx(p)}" y1="${M.top}" y2="${height - M.bottom}" stroke="#999999" stroke-dasharray="4 3"/>`,
        );
        out.push(`<text x="${sx(p) + 3}" y="${height - M.bottom - 6}" fill="#666666">${label} ${p}%</text>`);
      }
      const line = (a: ArchetypeSweep, dash: boolean) => {
        const pts = [...a.points].sort((x, y) => x.drop - y.drop);
        const d = pts.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.drop * 100)},${sy(p.badDebt)}`).join("");
        out.push(
          `<path d="${d}" fill="none" stroke="${colorOf(a.name)}" stroke-width="2"${dash ? ' stroke-dasharray="5 4"' : ""}/>`,
        );
        for (const p of pts)
          out.push(
            `<circle cx="${sx(p.drop * 100)}" cy="${sy(p.badDebt)}" r="${p.tripped ? 4 : 2.5}" fill="${p.tripped ? "#ffffff" : colorOf(a.name)}" stroke="${colorOf(a.name)}"/>`,
          );
      };
      for (const a of baseline) line(a, true);
      for (const a of archetypes) line(a, false);
      const names = [...new Set([...archetypes, ...baseline].map((a) => a.name))];
      names.forEach((n, i) =>
        out.push(legend([{ label: n, color: colorOf(n) }], M.left + 8, M.top + 12 + 16 * i)),
      );
      out.push(
        `<text x="${M.left + 8}" y="${M.top + 12 + 16 * names.length}" fill="#666666">open circle: the breaker tripped</text>`,
      );
      return out.join("");
    },
  );
}

/** Contracts written per leg and the initial requirement per contract, from an archetype's first book. */
function bookText(p: SweepPoint | undefined): string {
  const b = p?.books[0];
  if (b === undefined) return "";
  const contracts = b.legs.reduce((s, l) => s + l.contracts, 0);
  return `${b.legs.map((l) => `${fmt(l.contracts, 3)} × ${esc(l.series)}`).join(", ")} on ${fmt(b.collateralValue)} of ${esc(b.collateral)} collateral (initial ${fmt(b.initial)}, ${fmt(contracts > 0 ? b.initial / contracts : 0, 2)} per contract; maintenance ${fmt(b.maintenance)})`;
}

function archetypeSection(archetypes: ArchetypeSweep[], baseline: ArchetypeSweep[]): string {
  if (archetypes.length === 0) return "";
  const tables = archetypes.map((a) => {
    const base = baseline.find((b) => b.name === a.name);
    const rows = [...a.points]
      .sort((x, y) => x.drop - y.drop)
      .map((p) => {
        const q = base?.points.find((x) => Math.abs(x.drop - p.drop) < 1e-9);
        const debt = badDebtFigures(p, 0);
        return (
          `<tr><td>${a.direction === "up" ? "+" : "−"}${pct(p.drop)}%</td><td>${p.liquidations} (${p.insolvent})</td>` +
          `<td>${fmt(p.discountPaid)}</td><td>${debt.badDebt}</td><td>${debt.insurance}</td><td>${debt.socialised}</td>` +
          `${baseline.length > 0 ? `<td>${q === undefined ? "" : fmt(q.badDebt)}</td>` : ""}` +
          `<td>${p.tripped ? "yes" : "no"}</td><td class="${p.checksOk ? "ok" : "fail"}">${p.checksOk ? "pass" : "FAIL"}</td></tr>`
        );
      });
    return `<h3>${esc(a.name)}</h3><p>${esc(a.description)}. Book: ${bookText(a.points[0])}.${
      base === undefined ? "" : ` Baseline book: ${bookText(base.points[0])}.`
    }</p><table><tr><th>move</th><th>liquidations (insolvent)</th><th>discount paid</th><th>bad debt</th><th>insurance drawn</th><th>socialised</th>${
      baseline.length > 0 ? "<th>baseline bad debt</th>" : ""
    }<th>breaker tripped</th><th>checks</th></tr>${rows.join("")}</table>`;
  });
  return `<h2>Sweep per writer archetype</h2><p>Each archetype's writer alone, with the default keepers, buyers and stakers; the sweep's sizes as one-step moves, then flat.</p><div class="grid">${archetypeChart(archetypes, baseline)}</div>${tables.join("")}`;
}

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:8px}
.ok{color:#2a7a2a}.fail{color:#c0392b;font-weight:bold}section{border-top:2px solid #ddd;margin-top:24px}
details{margin:6px 0}code{background:#f6f6f6;padding:1px 3px}`;

/** One scenario's figures as the console line `npm run stress` prints after it (`ms`: its wall time). */
export function summaryLine(r: ScenarioResult, ms: number): string {
  const s = r.summary;
  const debt = badDebtFigures(s, 2);
  return (
    `${r.scenario} (seed ${r.seed}, ${(ms / 1000).toFixed(1)} s): ${s.liquidations.count} liquidations ` +
    `(${s.liquidations.insolvent} insolvent, volume ${fmt(s.liquidations.volume)}, discount ${fmt(s.liquidations.discountPaid)}), ` +
    `bad debt ${debt.badDebt} = insurance ${debt.insurance} + socialised ${debt.socialised}; ` +
    `breaker trips ${s.breaker.trips} (${fmt(s.breaker.secondsTripped / 3600, 2)} h tripped); ` +
    `max unhealthy ${s.unhealthy.max}; oracle refused ${s.oracle.refusedSteps} steps; ` +
    `keepers used ${gas(s.gas.keeper)} in ${s.gas.keeperTxs} transactions`
  );
}

function summaryTable(results: ScenarioResult[]): string {
  const head = [
    "scenario",
    "seed",
    "steps",
    "liquidations (insolvent)",
    "volume",
    "discount paid",
    "bad debt",
    "insurance drawn",
    "socialised",
    "breaker trips",
    "hours tripped",
    "max unhealthy",
    "oracle refused (steps)",
    "keeper gas used (transactions)",
    "checks",
  ];
  const rows = results.map((r) => {
    const s = r.summary;
    const debt = badDebtFigures(s, 0);
    const ok = r.checks.every((c) => c.ok);
    return (
      `<tr><td class="l"><a href="#${r.scenario}">${esc(r.scenario)}</a></td><td>${r.seed}</td><td>${r.steps}</td>` +
      `<td>${s.liquidations.count} (${s.liquidations.insolvent})</td><td>${fmt(s.liquidations.volume)}</td>` +
      `<td>${fmt(s.liquidations.discountPaid)}</td><td>${debt.badDebt}</td><td>${debt.insurance}</td>` +
      `<td>${debt.socialised}</td><td>${s.breaker.trips}</td><td>${fmt(s.breaker.secondsTripped / 3600, 2)}</td>` +
      `<td>${s.unhealthy.max}</td><td>${s.oracle.refusedSteps}</td><td>${gas(s.gas.keeper)} (${s.gas.keeperTxs} txs)</td>` +
      `<td class="${ok ? "ok" : "fail"}">${ok ? "all pass" : "FAIL"}</td></tr>`
    );
  });
  return `<table><tr>${head.map((h, i) => `<th${i === 0 ? ' class="l"' : ""}>${h}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

function scenarioSection(r: ScenarioResult): string {
  const s = r.summary;
  const debt = badDebtFigures(s, 2);
  const notes = r.trace
    .filter((x) => x.notes.length > 0)
    .map((x) => `<tr><td>${x.step}</td><td class="l">${esc(x.notes.join("; "))}</td></tr>`);
  const liq = r.liquidations.map(
    (l) =>
      `<tr><td>${l.step}</td><td class="l">${esc(l.account)}</td><td class="l">${esc(l.keeper)}</td><td>${fmt(l.fraction * 100, 1)}%</td>` +
      `<td>${fmt(l.liability)}</td><td>${fmt(l.seized)}</td><td>${fmt(l.discount * 100, 2)}%</td><td>${fmt(l.penalty, 2)}</td>` +
      `<td>${fmt(l.deficit, 2)}</td><td>${fmt(l.covered, 2)}</td><td>${fmt(l.socialised, 2)}</td><td>${gas(l.gas)}</td></tr>`,
  );
  const checks = r.checks.map(
    (c) =>
      `<li class="${c.ok ? "ok" : "fail"}">${c.ok ? "pass" : "FAIL"}: ${esc(c.name)} <small>(${esc(c.detail)})</small></li>`,
  );
  const haircut = s.payoutHaircut
    .filter((h) => h.writtenOff > 0)
    .map((h) => `${esc(h.series)}: ${fmt(h.haircut * 100, 2)}%`);
  return `<section id="${r.scenario}"><h2>${esc(r.scenario)}</h2><p>${esc(r.description)} Seed <code>${r.seed}</code>, ${r.steps} steps of ${r.stepSeconds / 60} min, guardian ${r.guardian ? "on" : "off"}.</p>
<p>Liquidations ${s.liquidations.count} (${s.liquidations.insolvent} insolvent), liability taken over ${fmt(s.liquidations.volume)}, discount paid ${fmt(s.liquidations.discountPaid)}, penalties to insurance ${fmt(s.liquidations.penalty, 2)};
bad debt ${debt.badDebt} = insurance ${debt.insurance} + socialised ${debt.socialised}; insurance share price ${fmt(s.insurance.sharePriceStart, 4)} → ${fmt(s.insurance.sharePriceEnd, 4)};
breaker trips ${s.breaker.trips} (guardian pauses ${s.breaker.guardianPauses}, resumes ${s.breaker.resumes}), ${fmt(s.breaker.secondsTripped / 3600, 2)} h tripped, ${fmt(s.breaker.secondsInGrace / 3600, 2)} h in grace;
oracle refused ${s.oracle.refusedSteps} steps, sources removed ${s.oracle.sourcesRemoved}; gas used by the keepers ${gas(s.gas.keeper)} in ${s.gas.keeperTxs} transactions, by the oracle pokes ${gas(s.gas.oracle)}.
${haircut.length > 0 ? `Payout cut by socialisation: ${haircut.join(", ")}.` : ""}
${Object.keys(s.liquidations.failed).length > 0 ? `Failed liquidation attempts: ${esc(JSON.stringify(s.liquidations.failed))}.` : ""}</p>
<div class="grid">${priceChart(r)}${collateralChart(r)}${liquidationChart(r)}${badDebtChart(r)}${breakerStrip(r)}</div>
<ul>${checks.join("")}</ul>
<details><summary>Liquidations (${r.liquidations.length})</summary><table><tr><th>step</th><th class="l">account</th><th class="l">keeper</th><th>fraction</th><th>liability</th><th>seized</th><th>discount</th><th>penalty</th><th>bad debt</th><th>insurance</th><th>socialised</th><th>gas used</th></tr>${liq.join("")}</table></details>
<details><summary>Events by step (${notes.length})</summary><table><tr><th>step</th><th class="l">what happened</th></tr>${notes.join("")}</table></details></section>`;
}

export function reportHtml(
  results: ScenarioResult[],
  sweep: SweepPoint[],
  meta: { configPath: string; generatedBy: string },
  archetypes: ArchetypeSweep[] = [],
  baseline: ArchetypeSweep[] = [],
): string {
  const sweepRows = sweep.map(
    (p) =>
      `<tr><td>${pct(p.drop)}%</td><td>${p.liquidations} (${p.insolvent})</td><td class="l">${esc(p.insolventAccounts.join(", "))}</td><td>${fmt(p.badDebt)}</td><td>${fmt(p.insuranceDrawn)}</td><td>${fmt(p.socialised)}</td><td>${p.tripped ? "yes" : "no"}</td><td class="${p.checksOk ? "ok" : "fail"}">${p.checksOk ? "pass" : "FAIL"}</td></tr>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>optiq stress report</title><style>${STYLE}</style></head><body>
<h1>optiq economic stress report</h1>
<p>Agent-based scenarios on the real contracts (deployed with the project's deploy path on the in-process Hardhat network).
Parameters: <code>${esc(meta.configPath)}</code>; produced by <code>${esc(meta.generatedBy)}</code>. Method and reading guide: <code>docs/stress.md</code>.
Amounts are in the quote asset (USDC).</p>
${results.length > 0 ? `<h2>Summary</h2>${summaryTable(results)}` : ""}
${sweep.length > 0 ? `<h2>Crash-size sweep</h2><div class="grid">${sweepChart(sweep, 760, 320)}</div><table><tr><th>crash</th><th>liquidations (insolvent)</th><th class="l">insolvent accounts</th><th>bad debt</th><th>insurance drawn</th><th>socialised</th><th>breaker tripped</th><th>checks</th></tr>${sweepRows.join("")}</table>` : ""}
${archetypeSection(archetypes, baseline)}
${results.map(scenarioSection).join("\n")}
</body></html>
`;
}

/** The README's figure: the main scenario's price, collateralisation and bad debt beside the crash sweep. */
export function mainChartHtml(r: ScenarioResult, sweep: SweepPoint[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>optiq stress: main chart</title>
<style>body{margin:0;background:#fff;font-family:Helvetica,Arial,sans-serif}.grid{display:grid;grid-template-columns:600px 600px;gap:0}h1{font-size:16px;margin:8px 12px}</style></head><body>
<h1>optiq stress test. Left and top right: scenario ${esc(r.scenario)} (${esc(r.steps.toString())} steps of ${r.stepSeconds / 60} min, seed ${r.seed}). Bottom right: crash-size sweep.</h1>
<div class="grid">${priceChart(r, 600, 300)}${collateralChart(r, 600, 300)}${badDebtChart(r, 600, 300)}${sweepChart(sweep, 600, 300)}</div>
</body></html>
`;
}
