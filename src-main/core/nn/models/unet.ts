// G_AB of the paper: a 3D U-Net (Çiçek et al. 2016). Per level `convsPerLevel` × [conv 3³ – InstanceNorm – ReLU];
// 2³ max-pooling down; 2³ stride-2 transposed convolution up (or, beyond the paper, generator.upsample
// 'nearest-conv': nearest ×2 then a 3³ conv); skip connections by channel concatenation; a final 1³ convolution
// to one channel (beyond the paper, generator.output 'softplus' keeps it non-negative). Level l has
// baseChannels·2^l channels (paper: 64, 128, 256, 512).
// Convolutions followed by (non-affine) InstanceNorm carry no bias: the normalisation would cancel it.
import * as tf from '@tensorflow/tfjs';
import { InvalidParameterError, InvalidVolumeError } from '../../errors';
import { addBias, concatChannels, conv3d, conv3dTranspose, instanceNorm3d, maxPool3d, relu, upsample3d } from '../ops';
import { ParamFactory } from './init';
import type { Module, UNetConfig } from './types';

/** Options beyond the agreed UNetConfig; the defaults are the paper's / 3D U-Net's choices. */
export interface UNetOptions {
  /** Down-sampling between levels: 2³ max-pool (default) or a stride-2 conv 3³ – IN – ReLU. */
  down?: 'maxpool' | 'stride2';
  /** Up-sampling: 2³ stride-2 transposed conv or nearest ×2 followed by a conv 3³ (default: the config's `upsample`). */
  up?: 'transpose' | 'upsample';
  /** Input channels (default 1). */
  inChannels?: number;
  /** Variable-name prefix (default 'G_AB'); names must be unique among live variables. */
  name?: string;
}

export function validateUNetConfig(cfg: UNetConfig): void {
  const ok = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!ok(cfg.levels, 1, 7))
    throw new InvalidParameterError('levels', `${cfg.levels} must be a whole number from 1 to 7`);
  if (!ok(cfg.baseChannels, 1, 1024))
    throw new InvalidParameterError('baseChannels', `${cfg.baseChannels} must be a whole number from 1 to 1024`);
  if (!ok(cfg.convsPerLevel, 1, 8))
    throw new InvalidParameterError('convsPerLevel', `${cfg.convsPerLevel} must be a whole number from 1 to 8`);
}

/** The up-sampling in use: an explicit option wins, else the config's `upsample` ('nearest-conv' ⇒ 'upsample'). */
export function unetUpMode(cfg: UNetConfig, opts: Pick<UNetOptions, 'up'> = {}): 'transpose' | 'upsample' {
  return opts.up ?? (cfg.upsample === 'nearest-conv' ? 'upsample' : 'transpose');
}

/** Every spatial size fed to a U-Net of `levels` levels must be divisible by 2^(levels−1). */
export function unetSizeMultiple(levels: number): number {
  return 2 ** (levels - 1);
}

/**
 * How far (in input voxels) the zero 'same' padding at a tile's edge can change the U-Net's output, with
 * normalisation statistics held fixed: each 3³ conv at level l reaches 2^l voxels further, down-sampling
 * rounds the reach up to the coarser grid (plus one level-l voxel for a stride-2 conv), up-sampling keeps
 * it (plus a 3³ conv for 'upsample'), and skips take the larger of the two branches. Valid for tiles whose
 * origin and size are multiples of unetSizeMultiple(levels). Rounded up to that multiple.
 */
export function unetTileHalo(cfg: UNetConfig, opts: Pick<UNetOptions, 'down' | 'up'> = {}): number {
  validateUNetConfig(cfg);
  const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;
  const up = unetUpMode(cfg, opts);
  const skips: number[] = [];
  let reach = 0;
  for (let l = 0; l < cfg.levels; l++) {
    reach += cfg.convsPerLevel * 2 ** l;
    if (l === cfg.levels - 1) break;
    skips.push(reach);
    reach = roundUp(reach + (opts.down === 'stride2' ? 2 ** l : 0), 2 ** (l + 1));
  }
  for (let l = cfg.levels - 2; l >= 0; l--) {
    if (up === 'upsample') reach += 2 ** l;
    reach = Math.max(reach, skips.pop()!) + cfg.convsPerLevel * 2 ** l;
  }
  return roundUp(reach, unetSizeMultiple(cfg.levels));
}

type Block = (x: tf.Tensor5D) => tf.Tensor5D;

/**
 * Sharpness β of the 'softplus' output head, softplus(β·y) / β. The network works in normalised units (the data's
 * range mapped to about [0, 1], background near 0): plain softplus (β = 1) would lift a zero background to
 * ln 2 ≈ 0.69, most of the range, and bend the whole signal range; β = 10 lifts it to 0.069 and is the identity
 * within 1 % of the range from y ≈ 0.46 up, while keeping a gradient for negative pre-activations (unlike ReLU).
 */
export const OUTPUT_SOFTPLUS_SHARPNESS = 10;

/** The 'softplus' output head on a tensor. */
export function softplusHead(y: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(
    () => tf.div(tf.softplus(tf.mul(y, OUTPUT_SOFTPLUS_SHARPNESS)), OUTPUT_SOFTPLUS_SHARPNESS) as tf.Tensor5D,
  );
}

