// Intensity normalisation for training, built on the shared normaliser of src-main/core/infer (the same
// apply/invert pair inference uses). Paper: "We normalized the patches and set them to [0,1]"; we map the
// robust percentiles (default p0.1 → 0, p99.9 → 1, so a few hot pixels or dead voxels do not set the scale)
// and optionally clip to [0,1]. Scope 'patch' fits every patch; 'volume' fits each stack once.
import { fitNormaliser, type Normaliser, type ScaleMode } from '../normalise/normaliser';
import type { TrainConfig } from './config';

/** The config's normalisation with the experimental scale (config.ts normalisationOf). */
export type NormalisationConfig = TrainConfig['normalisation'] & ScaleMode;

export function clip01(d: Float32Array): Float32Array {
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    d[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return d;
}

/** Fit on `data` and return it mapped to the network scale. */
export function normaliseData(data: Float32Array, cfg: NormalisationConfig): Float32Array {
  const n = fitNormaliser(data, cfg.lowPercentile, cfg.highPercentile, cfg);
  const out = n.apply(data);
  return cfg.clip ? clip01(out) : out;
}

/** A per-stack normaliser (scope 'volume'), or null when patches are normalised one by one. */
export function volumeNormaliser(data: Float32Array, cfg: NormalisationConfig): Normaliser | null {
  return cfg.scope === 'volume' ? fitNormaliser(data, cfg.lowPercentile, cfg.highPercentile, cfg) : null;
}
