// PatchGAN discriminator of the paper (Fig. 3): `modules` × [conv 3³ stride 2 – InstanceNorm – ReLU], then a
// conv 3³ to one channel (the patch-wise real/fake score map, no activation: LSGAN).
//
// Degenerate case, handled deliberately: instance norm over a map of 1 voxel outputs exactly 0 (and over very
// few voxels it is dominated by eps/noise), which would make the discriminator blind. RULE: a module whose
// output has fewer than MIN_NORM_VOXELS spatial voxels skips the normalisation (its conv keeps a bias, so it
// still carries signal). With the paper's 64³ patches and 4 modules, the full (64³→4³) and half (32³→2³)
// discriminators normalise every module; the quarter one (16³→1³) skips it in its last module only.
import type * as tf from '@tensorflow/tfjs';
import { InvalidParameterError } from '../../errors';
import { addBias, conv3d, instanceNorm3d, relu } from '../ops';
import { ParamFactory } from './init';
import type { DiscriminatorConfig, Module } from './types';

export const MIN_NORM_VOXELS = 8;

export interface DiscriminatorOptions {
  name?: string;
  inChannels?: number;
}

export function validateDiscriminatorConfig(cfg: DiscriminatorConfig): void {
  if (!Number.isInteger(cfg.modules) || cfg.modules < 1 || cfg.modules > 8)
    throw new InvalidParameterError('modules', `${cfg.modules} must be a whole number from 1 to 8`);
  if (!Number.isInteger(cfg.baseChannels) || cfg.baseChannels < 1 || cfg.baseChannels > 1024)
    throw new InvalidParameterError('baseChannels', `${cfg.baseChannels} must be a whole number from 1 to 1024`);
}

/** Spatial shape of the score map for an input patch (tfjs 'same' stride 2: ceil(n / 2) per module). */
export function discriminatorOutputShape(
  cfg: DiscriminatorConfig,
  patch: [number, number, number],
): [number, number, number] {
  return patch.map((n) => {
    for (let i = 0; i < cfg.modules; i++) n = Math.ceil(n / 2);
    return n;
  }) as [number, number, number];
}

export function buildDiscriminator(cfg: DiscriminatorConfig, seed = 0, opts: DiscriminatorOptions = {}): Module {
  validateDiscriminatorConfig(cfg);
  const name = opts.name ?? 'D';
  const p = new ParamFactory(name, seed);
  const layers: { w: tf.Variable; b: tf.Variable }[] = [];
  let cin = opts.inChannels ?? 1;
  for (let i = 0; i < cfg.modules; i++) {
    const cout = cfg.baseChannels * 2 ** i;
    layers.push({ w: p.heNormal(`m${i}/kernel`, [3, 3, 3, cin, cout], 27 * cin), b: p.zeros(`m${i}/bias`, [cout]) });
    cin = cout;
  }
  const wOut = p.heNormal('out/kernel', [3, 3, 3, cin, 1], 27 * cin);
  const bOut = p.zeros('out/bias', [1]);
  return {
    name,
    variables: () => p.vars.slice(),
    apply(x: tf.Tensor5D): tf.Tensor5D {
      let h = x;
      for (const { w, b } of layers) {
        h = addBias(conv3d(h, w as tf.Tensor5D, 2, 'same'), b);
        if (h.shape[1] * h.shape[2] * h.shape[3] >= MIN_NORM_VOXELS) h = instanceNorm3d(h);
        h = relu(h);
      }
      return addBias(conv3d(h, wOut as tf.Tensor5D, 1, 'same'), bOut);
    },
  };
}
