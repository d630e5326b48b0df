// The typed-array instance norm (ops/norm-cpu.ts), reflect padding, crop and bias (ops/resample-cpu.ts)
// against the tf-ops formulations they replace on CPU backends: values and gradients, batch 2, a 1-voxel volume (degenerate: output 0), and a
// central finite-difference check of the hand-written gradient.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addBias,
  concatChannels,
  crop3d,
  instanceNorm3d,
  maxPool3d,
  reflectPad3d,
  upsample3d,
  withNormStats,
} from '../../../src-main/core/nn/ops';
import { boxMomentsCpu } from '../../../src-main/core/nn/ops/norm-cpu';
import { Adam } from '../../../src-main/core/train/adam';
import { instanceNormCpu } from '../../../src-main/core/nn/ops/norm-cpu';
import { resetFlags, setFlag } from '../../../src-main/core/flags';

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(),
    y = b.dataSync();
  let num = 0,
    den = 1e-12;
  for (let i = 0; i < x.length; i++) {
    num = Math.max(num, Math.abs(x[i]! - y[i]!));
    den = Math.max(den, Math.abs(y[i]!));
  }
  return num / den;
}

function withTfNorm<T>(fn: () => T): T {
  setFlag('cpuOps', 'tfjs');
  try {
    return fn();
  } finally {
    resetFlags();
  }
}

