// The one training configuration: a zod schema that checks every field, and the presets.
// `paper` is exactly the method of Lim, Lee, Chang & Ye (see docs/paper-mapping.md for the mapping);
// `fast` fits a 2-core CPU in about 45 minutes; `tiny` runs a few steps in seconds for tests.
// The resolved config is written to config.json in every run directory.
import { z } from 'zod';
import { InvalidParameterError } from '../errors';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const positive = z.number().positive().finite();

export const UNetSchema = z.strictObject({
  levels: int(1, 6),
  baseChannels: int(1, 256),
  convsPerLevel: int(1, 4),
  /**
   * Beyond the paper: output = input + U-Net(input), the last 1×1×1 convolution started at zero (the network starts
   * as the identity). Against the collapse measured on sparse, noisy data (docs/decisions/0004-output-check-information.md). Default false.
   */
  residual: z.boolean().optional(),
  /**
   * G_AB's up-sampling: 'transpose' (default, the paper / 3D U-Net: 2³ stride-2 transposed convolution) or
   * 'nearest-conv' (beyond the paper: nearest ×2 then a 3³ convolution with the same channels, the
   * resize-convolution of Odena, Dumoulin & Olah 2016, against the checkerboard artefacts of strided
   * transposed convolutions; docs/notes/resize-conv-upsampling.md).
   */
  upsample: z.enum(['transpose', 'nearest-conv']).optional(),
  /**
   * G_AB's output head: 'linear' (default, the paper) or 'softplus' (beyond the paper: a sharp softplus,
   * log(1 + e^(10·y)) / 10, after the last conv and any residual sum, so the result cannot go negative;
   * fluorescence never is). models/unet.ts OUTPUT_SOFTPLUS_SHARPNESS says why 10.
   */
  output: z.enum(['linear', 'softplus']).optional(),
});

export const PsfSchema = z.strictObject({
  /** Kernel edge (paper: 20). Odd sizes are recommended: an even size shifts the blurred output by half a voxel. */
  size: z.union([int(1, 129), z.tuple([int(1, 129), int(1, 129), int(1, 129)])]),
  /**
   * 'bornwolf': the theoretical PSF from `optics` and the stacks' voxel size; 'spectral' (beyond the paper, blind):
   * a Gaussian whose widths are fitted to the power spectra of the blurred and the sharp stacks before training
   * (core/psf/spectral-fit.ts; needs sharpSource 'data'; the fit is written to psf-init.json in the run folder).
   */
  init: z.enum(['delta', 'gaussian', 'bornwolf', 'spectral']),
  /**
   * Standard deviation of init 'gaussian' in voxels, one number or [z, y, x] (default size / 8 per axis, i.e.
   * isotropic in voxels). Beyond the paper, which does not say how its PSF layer starts.
   */
  initSigma: z.union([z.number().positive().max(64).finite(), z.tuple([z.number().positive().max(64).finite(), z.number().positive().max(64).finite(), z.number().positive().max(64).finite()])]).optional(),
  nonNegative: z.boolean(),
  sumToOne: z.boolean(),
  centred: z.boolean(),
  /**
   * Beyond the paper: the PSF kernel's learning rate as a multiple of the optimiser's (default 1). Adam moves every
   * weight by about lr per step whatever its gradient's size, and a normalised PSF's weights are small (≈ 1e-3 to
   * 1e-2), so at lr = 2e-4 the tails random-walk by as much as the peak and a sum-to-one PSF flattens out.
   */
  lrScale: z.number().positive().max(100).finite().optional(),
  /**
   * Beyond the paper: a learned wide separable-Gaussian halo beside the kernel, for the defocus haze of widefield
   * PSFs that a kernel of this size cannot hold (models/psf-halo.ts). Default false.
   */
  halo: z.boolean().optional(),
  /**
   * Beyond the paper: 'tensor' normalises the PSF's Adam step by the kernel's mean second moment instead of each
   * weight's own (train/adam.ts), so near-zero tail weights move in proportion to their gradient rather than by
   * about lr per step. Default 'element' (plain Adam).
   */
  adamNorm: z.enum(['element', 'tensor']).optional(),
  /**
   * Beyond the paper: 'tangent' removes the mean of the kernel's gradient before Adam (the component along
   * "all weights up or down together", which the sum-to-one projection undoes anyway). Left in, a persistent
   * common-mode gradient (a brightness mismatch no sum-one kernel can fix) makes Adam move every weight by about
   * lr in the same direction, and the projection turns that into a change of WIDTH: tails shrink relative to the
   * peak when the push is down, grow when it is up. Needs sumToOne. Default 'plain'.
   */
  gradient: z.enum(['plain', 'tangent']).optional(),
  /**
   * How G_BA applies the kernel: 'direct' conv3d (default) or 'fft' (same values to float rounding; the cost hardly
   * grows with the kernel, so a PSF box large enough for a widefield PSF's defocus haze, 21³–31³, is affordable on a
   * CPU). Runs on the cpu, wasm and tfjs-node backends; on webgpu the layer uses the direct convolution.
   */
  convolution: z.enum(['direct', 'fft']).optional(),
  /**
   * Beyond the paper: 'free' (default, the paper) learns every voxel of the kernel; 'gaussian' learns a separable
   * Gaussian with two widths, lateral and axial (models/psf-gaussian.ts): non-negative, sum one and centred by
   * construction. Starts from init 'gaussian' (initSigma) or 'spectral'; psf.lrScale applies to the free kernel only.
   * 'pupil': the PSF computed from the pupil function with the known `optics` and ten learned aberration terms
   * (models/psf-pupil.ts); starts from init 'bornwolf' (no aberration) or 'spectral' (its parameters fitted to the
   * spectral term first, train/pupil-init.ts) and needs the optics and calibrated stacks.
   */
  model: z.enum(['free', 'gaussian', 'pupil']).optional(),
  /** psf.model 'pupil': learn 'all' its aberrations (default) or only the 'symmetric' ones (z0, depth, apodisation, Z11). */
  pupilAberrations: z.enum(['all', 'symmetric']).optional(),
});

