// Blind PSF width from power spectra (beyond the paper; an independent check of the learned PSF and a
// data-driven start for the PSF layer). With unpaired blurred stacks (domain A) and sharp stacks of the same
// kind of sample (domain B), the expected power spectrum of A is
//     S_A(k) = c · |OTF(k)|² · S_B(k) + N,
// c the intensity scale between the domains and N the white noise floor (shot + read noise). This is what
// the paper's D_A can at best learn from second-order statistics; here it is fitted directly, with a
// Gaussian PSF (FWHM lateral, FWHM axial) as the model:
//  - power spectra of both domains binned on a (|k_lateral|, |k_z|) grid, with the noise floor N from the
//    beyond-Nyquist corners and a weight n_b per bin (psf/binned-spectrum.ts);
//  - the Whittle likelihood Σ_b n_b [log m_b + S_A,b / m_b], m_b = c·⟨G²⟩_b·S_B,b + N, minimised over c
//    (golden section on log c) and the two FWHMs (a log-spaced grid, then a finer one around the best).
// No confidence interval is reported: the likelihood counts the noise of the spectra, not the two errors
// that dominate in practice, the mismatch between S_B and the spectrum of what was blurred, and the Gaussian's
// mismatch with a widefield PSF (whose OTF falls steeply at low frequency and has a long tail). At low photon
// counts only the low frequencies rise above the noise, and the fit is biased wide (docs/notes/2026-12-04-psf-identifiability-spectral-fit.md).
// Assumes the sharp stacks show the same kind of structures as the blurred ones: the estimate is only as
// good as S_B stands in for the spectrum of what was blurred.
import { InvalidParameterError } from '../errors';
import type { Volume } from '../io/volume';
import {
  freqIndex,
  halfSpectrumBins,
  lowFrequencyScale,
  spectralData,
  type Grid,
  type SpectralData,
} from './binned-spectrum';

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2));

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
    sum[b]! += Math.exp(-a * (sxy * sxy * freqs.kr2[i]! + sz * sz * freqs.kz2[i]!));
    n[b]! += 1;
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
