// Builds the predictor for `deconvolve`: the run's generator G_AB with its trained weights, or
// Richardson–Lucy with the run's learned PSF (or a PSF file).
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BackendError, FileNotFoundError, InvalidParameterError, MissingArgumentError } from '../errors';
import { initBackend, parseBackendId } from '../nn/backend';
import { generatorConfig, parseTrainConfig, type TrainConfig } from '../train/config';
import { unetSizeMultiple, unetTileHalo } from '../nn/models';
import { loadTrainedGenerator } from '../train/outputs';
import { readVolume } from '../io/index';
import type { Volume } from '../io/volume';
import type { Predictor } from './predictor';
import { rlPredictor, type RlMethodOptions } from './rl';
import { stagedNet } from './staged';
import { leanStagedNet, leanUNetBytesPerVoxel } from './unet-lean';
import { convImplFor } from '../nn/conv-select';
import { nativeConvRuntime } from '../kernels/native-conv';
import { convRuntime, type ConvRuntime } from '../kernels/wasm-conv';
import { checkPsf } from '../psf/check';
import { readTrainingDomain } from './domain-check';

export interface LoadPredictorOptions {
  method: 'model' | 'rl';
  runDir?: string;
  /** For rl: 'learned' (the run's PSF) or a PSF TIFF path. */
  psf?: string;
  iterations?: number;
  /** For rl: boundary model, background and acceleration (core/deconv/rl.ts defaults when absent). */
  rl?: RlMethodOptions;
  backend?: string;
}

export async function readRunConfig(runDir: string): Promise<TrainConfig> {
  const path = join(runDir, 'config.json');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    throw new FileNotFoundError(path);
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  // A run dir may store the config alone or wrapped with run facts ({ config: {...}, ... }).
  return parseTrainConfig('config' in raw && typeof raw.config === 'object' ? raw.config : raw);
}

/** Learned-PSF TIFF names a trainer may write, most specific first. */
const LEARNED_PSF_NAMES = ['psf-learned.tif', 'learned-psf.tif', 'psf_learned.tif', 'psf.tif'];

export async function readLearnedPsf(runDir: string): Promise<{ path: string; psf: Volume }> {
  for (const name of LEARNED_PSF_NAMES) {
    const path = join(runDir, name);
    const exists = await fs.access(path).then(
      () => true,
      () => false,
    );
    if (exists) return { path, psf: await readVolume(path) };
  }
  throw new FileNotFoundError(join(runDir, LEARNED_PSF_NAMES[0]!));
}

/**
 * Peak bytes per voxel of a U-Net forward pass: tf.tidy keeps every intermediate of the tile alive
 * until the tile is done; per level there are ~(3 per conv block + pool/concat/up) tensors of
 * base·2^l channels at 1/8^l of the voxels, summing to ≈ 1.34·base channels per level-0 voxel.
 */
export function unetBytesPerVoxel(cfg: TrainConfig['generator']): number {
  // 'nearest-conv' up-sampling also keeps the up-sampled input (2× the level's channels) per level.
  const tensorsPerLevel = 2 * 3 * cfg.convsPerLevel + 4 + (cfg.upsample === 'nearest-conv' ? 2 : 0);
  // ×1.25 margin: against tf.profile peaks on cpu this estimate was 0.9–1.15× the measured value.
  return 1.25 * 4 * (cfg.baseChannels * 1.34 * tensorsPerLevel + 4);
}

/**
 * The kernel runtime of the lean U-Net engine (unet-lean.ts) on the cpu backend: the one conv-select
 * picks for training (native AVX2, else WebAssembly SIMD); null where tfjs' own kernels are in use
 * (GPU backends, or CYCLEDECON_CONV=tfjs|vol2col), which keeps the tfjs forward.
 */
function leanRuntime(backend: string): (() => ConvRuntime) | null {
  if (backend !== 'cpu') return null;
  const impl = convImplFor(backend).name;
  const rt = impl === 'native-avx2' ? nativeConvRuntime() : impl === 'wasm-simd' ? convRuntime() : null;
  return rt ? () => rt : null;
}