/** Microscope optics for theoretical PSFs (psf.init 'bornwolf'; the default RL PSF of sharpSource 'rl'). Lengths in µm. */
export const OpticsSchema = z.strictObject({
  na: positive.max(1.7),
  /** Emission wavelength, µm. */
  wavelength: positive.max(2),
  /** Immersion and sample refractive indices. */
  ni: z.number().min(1).max(2),
  ns: z.number().min(1).max(2),
});

export const DiscriminatorSchema = z.strictObject({
  baseChannels: int(1, 256),
  modules: int(1, 6),
  /** Crop edge as a fraction of the patch for each PatchGAN (paper: full, half, quarter). */
  scales: z.array(z.number().gt(0).max(1)).min(1).max(5),
});

export const OptimiserSchema = z.strictObject({
  lr: positive.max(1),
  beta1: z.number().min(0).lt(1),
  beta2: z.number().min(0).lt(1),
  epsilon: positive.max(1),
  epochs: int(1, 100_000),
  /** The learning rate is constant until this epoch, then falls linearly to 0 at `epochs`. */
  decayStartEpoch: int(0, 100_000),
  /** Patches per epoch; 'auto' = non-overlapping patches that fit in the blurred stacks. */
  stepsPerEpoch: z.union([int(1, 10_000_000), z.literal('auto')]),
});

export const AugmentationSchema = z.strictObject({
  flip: z.boolean(),
  /** Random multiples of 90° in the xy plane (needs square patches, which ours are). */
  rotate90: z.boolean(),
  /** Extra random shift in voxels on each axis, on top of the random patch position. */
  translate: int(0, 64),
  /** Isotropic zoom range [min, max]; 1,1 disables scaling. */
  scale: z.tuple([z.number().min(0.25).max(4), z.number().min(0.25).max(4)]),
});

export const NormalisationSchema = z.strictObject({
  /** 'patch': every sampled patch mapped to [0,1] (the paper); 'volume': one map per stack (matches tiled inference). */
  scope: z.enum(['patch', 'volume']),
  lowPercentile: z.number().min(0).max(100),
  highPercentile: z.number().min(0).max(100),
  /** Clip to [0,1] after mapping. */
  clip: z.boolean(),
  /**
   * Beyond the paper: 'mean' maps the mean above the low percentile to `meanTarget` instead of the high percentile to
   * 1, so blurred and sharp stacks share one scale (a sum-one blur keeps the mean). Default 'percentile'.
   */
  scale: z.enum(['percentile', 'mean']).optional(),
  meanTarget: z.number().positive().max(1).optional(),
});

