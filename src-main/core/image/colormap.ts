// Colour maps and display contrast for figures. Display only: nothing here changes measured data.
import { InvalidParameterError } from '../errors';

export type ColormapName = 'gray' | 'magma' | 'viridis' | 'fire';

// Control points sampled from matplotlib's magma/viridis and ImageJ's Fire, linearly interpolated.
const STOPS: Record<Exclude<ColormapName, 'gray'>, [number, number, number][]> = {
  magma: [
    [0, 0, 4],
    [28, 16, 68],
    [79, 18, 123],
    [129, 37, 129],
    [181, 54, 122],
    [229, 80, 100],
    [251, 135, 97],
    [254, 194, 135],
    [252, 253, 191],
  ],
  viridis: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [181, 222, 43],
    [253, 231, 37],
  ],
  fire: [
    [0, 0, 0],
    [60, 0, 110],
    [140, 0, 160],
    [210, 30, 90],
    [250, 90, 0],
    [255, 170, 0],
    [255, 230, 60],
    [255, 255, 255],
  ],
};

/** 256-entry RGB lookup table. */
export function colormapLut(name: ColormapName): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  if (name === 'gray') {
    for (let i = 0; i < 256; i++) lut.fill(i, i * 3, i * 3 + 3);
    return lut;
  }
  const stops = STOPS[name];
  if (!stops) throw new InvalidParameterError('colormap', `unknown colour map "${String(name)}"`);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k]![c]! * (1 - f) + stops[k + 1]![c]! * f);
  }
  return lut;
}

/** The q-th quantiles (0..1) of finite values, by sorting a strided sample of at most `maxSamples` values. */
export function quantiles(data: ArrayLike<number>, qs: number[], maxSamples = 1_000_000): number[] {
  const step = Math.max(1, Math.floor(data.length / maxSamples));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) {
    const v = data[i]!;
    if (Number.isFinite(v)) sample.push(v);
  }
  if (sample.length === 0) return qs.map(() => 0);
  const sorted = Float64Array.from(sample).sort();
  return qs.map((q) => {
    const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  });
}

export interface DisplayRange {
  lo: number;
  hi: number;
}

/** Display range from percentiles of one or more arrays together (linked contrast when given several). */
export function displayRange(arrays: ArrayLike<number>[], pLow = 0.001, pHigh = 0.999): DisplayRange {
  const per = Math.max(1, Math.floor(1_000_000 / arrays.length));
  const joined: number[] = [];
  for (const a of arrays) {
    const step = Math.max(1, Math.floor(a.length / per));
    for (let i = 0; i < a.length; i += step) joined.push(a[i]!);
  }
  const [lo, hi] = quantiles(joined, [pLow, pHigh]);
  return { lo: lo!, hi: hi! > lo! ? hi! : lo! + 1 };
}

/** Map values to 0..1 with the display range, clamped (display only). */
export function toUnit(data: ArrayLike<number>, range: DisplayRange): Float32Array {
  const out = new Float32Array(data.length);
  const s = 1 / (range.hi - range.lo);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i]! - range.lo) * s;
    out[i] = v < 0 || !Number.isFinite(v) ? 0 : v > 1 ? 1 : v;
  }
  return out;
}
