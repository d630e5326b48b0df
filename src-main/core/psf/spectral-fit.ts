// Blind PSF width from power spectra (beyond the paper; an independent check of the learned PSF and a
// data-driven start for the PSF layer). With unpaired blurred stacks (domain A) and sharp stacks of the same
// kind of sample (domain B), the expected power spectrum of A is
//     S_A(k) = c · |OTF(k)|² · S_B(k) + N,
// c the intensity scale between the domains and N the white noise floor (shot + read noise). This is what
// the paper's D_A can at best learn from second-order statistics; here it is fitted directly, with a
// Gaussian PSF (FWHM lateral, FWHM axial) as the model:
//  - each stack (stacks larger than maxBlock, 64×256×256 by default, cut into equal blocks: Welch's average, so
//    memory stays bounded on whole microscope stacks): mean removed, Hann taper on every axis, |FFT|² / Σw²;
//    averaged per domain;
//  - binned on a (|k_lateral|, |k_z|) grid in physical frequency (20 × up to 8 bins up to the Nyquist
//    frequencies of the blurred data), so the domains may differ in shape; the DC bin is left out;
//  - N = the mean of S_A at lateral frequencies beyond Nyquist (the corners of the kx–ky plane), where a
//    Nyquist-sampled microscope transmits nothing;
//  - the Whittle likelihood Σ_b n_b [log m_b + S_A,b / m_b], m_b = c·⟨G²⟩_b·S_B,b + N, minimised over c
//    (golden section on log c) and the two FWHMs (a log-spaced grid, then a finer one around the best);
//    n_b = the bin's frequency count × the stacks × the taper's effective-sample factor (0.514 per axis).
// No confidence interval is reported: the likelihood counts the noise of the spectra, not the two errors
// that dominate in practice, the mismatch between S_B and the spectrum of what was blurred, and the Gaussian's
// mismatch with a widefield PSF (whose OTF falls steeply at low frequency and has a long tail). At low photon
// counts only the low frequencies rise above the noise, and the fit is biased wide (docs/notes/2026-12-04-psf-identifiability-spectral-fit.md).
// Assumes the sharp stacks show the same kind of structures as the blurred ones: the estimate is only as
// good as S_B stands in for the spectrum of what was blurred.
import { InvalidParameterError, InvalidVolumeError } from '../errors';
import { rfft3d } from '../fft';
import type { Volume } from '../io/volume';

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2));
/** Effective independent samples per frequency under a 1-D Hann taper: (Σw²)² / (n Σw⁴) = (3/8)² / (35/128). */
const HANN_DOF = (3 / 8) ** 2 / (35 / 128);
export const LATERAL_BINS = 20;
const MAX_AXIAL_BINS = 8;
const MIN_SIDE = 8;

export interface SpectralFitOptions {
  /** FWHM search range, in voxels of the blurred stacks (default lateral 0.8–16, axial 0.8–16). */
  lateralRange?: [number, number];
  axialRange?: [number, number];
  /** Known noise floor (power per frequency, same scale as the blurred data); default from the corners. */
  noise?: number;
  /** The stacks' binned spectra when already computed (spectralData of the same stacks); noise and maxBlock are then ignored. */
  data?: SpectralData;
  /** Largest block [z, y, x] a stack's spectrum is taken over; larger stacks are averaged over blocks (Welch). */
  maxBlock?: [number, number, number];
}

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

export interface SpectralFit {
  /** Best FWHM in the blurred stacks' voxel-size unit. */
  fwhm: { xy: number; z: number };
  /** The same in voxels [z, y, x], and the Gaussian's σ in voxels. */
  fwhmVoxels: [number, number, number];
  sigmaVoxels: [number, number, number];
  /** True on an axis whose best width is at an end of the search range: the data did not bound it there. */
  atRangeEnd: { xy: boolean; z: boolean };
  /** Fitted scale c and noise floor N. */
  scale: number;
  noise: number;
  unit: string;
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
        acc.sum[b] += p * mult;
        acc.count[b] += mult;
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

/** ⟨exp(−4π²(σ_xy² k_r² + σ_z² k_z²))⟩ over each bin, σ physical; per-bin frequency lists precomputed. */
function gaussianOtf2(
  freqs: { kr2: Float64Array; kz2: Float64Array; bin: Int32Array },
  nb: number,
  sxy: number,
  sz: number,
): Float64Array {
  const sum = new Float64Array(nb),
    n = new Float64Array(nb);
  const a = 4 * Math.PI * Math.PI;
  for (let i = 0; i < freqs.bin.length; i++) {
    const b = freqs.bin[i]!;
    sum[b] += Math.exp(-a * (sxy * sxy * freqs.kr2[i]! + sz * sz * freqs.kz2[i]!));
    n[b] += 1;
  }
  for (let b = 0; b < nb; b++) sum[b] = n[b]! > 0 ? sum[b]! / n[b]! : 0;
  return sum;
}

/** Every frequency of the blurred grid's half spectrum inside the lateral Nyquist circle, with its bin. */
function gridFrequencies(g: Grid): { kr2: Float64Array; kz2: Float64Array; bin: Int32Array } {
  const [nz, ny, nx] = g.shape;
  const nxh = Math.floor(nx / 2) + 1;
  const bins = halfSpectrumBins(g);
  const kr2: number[] = [],
    kz2: number[] = [],
    bin: number[] = [];
  for (let z = 0, i = 0; z < nz; z++) {
    const kz = Math.abs(freqIndex(z, nz)) / (nz * g.dz);
    for (let y = 0; y < ny; y++) {
      const ky = freqIndex(y, ny) / (ny * g.dxy);
      for (let k = 0; k < nxh; k++, i++) {
        if (bins[i]! < 0) continue;
        kr2.push((k / (nx * g.dxy)) ** 2 + ky * ky);
        kz2.push(kz * kz);
        bin.push(bins[i]!);
      }
    }
  }
  return { kr2: Float64Array.from(kr2), kz2: Float64Array.from(kz2), bin: Int32Array.from(bin) };
}

/** Whittle negative log-likelihood at the best scale c (golden section on log c). */
function whittle(
  sa: Float64Array,
  weight: Float64Array,
  otf2sb: Float64Array,
  noise: number,
  logC: [number, number],
): { value: number; logC: number } {
  const f = (lc: number) => {
    const c = Math.exp(lc);
    let s = 0;
    for (let b = 0; b < sa.length; b++) {
      if (weight[b]! <= 0) continue;
      const m = c * otf2sb[b]! + noise;
      s += weight[b]! * (Math.log(m) + sa[b]! / m);
    }
    return s;
  };
  let [lo, hi] = logC;
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - r * (hi - lo),
    x2 = lo + r * (hi - lo),
    f1 = f(x1),
    f2 = f(x2);
  for (let it = 0; it < 60; it++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - r * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + r * (hi - lo);
      f2 = f(x2);
    }
  }
  return f1 < f2 ? { value: f1, logC: x1 } : { value: f2, logC: x2 };
}

