// What the app knows of a run's training domain (from domain.json, infer/domain-check.ts) and the check the
// deconvolve panel makes before a model job is queued: the same rules as the CLI's geometry check, on the
// dataset's effective voxel size and shape (intensity is checked by the job itself, on the data).
import type { TrainRun, VoxelSize } from './schemas';

export type RunDomain = NonNullable<TrainRun['domain']>;

/** A voxel size differing from training by more than this fraction (per axis, either way) is warned about. */
export const VOXEL_SIZE_TOLERANCE = 0.25;
const TO_UM: Record<string, number> = { nm: 1e-3, µm: 1, um: 1, micron: 1, mm: 1e3 };

/** Per axis, input / training voxel size in a common unit; null when the units cannot be compared. */
export function voxelSizeRatios(input: VoxelSize, training: VoxelSize): { x: number; y: number; z: number } | null {
  const fi = TO_UM[input.unit],
    ft = TO_UM[training.unit];
  if (input.unit !== training.unit && (fi === undefined || ft === undefined)) return null;
  const r = (k: 'x' | 'y' | 'z') => (input[k] * (fi ?? 1)) / (training[k] * (ft ?? 1));
  return { x: r('x'), y: r('y'), z: r('z') };
}

/** The panel's warnings for a dataset (shape [z, y, x], effective voxel size) under a run's domain. */
export function runDomainWarnings(
  domain: RunDomain | undefined,
  shape: readonly number[],
  voxelSize: VoxelSize,
): string[] {
  if (!domain) return [];
  if (domain.dimensionality === 3 && (shape[0] ?? 0) < 2)
    return ['this stack is 2D (one slice) but the model was trained on 3D stacks: the job will refuse it.'];
  const t = domain.voxelSize;
  const r = voxelSizeRatios(voxelSize, t);
  const fmt = (v: VoxelSize) => `${v.x}×${v.y}×${v.z} ${v.unit}`;
  if (!r) return [`voxel size ${fmt(voxelSize)} cannot be compared with the training data's ${fmt(t)}.`];
  const off = (['x', 'y', 'z'] as const).filter(
    (k) => !(r[k] <= 1 + VOXEL_SIZE_TOLERANCE && r[k] >= 1 / (1 + VOXEL_SIZE_TOLERANCE)),
  );
  if (!off.length) return [];
  return [
    `voxel size ${fmt(voxelSize)} differs from the model's training data (${fmt(t)}) by more than ${100 * VOXEL_SIZE_TOLERANCE} % (${off.map((k) => `${k} ${r[k].toPrecision(3)}×`).join(', ')}): its result is extrapolation.`,
  ];
}
