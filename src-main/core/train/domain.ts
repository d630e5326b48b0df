// Records what a run was trained on (domain.json): dimensionality, voxel size and intensity statistics of the
// blurred stacks, raw and on the network's scale. Inference checks a volume against it (infer/domain-check.ts).
import { join } from 'node:path';
import { writeBytesAtomic } from '../io/atomic';
import type { Volume } from '../io/volume';
import { quantiles } from '../image/colormap';
import { DOMAIN_FILE, intensityStats, type IntensityStats, type TrainingDomain } from '../run/domain';
import { normalisationOf, type TrainConfig } from './config';
import { normaliseData } from './normalise';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length;
  return m % 2 ? s[(m - 1) / 2]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
}

/** Per stack, normalised as inference will normalise it (one map per volume, clipped as in training). */
export function trainingDomain(blurred: Volume[], cfg: TrainConfig): TrainingDomain {
  const raw = blurred.map((v) => quantiles(v.data, [0.001, 0.5, 0.999]));
  const norm: IntensityStats[] = blurred.map((v) => intensityStats(normaliseData(v.data, normalisationOf(cfg))));
  const med = (f: (s: IntensityStats) => number) => median(norm.map(f));
  return {
    version: 1,
    dimensionality: blurred.every((v) => v.shape[0] > 1) ? 3 : 2,
    voxelSize: { ...blurred[0]!.voxelSize },
    stacks: blurred.map((v) => ({ shape: [...v.shape] as Volume['shape'], voxelSize: { ...v.voxelSize } })),
    intensity: {
      raw: {
        p001: median(raw.map((q) => q[0]!)),
        p50: median(raw.map((q) => q[1]!)),
        p999: median(raw.map((q) => q[2]!)),
      },
      normalised: { p50: med((s) => s.p50), p99: med((s) => s.p99), mean: med((s) => s.mean) },
    },
  };
}

export async function writeTrainingDomain(runDir: string, blurred: Volume[], cfg: TrainConfig): Promise<void> {
  await writeBytesAtomic(join(runDir, DOMAIN_FILE), JSON.stringify(trainingDomain(blurred, cfg), null, 2) + '\n', {
    force: true,
  });
}
