// Line plots as inline SVG (loss curves, per-slice re-blur residual): vector text in the page's system font,
// round ticks (ticks.ts), labelled axes and a legend, so a plot reads like a figure in a paper and scales
// with the page. No external resources: the string is embedded in the self-contained report as is.
import { logScale, niceScale, niceTicks, tickLabel } from './ticks';

export interface SvgSeries {
  name: string;
  values: number[];
  /** x values (default 0..n-1). */
  x?: number[];
  color: [number, number, number];
}

export interface SvgPlotOptions {
  xLabel: string;
  yLabel: string;
  /** Log y axis; ignored (linear) unless every finite value is positive. */
  logY?: boolean;
  /**
   * Noisy series (minibatch losses): draw each faintly and, over it, its centred moving average across this
   * fraction of the points (e.g. 0.05), so the trend reads through the noise. Off when absent or < 3 points.
   */
  smooth?: number;
  width?: number;
  height?: number;
  /** Accessible title of the figure. */
  title?: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const rgb = (c: [number, number, number]) => `rgb(${c.join(',')})`;
const f = (v: number) => String(Math.round(v * 10) / 10);

function extent(series: SvgSeries[], log: boolean): { x: [number, number]; y: [number, number] } {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const s of series)
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (log && v <= 0)) return;
      const x = s.x?.[i] ?? i;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, v);
      y1 = Math.max(y1, v);
    });
  if (!Number.isFinite(x0)) return { x: [0, 1], y: log ? [1, 10] : [0, 1] };
  return { x: [x0, x1], y: [y0, y1] };
}

/** Polylines of each series, split where a value is missing (non-finite, or ≤ 0 on a log axis). */
/** Centred moving average over `half` points each side, skipping non-finite values (which stay gaps). */
export function movingAverage(v: number[], half: number): number[] {
  return v.map((x, i) => {
    if (!Number.isFinite(x)) return x;
    let s = 0,
      n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(v.length - 1, i + half); j++)
      if (Number.isFinite(v[j]!)) {
        s += v[j]!;
        n++;
      }
    return s / n;
  });
}

function paths(
  series: SvgSeries[],
  px: (x: number) => number,
  py: (y: number) => number,
  log: boolean,
  attrs = 'stroke-width="1.8"',
): string {
  return series
    .map((s) => {
      const runs: string[][] = [[]];
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v) || (log && v <= 0)) {
          if (runs.at(-1)!.length) runs.push([]);
          return;
        }
        runs.at(-1)!.push(`${f(px(s.x?.[i] ?? i))},${f(py(v))}`);
      });
      return runs
        .filter((r) => r.length)
        .map((r) =>
          r.length === 1
            ? `<circle cx="${r[0]!.split(',')[0]}" cy="${r[0]!.split(',')[1]}" r="2" fill="${rgb(s.color)}"/>`
            : `<polyline fill="none" stroke="${rgb(s.color)}" ${attrs} points="${r.join(' ')}"/>`,
        )
        .join('');
    })
    .join('\n');
}

/** Legend items laid out in rows that fit `width`; returns the markup and the height it takes. */
function legend(series: SvgSeries[], x: number, width: number): { svg: string; height: number } {
  const row = 20;
  let cx = x,
    cy = 16;
  const items = series.map((s) => {
    const w = 40 + s.name.length * 7.4; // ~7.4 px per character of 13 px system-ui text
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += row;
    }
    const item = `<line x1="${f(cx)}" y1="${cy}" x2="${f(cx + 22)}" y2="${cy}" stroke="${rgb(s.color)}" stroke-width="3"/><text x="${f(cx + 28)}" y="${cy + 4}">${esc(s.name)}</text>`;
    cx += w;
    return item;
  });
  return { svg: items.join(''), height: cy + 14 };
}

function curves(
  series: SvgSeries[],
  px: (x: number) => number,
  py: (y: number) => number,
  log: boolean,
  smooth?: number,
): string {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const half = smooth ? Math.floor((smooth * n) / 2) : 0;
  if (half < 1) return paths(series, px, py, log);
  const trend = series.map((s) => ({ ...s, values: movingAverage(s.values, half) }));
  return (
    paths(series, px, py, log, 'stroke-width="1" stroke-opacity="0.25"') +
    '\n' +
    paths(trend, px, py, log, 'stroke-width="2.2"')
  );
}

/** An SVG line plot of several series on shared axes. */
export function svgLinePlot(series: SvgSeries[], o: SvgPlotOptions): string {
  const width = o.width ?? 720;
  // The legend's rows add to the height, so many series never squeeze the plot.
  const key = legend(series, 78, width - 78 - 16);
  const height = (o.height ?? 330) + key.height;
  const log =
    Boolean(o.logY) &&
    series.some((s) => s.values.some((v) => Number.isFinite(v))) &&
    series.every((s) => s.values.every((v) => !Number.isFinite(v) || v > 0));
  const e = extent(series, log);
  // x spans the data exactly (steps, slices: padding past the last one would read as missing data); y is widened
  // to round bounds so the top tick labels the top of the plot.
  const xs =
    e.x[1] > e.x[0] ? { lo: e.x[0], hi: e.x[1], ticks: niceTicks(e.x[0], e.x[1], 6) } : niceScale(e.x[0], e.x[1], 6);
  const ys = log ? logScale(e.y[0], e.y[1]) : niceScale(Math.min(0, e.y[0]), e.y[1], 5);
  const m = { left: 78, right: 16, top: key.height + 12, bottom: 52 };
  const pw = width - m.left - m.right,
    ph = height - m.top - m.bottom;
  const px = (x: number) => m.left + ((x - xs.lo) / (xs.hi - xs.lo)) * pw;
  const ty = (y: number) => (log ? Math.log10(y) : y);
  const py = (y: number) => m.top + ph - ((ty(y) - ty(ys.lo)) / (ty(ys.hi) - ty(ys.lo))) * ph;
  const yTicks = ys.ticks
    .map(
      (t) =>
        `<line x1="${m.left}" x2="${m.left + pw}" y1="${f(py(t))}" y2="${f(py(t))}" class="g"/><text x="${m.left - 8}" y="${f(py(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    )
    .join('');
  const xTicks = xs.ticks
    .map(
      (t) =>
        `<line y1="${m.top}" y2="${m.top + ph}" x1="${f(px(t))}" x2="${f(px(t))}" class="g"/><text x="${f(px(t))}" y="${m.top + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`,
    )
    .join('');
  const yLabel = log ? `${o.yLabel} (log scale)` : o.yLabel;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="13" fill="#222">
${o.title ? `<title>${esc(o.title)}</title>` : ''}<style>.g{stroke:#e3e3e3;stroke-width:1}</style>
${yTicks}${xTicks}
<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>
${curves(series, px, py, log, o.smooth)}
<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle" font-weight="600">${esc(o.xLabel)}</text>
<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-weight="600">${esc(yLabel)}</text>
${key.svg}
</svg>`;
}
