// Training data: the blurred (domain A) and sharp (domain B) stacks, normalised, and a seeded sampler
// that draws one augmented patch per domain per step. Unpaired (cycle) mode draws A and B independently;
// supervised mode needs matched pairs and applies the same transform to both.
import { InvalidParameterError, InvalidVolumeError } from '../errors';
import { quantiles } from '../image/colormap';
import type { Shape3, Volume } from '../io/volume';
import { normalisationOf, type TrainConfig } from './config';
import { clip01, normaliseData, volumeNormaliser } from './normalise';
import { drawTransform, patchesPerStack, samplePatch } from './patches';
import type { Rng } from './rng';

interface Stack {
  data: Float32Array;
  shape: Shape3;
}

export interface PatchPair {
  a: Float32Array;
  b: Float32Array;
}

function checkFinite(v: Volume, label: string): void {
  for (let i = 0; i < v.data.length; i++) {
    if (!Number.isFinite(v.data[i]!))
      throw new InvalidVolumeError(`${label} contains NaN or Inf at voxel ${i}`, 'Clean or re-export the stack.');
  }
}

function prepare(vols: Volume[], cfg: TrainConfig, label: string): Stack[] {
  if (vols.length === 0) throw new InvalidParameterError(label, 'no stacks given');
  return vols.map((v, i) => {
    checkFinite(v, `${label} stack ${i + 1}`);
    const n = volumeNormaliser(v.data, normalisationOf(cfg));
    const data = n ? n.apply(v.data) : v.data;
    return { data: n && cfg.normalisation.clip ? clip01(data) : data, shape: v.shape };
  });
}

export class PatchSampler {
  private readonly a: Stack[];
  private readonly b: Stack[];
  constructor(
    blurred: Volume[],
    sharp: Volume[],
    private readonly cfg: TrainConfig,
  ) {
    this.a = prepare(blurred, cfg, 'blurred');
    this.b = prepare(sharp, cfg, 'sharp');
    if (cfg.mode === 'supervised') {
      if (this.a.length !== this.b.length)
        throw new InvalidParameterError(
          'sharp',
          `supervised mode needs one sharp stack per blurred stack (${this.a.length} vs ${this.b.length})`,
        );
      this.a.forEach((s, i) => {
        if (s.shape.join() !== this.b[i]!.shape.join())
          throw new InvalidVolumeError(
            `pair ${i + 1}: blurred ${s.shape.join('×')} and sharp ${this.b[i]!.shape.join('×')} differ`,
          );
      });
    }
  }

  /**
   * Median of the normalised blurred stacks minus that of the sharp ones (≥ 0): for sparse specimens, the
   * background a blurred stack has and a sharp one lacks (camera offset, out-of-focus haze), on the network scale.
   */
  backgroundGap(): number {
    const median = (stacks: Stack[]) => {
      const m = stacks.map((s) => quantiles(s.data, [0.5], 200_000)[0]!);
      return m.reduce((a, v) => a + v, 0) / m.length;
    };
    return Math.max(0, median(this.a) - median(this.b));
  }

  /** Non-overlapping patches in the blurred stacks: the epoch length for stepsPerEpoch 'auto'. */
  patchesPerEpoch(): number {
    return this.a.reduce((n, s) => n + patchesPerStack(s.shape, this.cfg.patchSize), 0);
  }

  private draw(
    stack: Stack,
    rng: Rng,
    t = drawTransform(rng, stack.shape, this.cfg.patchSize, this.cfg.augmentation),
  ): { patch: Float32Array; t: typeof t } {
    const p = samplePatch(stack.data, stack.shape, this.cfg.patchSize, t);
    return { patch: this.cfg.normalisation.scope === 'patch' ? normaliseData(p, normalisationOf(this.cfg)) : p, t };
  }

  next(rng: Rng): PatchPair {
    const i = rng.int(this.a.length);
    const a = this.draw(this.a[i]!, rng);
    if (this.cfg.mode === 'supervised') return { a: a.patch, b: this.draw(this.b[i]!, rng, a.t).patch };
    return { a: a.patch, b: this.draw(this.b[rng.int(this.b.length)]!, rng).patch };
  }
}