describe('instance norm on typed arrays (cpu backends)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const shape of [
    [2, 3, 4, 5, 6],
    [1, 1, 1, 1, 4],
    [1, 6, 5, 4, 1],
  ] as [number, number, number, number, number][]) {
    it(`matches the tf.moments version, values and gradients, ${shape.join('×')}`, () => {
      tf.tidy(() => {
        const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), 3), 2) as tf.Tensor5D;
        const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
        const gamma = tf.randomNormal([shape[4]], 1, 0.2, 'float32', 3) as tf.Tensor1D;
        const beta = tf.randomNormal([shape[4]], 0, 0.2, 'float32', 4) as tf.Tensor1D;
        const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(instanceNorm3d(a as tf.Tensor5D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }), r));
        const ours = { y: instanceNorm3d(x, { gamma, beta }), g: tf.grads(loss)([x, gamma, beta]) };
        const ref = withTfNorm(() => ({ y: instanceNorm3d(x, { gamma, beta }), g: tf.grads(loss)([x, gamma, beta]) }));
        expect(maxRel(ours.y, ref.y)).toBeLessThan(1e-5);
        for (let i = 0; i < 3; i++) expect(maxRel(ours.g[i]!, ref.g[i]!)).toBeLessThan(1e-4);
        if (shape[1] * shape[2] * shape[3] === 1)
          expect(Array.from(instanceNormCpu(x, 1e-5).dataSync()).every((v) => v === 0)).toBe(true);
      });
    });
  }

  it('reflect padding, crops, channel concatenation and per-channel bias match the tf-ops versions, values and gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 4, 6, 3], 0, 1, 'float32', 7) as tf.Tensor5D;
      const bias = tf.randomNormal([3], 0, 1, 'float32', 8);
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const c = crop3d(
          addBias(
            reflectPad3d(a as tf.Tensor5D, [
              [2, 1],
              [0, 3],
              [3, 2],
            ]),
            b,
          ),
          [1, 2, 0],
          [5, 4, 9],
        );
        return concatChannels(c, tf.square(c) as tf.Tensor5D);
      };
      const r = tf.randomNormal([2, 5, 4, 9, 6], 0, 1, 'float32', 9);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r));
      const ours = { y: f(x, bias), g: tf.grads(loss)([x, bias]) };
      const ref = withTfNorm(() => ({ y: f(x, bias), g: tf.grads(loss)([x, bias]) }));
      expect(ours.y.shape).toEqual([2, 5, 4, 9, 6]);
      expect(maxRel(ours.y, ref.y)).toBe(0);
      expect(maxRel(ours.g[0]!, ref.g[0]!)).toBeLessThan(1e-5);
      expect(maxRel(ours.g[1]!, ref.g[1]!)).toBeLessThan(1e-5);
    });
  });

  it('max pooling (odd sizes floored) matches tf.maxPool3d, values and gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 6, 7, 3], 0, 1, 'float32', 10) as tf.Tensor5D;
      const r = tf.randomNormal([2, 2, 3, 3, 3], 0, 1, 'float32', 11);
      const loss = (a: tf.Tensor) => tf.sum(tf.mul(maxPool3d(a as tf.Tensor5D), r));
      const ours = { y: maxPool3d(x), g: tf.grad(loss)(x) };
      const ref = withTfNorm(() => ({ y: maxPool3d(x), g: tf.grad(loss)(x) }));
      expect(ours.y.shape).toEqual([2, 2, 3, 3, 3]);
      expect(maxRel(ours.y, ref.y)).toBe(0);
      expect(maxRel(ours.g, ref.g)).toBe(0);
    });
  });

  it('nearest up-sampling ×2 matches the tf-ops version, values and gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 2, 4, 3], 0, 1, 'float32', 12) as tf.Tensor5D;
      const r = tf.randomNormal([2, 6, 4, 8, 3], 0, 1, 'float32', 13);
      const loss = (a: tf.Tensor) => tf.sum(tf.mul(upsample3d(a as tf.Tensor5D), r));
      const ours = { y: upsample3d(x), g: tf.grad(loss)(x) };
      const ref = withTfNorm(() => ({ y: upsample3d(x), g: tf.grad(loss)(x) }));
      expect(ours.y.shape).toEqual([2, 6, 4, 8, 3]);
      expect(maxRel(ours.y, ref.y)).toBe(0);
      expect(maxRel(ours.g, ref.g)).toBeLessThan(1e-6);
    });
  });

  it('Adam on typed arrays takes the same steps as the tf-ops Adam', () => {
    const run = () => {
      const w = tf.variable(tf.tensor1d([0.5, -1, 2, 0]), true, `w${Math.random()}`);
      const opt = new Adam([w], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      for (let i = 0; i < 5; i++) opt.apply({ [w.name]: tf.tensor1d([0.1 * i, -0.2, 0.3, 1e-4]) }, 0.01);
      const out = Array.from(w.dataSync());
      w.dispose();
      return out;
    };
    const ours = run(),
      ref = withTfNorm(run);
    ours.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-6));
    expect(Math.abs(ours[0]! - 0.5)).toBeGreaterThan(1e-3); // it moved
  });

  it('Adam scales the step of a variable by its lrScale (the PSF kernel), on both code paths', () => {
    const run = () => {
      const a = tf.variable(tf.tensor1d([0.5, -1, 2]), true, `a${Math.random()}`);
      const b = tf.variable(tf.tensor1d([0.5, -1, 2]), true, `b${Math.random()}`);
      const opt = new Adam([a, b], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, lrScale: { [b.name]: 0.1 } });
      for (let i = 0; i < 4; i++) {
        const g = tf.tensor1d([0.3, -0.2, 1e-3 * (i + 1)]);
        opt.apply({ [a.name]: g, [b.name]: g }, 0.01);
        g.dispose();
      }
      const moved = [a, b].map((v) => Array.from(v.dataSync()).map((x, i) => x - [0.5, -1, 2][i]!));
      a.dispose();
      b.dispose();
      return moved;
    };
    for (const [da, db] of [run(), withTfNorm(run)] as [number[], number[]][]) {
      expect(Math.abs(da[0]!)).toBeGreaterThan(0.03); // ≈ 4 steps of lr
      da.forEach((d, i) => expect(db[i]! / d).toBeCloseTo(0.1, 4));
    }
  });

  it('Adam with tensorNorm moves each weight in proportion to its gradient (tiny gradients barely move), on both code paths', () => {
    const g0 = [0.3, -0.2, 1e-3, 1e-4];
    const run = () => {
      const a = tf.variable(tf.tensor1d([0.5, -1, 2, 0]), true, `a${Math.random()}`);
      const b = tf.variable(tf.tensor1d([0.5, -1, 2, 0]), true, `b${Math.random()}`);
      const opt = new Adam([a, b], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, tensorNorm: new Set([b.name]) });
      for (let i = 0; i < 3; i++) {
        const g = tf.tensor1d(g0);
        opt.apply({ [a.name]: g, [b.name]: g }, 0.01);
        g.dispose();
      }
      const moved = [a, b].map((v) => Array.from(v.dataSync()).map((x, i) => x - [0.5, -1, 2, 0][i]!));
      a.dispose();
      b.dispose();
      return moved;
    };
    // A constant gradient: m/√v̂ is sign(g) per element for plain Adam; for tensorNorm it is g / rms(g).
    const rms = Math.sqrt(g0.reduce((s, g) => s + g * g, 0) / g0.length);
    for (const [plain, shared] of [run(), withTfNorm(run)] as [number[], number[]][]) {
      plain.forEach((d, i) => expect(d / -0.03).toBeCloseTo(Math.sign(g0[i]!), 2)); // every weight moves ≈ 3·lr
      shared.forEach((d, i) => expect(d / (-0.03 * (g0[i]! / rms))).toBeCloseTo(1, 2));
      expect(Math.abs(shared[3]!)).toBeLessThan(1e-4); // the tiny-gradient weight barely moves (plain Adam: 0.03)
    }
  });

  it('imposed statistics (tiled inference) and box moments match the tf-ops versions', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([1, 6, 5, 7, 4], 2, 3, 'float32', 12) as tf.Tensor5D;
      const stats = { mean: tf.tensor1d([0.5, -1, 2, 0]), variance: tf.tensor1d([1, 4, 0.25, 9]) };
      const run = () =>
        withNormStats(
          () => stats,
          () => instanceNorm3d(x, { id: 'n0' }),
        );
      expect(maxRel(run(), withTfNorm(run))).toBeLessThan(1e-6);
      const m = boxMomentsCpu(x, [1, 2, 0], [4, 3, 5]);
      const ref = tf.moments(tf.slice(x, [0, 1, 2, 0, 0], [1, 4, 3, 5, -1]), [0, 1, 2, 3]);
      Array.from(ref.mean.dataSync()).forEach((v, k) => expect(Math.abs(m.mean[k]! - v)).toBeLessThan(1e-5));
      Array.from(ref.variance.dataSync()).forEach((v, k) =>
        expect(Math.abs(m.variance[k]! - v) / v).toBeLessThan(1e-5),
      );
    });
  });

  it('gradient agrees with central finite differences', () => {
    const x = tf.randomNormal([1, 3, 3, 2, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
    const r = tf.randomNormal([1, 3, 3, 2, 3], 0, 1, 'float32', 6);
    const loss = (a: tf.Tensor5D) => tf.sum(tf.mul(tf.square(instanceNormCpu(a, 1e-5)), r)).dataSync()[0]!;
    const g = tf
      .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.square(instanceNormCpu(a as tf.Tensor5D, 1e-5)), r)))(x)
      .dataSync();
    const flat = x.dataSync();
    const h = 1e-2;
    for (const i of [0, 7, 20, 53]) {
      const at = (d: number) => {
        const f = flat.slice();
        f[i]! += d;
        return loss(tf.tensor5d(f, x.shape));
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    }
  });
});
