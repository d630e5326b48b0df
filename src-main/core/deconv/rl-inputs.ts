// Checks on what Richardson–Lucy is given, run before any work starts, so every caller (CLI `rl`,
// `deconvolve --method rl`, the queue's runner, the science bench) gets them:
// - non-finite image voxels are refused with their count (or replaced, when asked): one NaN spreads
//   through the FFT to every voxel of the result;
// - the image is shifted to non-negative values when it has negatives (RL's Poisson model assumes
//   counts ≥ 0; Richardson 1972, Lucy 1974), and the shift is taken off the result again;
// - a PSF with NaN/Inf or negative values is refused with the count;
// - a PSF whose voxel size would make it dwarf the image when resampled is refused (unit slip).
import { InvalidParameterError, InvalidVolumeError, PsfVoxelSizeError } from '../errors';
import type { Volume } from '../io/volume';
import { resamplePsf, resampledPsfShape, type Shape3 } from './grid';
import { countNonFinite } from '../metrics/finite';

/** What to do with NaN/±Inf image voxels: refuse (default), or replace them by 0 or by the mean of the finite voxels. */
export type NanPolicy = 'refuse' | 'zero' | 'mean';
export const NAN_POLICIES: readonly NanPolicy[] = ['refuse', 'zero', 'mean'];

/** What the input checks changed; recorded in the result's metadata by richardsonLucy. */
export interface RlInputReport {
  /** Non-finite voxels replaced (0 when none were, or the policy refused). */
  replaced: number;
  /** The value they were replaced by. */
  replacedBy?: number;
  /** Added to the image before RL (0 when the image is ≥ 0). */
  offset: number;
  /** Whether it was subtracted from the estimate after (false: absorbed by an estimated background). */
  shiftedBack?: boolean;
}

export interface RlInputOptions {
  nanPolicy?: NanPolicy;
  onWarning?: (msg: string) => void;
  /** Told what the checks changed, once per call. */
  onInputReport?: (r: RlInputReport) => void;
  /**
   * Whether the shift that makes negative data non-negative is taken off the estimate again (default true).
   * False when the forward model estimates its background: y + s ≈ Hx + b̂ then absorbs the shift into b̂, and x
   * is already background-free.
   */
  shiftBack?: boolean;
}

