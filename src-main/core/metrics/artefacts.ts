// Artefact measures of a deconvolved volume, each set beside the same number for the input (and the ground truth
// where known) so the reader has a scale:
// - high-frequency power: the share of the (mean-removed) power spectrum above 0.4 cycles/voxel, laterally
//   (radial in x–y) and axially (|f_z|). A blur attenuates these frequencies; the optics cannot transmit much
//   beyond the cut-off, so a result carrying far more of them than its input invented them (a network's
//   checkerboard from transposed convolutions: Odena et al., "Deconvolution and checkerboard artifacts",
//   Distill 2016). A Nyquist checkerboard has all its power there, a smooth blob none.
// - negative light: voxels below zero in the input's intensity units, and how deep below zero in units of the
//   input's noise (fluorescence is never negative; a few voxels a noise σ below zero are noise, not artefact).
import type { Shape3 } from '../io/volume';
import { rfft3d } from '../fft/index';
import { quantiles } from '../image/colormap';

/** Cycles per voxel above which power counts as high-frequency (Nyquist is 0.5). */
export const HIGH_FREQUENCY_CUTOFF = 0.4;

export interface HighFrequencyPower {
  /** Share of the power with radial x–y frequency above the cut-off (0..1). */
  lateral: number;
  /** Share with |f_z| above the cut-off (0..1); null for a single slice. */
  axial: number | null;
}

/** Signed frequency (cycles/voxel) of FFT bin k of n. */
function freq(k: number, n: number): number {
  return (k <= n / 2 ? k : k - n) / n;
}

/**
 * The share of the spectrum's power above `cutoff` cycles/voxel, laterally and axially, after removing the
 * mean (DC carries no structure). The FFT is periodic, so a volume whose opposite faces differ leaks a little
 * power to high frequencies: the input's value, measured the same way, is the reference, not zero.
 */
export function highFrequencyPower(
  data: Float32Array,
  shape: Shape3,
  cutoff = HIGH_FREQUENCY_CUTOFF,
): HighFrequencyPower {
  const [nz, ny, nx] = shape;
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i]!;
  mean /= data.length || 1;
  const centred = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) centred[i] = data[i]! - mean;
  const { re, im, nxh } = rfft3d(centred, shape);
  let total = 0,
    lateral = 0,
    axial = 0;
  const c2 = cutoff * cutoff;
  for (let z = 0; z < nz; z++) {
    const fz = Math.abs(freq(z, nz));
    for (let y = 0; y < ny; y++) {
      const fy = freq(y, ny);
      const row = (z * ny + y) * nxh;
      for (let k = 0; k < nxh; k++) {
        // The half spectrum holds bins 1..ceil(nx/2)-1 once for two mirror bins: count them twice.
        const weight = k === 0 || 2 * k === nx ? 1 : 2;
        const p = weight * (re[row + k]! * re[row + k]! + im[row + k]! * im[row + k]!);
        const fx = k / nx;
        total += p;
        if (fy * fy + fx * fx > c2) lateral += p;
        if (fz > cutoff) axial += p;
      }
    }
  }
  if (!(total > 0)) return { lateral: 0, axial: nz > 1 ? 0 : null };
  return { lateral: lateral / total, axial: nz > 1 ? axial / total : null };
}

/**
 * A robust noise σ: the median absolute difference of neighbouring voxels along x, / (√2 · 0.6745) (a difference
 * of two independent samples has σ√2; MAD/0.6745 estimates σ of a normal; structure is sparse in differences).
 * Never below a millionth of the value range, so a noise-free synthetic volume does not divide by zero.
 */
export function noiseSigma(data: Float32Array, shape: Shape3): number {
  const nx = shape[2];
  const diffs: number[] = [];
  const step = Math.max(1, Math.floor(data.length / 400_000));
  let min = Infinity,
    max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i + 1 < data.length; i += step) if ((i + 1) % nx !== 0) diffs.push(Math.abs(data[i + 1]! - data[i]!));
  diffs.sort((a, b) => a - b);
  const mad = diffs.length ? diffs[Math.floor(diffs.length / 2)]! : 0;
  return Math.max(mad / (Math.SQRT2 * 0.6745), 1e-6 * Math.max(max - min, 1e-30));
}

export interface NegativeLight {
  /** Share of voxels below zero. */
  fraction: number;
  /** The most negative value (0 when none is negative). */
  minimum: number;
  /** The 0.1 % quantile, in units of the noise σ (negative: that far below zero). */
  p001InNoise: number;
}

export function negativeLight(data: Float32Array, sigma: number): NegativeLight {
  let n = 0,
    min = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0) {
      n++;
      if (v < min) min = v;
    }
  }
  const [p001] = quantiles(data, [0.001]);
  return { fraction: data.length ? n / data.length : 0, minimum: min, p001InNoise: (p001 ?? 0) / sigma };
}

export interface VolumeArtefacts {
  highFrequency: HighFrequencyPower;
  negative: NegativeLight;
}

export interface ArtefactMeasures {
  cutoff: number;
  /** The input's noise σ (intensity units), the scale of every negative-light depth. */
  noiseSigma: number;
  input: VolumeArtefacts;
  result: VolumeArtefacts;
  truth?: VolumeArtefacts;
}

export function measureArtefacts(
  shape: Shape3,
  input: Float32Array,
  result: Float32Array,
  truth?: Float32Array,
): ArtefactMeasures {
  const sigma = noiseSigma(input, shape);
  const of = (d: Float32Array): VolumeArtefacts => ({
    highFrequency: highFrequencyPower(d, shape),
    negative: negativeLight(d, sigma),
  });
  return {
    cutoff: HIGH_FREQUENCY_CUTOFF,
    noiseSigma: sigma,
    input: of(input),
    result: of(result),
    ...(truth ? { truth: of(truth) } : {}),
  };
}
