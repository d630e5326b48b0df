// One training step (batch 1). Cycle mode, as in CycleGAN and the paper:
//  1. generators: L_G = Σ_i (D_B^i(G_AB(a)) − 1)² + Σ_i (D_A^i(G_BA(b)) − 1)²
//                       + λ1 (|G_BA(G_AB(a)) − a|₁ + |G_AB(G_BA(b)) − b|₁) + λ2 ‖PSF‖₁
//                       [+ λ_spec L_spec(PSF), beyond the paper: train/spectral-loss.ts]
//                       [+ λ_pos mean(max(0, −G_AB(a))), beyond the paper: fluorescence is never negative]
//     → Adam on G_AB and G_BA, then the PSF constraints are re-imposed;
//  2. discriminators: L_D = Σ_i ½[(D^i(real) − 1)² + D^i(pool(fake))²] per domain → Adam on all D.
// Supervised mode: L = |G_AB(a) − b|₁ on matched pairs. Every loss is checked BEFORE any update: a NaN/Inf
// throws NumericError and leaves the weights as they were.
import * as tf from '@tensorflow/tfjs';
import { NumericError } from '../errors';
import type { TrainConfig } from './config';
import type { Adam } from './adam';
import type { PatchPair } from './data';
import { drawCrops, l1, lsganDiscriminator, lsganGenerator } from './losses';
import { discriminatorVariables, generatorVariables, projectConstraints, type Networks } from './networks';
import { addNoise, estimateNoise, normals } from './noise';
import type { ImagePool } from './pool';
import type { Rng } from './rng';
import { spectralLoss, type SpectralTarget } from './spectral-loss';

/** Loss terms of one step (plain numbers, network scale). Absent terms are 0 (e.g. no D in supervised mode). */
export interface LossTerms {
  generator: number;
  advAB: number;
  advBA: number;
  cycleA: number;
  cycleB: number;
  psfL1: number;
  /** The spectral term (loss.lambdaSpectral; 0 when off), before its weight. */
  spectral: number;
  /** The positivity term (loss.lambdaPositive; 0 when off): mean of G_AB(a)'s negative part, before its weight. */
  positive: number;
  discriminatorA: number;
  discriminatorB: number;
  supervised: number;
}

export const LOSS_KEYS: readonly (keyof LossTerms)[] = [
  'generator',
  'advAB',
  'advBA',
  'cycleA',
  'cycleB',
  'psfL1',
  'spectral',
  'positive',
  'discriminatorA',
  'discriminatorB',
  'supervised',
];

export interface StepState {
  cfg: TrainConfig;
  nets: Networks;
  gOpt: Adam;
  dOpt: Adam | null;
  poolA: ImagePool;
  poolB: ImagePool;
  rng: Rng;
  /** The spectral term's fixed data (loss.lambdaSpectral > 0). */
  spectral?: SpectralTarget;
}

function toTensor(d: Float32Array, n: number): tf.Tensor5D {
  return tf.tensor5d(d, [1, n, n, n, 1]);
}

function checkFinite(terms: Partial<LossTerms>, step: number): void {
  for (const [k, v] of Object.entries(terms)) {
    if (!Number.isFinite(v)) {
      throw new NumericError(
        `loss "${k}" became ${v} at step ${step}`,
        'Training stopped; the last good checkpoint is kept. Try a lower learning rate or check the input stacks.',
      );
    }
  }
}

function emptyTerms(): LossTerms {
  return {
    generator: 0,
    advAB: 0,
    advBA: 0,
    cycleA: 0,
    cycleB: 0,
    psfL1: 0,
    spectral: 0,
    positive: 0,
    discriminatorA: 0,
    discriminatorB: 0,
    supervised: 0,
  };
}

function supervisedStep(s: StepState, a: tf.Tensor5D, b: tf.Tensor5D, lr: number, step: number): LossTerms {
  const terms = emptyTerms();
  const { value, grads } = tf.variableGrads(() => l1(s.nets.gAB.apply(a), b), generatorVariables(s.nets));
  terms.supervised = terms.generator = value.dataSync()[0]!;
  value.dispose();
  try {
    checkFinite(terms, step);
    s.gOpt.apply(grads, lr);
  } finally {
    tf.dispose(grads);
  }
  return terms;
}

/** mean(max(0, −x)): how much light an output puts below zero (config loss.lambdaPositive). */
export function negativePart(x: tf.Tensor): tf.Scalar {
  return tf.mean(tf.relu(tf.neg(x))) as tf.Scalar;
}

/** Replaces the PSF kernel's gradient by its projection onto the sum-to-one plane (its mean removed): config experimental.psfGradient. */
export function tangentGradient(grads: tf.NamedTensorMap, kernelName: string): void {
  const g = grads[kernelName];
  if (!g) return;
  grads[kernelName] = tf.tidy(() => tf.sub(g, tf.mean(g)));
  g.dispose();
}

