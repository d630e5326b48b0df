// What inference needs from a method (the trained network, or Richardson–Lucy with a PSF): a tile
// function on normalised data plus the facts tiling needs (size multiple, memory per voxel, halo).
import os from 'node:os';
import type { StagedNet } from './staged';
import type { PredictFn } from './tiled';
import type { TrainingDomain } from './domain-check';
import { FLAG_DEFS, getFlag } from '../flags';

export interface Predictor {
  /** 'model' or 'rl'. */
  method: string;
  /** Tile function on normalised data (network scale). */
  predict: PredictFn;
  /** Tile edges must be multiples of this (U-Net pooling); other sizes are mirror-padded at the high end. */
  multiple: number;
  /** Estimated peak bytes per tile voxel while predicting. */
  bytesPerVoxel: number;
  /**
   * Share of free RAM a tile may use on CPU backends (default 0.25, at most 4 GiB: tfjs' peaks are
   * estimates). Predictors whose memory is accounted for (the lean U-Net) ask for more, up to LEAN_BUDGET_CAP.
   */
  memoryShare?: number;
  /** Suggested overlap in voxels between neighbouring tiles. */
  overlap: number;
  /**
   * For networks with instance normalisation: the network run layer by layer with whole-volume statistics.
   * When present, tiled inference goes through runExact (exact.ts) and equals the untiled pass; `predict`
   * alone would normalise each tile by its own statistics.
   */
  staged?: StagedNet;
  /** Backend the predictor runs on ('cpu', 'webgpu', … or 'js' for plain TypeScript). */
  backend: string;
  /** How input is mapped to the network scale: percentiles (0..100) and whether to clip to [0,1] — as in training. */
  normalisation: { pLow: number; pHigh: number; clip: boolean; scale?: 'percentile' | 'mean'; meanTarget?: number };
  /** A model's training domain (infer/domain-check.ts); null for a run that predates domain.json; absent for rl. */
  domain?: TrainingDomain | null;
  /** Facts recorded in the output's metadata and the JSON summary. */
  details: Record<string, string>;
  /**
   * Richardson–Lucy: the same tile function with the whole stack's 'auto' background and mean (RL's
   * starting value) fixed, so that out-of-core runs do not estimate them per box (infer/stream/background.ts).
   */
  withStackStats?(stats: { background: number; mean: number }): PredictFn;
  dispose(): void;
}

/** Largest tile budget for predictors that ask for a share of free memory (memoryShare). */
export const LEAN_BUDGET_CAP = 5 * 2 ** 30;

/** Env var overriding the per-tile memory budget (MiB), for machines where free memory is misreported. */
export const TILE_BUDGET_ENV = FLAG_DEFS.tileBudgetMb.env;

/**
 * Bytes one tile may use. CPU backends: a quarter of free RAM (tfjs keeps a tile's intermediates alive
 * until the tile finishes, and we also hold input/output slabs), at most 4 GiB; or `share` of free RAM
 * for a predictor that asks (memoryShare). GPU backends report no free memory through tfjs, so we
 * assume 1 GiB and rely on the out-of-memory retry.
 */
export function tileBudgetBytes(backend: string, share?: number): number {
  const mb = getFlag('tileBudgetMb');
  if (mb !== 'auto') return mb * 2 ** 20;
  if (backend === 'webgpu' || backend === 'node-gpu' || backend === 'tensorflow') return 2 ** 30;
  // Accounted predictors: at most 5 GiB, so a 64×512×512 stack fits the `fast` U-Net in one pass (4.7 GiB
  // estimated, 4.4 GiB measured) while very large stacks are tiled within 8 GB with the streaming buffers.
  return share ? Math.min(LEAN_BUDGET_CAP, os.freemem() * share) : Math.min(4 * 2 ** 30, os.freemem() / 4);
}

/** Mirror-pads z-major data at the high end of each axis to `padded` (which must be ≥ shape). */
export function padReflect(
  data: Float32Array,
  shape: [number, number, number],
  padded: [number, number, number],
): Float32Array {
  const [nz, ny, nx] = shape;
  const [pz, py, px] = padded;
  if (pz === nz && py === ny && px === nx) return data;
  const mirror = (i: number, n: number) => {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const m = i % period;
    return m < n ? m : period - m;
  };
  const out = new Float32Array(pz * py * px);
  for (let z = 0; z < pz; z++) {
    const sz = mirror(z, nz);
    for (let y = 0; y < py; y++) {
      const sy = mirror(y, ny);
      const row = (sz * ny + sy) * nx;
      const o = (z * py + y) * px;
      for (let x = 0; x < px; x++) out[o + x] = data[row + (x < nx ? x : mirror(x, nx))]!;
    }
  }
  return out;
}

export function cropTo(
  data: Float32Array,
  padded: [number, number, number],
  shape: [number, number, number],
): Float32Array {
  const [, py, px] = padded;
  const [nz, ny, nx] = shape;
  if (padded[0] === nz && py === ny && px === nx) return data;
  const out = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) out.set(data.subarray((z * py + y) * px, (z * py + y) * px + nx), (z * ny + y) * nx);
  return out;
}

/** Wraps a tile function that needs sizes divisible by `multiple`: pads by mirroring, predicts, crops. */
export function withPadding(predict: PredictFn, multiple: number): PredictFn {
  if (multiple <= 1) return predict;
  return async (tile, shape) => {
    const padded = shape.map((n) => Math.ceil(n / multiple) * multiple) as [number, number, number];
    const out = await predict(padReflect(tile, shape, padded), padded);
    return cropTo(out, padded, shape);
  };
}
