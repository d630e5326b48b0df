// Builds every network a configuration needs: G_AB (3D U-Net), G_BA (the PSF layer, optionally with a
// learned background, or a CNN for the --gba cnn ablation) and the multi-PatchGAN discriminators of
// both domains. Variable names are unique and stable: checkpoints and weight files are keyed by them.
import * as tf from '@tensorflow/tfjs';
import { generatorConfig, psfLayerConfig, psfShape, type TrainConfig } from './config';
import { InvalidParameterError } from '../errors';
import { buildGaussianPsfLayer } from '../nn/models/psf-gaussian';
import { buildPupilPsfLayer } from '../nn/models/psf-pupil';
import {
  buildCnnGenerator,
  buildDiscriminator,
  buildPsfLayer,
  buildUNet,
  type Module,
  type PsfModule,
} from '../nn/models';

export interface Networks {
  gAB: Module;
  /** Null in supervised mode. */
  gBA: Module | null;
  /** The explicit PSF layer (gba 'psf'), else null. */
  psf: PsfModule | null;
  /** Learned background of G_BA (config.background), else null. */
  background: tf.Variable | null;
  /** One discriminator per crop scale, per domain (empty in supervised mode). */
  dA: Module[];
  dB: Module[];
}

export interface BuildOptions {
  /** Initial PSF for psf.init 'bornwolf' / 'spectral' (same size as the layer). */
  initialPsf?: Float32Array;
  /** Initial widths in voxels [z, y, x] for psf.model 'gaussian' with init 'spectral' (the spectral fit's sigmaVoxels). */
  initialSigma?: [number, number, number];
  /**
   * The variables are restored from a checkpoint next, or the networks are only timed or exported: a PSF layer
   * whose start comes from the data (init 'spectral', or 'bornwolf' for the free kernel) then starts as the default
   * Gaussian (experimental.psfInitSigma or size / 8) instead of requiring `initialSigma` / `initialPsf`.
   */
  restoring?: boolean;
  /** The stacks' voxel size in µm, for psf.model 'pupil' (its PSF is computed on the data's grid; theory.ts voxelSizeMicrons). */
  voxelSize?: { dxy: number; dz: number };
}

const SCALE_NAMES = ['full', 'half', 'quarter', 'eighth', 'sixteenth'];

function withBackground(psf: PsfModule, bg: tf.Variable): Module {
  return {
    name: psf.name,
    variables: () => [...psf.variables(), bg],
    apply: (x) => tf.tidy(() => tf.add(psf.apply(x), bg) as tf.Tensor5D),
  };
}

function gaussianLayer(cfg: TrainConfig, opts: BuildOptions): PsfModule {
  const shape = psfShape(cfg);
  if (cfg.psf.init === 'spectral' && !opts.initialSigma)
    throw new InvalidParameterError(
      'psf init',
      "psf.model 'gaussian' with init 'spectral' needs the fitted widths",
      'Fit them from the stacks (train/theory.ts) and pass them as initialSigma.',
    );
  const sigma =
    cfg.psf.init === 'spectral'
      ? opts.initialSigma!
      : (cfg.experimental?.psfInitSigma ?? (shape.map((k) => k / 8) as [number, number, number]));
  return buildGaussianPsfLayer({ shape, sigma, name: 'G_BA' });
}

function pupilLayer(cfg: TrainConfig, opts: BuildOptions): PsfModule {
  if (!cfg.optics)
    throw new InvalidParameterError(
      'optics',
      "psf.model 'pupil' needs the microscope optics",
      'Pass --na, --wavelength (µm), --ni (and --ns), or set "optics" in the config.',
    );
  if (!opts.voxelSize)
    throw new InvalidParameterError(
      'voxel size',
      "psf.model 'pupil' needs the stacks' voxel size in µm",
      'Write the voxel size into the TIFF (`cycledecon convert --voxel-size`) or pass --voxel-size.',
    );
  return buildPupilPsfLayer({
    shape: psfShape(cfg),
    optics: { ...cfg.optics, ...opts.voxelSize },
    name: 'G_BA',
    convolution: psfLayerConfig(cfg).convolution,
    aberrations: cfg.psf.pupilAberrations,
  });
}

export function buildNetworks(cfg: TrainConfig, opts: BuildOptions = {}): Networks {
  const seed = cfg.seed * 16;
  const gAB = buildUNet(generatorConfig(cfg), seed + 1, { name: 'G_AB' });
  if (cfg.mode === 'supervised') return { gAB, gBA: null, psf: null, background: null, dA: [], dB: [] };
  try {
    return buildCycle(cfg, opts, gAB, seed);
  } catch (e) {
    // A start that cannot be built (a typed error) leaves no registered variable behind.
    gAB.variables().forEach((v) => v.dispose());
    throw e;
  }
}

function buildCycle(cfg: TrainConfig, opts: BuildOptions, gAB: Module, seed: number): Networks {
  let psf: PsfModule | null = null;
  let background: tf.Variable | null = null;
  let gBA: Module;
  if (cfg.gba === 'psf') {
    // Restoring without the start computed from the data (bornwolf, spectral): the layer starts as the Gaussian.
    const given = cfg.psf.model === 'gaussian' ? opts.initialSigma : opts.initialPsf;
    const fromData = (cfg.psf.init === 'bornwolf' || cfg.psf.init === 'spectral') && !given && opts.restoring;
    const c = fromData ? { ...cfg, psf: { ...cfg.psf, init: 'gaussian' as const } } : cfg;
    psf =
      c.psf.model === 'pupil'
        ? pupilLayer(cfg, opts)
        : c.psf.model === 'gaussian'
          ? gaussianLayer(c, opts)
          : buildPsfLayer(psfLayerConfig(c), {
              seed: seed + 2,
              initialPsf: opts.initialPsf,
              gaussianSigma: c.experimental?.psfInitSigma,
              name: 'G_BA',
            });
    if (cfg.background) {
      const zero = tf.zeros([1]);
      background = tf.variable(zero, true, 'G_BA/background');
      zero.dispose(); // the variable keeps its own reference to the data
      gBA = withBackground(psf, background);
    } else gBA = psf;
  } else {
    gBA = buildCnnGenerator(cfg.cnnGenerator, seed + 2, { name: 'G_BA' });
  }
  const disc = (domain: string, k: number) =>
    cfg.discriminator.scales.map((_, i) =>
      buildDiscriminator(cfg.discriminator, seed + k + i, { name: `D_${domain}_${SCALE_NAMES[i]}` }),
    );
  return { gAB, gBA, psf, background, dA: disc('A', 3), dB: disc('B', 9) };
}

/** Variables updated by the generator optimiser. */
export function generatorVariables(n: Networks): tf.Variable[] {
  return [...n.gAB.variables(), ...(n.gBA ? n.gBA.variables() : [])];
}

export function discriminatorVariables(n: Networks): tf.Variable[] {
  return [...n.dA, ...n.dB].flatMap((d) => d.variables());
}

export function allVariables(n: Networks): tf.Variable[] {
  return [...generatorVariables(n), ...discriminatorVariables(n)];
}

/** Re-impose the PSF constraints and keep the background non-negative (after every generator update). */
export function projectConstraints(n: Networks): void {
  n.psf?.project();
  if (n.background) {
    const bg = n.background;
    tf.tidy(() => bg.assign(tf.relu(bg)));
  }
}

export function disposeNetworks(n: Networks): void {
  for (const v of allVariables(n)) if (!v.isDisposed) v.dispose();
}
