// Richardson–Lucy deconvolution on the typed-array FFT path, float32 storage.
// Boundaries (boundary.ts): by default the stack is reconstructed on a domain extended by half the
// PSF with the data term restricted to the measured voxels (Bertero & Boccacci 2005), so light from
// outside a widefield stack is modelled, not mirrored into the edge slices. 'reflect' mirror-pads by
// half the PSF and equals skimage's richardson_lucy on the padded image; 'zero' assumes zeros outside.
// Forward model y ≈ Hx + b with a constant background b, estimated from the data by default.
import { CancelledError, InvalidParameterError, InvalidVolumeError } from '../errors';
import { volumeLike, type Volume } from '../io/volume';
import { cropBox, type Shape3 } from './grid';
import { checkRlInputs, resamplePsfForImage, rlInputExtra, type RlInputOptions, type RlInputReport } from './rl-inputs';
import { createRlEngine } from './rl-engine';
import { inverseWeights, planDomain, RL_BOUNDARIES, type RlBoundary } from './boundary';
import { resolveBackground, type BackgroundSetting } from './background';
import { RL_ACCELERATIONS, type RlAcceleration } from './accel';
import { iterate, type RlProgress } from './rl-iterate';

export type { RlProgress } from './rl-iterate';
export type { RlBoundary } from './boundary';
export type { RlAcceleration } from './accel';

/** What a run used, for logs and metadata. */
export interface RlPlan {
  boundary: RlBoundary;
  background: number;
  backgroundSource: 'auto' | 'given';
  acceleration: RlAcceleration;
  /** Reconstruction domain and FFT grid. */
  domain: Shape3;
  grid: Shape3;
}

export interface RlOptions extends RlInputOptions {
  iterations: number;
  /** Total-variation weight λ (Dey et al. 2006); 0 or absent = plain RL. Typical 0.001–0.01 for [0,1] data. */
  tv?: number;
  /** Constant background b in the forward model Hx + b (image units), or 'auto' (default): a low quantile of patch means (background.ts). */
  background?: BackgroundSetting;
  /** Starting estimate: a constant, or 'mean' (the mean of the image less the background). Default 'mean'. */
  init?: number | 'mean';
  /** Outside the stack: 'extend' (default; Bertero & Boccacci), 'reflect' (mirror, = skimage on the padded image) or 'zero'. */
  boundary?: RlBoundary;
  /** Older spelling of the boundary: 'reflect' or 'none' (= 'zero'); `boundary` wins when both are given. */
  padding?: 'reflect' | 'none';
  /** Momentum: 'none' (default, plain RL) or 'shb' (scaled heavy ball, Wang & Miller 2014). */
  acceleration?: RlAcceleration;
  /** Report the I-divergence in onProgress (default: whenever onProgress is given). */
  divergence?: boolean;
  /** Added to the re-blurred estimate before dividing (skimage uses 1e-12). */
  eps?: number;
  onProgress?: (p: RlProgress) => void;
  /** Told what the run uses (boundary, background, domain) before the first iteration. */
  onPlan?: (plan: RlPlan) => void;
  /** Told which FFT engine runs: 'wasm-simd' or the JavaScript fallback 'js'. */
  onEngine?: (kind: 'wasm-simd' | 'js', threads: number) => void;
  signal?: AbortSignal;
}

function validate(o: RlOptions): void {
  if (!Number.isInteger(o.iterations) || o.iterations < 1)
    throw new InvalidParameterError('iterations', `must be a positive integer, got ${o.iterations}`);
  if (o.tv !== undefined && !(o.tv >= 0 && o.tv < 1))
    throw new InvalidParameterError('tv', `must be in [0, 1), got ${o.tv}`, 'Typical values are 0.001–0.01.');
  if (o.background !== undefined && o.background !== 'auto' && !(o.background >= 0 && Number.isFinite(o.background)))
    throw new InvalidParameterError('background', `must be 'auto' or a finite number ≥ 0, got ${o.background}`);
  if (o.boundary !== undefined && !RL_BOUNDARIES.includes(o.boundary))
    throw new InvalidParameterError(
      'boundary',
      `must be one of ${RL_BOUNDARIES.join(', ')}, got ${String(o.boundary)}`,
    );
  if (o.acceleration !== undefined && !RL_ACCELERATIONS.includes(o.acceleration))
    throw new InvalidParameterError(
      'acceleration',
      `must be one of ${RL_ACCELERATIONS.join(', ')}, got ${String(o.acceleration)}`,
    );
}

/** The boundary model from the options (`boundary`, else the older `padding`, else 'extend'). */
export function rlBoundary(o: Pick<RlOptions, 'boundary' | 'padding'>): RlBoundary {
  return o.boundary ?? (o.padding === 'none' ? 'zero' : o.padding === 'reflect' ? 'reflect' : 'extend');
}

/**
 * Richardson–Lucy on raw arrays (z-major). The PSF is normalised to sum 1 internally; its centre
 * is voxel floor(size/2). Returns the estimate with the image's shape, in the image's units: ≥ 0,
 * or ≥ the image's minimum when that is negative (see checkRlInputs).
 */