export const TrainConfigSchema = z
  .strictObject({
    preset: z.enum(['paper', 'fast', 'tiny', 'custom']),
    seed: int(0, 0xffffffff),
    /** 'cycle': the paper's CycleGAN; 'supervised': 3D U-Net + L1 on matched pairs (ablation). */
    mode: z.enum(['cycle', 'supervised']),
    /** 'psf': G_BA is the explicit PSF layer (the paper); 'cnn': G_BA is a CNN (the non-PSF-layer ablation). */
    gba: z.enum(['psf', 'cnn']),
    /** 'data': sharp stacks given by the user; 'rl': Richardson–Lucy output of the blurred stacks is domain B. */
    sharpSource: z.enum(['data', 'rl']),
    rlIterations: int(1, 1000),
    patchSize: int(4, 256),
    generator: UNetSchema,
    /** G_BA when gba = 'cnn'. */
    cnnGenerator: UNetSchema,
    psf: PsfSchema,
    /** Optics for Born–Wolf PSFs; absent in runs that need none (optional, so older config.json files still load). */
    optics: OpticsSchema.optional(),
    /** Beyond the paper: G_BA(x) = PSF ⊛ x + b with a learned non-negative background b. */
    background: z.boolean(),
    /**
     * Beyond the paper: 'estimated' adds Poisson–Gaussian noise, at the level estimated from the real blurred patch,
     * to G_BA's synthetic blurred volume before D_A, the image pool and G_AB see it (train/noise.ts). Absent = 'none'
     * (the paper, older runs); the `fast` preset uses 'estimated'.
     */
    fakeNoise: z.enum(['none', 'estimated']).optional(),
    discriminator: DiscriminatorSchema,
    loss: z.strictObject({
      adversarial: z.literal('lsgan'),
      lambdaCycle: z.number().min(0).finite(),
      lambdaPsf: z.number().min(0).finite(),
      /**
       * Beyond the paper: 'detach' stops cycle B's gradient (|G_AB(G_BA(b)) − b|₁) at G_BA's output, so the PSF
       * learns from D_A and cycle A only and not from how easily G_AB can undo it (an easier-to-invert, narrower
       * blur lowers cycle B whatever the optics). Default 'train' (the paper: both cycles train both generators).
       */
      psfCycleB: z.enum(['train', 'detach']).optional(),
      /**
       * Beyond the paper: weight of the spectral term (train/spectral-loss.ts): the learned kernel's |OTF|² times the
       * sharp stacks' power spectrum, plus the noise floor, should match the blurred stacks' power spectrum (what
       * D_A could at best learn about the PSF from second-order statistics, asked of the kernel directly). Needs
       * gba 'psf' and sharpSource 'data'. Absent or 0: off (the paper).
       */
      lambdaSpectral: z.number().min(0).max(1e4).finite().optional(),
      /**
       * Beyond the paper: weight of the positivity term, mean(max(0, −G_AB(a))) on the network scale (fluorescence
       * is never negative; a linear head overshoots below zero where it removes out-of-focus haze). Absent or 0: off.
       */
      lambdaPositive: z.number().min(0).max(1e4).finite().optional(),
    }),
    optimiser: OptimiserSchema,
    batchSize: z.literal(1),
    poolSize: int(0, 1000),
    augmentation: AugmentationSchema,
    normalisation: NormalisationSchema,
    /** Stop after this many steps in total (a short run of a long schedule); null = the whole schedule. */
    maxSteps: int(1, 100_000_000).nullable(),
    checkpointEvery: int(1, 1_000_000),
    psfSnapshotEvery: int(1, 1_000_000),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (c.optimiser.decayStartEpoch > c.optimiser.epochs) issue(['optimiser', 'decayStartEpoch'], 'must not exceed epochs');
    if (c.normalisation.lowPercentile >= c.normalisation.highPercentile) issue(['normalisation', 'lowPercentile'], 'must be below highPercentile');
    if (c.augmentation.scale[0] > c.augmentation.scale[1]) issue(['augmentation', 'scale'], 'min must not exceed max');
    const pool = 2 ** (c.generator.levels - 1);
    if (c.patchSize % pool !== 0) issue(['patchSize'], `must be a multiple of ${pool} (2^(levels-1)) for the U-Net`);
    if (c.gba === 'cnn' && c.patchSize % 2 ** (c.cnnGenerator.levels - 1) !== 0) issue(['cnnGenerator', 'levels'], 'patchSize must be a multiple of 2^(levels-1)');
    for (const [i, s] of c.discriminator.scales.entries()) {
      if (Math.round(c.patchSize * s) < 2) issue(['discriminator', 'scales', i], `crop of ${c.patchSize}×${s} is under 2 voxels`);
    }
    const sizes = typeof c.psf.size === 'number' ? [c.psf.size, c.psf.size, c.psf.size] : c.psf.size;
    if (sizes.some((s) => s > c.patchSize * 2)) issue(['psf', 'size'], 'PSF larger than twice the patch cannot be learnt from a patch');
    if (c.psf.halo && sizes.some((s) => s >= c.patchSize)) issue(['psf', 'halo'], 'the halo spans ± the PSF size and needs a patch larger than the PSF');
    if (c.psf.gradient === 'tangent' && !c.psf.sumToOne) issue(['psf', 'gradient'], "'tangent' projects onto the sum-to-one constraint and needs psf.sumToOne");
    if (c.psf.init === 'bornwolf' && !c.optics) issue(['optics'], "psf.init 'bornwolf' needs the optics (na, wavelength, ni, ns)");
    if ((c.loss.lambdaSpectral ?? 0) > 0 && (c.mode !== 'cycle' || c.gba !== 'psf' || c.sharpSource !== 'data')) issue(['loss', 'lambdaSpectral'], "the spectral term needs the PSF layer (mode 'cycle', gba 'psf') and real sharp stacks (sharpSource 'data')");
    if ((c.loss.lambdaSpectral ?? 0) > 0 && c.psf.halo) issue(['loss', 'lambdaSpectral'], 'the spectral term is computed on the kernel alone and cannot be combined with psf.halo');
    if (c.psf.model === 'gaussian') {
      if (c.psf.init !== 'gaussian' && c.psf.init !== 'spectral') issue(['psf', 'init'], "psf.model 'gaussian' starts from init 'gaussian' (initSigma) or 'spectral'");
      if (c.psf.halo) issue(['psf', 'halo'], "psf.model 'gaussian' cannot be combined with psf.halo");
      if (c.psf.gradient === 'tangent') issue(['psf', 'gradient'], "'tangent' applies to the free kernel's weights, not to psf.model 'gaussian'");
    }
    if (c.psf.model === 'pupil') {
      if (c.psf.init !== 'bornwolf' && c.psf.init !== 'spectral') issue(['psf', 'init'], "psf.model 'pupil' starts from init 'bornwolf' (the optics without aberration) or 'spectral'");
      if (!c.optics) issue(['optics'], "psf.model 'pupil' needs the optics (na, wavelength, ni, ns)");
      if (c.psf.halo || c.psf.gradient === 'tangent') issue(['psf', c.psf.halo ? 'halo' : 'gradient'], "psf.model 'pupil' cannot be combined with psf.halo or 'tangent'");
    }
    if (c.psf.init === 'spectral' && c.sharpSource !== 'data') issue(['psf', 'init'], "psf.init 'spectral' fits the blur between the sharp and the blurred stacks and needs sharpSource 'data'");
    if (c.optics && c.optics.na >= c.optics.ni) issue(['optics', 'na'], `NA ${c.optics.na} must be below the immersion index ${c.optics.ni}`);
    if (c.mode === 'supervised' && c.sharpSource === 'rl') issue(['sharpSource'], "supervised mode needs matched sharp data ('data')");
  });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type PresetName = 'paper' | 'fast' | 'tiny';
