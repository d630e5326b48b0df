// Display mapping of float samples to pixels: contrast limits, colormaps, CLAHE. Pure functions
// (no DOM) so they are unit-tested and shared by every 2D view.

export interface Contrast {
  min: number;
  max: number;
  /** Display gamma (1 = linear). */
  gamma: number;
  log: boolean;
}

export type ColormapName = 'gray' | 'inferno' | 'cyan' | 'magenta' | 'yellow' | 'green';

/** The value below which `p` (0..1) of the finite samples fall; histogram-based, O(n). */
export function percentile(data: ArrayLike<number>, p: number, bins = 4096): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return 0;
  if (hi === lo) return lo;
  const counts = new Uint32Array(bins);
  const scale = (bins - 1) / (hi - lo);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) {
      counts[Math.floor((v - lo) * scale)]!++;
      n++;
    }
  }
  const target = Math.min(Math.max(p, 0), 1) * n;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += counts[b]!;
    if (acc >= target) return lo + (b + 1) / scale;
  }
  return hi;
}

/** Default contrast for a sample: 0.1 % – 99.9 % percentiles, linear. */
export function autoContrast(data: ArrayLike<number>): Contrast {
  const min = percentile(data, 0.001);
  let max = percentile(data, 0.999);
  if (max <= min) max = min + 1;
  return { min, max, gamma: 1, log: false };
}

/** Maps a sample to 0..1 through the contrast window (log option maps log1p of the offset). */
export function normalise(v: number, c: Contrast): number {
  const span = c.max - c.min || 1;
  let t = (v - c.min) / span;
  if (c.log) t = Math.log1p(Math.max(t, 0) * 1000) / Math.log1p(1000);
  t = Math.min(Math.max(t, 0), 1);
  return c.gamma === 1 ? t : Math.pow(t, 1 / c.gamma);
}

function lut(name: ColormapName): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let r = t,
      g = t,
      b = t;
    if (name === 'inferno') {
      // Compact polynomial fit of matplotlib's inferno.
      r = Math.min(1, Math.max(0, -0.0155 + 1.3 * t + 2.2 * t * t - 2.5 * t * t * t));
      g = Math.min(1, Math.max(0, 0.02 - 0.6 * t + 2.4 * t * t - 0.85 * t * t * t));
      b = Math.min(1, Math.max(0, 0.03 + 2.6 * t - 5.5 * t * t + 3.4 * t * t * t));
    } else if (name === 'cyan') {
      r = 0;
      g = t;
      b = t;
    } else if (name === 'magenta') {
      r = t;
      g = 0;
      b = t;
    } else if (name === 'yellow') {
      r = t;
      g = t;
      b = 0;
    } else if (name === 'green') {
      r = 0;
      g = t;
      b = 0;
    }
    out[i * 3] = Math.round(r * 255);
    out[i * 3 + 1] = Math.round(g * 255);
    out[i * 3 + 2] = Math.round(b * 255);
  }
  return out;
}
const luts = new Map<ColormapName, Uint8Array>();
export function colormap(name: ColormapName): Uint8Array {
  let l = luts.get(name);
  if (!l) {
    l = lut(name);
    luts.set(name, l);
  }
  return l;
}

/** RGBA pixels (ImageData layout) of a row-major [h, w] float slice. */
export function toRgba(
  data: Float32Array,
  w: number,
  h: number,
  c: Contrast,
  cmap: ColormapName = 'gray',
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  const l = colormap(cmap);
  for (let i = 0; i < w * h; i++) {
    const k = Math.round(normalise(data[i]!, c) * 255) * 3;
    out[i * 4] = l[k]!;
    out[i * 4 + 1] = l[k + 1]!;
    out[i * 4 + 2] = l[k + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Contrast-limited adaptive histogram equalisation of a slice already mapped to 0..1, for display only
 * (never for measurement). Tiles of `tile` px, clip limit relative to a flat histogram, bilinear blending.
 */
export function clahe(norm: Float32Array, w: number, h: number, tile = 32, clipLimit = 2.5, bins = 256): Float32Array {
  const tx = Math.max(1, Math.round(w / tile));
  const ty = Math.max(1, Math.round(h / tile));
  const cdfs: Float32Array[] = [];
  for (let j = 0; j < ty; j++) {
    for (let i = 0; i < tx; i++) {
      const x0 = Math.floor((i * w) / tx),
        x1 = Math.floor(((i + 1) * w) / tx);
      const y0 = Math.floor((j * h) / ty),
        y1 = Math.floor(((j + 1) * h) / ty);
      const hist = new Float32Array(bins);
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) hist[Math.min(bins - 1, Math.floor(norm[y * w + x]! * bins))]!++;
      const n = (x1 - x0) * (y1 - y0);
      const limit = Math.max(1, (clipLimit * n) / bins);
      let excess = 0;
      for (let b = 0; b < bins; b++)
        if (hist[b]! > limit) {
          excess += hist[b]! - limit;
          hist[b] = limit;
        }
      const cdf = new Float32Array(bins);
      let acc = 0;
      for (let b = 0; b < bins; b++) {
        acc += hist[b]! + excess / bins;
        cdf[b] = acc / Math.max(n, 1);
      }
      cdfs.push(cdf);
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) / (h / ty) - 0.5, 0), ty - 1);
    const j0 = Math.floor(fy),
      j1 = Math.min(j0 + 1, ty - 1),
      wy = fy - j0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) / (w / tx) - 0.5, 0), tx - 1);
      const i0 = Math.floor(fx),
        i1 = Math.min(i0 + 1, tx - 1),
        wx = fx - i0;
      const b = Math.min(bins - 1, Math.floor(norm[y * w + x]! * bins));
      const top = cdfs[j0 * tx + i0]![b]! * (1 - wx) + cdfs[j0 * tx + i1]![b]! * wx;
      const bot = cdfs[j1 * tx + i0]![b]! * (1 - wx) + cdfs[j1 * tx + i1]![b]! * wx;
      out[y * w + x] = top * (1 - wy) + bot * wy;
    }
  }
  return out;
}

/** [min, max] of finite samples (a loop: spreading large arrays into Math.max overflows the stack). */
export function range(data: ArrayLike<number>): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 0];
}
