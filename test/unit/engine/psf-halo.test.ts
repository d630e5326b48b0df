// The PSF layer's halo (psf.halo): its output is the convolution with the PSF it reports, that PSF is
// non-negative and sums to one, and the gradients of the halo's weight and widths match finite differences.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildPsfLayer } from '../../../src-main/core/nn/models/psf-layer';
import { haloParams, withHalo } from '../../../src-main/core/nn/models/psf-halo';
import { convolveArray } from '../../../src-main/core/deconv/convolve';
import { randomTensor } from './gradcheck';

await tf.setBackend('cpu');

function haloLayer(name: string) {
  const core = buildPsfLayer({ size: [3, 5, 5], init: 'gaussian', nonNegative: true, sumToOne: true, centred: true }, { seed: 2, name });
  return withHalo(core, { shape: [3, 5, 5], name, weight: 0.4, sigma: [1.5, 1.2] });
}

describe('PSF halo', () => {
  it('reports a non-negative sum-one PSF on the halo box, and applies exactly that PSF (interior voxels)', () => {
    const layer = haloLayer('halo_a');
    const k = layer.psf();
    expect(k.shape).toEqual([7, 11, 11]);
    const kv = k.dataSync() as Float32Array;
    expect(Math.min(...kv)).toBeGreaterThanOrEqual(0);
    expect(kv.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(haloParams(layer)).toEqual({ weight: expect.closeTo(0.4, 6), sigmaLateral: expect.closeTo(1.5, 6), sigmaAxial: expect.closeTo(1.2, 6) });
    const shape: [number, number, number] = [12, 16, 16];
    const x = randomTensor([1, ...shape, 1], 5).abs() as tf.Tensor5D;
    const y = tf.tidy(() => layer.apply(x)).dataSync();
    const ref = convolveArray(x.dataSync() as Float32Array, shape, kv, [7, 11, 11]);
    // Away from the borders (where the core's and the halo's reflect padding differ) the two agree.
    let worst = 0, n = 0;
    for (let z = 3; z < shape[0] - 3; z++) for (let yy = 5; yy < shape[1] - 5; yy++) for (let xx = 5; xx < shape[2] - 5; xx++, n++) {
      const i = (z * shape[1] + yy) * shape[2] + xx;
      worst = Math.max(worst, Math.abs(y[i]! - ref[i]!));
    }
    expect(n).toBeGreaterThan(100);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([k, x]);
    layer.variables().forEach((v) => v.dispose());
  });

  it('gradients of the halo weight and widths match central differences', () => {
    const layer = haloLayer('halo_g');
    const vars = layer.variables().filter((v) => v.name.includes('/halo_'));
    expect(vars).toHaveLength(2);
    const x = randomTensor([1, 8, 12, 12, 1], 8) as tf.Tensor5D;
    const r = randomTensor([1, 8, 12, 12, 1], 9);
    const loss = () => tf.tidy(() => tf.sum(tf.mul(layer.apply(x), r)) as tf.Scalar);
    const { grads } = tf.variableGrads(loss, vars);
    const eps = 1e-3;
    for (const v of vars) {
      const g = grads[v.name]!.dataSync();
      const base = Float32Array.from(v.dataSync());
      for (let i = 0; i < base.length; i++) {
        const at = (d: number) => {
          const p = base.slice();
          p[i]! += d;
          v.assign(tf.tensor(p, v.shape));
          const l = loss();
          const s = l.dataSync()[0]!;
          l.dispose();
          return s;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(numeric - g[i]!) / Math.max(Math.abs(g[i]!), 1e-3)).toBeLessThan(2e-2);
        expect(Math.abs(g[i]!)).toBeGreaterThan(1e-4);
      }
    }
    tf.dispose([x, r, ...Object.values(grads)]);
    layer.variables().forEach((v) => v.dispose());
  });
});