export const PRESET_NAMES: readonly PresetName[] = ['paper', 'fast', 'tiny'];

const PAPER: TrainConfig = {
  preset: 'paper',
  seed: 0,
  mode: 'cycle',
  gba: 'psf',
  sharpSource: 'data',
  rlIterations: 20,
  patchSize: 64,
  generator: { levels: 4, baseChannels: 64, convsPerLevel: 2 },
  cnnGenerator: { levels: 3, baseChannels: 32, convsPerLevel: 2 },
  // The paper learns an unconstrained kernel from an (unspecified) initialisation; delta is the neutral choice.
  psf: { size: 20, init: 'delta', nonNegative: false, sumToOne: false, centred: false },
  background: false,
  discriminator: { baseChannels: 64, modules: 4, scales: [1, 0.5, 0.25] },
  loss: { adversarial: 'lsgan', lambdaCycle: 3, lambdaPsf: 0.01 },
  optimiser: { lr: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, epochs: 200, decayStartEpoch: 40, stepsPerEpoch: 'auto' },
  batchSize: 1,
  poolSize: 50,
  augmentation: { flip: true, rotate90: true, translate: 4, scale: [0.9, 1.1] },
  // "We normalized the patches and set them to [0,1]": each patch, robustly (p0.1 → 0, p99.9 → 1, clipped).
  normalisation: { scope: 'patch', lowPercentile: 0.1, highPercentile: 99.9, clip: true },
  maxSteps: null,
  checkpointEvery: 500,
  psfSnapshotEvery: 100,
};

