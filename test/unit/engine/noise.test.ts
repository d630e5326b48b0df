// The noise model for synthetic blurred volumes (fakeNoise 'estimated'): the Poisson–Gaussian estimator recovers
// the known levels of synthetic widefield data, and addNoise draws at that level with an identity gradient.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { addNoise, estimateNoise } from '../../../src-main/core/train/noise';
import { Rng } from '../../../src-main/core/train/rng';
import { DEFAULT_SYNTH, synthesize } from '../../../src-main/core/synth/index';

describe('estimateNoise', () => {
  it('recovers the shot- and read-noise levels of a synthetic widefield stack (in scaled units)', () => {
    // Photons → x = photons / 50: var(x) = (signal + background)/50² + σ_read²/50² = x/50 + 4/2500.
    const scale = 50;
    for (const photons of [200, 2000]) {
      const s = synthesize({ ...DEFAULT_SYNTH, photons, seed: 7, shape: [32, 32, 32] });
      const x = s.blurred.data.map((v) => v / scale);
      const m = estimateNoise(x, 32);
      expect(m.alpha).toBeGreaterThan(0.85 / scale);
      expect(m.alpha).toBeLessThan(1.2 / scale);
      expect(m.beta).toBeLessThan(0.01); // the read-noise term is small here; it must not absorb the shot noise
    }
  });

  it('recovers a pure read-noise level and gives zero noise for a flat volume', () => {
    const rng = new Rng(3);
    const n = 24;
    const x = Float32Array.from({ length: n ** 3 }, (_, i) => 0.3 + 0.2 * Math.sin(i / 500) + 0.05 * rng.normal());
    const m = estimateNoise(x, n);
    expect(Math.sqrt(m.beta + m.alpha * 0.3)).toBeGreaterThan(0.045);
    expect(Math.sqrt(m.beta + m.alpha * 0.3)).toBeLessThan(0.055);
    expect(estimateNoise(new Float32Array(n ** 3).fill(0.5), n)).toEqual({ alpha: 0, beta: 0 });
  });
});

describe('addNoise', () => {
  it('adds noise of variance α·x + β and passes the gradient through unchanged', () => {
    const n = 16,
      model = { alpha: 0.02, beta: 0.001 };
    const rng = new Rng(11);
    const level = 0.4;
    const x = tf.fill([1, n, n, n, 1], level) as tf.Tensor5D;
    const eps = tf.tensor5d(
      Float32Array.from({ length: n ** 3 }, () => rng.normal()),
      [1, n, n, n, 1],
    );
    const y = addNoise(x, model, eps);
    const d = y.dataSync() as Float32Array;
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length;
    expect(mean).toBeCloseTo(level, 2);
    expect(variance / (model.alpha * level + model.beta)).toBeGreaterThan(0.93);
    expect(variance / (model.alpha * level + model.beta)).toBeLessThan(1.07);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(addNoise(t as tf.Tensor5D, model, eps), 2)))(x);
    expect(Array.from(new Set(g.dataSync()))).toEqual([2]);
    tf.dispose([x, eps, y, g]);
  });
});
