// Binned power spectra of stacks for the spectral PSF fit (psf/spectral-fit.ts) and the spectral training term
// (train/spectral-loss.ts):
//  - each stack (stacks larger than maxBlock, 64×256×256 by default, cut into equal blocks: Welch's average, so
//    memory stays bounded on whole microscope stacks): mean removed, Hann taper on every axis, |FFT|² / Σw²;
//    averaged per domain;
//  - binned on a (|k_lateral|, |k_z|) grid in physical frequency (20 × up to 8 bins up to the Nyquist
//    frequencies of the blurred data), so the domains may differ in shape; the DC bin is left out;
//  - N = the mean of S_A at lateral frequencies beyond Nyquist (the corners of the kx–ky plane), where a
//    Nyquist-sampled microscope transmits nothing;
//  - each bin's weight n_b = the bin's frequency count × the stacks × the taper's effective-sample factor
//    (0.514 per axis).
import { InvalidParameterError, InvalidVolumeError } from '../errors';
import { rfft3d } from '../fft';
import type { Volume } from '../io/volume';

/** Effective independent samples per frequency under a 1-D Hann taper: (Σw²)² / (n Σw⁴) = (3/8)² / (35/128). */
const HANN_DOF = (3 / 8) ** 2 / (35 / 128);
export const LATERAL_BINS = 20;
const MAX_AXIAL_BINS = 8;
const MIN_SIDE = 8;

/** Default block: bounds the FFT's memory (≈ 100 MB in float64) on whole microscope stacks. */
export const MAX_BLOCK: [number, number, number] = [64, 256, 256];

/** A stack cut into equal, non-overlapping blocks no larger than `max` per axis (the remainder at the far edge is left out). */
function blocks(v: Volume, max: [number, number, number]): Volume[] {
  if (v.shape.every((n, a) => n <= max[a]!)) return [v];
  const count = v.shape.map((n, a) => Math.ceil(n / max[a]!)),
    size = v.shape.map((n, a) => Math.floor(n / count[a]!)) as [number, number, number];
  const [, ny, nx] = v.shape,
    out: Volume[] = [];
  for (let bz = 0; bz < count[0]!; bz++)
    for (let by = 0; by < count[1]!; by++)
      for (let bx = 0; bx < count[2]!; bx++) {
        const data = new Float32Array(size[0] * size[1] * size[2]);
        for (let z = 0, i = 0; z < size[0]; z++)
          for (let y = 0; y < size[1]; y++) {
            const from = ((bz * size[0] + z) * ny + by * size[1] + y) * nx + bx * size[2];
            data.set(v.data.subarray(from, from + size[2]), i);
            i += size[2];
          }
        out.push({ ...v, data, shape: size });
      }
  return out;
}

interface Binned {
  mean: Float64Array;
  count: Float64Array;
}

export interface Grid {
  shape: [number, number, number];
  dz: number;
  dxy: number;
  nyqXY: number;
  nyqZ: number;
  axialBins: number;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}

/** The (k_lateral, k_z) bin of a frequency (physical units), or −1 beyond the lateral Nyquist circle. */
function binOf(kr: number, kz: number, g: Grid): number {
  if (kr > g.nyqXY) return -1;
  const bz = Math.min(g.axialBins - 1, Math.floor((kz / g.nyqZ) * g.axialBins));
  return bz * LATERAL_BINS + Math.min(LATERAL_BINS - 1, Math.floor((kr / g.nyqXY) * LATERAL_BINS));
}

/** Signed frequency index of FFT bin i of n. */
export const freqIndex = (i: number, n: number): number => (i <= n / 2 ? i : i - n);

function checkVolume(v: Volume, what: string): void {
  if (v.shape.some((n) => n < MIN_SIDE))
    throw new InvalidVolumeError(
      `${what} is ${v.shape.join('×')}; the spectral PSF fit needs at least ${MIN_SIDE} voxels per axis`,
    );
  for (let i = 0; i < v.data.length; i++)
    if (!Number.isFinite(v.data[i]!)) throw new InvalidVolumeError(`${what} has non-finite values`);
}

/** Power spectrum (half spectrum, tapered) binned on the grid's (k_lateral, k_z) bins; `corner` collects beyond-Nyquist power. */
function binnedSpectrum(
  v: Volume,
  g: Grid,
  acc: { sum: Float64Array; count: Float64Array; corner: [number, number] },
): void {
  const [nz, ny, nx] = v.shape;
  const wz = hann(nz),
    wy = hann(ny),
    wx = hann(nx);
  let mean = 0;
  for (let i = 0; i < v.data.length; i++) mean += v.data[i]!;
  mean /= v.data.length;
  const x = new Float64Array(v.data.length);
  let w2 = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let xx = 0; xx < nx; xx++, i++) {
        const w = wz[z]! * wy[y]! * wx[xx]!;
        x[i] = (v.data[i]! - mean) * w;
        w2 += w * w;
      }
  const spec = rfft3d(x, v.shape);
  const nxh = spec.nxh;
  const dz = v.voxelSize.z,
    dy = v.voxelSize.y,
    dx = v.voxelSize.x;
  for (let z = 0; z < nz; z++) {
    const kz = Math.abs(freqIndex(z, nz)) / (nz * dz);
    for (let y = 0; y < ny; y++) {
      const ky = freqIndex(y, ny) / (ny * dy);
      for (let k = 0; k < nxh; k++) {
        const i = (z * ny + y) * nxh + k;
        const p = (spec.re[i]! ** 2 + spec.im[i]! ** 2) / w2;
        // Half spectrum: interior x bins stand for two frequencies (k and −k).
        const mult = k === 0 || (nx % 2 === 0 && k === nxh - 1) ? 1 : 2;
        const b = binOf(Math.hypot(k / (nx * dx), ky), kz, g);
        if (b < 0) {
          acc.corner[0] += p * mult;
          acc.corner[1] += mult;
          continue;
        }
        acc.sum[b]! += p * mult;
        acc.count[b]! += mult;
      }
    }
  }
}

