// Grid helpers for FFT deconvolution: mirror padding, cropping, embedding in a larger box,
// optical transfer functions of centred PSFs, and PSF resampling to another voxel size.
import { rfft3d, type HalfSpectrum } from '../fft/fft3d';

export type Shape3 = [number, number, number];

/** numpy 'reflect' index (mirror without repeating the edge voxel: d c b | a b c d). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/** Mirror-pads `data` by pad[axis] on both sides of each axis (numpy.pad mode='reflect'). */
export function padReflect(data: Float32Array, shape: Shape3, pad: Shape3): { data: Float32Array; shape: Shape3 } {
  const [nz, ny, nx] = shape;
  const out: Shape3 = [nz + 2 * pad[0], ny + 2 * pad[1], nx + 2 * pad[2]];
  const res = new Float32Array(out[0] * out[1] * out[2]);
  for (let z = 0; z < out[0]; z++) {
    const sz = reflectIndex(z - pad[0], nz);
    for (let y = 0; y < out[1]; y++) {
      const sy = reflectIndex(y - pad[1], ny);
      const o = (z * out[1] + y) * out[2],
        s = (sz * ny + sy) * nx;
      for (let x = 0; x < out[2]; x++) res[o + x] = data[s + reflectIndex(x - pad[2], nx)]!;
    }
  }
  return { data: res, shape: out };
}

/** Copies the box of size `shape` at `offset` of a volume of size `from` (or writes it, with `into`). */
export function cropBox(data: ArrayLike<number>, from: Shape3, offset: Shape3, shape: Shape3): Float32Array {
  const res = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const s = ((z + offset[0]) * from[1] + y + offset[1]) * from[2] + offset[2];
      const o = (z * shape[1] + y) * shape[2];
      for (let x = 0; x < shape[2]; x++) res[o + x] = data[s + x]!;
    }
  return res;
}

/** Places `data` (size `shape`) at the origin of a zero volume of size `into`. */
export function embedAtOrigin(data: ArrayLike<number>, shape: Shape3, into: Shape3): Float32Array {
  const res = new Float32Array(into[0] * into[1] * into[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const s = (z * shape[1] + y) * shape[2],
        o = (z * into[1] + y) * into[2];
      for (let x = 0; x < shape[2]; x++) res[o + x] = data[s + x]!;
    }
  return res;
}

/** The PSF's centre voxel: floor(size / 2) on each axis. */
export function psfCentre(shape: Shape3): Shape3 {
  return [Math.floor(shape[0] / 2), Math.floor(shape[1] / 2), Math.floor(shape[2] / 2)];
}

/** The PSF circularly shifted so its centre sits at voxel 0 of a zero grid (into `out` when given). */
export function wrapPsf(psf: Float32Array, psfShape: Shape3, grid: Shape3, out?: Float32Array): Float32Array {
  const c = psfCentre(psfShape);
  const buf = out ?? new Float32Array(grid[0] * grid[1] * grid[2]);
  if (out) out.fill(0);
  const wrap = (i: number, n: number) => ((i % n) + n) % n;
  for (let z = 0; z < psfShape[0]; z++)
    for (let y = 0; y < psfShape[1]; y++) {
      const oz = wrap(z - c[0], grid[0]),
        oy = wrap(y - c[1], grid[1]);
      for (let x = 0; x < psfShape[2]; x++) {
        buf[(oz * grid[1] + oy) * grid[2] + wrap(x - c[2], grid[2])]! += psf[(z * psfShape[1] + y) * psfShape[2] + x]!;
      }
    }
  return buf;
}

/** OTF on an FFT grid of size `grid`: the FFT of the wrapped PSF. */
export function otf(psf: Float32Array, psfShape: Shape3, grid: Shape3): HalfSpectrum<Float32Array> {
  return rfft3d(wrapPsf(psf, psfShape, grid), grid);
}

/** Multiplies spectrum `a` by `h` (or by conj(h)) in place. */
export function multiplySpectrum(a: HalfSpectrum, h: HalfSpectrum, conjugate = false): void {
  const s = conjugate ? -1 : 1;
  const ar = a.re,
    ai = a.im,
    hr = h.re,
    hi = h.im;
  for (let i = 0; i < ar.length; i++) {
    const r = ar[i]! * hr[i]! - ai[i]! * s * hi[i]!;
    ai[i] = ar[i]! * s * hi[i]! + ai[i]! * hr[i]!;
    ar[i] = r;
  }
}

/**
 * The shape resamplePsf gives for a PSF of `shape` taken from voxel size `from` to `to`: odd on each
 * axis, the same physical half-extent. Allocates nothing, so callers can refuse absurd sizes first.
 */
export function resampledPsfShape(shape: Shape3, from: Shape3, to: Shape3): Shape3 {
  const c = psfCentre(shape);
  return [0, 1, 2].map((a) => 2 * Math.max(0, Math.floor((c[a]! * from[a]!) / to[a]!)) + 1) as Shape3;
}

/**
 * Trilinear resampling of a centred PSF from voxel size `from` to `to` (same units), keeping the
 * centre voxel on the centre; the output is odd-sized, covers the same physical extent (or the
 * centred window `maxShape`, rounded down to odd, when that is smaller), and sums to 1.
 */
export function resamplePsf(
  psf: Float32Array,
  shape: Shape3,
  from: Shape3,
  to: Shape3,
  maxShape?: Shape3,
): { data: Float32Array; shape: Shape3 } {
  const c = psfCentre(shape);
  const full = resampledPsfShape(shape, from, to);
  const out = full.map((n, a) => (maxShape ? Math.min(n, 2 * Math.floor((maxShape[a]! - 1) / 2) + 1) : n)) as Shape3;
  const half = out.map((n) => (n - 1) / 2);
  const res = new Float32Array(out[0] * out[1] * out[2]);
  const sample = (pz: number, py: number, px: number): number => {
    const z0 = Math.floor(pz),
      y0 = Math.floor(py),
      x0 = Math.floor(px);
    let acc = 0;
    for (let dz = 0; dz < 2; dz++)
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++) {
          const z = z0 + dz,
            y = y0 + dy,
            x = x0 + dx;
          if (z < 0 || y < 0 || x < 0 || z >= shape[0] || y >= shape[1] || x >= shape[2]) continue;
          const w = (dz ? pz - z0 : 1 - (pz - z0)) * (dy ? py - y0 : 1 - (py - y0)) * (dx ? px - x0 : 1 - (px - x0));
          acc += w * psf[(z * shape[1] + y) * shape[2] + x]!;
        }
    return acc;
  };
  let sum = 0;
  for (let z = 0; z < out[0]; z++)
    for (let y = 0; y < out[1]; y++)
      for (let x = 0; x < out[2]; x++) {
        const v = sample(
          c[0] + ((z - half[0]!) * to[0]) / from[0],
          c[1] + ((y - half[1]!) * to[1]) / from[1],
          c[2] + ((x - half[2]!) * to[2]) / from[2],
        );
        res[(z * out[1] + y) * out[2] + x] = v;
        sum += v;
      }
  if (sum > 0) for (let i = 0; i < res.length; i++) res[i]! /= sum;
  return { data: res, shape: out };
}
