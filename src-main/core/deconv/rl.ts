// Richardson–Lucy deconvolution on the typed-array FFT path, float32 storage.
// Boundaries: the image is mirror-padded by half the PSF (numpy 'reflect'), deconvolved as a
// linear (not circular) convolution on that padded box — exactly skimage's richardson_lucy on the
// padded image — then cropped back, so no wrap-around ringing appears at the volume edges.
import { CancelledError, InvalidParameterError, InvalidVolumeError } from '../errors';
import { nextSmoothSize } from '../fft/fft1d';
import { volumeLike, type Volume } from '../io/volume';
import { cropBox, padReflect, psfCentre, type Shape3 } from './grid';
import { checkRlInputs, resamplePsfForImage, rlInputExtra, type RlInputOptions, type RlInputReport } from './rl-inputs';
import { createRlEngine, forBox, type RlEngine } from './rl-engine';
import { tvDivergence } from './tv';

export interface RlProgress {
  iteration: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, from the mean time per iteration so far. */
  etaMs: number;
}

export interface RlOptions extends RlInputOptions {
  iterations: number;
  /** Total-variation weight λ (Dey et al. 2006); 0 or absent = plain RL. Typical 0.001–0.01 for [0,1] data. */
  tv?: number;
  /** Constant background added to the forward model (same units as the image). */
  background?: number;
  /** Starting estimate: a constant, or 'mean' (the mean of the image). Default 'mean'. */
  init?: number | 'mean';
  /** 'reflect' (default) mirror-pads by half the PSF; 'none' assumes zeros outside the volume. */
  padding?: 'reflect' | 'none';
  /** Added to the re-blurred estimate before dividing (skimage uses 1e-12). */
  eps?: number;
  onProgress?: (p: RlProgress) => void;
  /** Told which FFT engine runs: 'wasm-simd' or the JavaScript fallback 'js'. */
  onEngine?: (kind: 'wasm-simd' | 'js', threads: number) => void;
  signal?: AbortSignal;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function validate(o: RlOptions): void {
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new InvalidParameterError('iterations', `must be a positive integer, got ${o.iterations}`);
  if (o.tv !== undefined && !(o.tv >= 0 && o.tv < 1)) throw new InvalidParameterError('tv', `must be in [0, 1), got ${o.tv}`, 'Typical values are 0.001–0.01.');
  if (o.background !== undefined && !(o.background >= 0)) throw new InvalidParameterError('background', `must be ≥ 0, got ${o.background}`);
}

/**
 * Richardson–Lucy on raw arrays (z-major). The PSF is normalised to sum 1 internally; its centre
 * is voxel floor(size/2). Returns the estimate with the image's shape, in the image's units: ≥ 0,
 * or ≥ the image's minimum when that is negative (see checkRlInputs).
 */
export async function richardsonLucyArray(image: Float32Array, shape: Shape3, psf: Float32Array, psfShape: Shape3, opts: RlOptions): Promise<Float32Array> {
  const input = checkRlInputs(image, psf, opts);
  return input.restore(await deconvolveChecked(input.image, shape, psf, psfShape, opts));
}

/** Richardson–Lucy proper, on an image and PSF that passed checkRlInputs. */
async function deconvolveChecked(image: Float32Array, shape: Shape3, psf: Float32Array, psfShape: Shape3, opts: RlOptions): Promise<Float32Array> {
  validate(opts);
  if (image.length !== shape[0] * shape[1] * shape[2]) throw new InvalidVolumeError(`image data length ${image.length} does not match ${shape.join('×')}`);
  let psfSum = 0;
  for (const v of psf) psfSum += v;
  if (!(psfSum > 0) || !Number.isFinite(psfSum)) throw new InvalidVolumeError('the PSF must have a positive, finite sum', 'Check the PSF file (it may be empty or background-subtracted to zero).');
  const psfN = psf.map((v) => v / psfSum);
  const c = psfCentre(psfShape);
  const pad: Shape3 = opts.padding === 'none' ? [0, 0, 0] : [0, 1, 2].map((a) => Math.min(c[a], shape[a] - 1)) as Shape3;
  const padded = padReflect(image, shape, pad);
  const M = padded.shape;
  // Grid large enough that the circular convolution equals the linear one on the padded box.
  const grid = [0, 1, 2].map((a) => nextSmoothSize(M[a] + Math.max(c[a], psfShape[a] - 1 - c[a]))) as Shape3;
  let mean = 0;
  for (const v of image) mean += v;
  mean /= image.length;
  const init = opts.init === undefined || opts.init === 'mean' ? Math.max(mean, 1e-6) : opts.init;
  // All work buffers are allocated once, by the engine.
  const engine = createRlEngine(psfN, psfShape, grid, padded.data, M);
  try {
    opts.onEngine?.(engine.kind, engine.threads);
    await iterate(engine, grid, M, init, opts);
    if (opts.signal?.aborted) throw new CancelledError('Richardson–Lucy');
    return cropBox(engine.est, grid, pad, shape);
  } finally {
    engine.dispose();
  }
}

/** The iterations, on the padded box M at the origin of the FFT grid. */
async function iterate(engine: RlEngine, grid: Shape3, M: Shape3, init: number, opts: RlOptions): Promise<void> {
  const inBox = (fn: (gi: number, mi: number) => void) => forBox(M, grid[1], grid[2], fn);
  const { est } = engine;
  inBox((gi) => { est[gi] = init; });
  const eps = opts.eps ?? 1e-12, bg = opts.background ?? 0, lambda = opts.tv ?? 0;
  const tvBox = lambda > 0 ? new Float32Array(M[0] * M[1] * M[2]) : undefined;
  const tvDiv = lambda > 0 ? new Float32Array(M[0] * M[1] * M[2]) : undefined;
  const start = Date.now();
  for (let it = 0; it < opts.iterations; it++) {
    if (opts.signal?.aborted) throw new CancelledError('Richardson–Lucy');
    engine.blur(false);
    engine.ratio(bg + eps);
    const corr = engine.blur(true);
    if (tvBox && tvDiv) {
      inBox((gi, mi) => { tvBox[mi] = est[gi]; });
      tvDivergence(tvBox, M, tvDiv);
      inBox((gi, mi) => {
        const den = Math.max(1 - lambda * tvDiv[mi], 1e-3);
        est[gi] = Math.max(0, (est[gi] * corr[gi]) / den);
      });
    } else {
      engine.update();
    }
    const elapsedMs = Date.now() - start;
    opts.onProgress?.({ iteration: it + 1, total: opts.iterations, elapsedMs, etaMs: (elapsedMs / (it + 1)) * (opts.iterations - it - 1) });
    await yieldToEventLoop();
  }
}

/** Relative difference above which PSF and image voxel sizes count as different. */
const VOXEL_TOLERANCE = 0.01;

/** Brings the PSF to the image's voxel size when both are calibrated in the same unit and differ. */
export function matchPsfVoxelSize(image: Volume, psf: Volume, warn: (msg: string) => void = () => {}): { data: Float32Array; shape: Shape3 } {
  const a = image.voxelSize, b = psf.voxelSize;
  const calibrated = a.unit === b.unit && a.unit !== 'px' && !image.metadata.voxelSizeAssumed && !psf.metadata.voxelSizeAssumed;
  const differs = (['z', 'y', 'x'] as const).some((k) => Math.abs(a[k] - b[k]) > VOXEL_TOLERANCE * a[k]);
  if (!differs) return { data: psf.data, shape: psf.shape };
  if (!calibrated) {
    warn(`PSF voxel size ${b.z}×${b.y}×${b.x} ${b.unit} differs from the image's ${a.z}×${a.y}×${a.x} ${a.unit}, but one is uncalibrated; using the PSF as is.`);
    return { data: psf.data, shape: psf.shape };
  }
  warn(`PSF voxel size ${b.z}×${b.y}×${b.x} ${b.unit} differs from the image's ${a.z}×${a.y}×${a.x} ${a.unit}; resampling the PSF (trilinear).`);
  return resamplePsfForImage(image, psf, warn);
}

/** Richardson–Lucy deconvolution of a volume with a (possibly resampled) PSF. */
export async function richardsonLucy(image: Volume, psf: Volume, opts: RlOptions & { onWarning?: (msg: string) => void }): Promise<Volume> {
  const p = matchPsfVoxelSize(image, psf, opts.onWarning);
  let report: RlInputReport | undefined;
  const data = await richardsonLucyArray(image.data, image.shape, p.data, p.shape, { ...opts, onInputReport: (r) => { report = r; opts.onInputReport?.(r); } });
  return volumeLike(image, data, { sourceFormat: 'computed', extra: { deconvolution: `Richardson-Lucy ${opts.iterations} it${opts.tv ? `, TV ${opts.tv}` : ''}`, ...rlInputExtra(report) } });
}