// Sized from a profile of one step on the shared 2-core box (tfjs cpu backend with the wasm kernels, loaded by
// other jobs): 32³ patches, U-Net 16 ch × 3 levels ≈ 1.7 s/step, of which the 11³ single-channel PSF convolution
// (applied to both domains, forward and both gradients) is ≈ 0.7 s, the 3+3 PatchGANs ≈ 0.5 s, the U-Net ≈ 0.4 s.
// 800 steps ≈ 23 min there (≈ 12 min unloaded). With the Gaussian PSF layer (three 1-D convolutions instead of
// the 11³ one) and the spectral term a step is 0.60 s on the AVX-512 box, unloaded: the 2400-step schedule took
// 24.3 min in bench:science (session 12), about half the 45-minute budget.
const FAST: TrainConfig = {
  ...PAPER,
  preset: 'fast',
  patchSize: 32,
  generator: { levels: 3, baseChannels: 16, convsPerLevel: 2 },
  cnnGenerator: { levels: 2, baseChannels: 8, convsPerLevel: 1 },
  // The PSF (docs/decisions/0003-gaussian-psf-layer-held-by-spectral-term.md): a separable Gaussian
  // with two learned widths, started at the blind spectral fit of the training data and held to their power
  // spectra by the spectral term (λ 100). Measured at 2000 photons: FWHM −8 / −8 / −5 % of the truth, following a
  // 35 % wider truth; a free kernel under the same term failed axially with one of two seeds, and without the term
  // the Gaussian shrinks to a delta. Both need real sharp stacks: with sharpSource 'rl' they fall back to the
  // Gaussian start without the term (adaptPresetDefaults). lrScale applies to `--psf-model free` only: at lrScale 1
  // the free sum-to-one kernel flattens out (peak 0.0026 of 1331 voxels after 800 steps); at 0.1 it stays a PSF.
  psf: { size: 11, init: 'spectral', model: 'gaussian', nonNegative: true, sumToOne: true, centred: true, lrScale: 0.1 },
  // Background and fakeNoise together (docs/decisions/0002-background-and-fake-noise.md): the synthetic blurred volumes then
  // differ from real ones neither by their offset nor by their noise, and the learned PSF narrows toward the truth
  // (800 steps: +36 / +28 / −13 % FWHM, NCC 0.90) instead of widening (+70 / +77 / +12 %, NCC 0.72). Either alone
  // widens it as much or more.
  background: true,
  fakeNoise: 'estimated',
  discriminator: { baseChannels: 8, modules: 3, scales: [1, 0.5, 0.25] },
  loss: { ...PAPER.loss, lambdaSpectral: 100 },
  // 2400 steps (20 epochs of 120): at 800 the same configuration's G_AB is still below RL with the true PSF
  // (SSIM 0.660 against 0.745); at 2400 it is above it (0.820).
  optimiser: { ...PAPER.optimiser, lr: 2e-4, epochs: 20, decayStartEpoch: 10, stepsPerEpoch: 120 },
  augmentation: { flip: true, rotate90: true, translate: 2, scale: [1, 1] },
  normalisation: { scope: 'volume', lowPercentile: 0.1, highPercentile: 99.9, clip: false },
  checkpointEvery: 100,
  psfSnapshotEvery: 20,
};

