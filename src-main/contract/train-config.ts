// The training configuration's schema: every field checked, the cross-field rules, and the overrides a job or
// the CLI may give (a deep-partial of the config, unknown keys refused). Zod only: the renderer imports the
// contract, and core/train/config.ts (the presets, merging, typed errors) builds on it.
import { z } from 'zod';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const positive = z.number().positive().finite();

export const UNetSchema = z.strictObject({
  levels: int(1, 6),
  baseChannels: int(1, 256),
  convsPerLevel: int(1, 4),
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
   * Beyond the paper: 'free' (default, the paper) learns every voxel of the kernel; 'gaussian' learns a separable
   * Gaussian with two widths, lateral and axial (models/psf-gaussian.ts): non-negative, sum one and centred by
   * construction. Starts from init 'gaussian' (experimental.psfInitSigma) or 'spectral'; psf.lrScale applies to the free kernel only.
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
});

const sigma = z.number().positive().max(64).finite();

/**
 * Options of experiments that no preset uses and the Training view does not show (config files and the API only;
 * docs/decisions/0006-experiments-fenced.md).
 * Each was measured in docs/notes/2026-12-03-what-moves-the-learned-psf.md and the notes it cites; none is adopted.
 */
export const ExperimentalSchema = z.strictObject({
  /**
   * output = input + U-Net(input), the last 1×1×1 convolution started at zero (G_AB starts as the identity). Removed
   * the collapse on sparse, noisy data (docs/notes/2026-12-03-models-carry-no-information.md). Default false.
   */
  residual: z.boolean().optional(),
  /** Standard deviation of psf.init 'gaussian' in voxels, one number or [z, y, x] (default size / 8 per axis). */
  psfInitSigma: z.union([sigma, z.tuple([sigma, sigma, sigma])]).optional(),
  /**
   * 'tensor' normalises the PSF's Adam step by the kernel's mean second moment instead of each weight's own
   * (train/adam.ts): near-zero tail weights move in proportion to their gradient. Default 'element' (plain Adam).
   */
  psfAdamNorm: z.enum(['element', 'tensor']).optional(),
  /**
   * 'tangent' removes the mean of the kernel's gradient before Adam (the common mode that the sum-to-one projection
   * turns into a change of width). Needs psf.sumToOne and the free kernel. Default 'plain'.
   */
  psfGradient: z.enum(['plain', 'tangent']).optional(),
  /** How G_BA applies the kernel: 'direct' conv3d (default) or 'fft' (same values; cheap for 21³–31³ kernels on CPU). */
  psfConvolution: z.enum(['direct', 'fft']).optional(),
  /**
   * Intensity scale: 'mean' maps the mean above the low percentile to `meanTarget` instead of the high percentile
   * to 1, so a stack and its sum-one blur share one scale. Default 'percentile'.
   */
  normalisationScale: z.enum(['percentile', 'mean']).optional(),
  meanTarget: z.number().positive().max(1).optional(),
});

export const LossSchema = z.strictObject({
  adversarial: z.literal('lsgan'),
  lambdaCycle: z.number().min(0).finite(),
  lambdaPsf: z.number().min(0).finite(),
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
});

export const TrainConfigFields = z.strictObject({
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
  loss: LossSchema,
  optimiser: OptimiserSchema,
  batchSize: z.literal(1),
  poolSize: int(0, 1000),
  augmentation: AugmentationSchema,
  normalisation: NormalisationSchema,
  /** Stop after this many steps in total (a short run of a long schedule); null = the whole schedule. */
  maxSteps: int(1, 100_000_000).nullable(),
  checkpointEvery: int(1, 1_000_000),
  psfSnapshotEvery: int(1, 1_000_000),
  /** Experiments no preset uses (absent: none on). */
  experimental: ExperimentalSchema.optional(),
});