/** The same on a typed array, in place (float64 arithmetic, overflow-safe: y + log1p(e^(−β·y)) / β for y > 0). */
export function softplusHeadInPlace(y: Float32Array): void {
  const b = OUTPUT_SOFTPLUS_SHARPNESS;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]! * b;
    y[i] = (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))) / b;
  }
}

export function buildUNet(cfg: UNetConfig, seed: number, opts: UNetOptions = {}): Module {
  validateUNetConfig(cfg);
  const name = opts.name ?? 'G_AB';
  const p = new ParamFactory(name, seed);
  const ch = (l: number) => cfg.baseChannels * 2 ** l;
  const upMode = unetUpMode(cfg, opts);

  const convNormRelu = (id: string, cin: number, cout: number, stride = 1): Block => {
    const w = p.heNormal(`${id}/kernel`, [3, 3, 3, cin, cout], 27 * cin);
    // The norm's id lets tiled inference substitute whole-volume statistics (ops/norm.ts withNormStats).
    const normId = `${name}/${id}`;
    return (x) => relu(instanceNorm3d(conv3d(x, w as tf.Tensor5D, stride, 'same'), { id: normId }));
  };
  const stack = (id: string, cin: number, cout: number): Block[] =>
    Array.from({ length: cfg.convsPerLevel }, (_, i) => convNormRelu(`${id}_conv${i}`, i === 0 ? cin : cout, cout));

  const encoders: Block[][] = [];
  const downs: Block[] = [];
  for (let l = 0; l < cfg.levels; l++) {
    encoders.push(stack(`enc${l}`, l === 0 ? (opts.inChannels ?? 1) : ch(l - 1), ch(l)));
    if (l < cfg.levels - 1)
      downs.push(opts.down === 'stride2' ? convNormRelu(`down${l}`, ch(l), ch(l), 2) : (x) => maxPool3d(x));
  }
  const ups: Block[] = [];
  const decoders: Block[][] = [];
  for (let l = cfg.levels - 2; l >= 0; l--) {
    if (upMode === 'upsample') {
      const w = p.heNormal(`up${l}/kernel`, [3, 3, 3, ch(l + 1), ch(l)], 27 * ch(l + 1));
      const b = p.zeros(`up${l}/bias`, [ch(l)]);
      ups.push((x) => addBias(conv3d(upsample3d(x), w as tf.Tensor5D, 1, 'same'), b));
    } else {
      // Transposed kernel layout is [k, k, k, out, in]; each output voxel receives one tap per input channel.
      const w = p.heNormal(`up${l}/kernel`, [2, 2, 2, ch(l), ch(l + 1)], ch(l + 1));
      const b = p.zeros(`up${l}/bias`, [ch(l)]);
      ups.push((x) => addBias(conv3dTranspose(x, w as tf.Tensor5D, 2, 'same'), b));
    }
    decoders.push(stack(`dec${l}`, 2 * ch(l), ch(l)));
  }
  if (cfg.residual && (opts.inChannels ?? 1) !== 1)
    throw new InvalidParameterError('experimental.residual', `needs a single-channel input, got ${opts.inChannels}`);
  // Residual: the last convolution starts at zero, so the network starts as the identity.
  const wOut = cfg.residual
    ? p.zeros('out/kernel', [1, 1, 1, ch(0), 1])
    : p.heNormal('out/kernel', [1, 1, 1, ch(0), 1], ch(0));
  const bOut = p.zeros('out/bias', [1]);

  const multiple = unetSizeMultiple(cfg.levels);
  return {
    name,
    variables: () => p.vars.slice(),
    apply(x: tf.Tensor5D): tf.Tensor5D {
      if (x.shape.slice(1, 4).some((n) => n % multiple !== 0)) {
        throw new InvalidVolumeError(
          `U-Net with ${cfg.levels} levels needs patch sizes divisible by ${multiple}, got ${x.shape.slice(1, 4).join('×')}`,
        );
      }
      const skips: tf.Tensor5D[] = [];
      let h = x;
      for (let l = 0; l < cfg.levels; l++) {
        for (const block of encoders[l]!) h = block(h);
        if (l < cfg.levels - 1) {
          skips.push(h);
          h = downs[l]!(h);
        }
      }
      for (let i = 0; i < ups.length; i++) {
        h = concatChannels(skips.pop() as tf.Tensor5D, ups[i]!(h));
        for (const block of decoders[i]!) h = block(h);
      }
      const lin = addBias(conv3d(h, wOut as tf.Tensor5D, 1, 'valid'), bOut);
      const out = cfg.residual ? (tf.add(lin, x) as tf.Tensor5D) : lin;
      return cfg.output === 'softplus' ? softplusHead(out) : out;
    },
  };
}

/**
 * G_BA of the `--gba cnn` ablation (Lu et al.: a CNN instead of the explicit PSF layer): the same U-Net,
 * smaller by default (3 levels, 16 base channels, 2 convs per level).
 */
export function buildCnnGenerator(cfg: Partial<UNetConfig> = {}, seed = 0, opts: UNetOptions = {}): Module {
  return buildUNet({ levels: 3, baseChannels: 16, convsPerLevel: 2, ...cfg }, seed, { name: 'G_BA', ...opts });
}
