// The FFT convolution of the PSF layer (psf.convolution 'fft'): values and both gradients equal tfjs' own
// conv3d (kernel reversed, 'valid') and its gradients, for odd, even and anisotropic kernels, batches and
// grids that are not 2·3·5-smooth; a finite-difference check of both gradients; and the PSF layer gives the
// same blur and the same kernel gradient with either convolution; three `tiny` training steps with a 9³ PSF
// give the same losses and the same learned PSF either way (config validation included).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fftConv3dValid, fftConvGrid, fftConvPath, fftConvSupported } from '../../../src-main/core/nn/ops/fft-conv';
import { buildPsfLayer } from '../../../src-main/core/nn/models/psf-layer';
import { resolveTrainConfig, type TrainConfig } from '../../../src-main/core/train/config';
import { Adam } from '../../../src-main/core/train/adam';
import {
  buildNetworks,
  discriminatorVariables,
  disposeNetworks,
  generatorVariables,
} from '../../../src-main/core/train/networks';
import { ImagePool } from '../../../src-main/core/train/pool';
import { Rng } from '../../../src-main/core/train/rng';
import { trainStep, type StepState } from '../../../src-main/core/train/step';
import { gradCheck, randomTensor } from './gradcheck';
import { resetFlags } from '../../../src-main/core/flags';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The reference: tfjs' conv3d (cross-correlation) with the kernel reversed = a true convolution. */
function direct(x: tf.Tensor5D, k: tf.Tensor3D): tf.Tensor5D {
  return tf.conv3d(x, tf.reshape(tf.reverse(k, [0, 1, 2]), [...k.shape, 1, 1]) as tf.Tensor5D, 1, 'valid');
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync(),
    bv = b.dataSync();
  expect(av.length).toBe(bv.length);
  let d = 0,
    m = 0;
  for (let i = 0; i < av.length; i++) {
    d = Math.max(d, Math.abs(av[i]! - bv[i]!));
    m = Math.max(m, Math.abs(bv[i]!));
  }
  return d / m;
}

const CASES: { x: [number, number, number, number, number]; k: [number, number, number] }[] = [
  { x: [1, 12, 12, 12, 1], k: [5, 5, 5] },
  { x: [2, 9, 13, 11, 1], k: [4, 6, 3] }, // even and odd sizes, anisotropic, batch 2; grids 9→9, 13→15, 11→12
  { x: [1, 21, 21, 21, 1], k: [11, 11, 11] }, // 21 → grid 24
  { x: [1, 7, 8, 9, 1], k: [1, 1, 1] },
];

describe('fftConv3dValid', () => {
  it('knows where it runs and pads to smooth grids', () => {
    expect(fftConvSupported('cpu')).toBe(true);
    expect(fftConvSupported('webgpu')).toBe(false);
    expect(fftConvGrid([62, 13, 49])).toEqual([64, 15, 50]);
  });

  function check(xs: [number, number, number, number, number], ks: [number, number, number]): void {
    const x = randomTensor(xs, 1) as tf.Tensor5D,
      k = randomTensor(ks, 2) as tf.Tensor3D;
    const outShape = xs.slice(1, 4).map((p, i) => p - ks[i]! + 1);
    const r = randomTensor([xs[0], ...outShape, 1], 3);
    const before = tf.memory().numTensors;
    const [yF, gF] = tf.tidy(
      () =>
        [
          fftConv3dValid(x, k),
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(fftConv3dValid(a as tf.Tensor5D, b as tf.Tensor3D), r)),
          )([x, k]),
        ] as const,
    );
    const [yD, gD] = tf.tidy(
      () =>
        [
          direct(x, k),
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(direct(a as tf.Tensor5D, b as tf.Tensor3D), r)))([
            x,
            k,
          ]),
        ] as const,
    );
    expect(yF.shape).toEqual([xs[0], ...outShape, 1]);
    expect(maxRelDiff(yF, yD)).toBeLessThan(2e-6);
    expect(gF[0]!.shape).toEqual(xs);
    expect(gF[1]!.shape).toEqual(ks);
    expect(maxRelDiff(gF[0]!, gD[0]!)).toBeLessThan(2e-6);
    expect(maxRelDiff(gF[1]!, gD[1]!)).toBeLessThan(2e-6);
    tf.dispose([yF, yD, ...gF, ...gD]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, k, r]);
  }

  for (const { x: xs, k: ks } of CASES)
    for (const fft of ['wasm', 'js'] as const) {
      it(`equals tfjs conv3d and its gradients: x ${xs.join('×')}, kernel ${ks.join('×')}, ${fft} FFT`, () => {
        const saved = process.env.CYCLEDECON_FFT;
        if (fft === 'js') process.env.CYCLEDECON_FFT = 'js';
        resetFlags(); // flags are read once (core/flags.ts)
        try {
          const grid = fftConvGrid(xs.slice(1, 4) as [number, number, number]);
          // the WebAssembly kernel runs on every machine this project supports (SIMD); 'js' is forced by the variable
          expect(fftConvPath(grid)).toBe(fft);
          check(xs, ks);
        } finally {
          if (saved === undefined) delete process.env.CYCLEDECON_FFT;
          else process.env.CYCLEDECON_FFT = saved;
          resetFlags();
        }
      });
    }

  it('passes a finite-difference check in both arguments', () => {
    const x = randomTensor([1, 7, 8, 6, 1], 11),
      k = randomTensor([3, 4, 3], 12);
    const res = gradCheck((a, b) => fftConv3dValid(a as tf.Tensor5D, b as tf.Tensor3D), [x, k], {
      samples: 12,
      eps: 1e-2,
    });
    expect(res.probed).toBe(24);
    expect(res.maxAbsGrad).toBeGreaterThan(0.1);
    expect(res.relError).toBeLessThan(1e-3);
    tf.dispose([x, k]);
  });

  it('rejects more than one channel and kernels larger than the input', () => {
    const x = tf.zeros([1, 6, 6, 6, 2]) as tf.Tensor5D,
      x1 = tf.zeros([1, 6, 6, 6, 1]) as tf.Tensor5D;
    expect(() => fftConv3dValid(x, tf.ones([3, 3, 3]))).toThrow(/one channel/);
    expect(() => fftConv3dValid(x1, tf.ones([7, 3, 3]))).toThrow(/larger than/);
    tf.dispose([x, x1]);
  });
});