async function modelPredictor(runDir: string, backend: string): Promise<Predictor> {
  const { gAB: net, config: cfg } = await loadTrainedGenerator(runDir);
  const multiple = unetSizeMultiple(cfg.generator.levels);
  // Tiles overlap by two halos so each keeps a core the tile edges cannot reach; with whole-volume
  // instance-norm statistics (staged) the tiled result then equals the untiled one.
  const halo = unetTileHalo(generatorConfig(cfg));
  const lean = leanRuntime(backend);
  const staged = lean ? leanStagedNet(net, generatorConfig(cfg), halo, lean) : stagedNet(net, multiple, halo);
  return {
    method: 'model',
    multiple,
    bytesPerVoxel: lean ? leanUNetBytesPerVoxel(cfg.generator) : unetBytesPerVoxel(cfg.generator),
    ...(lean ? { memoryShare: 0.5 } : {}),
    overlap: 2 * halo,
    staged,
    backend,
    domain: await readTrainingDomain(runDir),
    // Intensities are normalised with one map for the whole stack (scope 'volume'): per-tile maps would make seams.
    normalisation: {
      pLow: cfg.normalisation.lowPercentile,
      pHigh: cfg.normalisation.highPercentile,
      clip: cfg.normalisation.clip,
      scale: cfg.experimental?.normalisationScale,
      meanTarget: cfg.experimental?.meanTarget,
    },
    details: {
      model: runDir,
      preset: cfg.preset,
      generator: JSON.stringify(cfg.generator),
      backend,
      engine: lean ? `lean U-Net on ${convImplFor(backend).name}` : 'tfjs',
    },
    predict: lean
      ? async (tile, shape) => {
          const r = await staged.run(tile, shape, { start: [0, 0, 0], size: shape });
          if (!('output' in r))
            throw new InvalidParameterError('model', 'the network returned statistics instead of its output');
          return r.output;
        }
      : async (tile, shape) => {
          const y = tf.tidy(() => net.apply(tf.tensor5d(tile, [1, shape[0], shape[1], shape[2], 1])));
          try {
            return (await y.data()) as Float32Array;
          } finally {
            y.dispose();
          }
        },
    dispose: () => net.variables().forEach((v) => v.dispose()),
  };
}

export async function loadPredictor(opts: LoadPredictorOptions): Promise<Predictor> {
  if (opts.method === 'model') {
    if (!opts.runDir)
      throw new MissingArgumentError(
        '--model',
        'is required for --method model',
        'Pass the run directory written by `cycledecon train`.',
      );
    let choice = await initBackend({ preferred: opts.backend, purpose: 'inference' });
    // tfjs 4.22's wasm Conv3DBackpropInputV2 (the U-Net's transposed convolution) disagrees with cpu by
    // O(1) on the same input (measured), so the network's output on wasm is wrong: never use it for the model.
    if (choice.name === 'wasm') {
      if (opts.backend && parseBackendId(opts.backend) === 'wasm') {
        throw new BackendError(
          'the wasm backend computes transposed 3D convolutions incorrectly (tfjs 4.22), so the network cannot run on it',
          'Use --backend cpu (or webgpu / node where available).',
        );
      }
      choice = await initBackend({ preferred: 'cpu', purpose: 'inference' });
    }
    return modelPredictor(opts.runDir, choice.name);
  }
  const which = opts.psf ?? 'learned';
  let psf: Volume, source: string;
  if (which === 'learned') {
    if (!opts.runDir)
      throw new InvalidParameterError(
        '--psf',
        '"learned" needs --model <run-dir>',
        'Or pass a PSF TIFF: --psf psf.tif',
      );
    ({ psf, path: source } = await readLearnedPsf(opts.runDir));
  } else {
    psf = await readVolume(which, { channelsAsZ: true });
    checkPsf(psf, which);
    source = which;
  }
  return rlPredictor(psf, opts.iterations ?? 20, source, opts.rl, which === 'learned');
}
