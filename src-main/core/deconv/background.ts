// The constant b in Richardson–Lucy's forward model y ≈ Hx + b: camera offset plus any flat
// background. Raw widefield stacks carry an offset (often 100–500 counts) that RL must not treat as
// object, or it piles it up where the model has least freedom — the stack's edges.
import { InvalidParameterError } from '../errors';

export type BackgroundSetting = number | 'auto';

/** Quantile used by 'auto': low enough to sit at or below the offset with read noise, robust to a few dead pixels. */
export const BACKGROUND_QUANTILE = 0.001;
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
    const v = data[i];
    if (Number.isFinite(v)) sample[k++] = v;
  }
  if (k === 0) return 0;
  const sorted = sample.subarray(0, k).sort();
  return Math.max(0, sorted[Math.min(k - 1, Math.floor(q * (k - 1)))]);
}

/** The background to use: a given value, or the estimate for 'auto' (the default). */
export function resolveBackground(data: ArrayLike<number>, setting: BackgroundSetting | undefined): { value: number; source: 'auto' | 'given' } {
  if (setting === undefined || setting === 'auto') return { value: estimateBackground(data), source: 'auto' };
  return { value: setting, source: 'given' };
}

/** Parses a CLI/job value: 'auto', or a number ≥ 0. */
export function parseBackground(raw: string | number | undefined, name = 'background'): BackgroundSetting | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'auto') return 'auto';
  const v = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'string' && raw.trim() === '') throw new InvalidParameterError(name, "must be 'auto' or a number ≥ 0, got an empty value");
  if (!(Number.isFinite(v) && v >= 0)) throw new InvalidParameterError(name, `must be 'auto' or a number ≥ 0, got ${raw}`, "Use 'auto' to estimate the camera offset, or 0 for none.");
  return v;
}
