// The record of what a run was trained on (domain.json): written by train/domain.ts, checked by
// infer/domain-check.ts. Below both, so training and inference share it without importing each other.
import type { Shape3, VoxelSize } from '../io/volume';
import { quantiles } from '../image/colormap';
import { RUN_FILES } from './layout';

export const DOMAIN_FILE = RUN_FILES.domain;

/** Statistics of a stack on the network's scale (after the run's normalisation, clipped as in training). */
export interface IntensityStats {
  p50: number;
  p99: number;
  mean: number;
}

export interface TrainingDomain {
  version: 1;
  /** 3: the network was trained on stacks with more than one slice. */
  dimensionality: 2 | 3;
  /** Voxel size of the first training stack (all are listed in `stacks`). */
  voxelSize: VoxelSize;
  stacks: { shape: Shape3; voxelSize: VoxelSize }[];
  intensity: {
    /** Raw intensities (before normalisation), median over stacks: for the reader. */
    raw: { p001: number; p50: number; p999: number };
    /** On the network scale, median over stacks: what the check compares. */
    normalised: IntensityStats;
  };
}

export function intensityStats(normalised: Float32Array): IntensityStats {
  const [p50, p99] = quantiles(normalised, [0.5, 0.99]);
  let s = 0;
  for (let i = 0; i < normalised.length; i++) s += normalised[i]!;
  return { p50: p50!, p99: p99!, mean: normalised.length ? s / normalised.length : 0 };
}