function generatorStep(
  s: StepState,
  a: tf.Tensor5D,
  aData: Float32Array,
  b: tf.Tensor5D,
  lr: number,
  step: number,
  terms: LossTerms,
): { fakeA: Float32Array; fakeB: Float32Array } {
  const { cfg, nets } = s;
  const gBA = nets.gBA!;
  const crops = drawCrops(s.rng, cfg.patchSize, cfg.discriminator.scales);
  // Synthetic blurred volumes get the real patch's noise level (fakeNoise 'estimated'), drawn before the graph.
  const n = cfg.patchSize;
  const noise =
    cfg.fakeNoise === 'estimated'
      ? { model: estimateNoise(aData, n), eps: toTensor(normals(s.rng, n * n * n), n) }
      : null;
  let parts: tf.Scalar[] = [];
  let fakes: tf.Tensor5D[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const fakeB = nets.gAB.apply(a);
    const fakeA = noise ? addNoise(gBA.apply(b), noise.model, noise.eps) : gBA.apply(b);
    const advAB = lsganGenerator(nets.dB, fakeB, crops);
    const advBA = lsganGenerator(nets.dA, fakeA, crops);
    const cycleA = l1(gBA.apply(fakeB), a);
    const cycleB = l1(nets.gAB.apply(fakeA), b);
    const psfL1 = nets.psf ? nets.psf.l1() : tf.scalar(0);
    const spectral = nets.psf && s.spectral ? spectralLoss(nets.psf.psf(), s.spectral) : tf.scalar(0);
    const positive = (cfg.loss.lambdaPositive ?? 0) > 0 ? negativePart(fakeB) : tf.scalar(0);
    parts = [advAB, advBA, cycleA, cycleB, psfL1, spectral, positive].map((t) => tf.keep(t));
    fakes = [tf.keep(fakeA), tf.keep(fakeB)];
    return tf.addN([
      advAB,
      advBA,
      tf.mul(tf.add(cycleA, cycleB), cfg.loss.lambdaCycle),
      tf.mul(psfL1, cfg.loss.lambdaPsf),
      tf.mul(spectral, cfg.loss.lambdaSpectral ?? 0),
      tf.mul(positive, cfg.loss.lambdaPositive ?? 0),
    ]) as tf.Scalar;
  }, generatorVariables(nets));
  try {
    const [advAB, advBA, cycleA, cycleB, psfL1, spectral, positive] = parts.map((t) => t.dataSync()[0]!);
    Object.assign(terms, { generator: value.dataSync()[0]!, advAB, advBA, cycleA, cycleB, psfL1, spectral, positive });
    checkFinite(terms, step);
    if (cfg.experimental?.psfGradient === 'tangent' && nets.psf) tangentGradient(grads, nets.psf.variables()[0]!.name);
    s.gOpt.apply(grads, lr);
    projectConstraints(nets);
    return { fakeA: fakes[0]!.dataSync() as Float32Array, fakeB: fakes[1]!.dataSync() as Float32Array };
  } finally {
    tf.dispose([value, ...parts, ...fakes, ...Object.values(grads)]);
    noise?.eps.dispose();
  }
}

function discriminatorStep(
  s: StepState,
  a: tf.Tensor5D,
  b: tf.Tensor5D,
  fakeA: Float32Array,
  fakeB: Float32Array,
  lr: number,
  step: number,
  terms: LossTerms,
): void {
  const { cfg, nets } = s;
  const n = cfg.patchSize;
  const crops = drawCrops(s.rng, n, cfg.discriminator.scales);
  const pooledA = toTensor(s.poolA.query(fakeA, s.rng), n);
  const pooledB = toTensor(s.poolB.query(fakeB, s.rng), n);
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const dA = lsganDiscriminator(nets.dA, a, pooledA, crops);
    const dB = lsganDiscriminator(nets.dB, b, pooledB, crops);
    parts = [tf.keep(dA), tf.keep(dB)];
    return tf.add(dA, dB) as tf.Scalar;
  }, discriminatorVariables(nets));
  try {
    terms.discriminatorA = parts[0]!.dataSync()[0]!;
    terms.discriminatorB = parts[1]!.dataSync()[0]!;
    checkFinite(terms, step);
    s.dOpt!.apply(grads, lr);
  } finally {
    tf.dispose([value, pooledA, pooledB, ...parts, ...Object.values(grads)]);
  }
}

/**
 * One step on one patch pair. `corrupt` (tests only) multiplies the blurred patch by NaN to exercise the
 * numeric guard through the real network.
 */
export function trainStep(s: StepState, batch: PatchPair, lr: number, step: number, corrupt = false): LossTerms {
  const n = s.cfg.patchSize;
  const a = corrupt
    ? toTensor(
        batch.a.map(() => NaN),
        n,
      )
    : toTensor(batch.a, n);
  const b = toTensor(batch.b, n);
  try {
    if (s.cfg.mode === 'supervised') return supervisedStep(s, a, b, lr, step);
    const terms = emptyTerms();
    const { fakeA, fakeB } = generatorStep(s, a, batch.a, b, lr, step, terms);
    discriminatorStep(s, a, b, fakeA, fakeB, lr, step, terms);
    return terms;
  } finally {
    tf.dispose([a, b]);
  }
}