const TINY: TrainConfig = {
  ...FAST,
  preset: 'tiny',
  patchSize: 16,
  generator: { levels: 2, baseChannels: 4, convsPerLevel: 1 },
  cnnGenerator: { levels: 2, baseChannels: 4, convsPerLevel: 1 },
  psf: { size: 5, init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
  // The smoke test keeps the plain paths (tests switch these on where they exercise them).
  background: false,
  fakeNoise: 'none',
  discriminator: { baseChannels: 4, modules: 2, scales: [1, 0.5, 0.25] },
  loss: PAPER.loss,
  poolSize: 4,
  optimiser: { ...PAPER.optimiser, lr: 1e-3, epochs: 4, decayStartEpoch: 2, stepsPerEpoch: 4 },
  checkpointEvery: 2,
  psfSnapshotEvery: 2,
};

const PRESETS: Record<PresetName, TrainConfig> = { paper: PAPER, fast: FAST, tiny: TINY };

/** A deep copy of a preset. */
export function preset(name: PresetName): TrainConfig {
  return structuredClone(PRESETS[name]);
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type TrainConfigOverrides = DeepPartial<TrainConfig>;

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (over === null || typeof over !== 'object' || Array.isArray(over) || base === null || typeof base !== 'object' || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge(out[k], v);
  return out;
}

/** A config with overrides merged in (not validated; pass the result to parseTrainConfig). */
export function mergeOverrides(base: TrainConfig, overrides: TrainConfigOverrides): unknown {
  return merge(base, overrides);
}

/** Validate a full config (from config.json, the UI…). Throws InvalidParameterError naming the first bad field. */
export function parseTrainConfig(raw: unknown): TrainConfig {
  const r = TrainConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const where = first.path.length ? first.path.join('.') : 'config';
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
  throw new InvalidParameterError(`config.${where}`, `${first.message}${more}`, 'See docs/paper-mapping.md or `cycledecon train --help` for the fields.');
}

/**
 * A preset with overrides merged in and validated. A config that differs from its preset
 * keeps the preset's name; `preset: 'custom'` is only set explicitly.
 */
export function resolveTrainConfig(name: PresetName, overrides: TrainConfigOverrides = {}): TrainConfig {
  const merged = merge(preset(name), overrides) as TrainConfig;
  return parseTrainConfig(adaptPresetDefaults(merged, { psfInit: overrides.psf?.init !== undefined, lambdaSpectral: overrides.loss?.lambdaSpectral !== undefined }));
}

/**
 * A preset's blind PSF start (init 'spectral') fits the blurred stacks against real sharp ones, and its spectral
 * term acts on the PSF layer. Where the run has neither (sharpSource 'rl'; the ablations gba 'cnn' and mode
 * 'supervised'), whichever of the two the user did not set explicitly falls back (Gaussian start, no term); set
 * explicitly they stay, and validation names them.
 */
export function adaptPresetDefaults(c: TrainConfig, explicit: { psfInit: boolean; lambdaSpectral: boolean }): TrainConfig {
  const realSharp = c.sharpSource === 'data';
  const psfLayer = c.mode === 'cycle' && c.gba === 'psf';
  const fallback = c.psf.model === 'pupil' ? ('bornwolf' as const) : ('gaussian' as const); // the pupil layer's start without data: the optics
  const psf = c.psf.init === 'spectral' && !realSharp && !explicit.psfInit ? { ...c.psf, init: fallback } : c.psf;
  const loss = (c.loss.lambdaSpectral ?? 0) > 0 && !(realSharp && psfLayer) && !explicit.lambdaSpectral ? { ...c.loss, lambdaSpectral: 0 } : c.loss;
  return { ...c, psf, loss };
}

/** The PSF kernel size as [z, y, x]. */
export function psfShape(c: TrainConfig): [number, number, number] {
  const s = c.psf.size;
  return typeof s === 'number' ? [s, s, s] : [s[0], s[1], s[2]];
}

/** Learning rate for a (0-based) epoch: constant, then linear to 0 at `epochs` (CycleGAN's schedule). */
export function learningRate(c: TrainConfig['optimiser'], epoch: number): number {
  const { lr, epochs, decayStartEpoch } = c;
  if (epoch < decayStartEpoch) return lr;
  const span = epochs - decayStartEpoch;
  if (span <= 0) return 0;
  return lr * Math.max(0, (epochs - epoch) / span);
}