export async function richardsonLucyArray(
  image: Float32Array,
  shape: Shape3,
  psf: Float32Array,
  psfShape: Shape3,
  opts: RlOptions,
): Promise<Float32Array> {
  // With an estimated background the non-negativity shift is part of that background (see checkRlInputs).
  const input = checkRlInputs(image, psf, { ...opts, shiftBack: (opts.background ?? 'auto') !== 'auto' });
  return input.restore(await deconvolveChecked(input.image, shape, psf, psfShape, opts));
}

/** Richardson–Lucy proper, on an image and PSF that passed checkRlInputs. */
async function deconvolveChecked(
  image: Float32Array,
  shape: Shape3,
  psf: Float32Array,
  psfShape: Shape3,
  opts: RlOptions,
): Promise<Float32Array> {
  validate(opts);
  if (image.length !== shape[0] * shape[1] * shape[2])
    throw new InvalidVolumeError(`image data length ${image.length} does not match ${shape.join('×')}`);
  let psfSum = 0;
  for (const v of psf) psfSum += v;
  if (!(psfSum > 0) || !Number.isFinite(psfSum))
    throw new InvalidVolumeError(
      'the PSF must have a positive, finite sum',
      'Check the PSF file (it may be empty or background-subtracted to zero).',
    );
  const psfN = psf.map((v) => v / psfSum);
  const domain = planDomain(image, shape, psfShape, rlBoundary(opts));
  const bg = resolveBackground(image, opts.background, shape);
  const acceleration = opts.acceleration ?? 'none';
  opts.onPlan?.({
    boundary: domain.boundary,
    background: bg.value,
    backgroundSource: bg.source,
    acceleration,
    domain: domain.box,
    grid: domain.grid,
  });
  let mean = 0;
  for (const v of image) mean += v;
  mean /= image.length;
  const init = opts.init === undefined || opts.init === 'mean' ? Math.max(mean - bg.value, 1e-6) : opts.init;
  // All work buffers are allocated once, by the engine.
  const engine = createRlEngine(psfN, psfShape, domain.grid, domain.data, domain.box);
  try {
    opts.onEngine?.(engine.kind, engine.threads);
    const invWeights = domain.boundary === 'extend' ? inverseWeights(engine, domain) : undefined;
    await iterate(engine, domain, {
      iterations: opts.iterations,
      init,
      background: bg.value,
      eps: opts.eps ?? 1e-12,
      tv: opts.tv ?? 0,
      acceleration,
      invWeights,
      divergence: opts.divergence ?? opts.onProgress !== undefined,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    if (opts.signal?.aborted) throw new CancelledError('Richardson–Lucy');
    return cropBox(engine.est, domain.grid, domain.offset, shape);
  } finally {
    engine.dispose();
  }
}

/** Relative difference above which PSF and image voxel sizes count as different. */
const VOXEL_TOLERANCE = 0.01;

/** Brings the PSF to the image's voxel size when both are calibrated in the same unit and differ. */
export function matchPsfVoxelSize(
  image: Volume,
  psf: Volume,
  warn: (msg: string) => void = () => {},
): { data: Float32Array; shape: Shape3 } {
  const a = image.voxelSize,
    b = psf.voxelSize;
  const calibrated =
    a.unit === b.unit && a.unit !== 'px' && !image.metadata.voxelSizeAssumed && !psf.metadata.voxelSizeAssumed;
  const differs = (['z', 'y', 'x'] as const).some((k) => Math.abs(a[k] - b[k]) > VOXEL_TOLERANCE * a[k]);
  if (!differs) return { data: psf.data, shape: psf.shape };
  if (!calibrated) {
    warn(
      `PSF voxel size ${b.z}×${b.y}×${b.x} ${b.unit} differs from the image's ${a.z}×${a.y}×${a.x} ${a.unit}, but one is uncalibrated; using the PSF as is.`,
    );
    return { data: psf.data, shape: psf.shape };
  }
  warn(
    `PSF voxel size ${b.z}×${b.y}×${b.x} ${b.unit} differs from the image's ${a.z}×${a.y}×${a.x} ${a.unit}; resampling the PSF (trilinear).`,
  );
  return resamplePsfForImage(image, psf, warn);
}

/** Richardson–Lucy deconvolution of a volume with a (possibly resampled) PSF. */
export async function richardsonLucy(
  image: Volume,
  psf: Volume,
  opts: RlOptions & { onWarning?: (msg: string) => void },
): Promise<Volume> {
  const p = matchPsfVoxelSize(image, psf, opts.onWarning);
  let report: RlInputReport | undefined;
  let plan: RlPlan | undefined;
  const data = await richardsonLucyArray(image.data, image.shape, p.data, p.shape, {
    ...opts,
    onInputReport: (r) => {
      report = r;
      opts.onInputReport?.(r);
    },
    onPlan: (pl) => {
      plan = pl;
      opts.onPlan?.(pl);
    },
  });
  const how = plan
    ? `, boundary ${plan.boundary}, background ${+plan.background.toPrecision(4)}${plan.acceleration !== 'none' ? `, ${plan.acceleration}` : ''}`
    : '';
  return volumeLike(image, data, {
    sourceFormat: 'computed',
    extra: {
      deconvolution: `Richardson-Lucy ${opts.iterations} it${opts.tv ? `, TV ${opts.tv}` : ''}${how}`,
      ...rlInputExtra(report),
    },
  });
}