export const TrainConfigSchema = TrainConfigFields.superRefine((c, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (c.optimiser.decayStartEpoch > c.optimiser.epochs)
    issue(['optimiser', 'decayStartEpoch'], 'must not exceed epochs');
  if (c.normalisation.lowPercentile >= c.normalisation.highPercentile)
    issue(['normalisation', 'lowPercentile'], 'must be below highPercentile');
  if (c.augmentation.scale[0] > c.augmentation.scale[1]) issue(['augmentation', 'scale'], 'min must not exceed max');
  const pool = 2 ** (c.generator.levels - 1);
  if (c.patchSize % pool !== 0) issue(['patchSize'], `must be a multiple of ${pool} (2^(levels-1)) for the U-Net`);
  if (c.gba === 'cnn' && c.patchSize % 2 ** (c.cnnGenerator.levels - 1) !== 0)
    issue(['cnnGenerator', 'levels'], 'patchSize must be a multiple of 2^(levels-1)');
  for (const [i, s] of c.discriminator.scales.entries()) {
    if (Math.round(c.patchSize * s) < 2)
      issue(['discriminator', 'scales', i], `crop of ${c.patchSize}×${s} is under 2 voxels`);
  }
  const sizes = typeof c.psf.size === 'number' ? [c.psf.size, c.psf.size, c.psf.size] : c.psf.size;
  if (sizes.some((s) => s > c.patchSize * 2))
    issue(['psf', 'size'], 'PSF larger than twice the patch cannot be learnt from a patch');
  const x = c.experimental ?? {};
  if (x.psfGradient === 'tangent' && !c.psf.sumToOne)
    issue(['experimental', 'psfGradient'], "'tangent' projects onto the sum-to-one constraint and needs psf.sumToOne");
  if (c.psf.init === 'bornwolf' && !c.optics)
    issue(['optics'], "psf.init 'bornwolf' needs the optics (na, wavelength, ni, ns)");
  if ((c.loss.lambdaSpectral ?? 0) > 0 && (c.mode !== 'cycle' || c.gba !== 'psf' || c.sharpSource !== 'data'))
    issue(
      ['loss', 'lambdaSpectral'],
      "the spectral term needs the PSF layer (mode 'cycle', gba 'psf') and real sharp stacks (sharpSource 'data')",
    );
  if (c.psf.model === 'gaussian') {
    if (c.psf.init !== 'gaussian' && c.psf.init !== 'spectral')
      issue(
        ['psf', 'init'],
        "psf.model 'gaussian' starts from init 'gaussian' (experimental.psfInitSigma) or 'spectral'",
      );
    if (x.psfGradient === 'tangent')
      issue(
        ['experimental', 'psfGradient'],
        "'tangent' applies to the free kernel's weights, not to psf.model 'gaussian'",
      );
  }
  if (c.psf.model === 'pupil') {
    if (c.psf.init !== 'bornwolf' && c.psf.init !== 'spectral')
      issue(
        ['psf', 'init'],
        "psf.model 'pupil' starts from init 'bornwolf' (the optics without aberration) or 'spectral'",
      );
    if (!c.optics) issue(['optics'], "psf.model 'pupil' needs the optics (na, wavelength, ni, ns)");
    if (x.psfGradient === 'tangent')
      issue(['experimental', 'psfGradient'], "psf.model 'pupil' cannot be combined with 'tangent'");
  }
  if (c.psf.init === 'spectral' && c.sharpSource !== 'data')
    issue(
      ['psf', 'init'],
      "psf.init 'spectral' fits the blur between the sharp and the blurred stacks and needs sharpSource 'data'",
    );
  if (c.optics && c.optics.na >= c.optics.ni)
    issue(['optics', 'na'], `NA ${c.optics.na} must be below the immersion index ${c.optics.ni}`);
  if (c.mode === 'supervised' && c.sharpSource === 'rl')
    issue(['sharpSource'], "supervised mode needs matched sharp data ('data')");
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/**
 * What a train job or the CLI may override: any field of the config, objects field by field (arrays and tuples
 * whole), unknown keys refused at every level so a misspelt override is a 400 naming it, not a failed job.
 */
export const TrainConfigOverridesSchema = TrainConfigFields.extend({
  generator: UNetSchema.partial(),
  cnnGenerator: UNetSchema.partial(),
  psf: PsfSchema.partial(),
  optics: OpticsSchema.partial(),
  discriminator: DiscriminatorSchema.partial(),
  loss: LossSchema.partial(),
  optimiser: OptimiserSchema.partial(),
  augmentation: AugmentationSchema.partial(),
  normalisation: NormalisationSchema.partial(),
}).partial();
export type TrainConfigOverrides = z.infer<typeof TrainConfigOverridesSchema>;
