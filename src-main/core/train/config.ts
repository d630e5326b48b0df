// The training presets and how a config is resolved: a preset, overrides merged in, validated with typed errors.
// `paper` is exactly the method of Lim, Lee, Chang & Ye (see docs/paper-mapping.md for the mapping);
// `fast` fits a 2-core CPU in about 45 minutes; `tiny` runs a few steps in seconds for tests.
// The schema itself is in the contract (contract/train-config.ts), re-exported here for the engine's importers.
// The resolved config is written to config.json in every run directory.
import { InvalidParameterError } from '../errors';
import type { z } from 'zod';
import {
  TrainConfigOverridesSchema,
  TrainConfigSchema,
  type TrainConfig,
  type TrainConfigOverrides,
} from '../../contract/train-config';
import { upgradeRetiredKeys } from '../../contract/train-config-retired';
import type { PsfConfig, UNetConfig } from '../nn/models/types';
import type { ScaleMode } from '../normalise/normaliser';

export {
  AugmentationSchema,
  DiscriminatorSchema,
  LossSchema,
  NormalisationSchema,
  OpticsSchema,
  OptimiserSchema,
  PsfSchema,
  TrainConfigFields,
  TrainConfigOverridesSchema,
  TrainConfigSchema,
  UNetSchema,
  type TrainConfig,
  type TrainConfigOverrides,
} from '../../contract/train-config';

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
  optimiser: {
    lr: 1e-4,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    epochs: 200,
    decayStartEpoch: 40,
    stepsPerEpoch: 'auto',
  },
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
  // Resize-convolution up-sampling and a softplus head (docs/decisions/0007-fast-resize-conv-softplus.md): the
  // transposed convolution's checkerboard (lateral power above 0.4 cycles/voxel 2–6× the truth's) and negative
  // light (9–15 % of voxels below −3σ) are gone on filaments and puncta, two seeds each; SSIM equal or better.
  generator: { levels: 3, baseChannels: 16, convsPerLevel: 2, upsample: 'nearest-conv', output: 'softplus' },
  cnnGenerator: { levels: 2, baseChannels: 8, convsPerLevel: 1 },
  // The PSF (docs/decisions/0003-gaussian-psf-layer-held-by-spectral-term.md): a separable Gaussian
  // with two learned widths, started at the blind spectral fit of the training data and held to their power
  // spectra by the spectral term (λ 100). Measured at 2000 photons: FWHM −8 / −8 / −5 % of the truth, following a
  // 35 % wider truth; a free kernel under the same term failed axially with one of two seeds, and without the term
  // the Gaussian shrinks to a delta. Both need real sharp stacks: with sharpSource 'rl' they fall back to the
  // Gaussian start without the term (adaptPresetDefaults). lrScale applies to `--psf-model free` only: at lrScale 1
  // the free sum-to-one kernel flattens out (peak 0.0026 of 1331 voxels after 800 steps); at 0.1 it stays a PSF.
  psf: {
    size: 11,
    init: 'spectral',
    model: 'gaussian',
    nonNegative: true,
    sumToOne: true,
    centred: true,
    lrScale: 0.1,
  },
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

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (
    over === null ||
    typeof over !== 'object' ||
    Array.isArray(over) ||
    base === null ||
    typeof base !== 'object' ||
    Array.isArray(base)
  )
    return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge(out[k], v);
  return out;
}

/** A config with overrides merged in (not validated; pass the result to parseTrainConfig). */
export function mergeOverrides(base: TrainConfig, overrides: TrainConfigOverrides): unknown {
  return merge(base, overrides);
}

/** Where parseTrainConfig says which retired keys of an older config it dropped (default: a process warning). */
export type ConfigNotes = (note: string) => void;
const processWarning: ConfigNotes = (note) => process.emitWarning(note, 'CycleDeconConfig');

