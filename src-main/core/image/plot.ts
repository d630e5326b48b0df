// Line plots drawn pixel by pixel (loss curves, per-slice re-blur error), with tick labels in a
// tiny built-in bitmap font so the PNG needs no font library. Titles and legends live in the HTML.
import { makeRaster, type Raster } from './png';

export interface Series {
  name: string;
  values: number[];
  /** Optional x values (default 0..n-1). */
  x?: number[];
  color: [number, number, number];
}

export interface PlotOptions {
  width?: number;
  height?: number;
  logY?: boolean;
}

// 3×5 glyphs, one row per 3-bit number, top to bottom.
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 7, 1, 7], '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7], '6': [7, 4, 7, 5, 7], '7': [7, 1, 1, 1, 1], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2], '-': [0, 0, 7, 0, 0], 'e': [0, 7, 7, 4, 7], '+': [0, 2, 7, 2, 0], ' ': [0, 0, 0, 0, 0],
};

export const PALETTE: [number, number, number][] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127]];

function setPixel(r: Raster, x: number, y: number, c: [number, number, number]): void {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const o = (y * r.width + x) * 3;
  r.data[o] = c[0];
  r.data[o + 1] = c[1];
  r.data[o + 2] = c[2];
}

export function drawText(r: Raster, text: string, x: number, y: number, scale = 2, c: [number, number, number] = [0, 0, 0]): void {
  let cx = x;
  for (const ch of text) {
    const g = GLYPHS[ch] ?? GLYPHS[' ']!;
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if (!((g[row]! >> (2 - col)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(r, cx + col * scale + dx, y + row * scale + dy, c);
      }
    }
    cx += 4 * scale;
  }
}

export function textWidth(text: string, scale = 2): number {
  return text.length * 4 * scale;
}

export function drawLine(r: Raster, x0: number, y0: number, x1: number, y1: number, c: [number, number, number]): void {
  const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const x = Math.round(x0 + (x1 - x0) * t), y = Math.round(y0 + (y1 - y0) * t);
    setPixel(r, x, y, c);
    setPixel(r, x, y + 1, c); // 2 px thick so thin curves stay visible when scaled down
  }
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(1).replace('e+', 'e');
  return Number(v.toPrecision(3)).toString();
}

/** Line plot of several series sharing axes. Non-finite values are skipped. */
export function linePlot(series: Series[], opts: PlotOptions = {}): Raster {
  const width = opts.width ?? 560, height = opts.height ?? 300;
  const r = makeRaster(width, height, 3, 255);
  const left = 70, right = 12, top = 10, bottom = 30;
  const fy = (v: number) => (opts.logY ? Math.log10(v) : v);
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const s of series) {
    s.values.forEach((v, i) => {
      const y = fy(v);
      if (!Number.isFinite(y)) return;
      const x = s.x?.[i] ?? i;
      xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
    });
  }
  if (!Number.isFinite(xmin)) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
  if (xmax === xmin) xmax = xmin + 1;
  if (ymax === ymin) { ymax += Math.abs(ymax) * 0.05 + 1e-12; ymin -= Math.abs(ymin) * 0.05 + 1e-12; }
  const pw = width - left - right, ph = height - top - bottom;
  const px = (x: number) => left + ((x - xmin) / (xmax - xmin)) * pw;
  const py = (y: number) => top + ph - ((y - ymin) / (ymax - ymin)) * ph;
  const axis: [number, number, number] = [0, 0, 0], grid: [number, number, number] = [225, 225, 225];
  for (let k = 0; k <= 4; k++) {
    const yv = ymin + ((ymax - ymin) * k) / 4;
    const y = Math.round(py(yv));
    drawLine(r, left, y, left + pw, y, grid);
    const label = formatTick(opts.logY ? 10 ** yv : yv);
    drawText(r, label, left - 6 - textWidth(label), y - 5);
    const xv = xmin + ((xmax - xmin) * k) / 4;
    const x = Math.round(px(xv));
    const xl = formatTick(xv);
    drawText(r, xl, Math.min(width - textWidth(xl), Math.max(0, x - textWidth(xl) / 2)), top + ph + 8);
  }
  drawLine(r, left, top, left, top + ph, axis);
  drawLine(r, left, top + ph, left + pw, top + ph, axis);
  for (const s of series) {
    let prev: [number, number] | undefined;
    s.values.forEach((v, i) => {
      const y = fy(v);
      if (!Number.isFinite(y)) { prev = undefined; return; }
      const p: [number, number] = [px(s.x?.[i] ?? i), py(y)];
      if (prev) drawLine(r, prev[0], prev[1], p[0], p[1], s.color);
      else setPixel(r, Math.round(p[0]), Math.round(p[1]), s.color);
      prev = p;
    });
  }
  return r;
}
