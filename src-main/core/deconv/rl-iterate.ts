// The Richardson–Lucy iterations on a planned domain (boundary.ts): the multiplicative update,
// optionally normalised by the observation weights (Bertero & Boccacci 2005), with total variation
// (Dey et al. 2006), momentum (accel.ts) and the I-divergence as a stopping hint.
import { CancelledError } from '../errors';
import type { Shape3 } from './grid';
import type { RlDomain } from './boundary';
import type { RlEngine } from './rl-engine';
import { createMomentum, type RlAcceleration } from './accel';
import { tvDivergence } from './tv';

export interface RlProgress {
  iteration: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, from the mean time per iteration so far. */
  etaMs: number;
  /**
   * Mean I-divergence (Csiszár) per measured voxel between the data and the model Hx + b of the
   * estimate that entered this iteration: RL's objective, so it falls; a stopping hint when the
   * relative fall per iteration (`divergenceChange`) gets small (e.g. < 1e-4).
   */
  divergence?: number;
  divergenceChange?: number;
}

export interface IterateSettings {
  iterations: number;
  init: number;
  background: number;
  eps: number;
  tv: number;
  acceleration: RlAcceleration;
  /** 1/W per box voxel ('extend'), or undefined for plain RL. */
  invWeights?: Float32Array;
  /** Compute the I-divergence each iteration (costs a pass with a logarithm per voxel). */
  divergence: boolean;
  onProgress?: (p: RlProgress) => void;
  signal?: AbortSignal;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Calls fn(grid row start, box row start) for each x row of the box. */
export function forRows(box: Shape3, grid: Shape3, fn: (g: number, m: number) => void): void {
  for (let z = 0; z < box[0]; z++)
    for (let y = 0; y < box[1]; y++) fn((z * grid[1] + y) * grid[2], (z * box[1] + y) * box[2]);
}

/** Runs the iterations; the estimate is left in engine.est (box at the grid origin). */
export async function iterate(engine: RlEngine, d: RlDomain, s: IterateSettings): Promise<void> {
  const { est } = engine,
    { box, grid } = d,
    nx = box[2],
    inv = s.invWeights;
  forRows(box, grid, (g, m) => {
    for (let x = 0; x < nx; x++) est[g + x] = inv && inv[m + x] === 0 ? 0 : s.init;
  });
  const n = box[0] * box[1] * box[2];
  const tvBox = s.tv > 0 ? new Float32Array(n) : undefined,
    tvDiv = s.tv > 0 ? new Float32Array(n) : undefined;
  const momentum = createMomentum(s.acceleration, engine, d);
  const start = Date.now();
  let last: number | undefined;
  for (let it = 0; it < s.iterations; it++) {
    if (s.signal?.aborted) throw new CancelledError('Richardson–Lucy');
    // With weights, the update below also extrapolates (one pass); otherwise extrapolate here.
    if (!inv || tvBox) momentum?.extrapolate(it);
    const blurred = engine.blur(false);
    const divergence = s.divergence ? iDivergence(blurred, d, s.background + s.eps) : undefined;
    engine.ratio(s.background + s.eps);
    const corr = engine.blur(true);
    if (tvBox && tvDiv) updateTv(est, corr, d, s.tv, tvBox, tvDiv, inv);
    else if (inv && momentum) momentum.updateAndExtrapolate(corr, inv, it, it === s.iterations - 1);
    else if (inv)
      forRows(box, grid, (g, m) => {
        for (let x = 0; x < nx; x++) est[g + x] = Math.max(0, est[g + x]! * corr[g + x]! * inv[m + x]!);
      });
    else engine.update();
    const elapsedMs = Date.now() - start;
    const divergenceChange =
      divergence !== undefined && last !== undefined && last > 0 ? (last - divergence) / last : undefined;
    last = divergence;
    s.onProgress?.({
      iteration: it + 1,
      total: s.iterations,
      elapsedMs,
      etaMs: (elapsedMs / (it + 1)) * (s.iterations - it - 1),
      divergence,
      divergenceChange,
    });
    await yieldToEventLoop();
  }
}

/** RL–TV (Dey et al. 2006): x ← x · corr / (1 − λ div(∇x/|∇x|)), times 1/W when given. */
function updateTv(
  est: Float32Array,
  corr: Float32Array,
  d: RlDomain,
  lambda: number,
  tvBox: Float32Array,
  tvDiv: Float32Array,
  inv?: Float32Array,
): void {
  const { box, grid } = d,
    nx = box[2];
  forRows(box, grid, (g, m) => {
    for (let x = 0; x < nx; x++) tvBox[m + x] = est[g + x]!;
  });
  tvDivergence(tvBox, box, tvDiv);
  forRows(box, grid, (g, m) => {
    for (let x = 0; x < nx; x++) {
      const den = Math.max(1 - lambda * tvDiv[m + x]!, 1e-3);
      est[g + x] = Math.max(0, (est[g + x]! * corr[g + x]! * (inv ? inv[m + x]! : 1)) / den);
    }
  });
}

/** Mean of y·ln(y/μ) − y + μ over the measured stack, μ = Hx + b. */
function iDivergence(blurred: Float32Array, d: RlDomain, add: number): number {
  const { box, grid, offset, shape, data } = d;
  let sum = 0;
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const g = ((z + offset[0]) * grid[1] + y + offset[1]) * grid[2] + offset[2];
      const m = ((z + offset[0]) * box[1] + y + offset[1]) * box[2] + offset[2];
      for (let x = 0; x < shape[2]; x++) {
        const mu = Math.max(blurred[g + x]! + add, 1e-30),
          v = data[m + x]!;
        sum += (v > 0 ? v * Math.log(v / mu) - v : 0) + mu;
      }
    }
  return sum / (shape[0] * shape[1] * shape[2]);
}
