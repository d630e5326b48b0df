// A bar chart as inline SVG (the learned pupil's Zernike coefficients in the report): one labelled bar per
// value from a zero baseline, optional ± error bars, round ticks (ticks.ts) on a y axis that always includes 0,
// axis labels. Same style as svg-plot.ts: vector text in the page's font, no external resources.
import { niceStep, tickLabel } from './ticks';

export interface SvgBar {
  label: string;
  value: number;
  /** Half-width of an error bar (± error), drawn when finite and > 0. */
  error?: number;
}

export interface SvgBarOptions {
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  title?: string;
  color?: [number, number, number];
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (v: number) => String(Math.round(v * 10) / 10);

/** Plot margins in px (exported for tests that compute bar geometry by hand). */
export const BAR_MARGINS = { left: 70, right: 16, top: 16, bottom: 56 } as const;
/** A bar fills this fraction of its slot. */
export const BAR_FILL = 0.6;

export function svgBarChart(bars: SvgBar[], o: SvgBarOptions): string {
  const width = o.width ?? 560,
    height = o.height ?? 300;
  const finite = bars.filter((b) => Number.isFinite(b.value));
  const err = (b: SvgBar) => (Number.isFinite(b.error) && b.error! > 0 ? b.error! : 0);
  const lo = Math.min(0, ...finite.map((b) => b.value - err(b))),
    hi = Math.max(0, ...finite.map((b) => b.value + err(b)));
  // The axis runs from and to multiples of one round step, and every multiple is a tick (so both ends are labelled).
  const step = niceStep((hi - lo || 1) / 5);
  const first = Math.floor(lo / step + 1e-9),
    last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  const ys = {
    lo: first * step,
    hi: last * step,
    ticks: Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12))),
  };
  const m = BAR_MARGINS;
  const pw = width - m.left - m.right,
    ph = height - m.top - m.bottom;
  const py = (y: number) => m.top + ph - ((y - ys.lo) / (ys.hi - ys.lo)) * ph;
  const slot = pw / Math.max(1, bars.length),
    bw = slot * BAR_FILL;
  const color = `rgb(${(o.color ?? [31, 119, 180]).join(',')})`;
  const yTicks = ys.ticks
    .map(
      (t) =>
        `<line x1="${m.left}" x2="${m.left + pw}" y1="${f(py(t))}" y2="${f(py(t))}" class="g"/><text x="${m.left - 8}" y="${f(py(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    )
    .join('');
  const drawn = bars
    .map((b, i) => {
      const cx = m.left + slot * (i + 0.5);
      const label = `<text x="${f(cx)}" y="${m.top + ph + 18}" text-anchor="middle">${esc(b.label)}</text>`;
      if (!Number.isFinite(b.value))
        return `${label}<text x="${f(cx)}" y="${f(py(0) - 4)}" text-anchor="middle" fill="#888">n/a</text>`;
      const top = Math.min(py(b.value), py(0)),
        h = Math.abs(py(b.value) - py(0));
      const rect = `<rect x="${f(cx - bw / 2)}" y="${f(top)}" width="${f(bw)}" height="${f(h)}" fill="${color}"><title>${esc(b.label)}: ${tickLabel(b.value)}${err(b) ? ` ± ${tickLabel(err(b))}` : ''}</title></rect>`;
      const e = err(b)
        ? `<line x1="${f(cx)}" x2="${f(cx)}" y1="${f(py(b.value - err(b)))}" y2="${f(py(b.value + err(b)))}" stroke="#222" stroke-width="1.5"/>`
        : '';
      return rect + e + label;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="13" fill="#222">
${o.title ? `<title>${esc(o.title)}</title>` : ''}<style>.g{stroke:#e3e3e3;stroke-width:1}</style>
${yTicks}
<line x1="${m.left}" x2="${m.left + pw}" y1="${f(py(0))}" y2="${f(py(0))}" stroke="#444"/>
<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>
${drawn}
<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle" font-weight="600">${esc(o.xLabel)}</text>
<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-weight="600">${esc(o.yLabel)}</text>
</svg>`;
}
