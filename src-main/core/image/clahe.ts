// Contrast-limited adaptive histogram equalisation (Zuiderveld 1994) of a 2D image in [0,1].
// For display only: it changes how a figure looks, never the data that metrics are computed on.
import { InvalidParameterError } from '../errors';

export interface ClaheOptions {
  /** Tiles along each axis (default 8). */
  tiles?: number;
  /** Clip limit as a multiple of the mean histogram count (default 2; 1 → no equalisation). */
  clipLimit?: number;
  /** Histogram bins (default 256). */
  bins?: number;
}

function tileCdf(
  img: Float32Array,
  width: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  bins: number,
  clip: number,
): Float32Array {
  const hist = new Float64Array(bins);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) hist[Math.min(bins - 1, Math.floor(img[y * width + x]! * bins))]! += 1;
  }
  const n = (x1 - x0) * (y1 - y0);
  const limit = Math.max(1, (clip * n) / bins);
  let excess = 0;
  for (let b = 0; b < bins; b++) {
    if (hist[b]! > limit) {
      excess += hist[b]! - limit;
      hist[b] = limit;
    }
  }
  const cdf = new Float32Array(bins);
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += hist[b]! + excess / bins; // redistribute clipped counts uniformly
    cdf[b] = acc / n;
  }
  return cdf;
}

/** CLAHE of a width×height image with values in [0,1]; returns a new image in [0,1]. */
export function clahe(img: Float32Array, width: number, height: number, opts: ClaheOptions = {}): Float32Array {
  const bins = opts.bins ?? 256;
  const clip = opts.clipLimit ?? 2;
  if (img.length !== width * height)
    throw new InvalidParameterError('clahe', `image length ${img.length} is not ${width}×${height}`);
  if (clip < 1) throw new InvalidParameterError('clipLimit', `${clip} must be at least 1`);
  const tx = Math.max(1, Math.min(opts.tiles ?? 8, width));
  const ty = Math.max(1, Math.min(opts.tiles ?? 8, height));
  const xs = Array.from({ length: tx + 1 }, (_, i) => Math.round((i * width) / tx));
  const ys = Array.from({ length: ty + 1 }, (_, i) => Math.round((i * height) / ty));
  const cdfs: Float32Array[] = [];
  for (let j = 0; j < ty; j++)
    for (let i = 0; i < tx; i++) cdfs.push(tileCdf(img, width, xs[i]!, xs[i + 1]!, ys[j]!, ys[j + 1]!, bins, clip));
  const out = new Float32Array(img.length);
  // Bilinear interpolation between the four nearest tile centres' mappings removes block edges.
  for (let y = 0; y < height; y++) {
    const gy = Math.min(ty - 1, Math.max(0, (y + 0.5) / (height / ty) - 0.5));
    const j0 = Math.floor(gy),
      j1 = Math.min(ty - 1, j0 + 1),
      fy = gy - j0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(tx - 1, Math.max(0, (x + 0.5) / (width / tx) - 0.5));
      const i0 = Math.floor(gx),
        i1 = Math.min(tx - 1, i0 + 1),
        fx = gx - i0;
      const b = Math.min(bins - 1, Math.floor(img[y * width + x]! * bins));
      const top = cdfs[j0 * tx + i0]![b]! * (1 - fx) + cdfs[j0 * tx + i1]![b]! * fx;
      const bot = cdfs[j1 * tx + i0]![b]! * (1 - fx) + cdfs[j1 * tx + i1]![b]! * fx;
      out[y * width + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}