export interface CheckedRlInput {
  image: Float32Array;
  report: RlInputReport;
  /** Takes the offset back off an estimate (in place) so it is in the input's units. */
  restore(estimate: Float32Array): Float32Array;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const fmt = (v: number) => Number(v.toPrecision(6)).toString();

/** Refuses a PSF holding NaN/Inf or negative values, with the counts. */
export function checkPsfValues(psf: Float32Array): void {
  let bad = 0,
    negative = 0;
  for (let i = 0; i < psf.length; i++) {
    const v = psf[i]!;
    if (!Number.isFinite(v)) bad++;
    else if (v < 0) negative++;
  }
  if (bad === 0 && negative === 0) return;
  const what = [bad ? plural(bad, 'NaN or infinite voxel') : '', negative ? plural(negative, 'negative voxel') : '']
    .filter(Boolean)
    .join(' and ');
  throw new InvalidVolumeError(
    `the PSF has ${what} (of ${psf.length})`,
    'A PSF is an intensity: clip it at zero (after background subtraction) and remove NaN/Inf voxels before deconvolving.',
  );
}

/**
 * A run's learned PSF, ready for RL: a kernel trained without the non-negativity constraint (the
 * paper preset) has small negative lobes that are the network's, not the user's, so they are set to
 * 0 (and counted) rather than refused. NaN/Inf is still refused.
 */
export function clipLearnedPsf(psf: Float32Array): { data: Float32Array; clipped: number } {
  let clipped = 0;
  const data = psf.map((v) => (v < 0 ? (clipped++, 0) : v));
  checkPsfValues(data);
  return { data, clipped };
}

function replaceNonFinite(
  image: Float32Array,
  count: number,
  policy: NanPolicy,
  warn: (m: string) => void,
): { data: Float32Array; by: number } {
  if (policy === 'refuse') {
    throw new InvalidVolumeError(
      `the image has ${plural(count, 'voxel')} that ${count === 1 ? 'is' : 'are'} NaN or infinite (of ${image.length})`,
      'Richardson–Lucy would turn every output voxel into NaN. Fix the input, or replace them (cycledecon rl --nan-policy zero|mean).',
    );
  }
  let by = 0;
  if (policy === 'mean') {
    let s = 0;
    for (const v of image) if (Number.isFinite(v)) s += v;
    by = count < image.length ? s / (image.length - count) : 0;
  }
  const data = image.map((v) => (Number.isFinite(v) ? v : by));
  warn(
    `replaced ${plural(count, 'NaN/infinite voxel')} (of ${image.length}) by ${policy === 'mean' ? `the mean ${fmt(by)}` : '0'}.`,
  );
  return { data, by };
}

/**
 * Checks the image and PSF for Richardson–Lucy and returns the image to deconvolve. Negative data
 * (offset-subtracted cameras, signed integer files) are shifted by −min so the Poisson model holds;
 * the estimate of (object + shift) is shifted back, so the result stays in the input's units (its
 * minimum is then ≥ the input's minimum rather than ≥ 0). Never modifies `image`.
 */
export function checkRlInputs(image: Float32Array, psf: Float32Array, opts: RlInputOptions): CheckedRlInput {
  const policy = opts.nanPolicy ?? 'refuse';
  if (!NAN_POLICIES.includes(policy))
    throw new InvalidParameterError('nanPolicy', `"${String(policy)}" is not one of ${NAN_POLICIES.join(', ')}`);
  checkPsfValues(psf);
  const warn = opts.onWarning ?? (() => undefined);
  const bad = countNonFinite(image);
  const fixed = bad ? replaceNonFinite(image, bad, policy, warn) : { data: image, by: undefined };
  let min = Infinity;
  for (let i = 0; i < fixed.data.length; i++) if (fixed.data[i]! < min) min = fixed.data[i]!;
  const offset = min < 0 ? -min : 0;
  let data = fixed.data;
  const shiftBack = opts.shiftBack ?? true;
  if (offset > 0) {
    data = fixed.data.map((v) => v + offset);
    warn(
      `the image has negative values (min ${fmt(min)}); Richardson–Lucy assumes non-negative data, so ${fmt(offset)} was added before deconvolving and ${shiftBack ? 'subtracted from the result' : 'left to the estimated background (the result is background-free)'}.`,
    );
  }
  const report: RlInputReport = {
    replaced: bad,
    ...(bad ? { replacedBy: fixed.by } : {}),
    offset,
    shiftedBack: shiftBack,
  };
  opts.onInputReport?.(report);
  return {
    image: data,
    report,
    restore: (est) => {
      if (offset > 0 && shiftBack) for (let i = 0; i < est.length; i++) est[i]! -= offset;
      return est;
    },
  };
}

/** Metadata keys that record what checkRlInputs changed (stored in the output TIFF's description). */
export function rlInputExtra(r: RlInputReport | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (r?.offset) {
    out.rlInputOffset =
      r.shiftedBack === false
        ? `${fmt(r.offset)} (added before Richardson-Lucy for non-negativity and absorbed by the estimated background: values are background-free)`
        : `${fmt(r.offset)} (added before Richardson-Lucy for non-negativity, subtracted from the result: values are in the input's units)`;
  }
  if (r?.replaced) out.rlNonFiniteReplaced = `${r.replaced} voxels replaced by ${fmt(r.replacedBy ?? 0)}`;
  return out;
}

/**
 * A resampled PSF may hold at most as many voxels as the image: a real PSF is never bigger than the
 * volume it blurs, and one that is comes from a voxel size in the wrong unit. A PSF that passes but
 * is longer than the image on an axis (a thin stack) is cropped to 2n−1 voxels there, centred: from
 * any voxel that still reaches every other voxel of the image, and the rest would only grow the FFT grid.
 */
export function resamplePsfForImage(
  image: Volume,
  psf: Volume,
  warn: (msg: string) => void,
): { data: Float32Array; shape: Shape3 } {
  checkPsfValues(psf.data); // on the file's voxels, so the counts are the user's
  const a = image.voxelSize,
    b = psf.voxelSize;
  const from: Shape3 = [b.z, b.y, b.x],
    to: Shape3 = [a.z, a.y, a.x];
  const full = resampledPsfShape(psf.shape, from, to);
  const voxels = full[0] * full[1] * full[2],
    imageVoxels = image.shape[0] * image.shape[1] * image.shape[2];
  if (voxels > imageVoxels) {
    const ratio = Math.max(...from.map((f, i) => Math.max(f / to[i]!, to[i]! / f)));
    throw new PsfVoxelSizeError(
      `the PSF's voxel size ${b.z}×${b.y}×${b.x} ${b.unit} is ${fmt(ratio)}× the image's ${a.z}×${a.y}×${a.x} ${a.unit}: resampled, the PSF would be ${full.join('×')} voxels, larger than the ${image.shape.join('×')} image`,
      'This is nearly always a unit slip (nm written as µm, or a spacing in the wrong field): correct the voxel size stored in the PSF or image file (Fiji: Image ▸ Properties), then run again.',
    );
  }
  const max = image.shape.map((n) => 2 * n - 1) as Shape3;
  const r = resamplePsf(psf.data, psf.shape, from, to, max);
  if (r.shape.some((n, i) => n < full[i]!))
    warn(
      `the resampled PSF (${full.join('×')}) is longer than the image on some axis; cropped to ${r.shape.join('×')}, centred.`,
    );
  return r;
}
