// Thumbnail of a stack: the maximum projection along z, box-downsampled to ≤ 128 px, 1–99.9 % contrast, PNG.
import type { Volume } from '../io/volume';
import { encodePng, makeRaster } from '../image/png';
import { quantiles } from '../image/colormap';

export const THUMBNAIL_SIZE = 128;

/** Max projection along z; pass `into` to accumulate slab after slab of a stack read lazily. */
export function maxProjection(vol: Pick<Volume, 'data' | 'shape'>, into?: Float32Array): Float32Array {
  const [nz, ny, nx] = vol.shape;
  const out = into ?? new Float32Array(ny * nx).fill(-Infinity);
  for (let z = 0; z < nz; z++) {
    const base = z * ny * nx;
    for (let i = 0; i < ny * nx; i++) {
      const v = vol.data[base + i]!;
      if (v > out[i]!) out[i] = v;
    }
  }
  return out;
}

/** PNG of a max projection `mip` of ny × nx pixels. */
export function thumbnailPng(mip: Float32Array, ny: number, nx: number, size = THUMBNAIL_SIZE): Uint8Array {
  const f = Math.max(1, Math.ceil(Math.max(ny, nx) / size));
  const w = Math.ceil(nx / f);
  const h = Math.ceil(ny / f);
  const [lo, hi] = quantiles(mip, [0.01, 0.999]);
  const span = hi! > lo! ? hi! - lo! : 1;
  const r = makeRaster(w, h, 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let yy = y * f; yy < Math.min(ny, (y + 1) * f); yy++) {
        for (let xx = x * f; xx < Math.min(nx, (x + 1) * f); xx++) {
          s += mip[yy * nx + xx]!;
          n++;
        }
      }
      const v = ((s / n - lo!) / span) * 255;
      r.data[y * w + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return encodePng(r);
}
