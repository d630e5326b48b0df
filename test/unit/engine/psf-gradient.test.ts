// How the PSF kernel is trained, beyond the paper:
// - experimental.psfGradient 'tangent': the kernel gradient's mean is removed. The mechanism it removes: a common-mode gradient
//   (every weight pushed the same way) through Adam (each weight moves by ≈ lr) and the sum-to-one projection
//   changes the kernel's WIDTH; with the tangent gradient the same push changes nothing.
// - detach (the stop-gradient the spectral loss uses; once also loss.psfCycleB, removed): an identity with zero
//   gradient, and through the real networks cycle B then gives the PSF kernel no gradient while G_AB still gets one.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { buildPsfLayer } from '../../../src-main/core/nn/models/psf-layer';
import { Adam } from '../../../src-main/core/train/adam';
import { detach, l1 } from '../../../src-main/core/train/losses';
import { tangentGradient } from '../../../src-main/core/train/step';
import { buildNetworks, disposeNetworks, generatorVariables } from '../../../src-main/core/train/networks';
import { randomTensor } from './gradcheck';

await tf.setBackend('cpu');

/** Mean squared distance from the centre, weighted by the kernel (its spread, voxels²). */
function spread(k: Float32Array, n: number): number {
  const c = (n - 1) / 2;
  let s = 0,
    w = 0;
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        s += k[i]! * ((z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2);
        w += k[i]!;
      }
  return s / w;
}

describe('psf.gradient tangent', () => {
  it('removes the mean and keeps the differences; the replaced gradient is disposed', () => {
    const g = tf.tensor1d([0.3, 0.1, -0.2, 0.6]);
    const grads: tf.NamedTensorMap = { k: g };
    tangentGradient(grads, 'k');
    const d = Array.from(grads.k!.dataSync());
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 6);
    expect(d[0]! - d[1]!).toBeCloseTo(0.2, 6);
    expect(d[3]! - d[2]!).toBeCloseTo(0.8, 6);
    expect(g.isDisposed).toBe(true);
    grads.k!.dispose();
  });

  it('a common-mode push narrows a projected sum-one kernel under plain Adam, and leaves it as it is when tangent', () => {
    const run = (tangent: boolean) => {
      const layer = buildPsfLayer(
        { size: 7, init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
        { seed: 1, gaussianSigma: 1.5, name: `cm_${tangent}` },
      );
      const kernel = layer.variables()[0]!;
      const before = spread(kernel.dataSync() as Float32Array, 7);
      const opt = new Adam([kernel], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      for (let i = 0; i < 50; i++) {
        // "Less of everything": the gradient a brightness mismatch gives, which no sum-one kernel can satisfy.
        const grads: tf.NamedTensorMap = { [kernel.name]: tf.fill([7, 7, 7], 0.01) };
        if (tangent) tangentGradient(grads, kernel.name);
        opt.apply(grads, 1e-4);
        tf.dispose(Object.values(grads));
        layer.project();
      }
      const after = spread(kernel.dataSync() as Float32Array, 7);
      opt.dispose();
      kernel.dispose();
      return after / before;
    };
    expect(run(false)).toBeLessThan(0.9); // the tails lost more, relatively, than the peak: narrower
    expect(run(true)).toBeCloseTo(1, 6);
  });
});

describe('detach (stop-gradient)', () => {
  it('is the identity forward and passes no gradient back', () => {
    const x = randomTensor([1, 2, 3, 4, 1], 3) as tf.Tensor5D;
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(detach(v as tf.Tensor5D), v)))(x);
    // d/dx Σ stop(x)·x = stop(x) = x (it would be 2x without the stop).
    expect(Array.from(g.dataSync())).toEqual(Array.from(x.dataSync()));
    const y = detach(x);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, g, y]);
  });

  it('through the networks: cycle B trains G_AB but not the PSF when detached', () => {
    const nets = buildNetworks(resolveTrainConfig('tiny'));
    const b = randomTensor([1, 8, 8, 8, 1], 5) as tf.Tensor5D;
    try {
      const kernelGradNorm = (stop: boolean) => {
        const { value, grads } = tf.variableGrads(() => {
          const fakeA = nets.gBA!.apply(b);
          return l1(nets.gAB.apply(stop ? detach(fakeA) : fakeA), b);
        }, generatorVariables(nets));
        const psfName = nets.psf!.variables()[0]!.name;
        const norms = Object.fromEntries(
          Object.entries(grads).map(([k, t]) => [k, tf.tidy(() => tf.sum(tf.abs(t)).dataSync()[0]!)]),
        );
        tf.dispose([value, ...Object.values(grads)]);
        const others = Object.entries(norms)
          .filter(([k]) => k !== psfName)
          .reduce((s, [, v]) => s + v, 0);
        return { psf: norms[psfName] ?? 0, others };
      };
      const plain = kernelGradNorm(false),
        stopped = kernelGradNorm(true);
      expect(plain.psf).toBeGreaterThan(1e-6);
      expect(stopped.psf).toBe(0);
      expect(stopped.others).toBeGreaterThan(1e-6);
      expect(stopped.others).toBeCloseTo(plain.others, 5);
    } finally {
      b.dispose();
      disposeNetworks(nets);
    }
  });
});