describe('PSF layer with convolution fft', () => {
  it('blurs like the direct layer and gives the kernel the same gradient', () => {
    const cfg = {
      size: [7, 5, 5] as [number, number, number],
      init: 'gaussian' as const,
      nonNegative: true,
      sumToOne: true,
      centred: true,
    };
    const direct = buildPsfLayer(cfg, { seed: 1, gaussianSigma: [1.5, 1, 1], name: 'psf_direct' });
    const fft = buildPsfLayer({ ...cfg, convolution: 'fft' }, { seed: 1, gaussianSigma: [1.5, 1, 1], name: 'psf_fft' });
    const x = tf.abs(randomTensor([1, 10, 12, 9, 1], 5)) as tf.Tensor5D;
    const r = randomTensor([1, 10, 12, 9, 1], 6);
    const run = (m: typeof direct) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x), r)) as tf.Scalar, m.variables());
        return [m.apply(x), Object.values(grads)[0]!] as const;
      });
    const [yD, gD] = run(direct),
      [yF, gF] = run(fft);
    expect(yF.shape).toEqual(x.shape);
    expect(maxRelDiff(yF, yD)).toBeLessThan(2e-6);
    expect(maxRelDiff(gF, gD)).toBeLessThan(2e-6);
    // a blur, not an identity: the output differs from the input
    expect(maxRelDiff(yF, x)).toBeGreaterThan(0.05);
    tf.dispose([yD, gD, yF, gF, x, r, ...direct.variables(), ...fft.variables()]);
  });
});

describe('training with psf.convolution fft', () => {
  function run(cfg: TrainConfig): { losses: number[]; psf: Float32Array } {
    const nets = buildNetworks(cfg);
    const settings = { beta1: cfg.optimiser.beta1, beta2: cfg.optimiser.beta2, epsilon: cfg.optimiser.epsilon };
    const s: StepState = {
      cfg,
      nets,
      gOpt: new Adam(generatorVariables(nets), settings),
      dOpt: new Adam(discriminatorVariables(nets), settings),
      poolA: new ImagePool(cfg.poolSize),
      poolB: new ImagePool(cfg.poolSize),
      rng: new Rng(3),
    };
    const n = cfg.patchSize ** 3;
    const losses: number[] = [];
    try {
      for (let step = 1; step <= 3; step++) {
        const batch = {
          a: Float32Array.from({ length: n }, (_, i) => ((i * 7919 + step) % 1000) / 1000),
          b: Float32Array.from({ length: n }, (_, i) => ((i * 104729 + step) % 1000) / 1000),
        };
        const t = trainStep(s, batch, cfg.optimiser.lr, step);
        losses.push(t.generator, t.cycleA, t.cycleB, t.psfL1, t.discriminatorA, t.discriminatorB);
      }
      const k = nets.psf!.psf();
      const psf = k.dataSync() as Float32Array;
      k.dispose();
      return { losses, psf };
    } finally {
      disposeNetworks(nets);
      s.gOpt.dispose();
      s.dOpt?.dispose();
    }
  }

  it('gives the same losses and the same learned PSF as the direct convolution', () => {
    expect(() => resolveTrainConfig('tiny', { experimental: { psfConvolution: 'gpu' as never } })).toThrow(
      /psfConvolution/,
    );
    const base = { psf: { size: 9 }, background: true };
    const direct = run(resolveTrainConfig('tiny', { ...base, experimental: { psfInitSigma: 1.2 } }));
    const fft = run(
      resolveTrainConfig('tiny', { ...base, experimental: { psfInitSigma: 1.2, psfConvolution: 'fft' } }),
    );
    expect(fft.losses.every(Number.isFinite)).toBe(true);
    fft.losses.forEach((v, i) =>
      expect(Math.abs(v - direct.losses[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(direct.losses[i]!))),
    );
    let d = 0,
      m = 0;
    fft.psf.forEach((v, i) => {
      d = Math.max(d, Math.abs(v - direct.psf[i]!));
      m = Math.max(m, direct.psf[i]!);
    });
    expect(d / m).toBeLessThan(1e-3);
    // the PSF did move during the three steps (the comparison is not of two untouched kernels)
    const start = buildPsfLayer(
      { size: 9, init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
      { seed: 0, gaussianSigma: 1.2, name: 'psf_start' },
    );
    const k0 = start.psf();
    const s0 = k0.dataSync();
    let moved = 0;
    s0.forEach((v, i) => {
      moved = Math.max(moved, Math.abs(v - direct.psf[i]!));
    });
    expect(moved / m).toBeGreaterThan(1e-3);
    tf.dispose([k0, ...start.variables()]);
  });
});