function logSpace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a * (b / a) ** (i / (n - 1)));
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

/**
 * Fits a Gaussian PSF (lateral and axial FWHM) to the power spectra of blurred and unpaired sharp stacks.
 * All blurred stacks must share one voxel size; the sharp ones are binned in physical frequency with their own.
 */
export function fitPsfFromSpectra(blurred: Volume[], sharp: Volume[], opts: SpectralFitOptions = {}): SpectralFit {
  const data = opts.data ?? spectralData(blurred, sharp, opts.noise, opts.maxBlock);
  const { grid: g, sa, sb, weight, noise } = data;
  const { x: dx, z: dz, unit } = blurred[0]!.voxelSize;
  const lateralRange = opts.lateralRange ?? [0.8, 16],
    axialRange = opts.axialRange ?? [0.8, 16];
  for (const [lo, hi] of [lateralRange, axialRange])
    if (!(lo > 0 && hi > lo && hi < 1e3))
      throw new InvalidParameterError('FWHM range', `[${lo}, ${hi}] voxels is not a valid range`);
  const nb = sa.length;
  const freqs = gridFrequencies(g);
  // Bracket for log c: the ratio of the domains' low-frequency power, ± 12 (a factor of 1.6e5 either way).
  const lc0 = Math.log(lowFrequencyScale(data));
  const logC: [number, number] = [lc0 - 12, lc0 + 12];
  const evaluate = (fxy: number, fz: number) => {
    const o = gaussianOtf2(freqs, nb, (fxy * dx) / FWHM_PER_SIGMA, (fz * dz) / FWHM_PER_SIGMA);
    for (let k = 0; k < nb; k++) o[k]! *= sb[k]!;
    return whittle(sa, weight, o, noise, logC);
  };
  const search = (xs: number[], zs: number[]) => {
    const table = xs.map((fxy) => zs.map((fz) => evaluate(fxy, fz)));
    let bi = 0,
      bj = 0;
    table.forEach((row, i) =>
      row.forEach((e, j) => {
        if (e.value < table[bi]![bj]!.value) {
          bi = i;
          bj = j;
        }
      }),
    );
    return { table, bi, bj };
  };
  const xsC = logSpace(lateralRange[0], lateralRange[1], 24),
    zsC = logSpace(axialRange[0], axialRange[1], 24);
  const coarse = search(xsC, zsC);
  const step = (lateralRange[1] / lateralRange[0]) ** (1 / 23),
    stepZ = (axialRange[1] / axialRange[0]) ** (1 / 23);
  const cx = xsC[coarse.bi]!,
    cz = zsC[coarse.bj]!;
  const clamp = (v: number, r: [number, number]) => Math.min(r[1], Math.max(r[0], v));
  const xs = logSpace(clamp(cx / step, lateralRange), clamp(cx * step, lateralRange), 9);
  const zs = logSpace(clamp(cz / stepZ, axialRange), clamp(cz * stepZ, axialRange), 9);
  const fine = search(xs, zs);
  const best = fine.table[fine.bi]![fine.bj]!;
  const fxy = xs[fine.bi]!,
    fz = zs[fine.bj]!;
  return {
    fwhm: { xy: fxy * dx, z: fz * dz },
    fwhmVoxels: [fz, fxy, fxy],
    sigmaVoxels: [fz / FWHM_PER_SIGMA, fxy / FWHM_PER_SIGMA, fxy / FWHM_PER_SIGMA],
    atRangeEnd: {
      xy: fxy <= lateralRange[0] * 1.0001 || fxy >= lateralRange[1] * 0.9999,
      z: fz <= axialRange[0] * 1.0001 || fz >= axialRange[1] * 0.9999,
    },
    scale: Math.exp(best.logC),
    noise,
    unit,
  };
}