function domainSpectrum(vols: Volume[], g: Grid): Binned & { corner: number } {
  const nb = g.axialBins * LATERAL_BINS;
  const acc = { sum: new Float64Array(nb), count: new Float64Array(nb), corner: [0, 0] as [number, number] };
  for (const v of vols) binnedSpectrum(v, g, acc);
  const mean = new Float64Array(nb);
  for (let b = 0; b < nb; b++) mean[b] = acc.count[b]! > 0 ? acc.sum[b]! / acc.count[b]! : 0;
  return { mean, count: acc.count, corner: acc.corner[1] > 0 ? acc.corner[0] / acc.corner[1] : NaN };
}

/** The binned spectra both the fit and the training term (train/spectral-loss.ts) work from. */
export interface SpectralData {
  grid: Grid;
  /** Mean power per (k_lateral, k_z) bin of the blurred (A) and the sharp (B) stacks. */
  sa: Float64Array;
  sb: Float64Array;
  /** Effective independent frequencies per bin (0: bin left out, e.g. DC). */
  weight: Float64Array;
  noise: number;
}

/** Checks the stacks and bins their power spectra (see the header). */
export function spectralData(
  blurred: Volume[],
  sharp: Volume[],
  noiseFloor?: number,
  maxBlock: [number, number, number] = MAX_BLOCK,
): SpectralData {
  if (blurred.length === 0 || sharp.length === 0)
    throw new InvalidParameterError('spectral PSF fit', 'needs at least one blurred and one sharp stack');
  blurred.forEach((v, i) => checkVolume(v, `blurred stack ${i + 1}`));
  sharp.forEach((v, i) => checkVolume(v, `sharp stack ${i + 1}`));
  const first = blurred[0]!;
  const { x: dx, y: dy, z: dz, unit } = first.voxelSize;
  if (Math.abs(dx - dy) > 0.01 * dx)
    throw new InvalidParameterError(
      'voxel size',
      `x (${dx}) and y (${dy}) differ; the spectral fit assumes square pixels`,
    );
  for (const v of [...blurred, ...sharp]) {
    if (v.voxelSize.unit !== unit)
      throw new InvalidParameterError(
        'voxel size',
        `the stacks use different units (${unit}, ${v.voxelSize.unit})`,
        'Give every stack the same voxel-size unit.',
      );
  }
  const aBlocks = blurred.flatMap((v) => blocks(v, maxBlock)),
    bBlocks = sharp.flatMap((v) => blocks(v, maxBlock));
  const g: Grid = {
    shape: aBlocks[0]!.shape,
    dz,
    dxy: dx,
    nyqXY: 1 / (2 * dx),
    nyqZ: 1 / (2 * dz),
    axialBins: Math.min(MAX_AXIAL_BINS, Math.floor(aBlocks[0]!.shape[0] / 2)),
  };
  const a = domainSpectrum(aBlocks, g),
    b = domainSpectrum(bBlocks, g);
  const noise = noiseFloor ?? a.corner;
  if (!(noise >= 0) || !Number.isFinite(noise))
    throw new InvalidParameterError('noise floor', `could not be estimated (${noise}); give it explicitly`);
  const nb = a.mean.length,
    dof = HANN_DOF ** 3 * aBlocks.length;
  const weight = new Float64Array(nb);
  for (let k = 0; k < nb; k++)
    weight[k] =
      k === 0 || b.mean[k]! <= 0 || a.mean[k]! <= 0 || a.count[k]! === 0 ? 0 : (a.count[k]! / aBlocks.length) * dof;
  return { grid: g, sa: a.mean, sb: b.mean, weight, noise };
}

/** The domains' power ratio in the lowest lateral bins above DC (noise removed): where the scale c starts. */
export function lowFrequencyScale(d: SpectralData): number {
  let ra = 0,
    rb = 0;
  for (let k = 1; k < 4; k++) {
    ra += Math.max(d.sa[k]! - d.noise, 0);
    rb += d.sb[k]!;
  }
  return Math.max(ra, 1e-30) / Math.max(rb, 1e-30);
}

/** Bin of every frequency of the grid's half spectrum, [z][y][x] order; −1 outside the lateral Nyquist circle. */
export function halfSpectrumBins(g: Grid): Int32Array {
  const [nz, ny, nx] = g.shape;
  const nxh = Math.floor(nx / 2) + 1;
  const out = new Int32Array(nz * ny * nxh);
  for (let z = 0, i = 0; z < nz; z++) {
    const kz = Math.abs(freqIndex(z, nz)) / (nz * g.dz);
    for (let y = 0; y < ny; y++) {
      const ky = freqIndex(y, ny) / (ny * g.dxy);
      for (let k = 0; k < nxh; k++, i++) out[i] = binOf(Math.hypot(k / (nx * g.dxy), ky), kz, g);
    }
  }
  return out;
}