/**
 * Validate a full config (from config.json, the UI…). Keys of older configs are mapped first (moved under
 * `experimental`, or dropped with a note: contract/train-config-retired.ts). Throws InvalidParameterError naming
 * the first bad field.
 */
export function parseTrainConfig(raw: unknown, notes: ConfigNotes = processWarning): TrainConfig {
  return checked(TrainConfigSchema, raw, notes);
}

/** Validate overrides stored before some keys were retired (a journalled job): mapped like parseTrainConfig's. */
export function parseTrainOverrides(raw: unknown, notes: ConfigNotes = processWarning): TrainConfigOverrides {
  return checked(TrainConfigOverridesSchema, raw, notes);
}

function checked<T>(schema: z.ZodType<T>, raw: unknown, notes: ConfigNotes): T {
  const upgraded = upgradeRetiredKeys(raw);
  upgraded.notes.forEach(notes);
  const r = schema.safeParse(upgraded.config);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const where = first.path.length ? first.path.join('.') : 'config';
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
  throw new InvalidParameterError(
    `config.${where}`,
    `${first.message}${more}`,
    'See docs/paper-mapping.md or `cycledecon train --help` for the fields.',
  );
}

/**
 * A preset with overrides merged in and validated. A config that differs from its preset
 * keeps the preset's name; `preset: 'custom'` is only set explicitly.
 */
export function resolveTrainConfig(name: PresetName, overrides: TrainConfigOverrides = {}): TrainConfig {
  const merged = merge(preset(name), overrides) as TrainConfig;
  return parseTrainConfig(
    adaptPresetDefaults(merged, {
      psfInit: overrides.psf?.init !== undefined,
      lambdaSpectral: overrides.loss?.lambdaSpectral !== undefined,
    }),
  );
}

/**
 * A preset's blind PSF start (init 'spectral') fits the blurred stacks against real sharp ones, and its spectral
 * term acts on the PSF layer. Where the run has neither (sharpSource 'rl'; the ablations gba 'cnn' and mode
 * 'supervised'), whichever of the two the user did not set explicitly falls back (Gaussian start, no term); set
 * explicitly they stay, and validation names them.
 */
export function adaptPresetDefaults(
  c: TrainConfig,
  explicit: { psfInit: boolean; lambdaSpectral: boolean },
): TrainConfig {
  const realSharp = c.sharpSource === 'data';
  const psfLayer = c.mode === 'cycle' && c.gba === 'psf';
  const fallback = c.psf.model === 'pupil' ? ('bornwolf' as const) : ('gaussian' as const); // the pupil layer's start without data: the optics
  const psf = c.psf.init === 'spectral' && !realSharp && !explicit.psfInit ? { ...c.psf, init: fallback } : c.psf;
  const loss =
    (c.loss.lambdaSpectral ?? 0) > 0 && !(realSharp && psfLayer) && !explicit.lambdaSpectral
      ? { ...c.loss, lambdaSpectral: 0 }
      : c.loss;
  return { ...c, psf, loss };
}

/** G_AB's network: the generator's fields and the experimental residual sum. */
export function generatorConfig(c: TrainConfig): UNetConfig {
  return c.experimental?.residual ? { ...c.generator, residual: true } : c.generator;
}

/** The free PSF layer's settings: the psf fields and the experimental FFT convolution. */
export function psfLayerConfig(c: TrainConfig): PsfConfig {
  return c.experimental?.psfConvolution ? { ...c.psf, convolution: c.experimental.psfConvolution } : c.psf;
}

/** The intensity normalisation: the normalisation fields and the experimental 'mean' scale. */
export function normalisationOf(c: TrainConfig): TrainConfig['normalisation'] & ScaleMode {
  const x = c.experimental;
  if (!x?.normalisationScale && x?.meanTarget === undefined) return c.normalisation;
  return {
    ...c.normalisation,
    ...(x.normalisationScale ? { scale: x.normalisationScale } : {}),
    ...(x.meanTarget !== undefined ? { meanTarget: x.meanTarget } : {}),
  };
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
