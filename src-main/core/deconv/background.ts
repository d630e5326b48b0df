// The constant b in Richardson–Lucy's forward model y ≈ Hx + b: camera offset plus any flat
// background. Raw widefield stacks carry an offset (often 100–500 counts) that RL must not treat as
// object, or it piles it up where the model has least freedom — the stack's edges.
import { InvalidParameterError } from '../errors';

export type BackgroundSetting = number | 'auto';

/** Quantile of voxels used by 'auto' without a shape: at or below the offset with read noise, robust to a few dead pixels. */
export const BACKGROUND_QUANTILE = 0.001;
/** With a shape, 'auto' takes this quantile of the means of BLOCK×BLOCK patches of each slice. */
export const BLOCK_QUANTILE = 0.01;
export const BLOCK = 8;
/** Voxels sampled for the quantile (a strided subsample keeps large stacks cheap). */
const MAX_SAMPLES = 1 << 20;

/** A low quantile of the data (default the 0.1st percentile), never below 0. */
export function estimateBackground(data: ArrayLike<number>, q = BACKGROUND_QUANTILE): number {
  const n = data.length;
  if (n === 0) return 0;
  const step = Math.max(1, Math.floor(n / MAX_SAMPLES));
  const sample = new Float32Array(Math.ceil(n / step));
  let k = 0;
  for (let i = 0; i < n; i += step) {
    const v = data[i]!;
    if (Number.isFinite(v)) sample[k++] = v;
  }
  if (k === 0) return 0;
  const sorted = sample.subarray(0, k).sort();
  return Math.max(0, sorted[Math.min(k - 1, Math.floor(q * (k - 1)))]!);
}

/**
 * The background of a stack: a low quantile (1 %) of the means of 8×8 patches of every slice. A
 * patch mean averages the shot and read noise down 8×, so a dim background (a few photons, where a
 * voxel quantile sits at 0) is found, while the darkest patches still hold no object; it errs
 * low by about 2.3 noise σ / 8. Falls back to the voxel quantile for slices smaller than 16×16.
 */
export function estimateStackBackground(data: ArrayLike<number>, shape: readonly [number, number, number]): number {
  const [nz, ny, nx] = shape,
    by = Math.floor(ny / BLOCK),
    bx = Math.floor(nx / BLOCK);
  if (by * bx < 4) return estimateBackground(data);
  const means = new Float32Array(nz * by * bx);
  let k = 0;
  for (let z = 0; z < nz; z++)
    for (let j = 0; j < by; j++)
      for (let i = 0; i < bx; i++) {
        let sum = 0;
        for (let y = j * BLOCK; y < (j + 1) * BLOCK; y++) {
          const row = (z * ny + y) * nx + i * BLOCK;
          for (let x = 0; x < BLOCK; x++) sum += data[row + x]!;
        }
        if (Number.isFinite(sum)) means[k++] = sum / (BLOCK * BLOCK);
      }
  if (k === 0) return 0;
  const sorted = means.subarray(0, k).sort();
  return Math.max(0, sorted[Math.floor(BLOCK_QUANTILE * (k - 1))]!);
}

/** The background to use: a given value, or the estimate for 'auto' (the default; with a shape, the patch estimate). */
export function resolveBackground(
  data: ArrayLike<number>,
  setting: BackgroundSetting | undefined,
  shape?: readonly [number, number, number],
): { value: number; source: 'auto' | 'given' } {
  if (setting === undefined || setting === 'auto')
    return { value: shape ? estimateStackBackground(data, shape) : estimateBackground(data), source: 'auto' };
  return { value: setting, source: 'given' };
}

/** Parses a CLI/job value: 'auto', or a number ≥ 0. */
export function parseBackground(raw: string | number | undefined, name = 'background'): BackgroundSetting | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'auto') return 'auto';
  const v = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'string' && raw.trim() === '')
    throw new InvalidParameterError(name, "must be 'auto' or a number ≥ 0, got an empty value");
  if (!(Number.isFinite(v) && v >= 0))
    throw new InvalidParameterError(
      name,
      `must be 'auto' or a number ≥ 0, got ${raw}`,
      "Use 'auto' to estimate the camera offset, or 0 for none.",
    );
  return v;
}
