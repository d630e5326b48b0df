// Finite-difference checks of every gradient the networks use (cpu backend, float32, tiny tensors).
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  conv3d,
  conv3dTranspose,
  instanceNorm3d,
  upsample3d,
  reflectPad3d,
  maxPool3d,
  crop3d,
} from '../../../src-main/core/nn/ops';
import { buildPsfLayer, buildUNet, disposeModule } from '../../../src-main/core/nn/models';
import { softplusHead } from '../../../src-main/core/nn/models/unet';
import { gradCheck, randomTensor } from './gradcheck';

const TOL = 1e-2;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectGrad(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  eps = 1e-2,
  samples: number | 'all' = 10,
): void {
  const before = tf.memory().numTensors;
  const res = gradCheck(f, inputs, { eps, samples });
  expect(res.maxAbsGrad).toBeGreaterThan(1e-3); // the probe saw a non-trivial gradient
  expect(res.relError).toBeLessThan(TOL);
  expect(tf.memory().numTensors).toBe(before); // no leaks in forward or backward
  tf.dispose(inputs);
}

describe('gradients (central differences, float32)', () => {
  it('conv3d w.r.t. input and kernel, stride 1, same', () => {
    expectGrad(
      (x, w) => conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same'),
      [randomTensor([1, 4, 4, 4, 2], 1), randomTensor([3, 3, 3, 2, 3], 2)],
    );
  });
  it('conv3d w.r.t. input and kernel, stride 2, same (odd and even sizes)', () => {
    expectGrad(
      (x, w) => conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 2, 'same'),
      [randomTensor([1, 5, 4, 6, 2], 3), randomTensor([3, 3, 3, 2, 2], 4)],
    );
  });
  it('conv3d valid', () => {
    expectGrad(
      (x, w) => conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'valid'),
      [randomTensor([1, 5, 5, 5, 1], 5), randomTensor([3, 2, 3, 1, 2], 6)],
    );
  });
  it('conv3dTranspose (Conv3DBackpropInputV2, gradient registered by us) w.r.t. input and kernel', () => {
    expectGrad(
      (x, w) => conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, 2, 'same'),
      [randomTensor([1, 2, 3, 2, 3], 7), randomTensor([2, 2, 2, 2, 3], 8)],
    );
  });
  it('conv3dTranspose with overlapping 3³ kernel, stride 2', () => {
    expectGrad(
      (x, w) => conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, 2, 'same'),
      [randomTensor([1, 2, 2, 3, 2], 9), randomTensor([3, 3, 3, 1, 2], 10)],
    );
  });
  it('instance norm (with affine parameters)', () => {
    expectGrad(
      (x, g, b) => instanceNorm3d(x as tf.Tensor5D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }),
      [randomTensor([2, 3, 3, 2, 2], 11), randomTensor([2], 12), randomTensor([2], 13)],
      1e-3,
    );
  });
  it('nearest up-sampling ×2', () => {
    expectGrad((x) => upsample3d(x as tf.Tensor5D), [randomTensor([1, 2, 3, 2, 2], 14)]);
  });
  it("resize-convolution up-sampling (generator.upsample 'nearest-conv'): nearest ×2 then conv 3³, w.r.t. input and kernel", () => {
    expectGrad(
      (x, w) => conv3d(upsample3d(x as tf.Tensor5D), w as tf.Tensor5D, 1, 'same'),
      [randomTensor([1, 2, 3, 2, 4], 17), randomTensor([3, 3, 3, 4, 2], 18)],
    );
  });
  it("U-Net with generator.upsample 'nearest-conv': gradient w.r.t. the input through every layer", () => {
    const net = buildUNet({ levels: 2, baseChannels: 2, convsPerLevel: 1, upsample: 'nearest-conv' }, 4, {
      name: 'gc_up',
    });
    expect(net.variables().find((v) => v.name === 'gc_up/up0/kernel')!.shape).toEqual([3, 3, 3, 4, 2]);
    // Seed and eps chosen so no probed perturbation crosses a ReLU kink or changes a max-pool winner (other seeds
    // do, for either up-sampling: the central difference then straddles a kink, not a wrong gradient).
    expectGrad((x) => net.apply(x as tf.Tensor5D), [randomTensor([1, 4, 4, 4, 1], 19)], 3e-3, 20);
    disposeModule(net);
  });
  it("softplus output head (generator.output 'softplus'), across both signs and the bend", () => {
    expectGrad((x) => softplusHead(tf.mul(x, 0.3) as tf.Tensor5D), [randomTensor([1, 2, 3, 2, 1], 21)], 1e-3, 'all');
  });
  it('reflect padding', () => {
    // Every entry: the mirrored voxels near the faces are exactly where tf.mirrorPad's own gradient is wrong.
    expectGrad(
      (x) =>
        reflectPad3d(x as tf.Tensor5D, [
          [1, 2],
          [2, 1],
          [0, 2],
        ]),
      [randomTensor([1, 3, 3, 4, 1], 15)],
      1e-2,
      'all',
    );
  });
  it('max pooling and cropping', () => {
    // Small eps so no perturbation changes which voxel is the maximum; every entry probed.
    expectGrad(
      (x) => crop3d(maxPool3d(x as tf.Tensor5D), [0, 1, 0], [2, 1, 2]),
      [randomTensor([1, 4, 4, 4, 2], 16)],
      1e-3,
      'all',
    );
  });
  it('PSF layer: gradient w.r.t. the sharp input and the PSF kernel, even size, after projection', () => {
    const layer = buildPsfLayer(
      { size: [4, 3, 4], init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
      { seed: 1, name: 'gc_psf' },
    );
    const kernel = layer.variables()[0]!;
    const f = (x: tf.Tensor, k: tf.Tensor) => {
      const saved = tf.clone(kernel);
      kernel.assign(k as tf.Tensor3D);
      const y = layer.apply(x as tf.Tensor5D);
      kernel.assign(saved);
      saved.dispose();
      return y;
    };
    // Check via the kernel as an explicit input: the layer reads its variable, so route k through assign and
    // take the analytic gradient from tf.variableGrads instead.
    const x = randomTensor([1, 5, 4, 6, 1], 17);
    const r = randomTensor([1, 5, 4, 6, 1], 18);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x as tf.Tensor5D), r)) as tf.Scalar, [kernel]);
    const g = grads[kernel.name]!.dataSync();
    const base = Float32Array.from(kernel.dataSync());
    const rv = r.dataSync();
    const lossAt = (v: Float32Array) => {
      const k = tf.tensor(v, kernel.shape);
      const y = f(x, k);
      const yv = y.dataSync();
      tf.dispose([k, y]);
      let s = 0;
      yv.forEach((a, i) => {
        s += a * rv[i]!;
      });
      return s;
    };
    let worst = 0;
    let maxAbs = 0;
    for (const idx of [0, 5, 17, 23, 30, 47]) {
      const p = base.slice();
      p[idx]! += 1e-2;
      const m = base.slice();
      m[idx]! -= 1e-2;
      const numeric = (lossAt(p) - lossAt(m)) / 2e-2;
      worst = Math.max(worst, Math.abs(numeric - g[idx]!));
      maxAbs = Math.max(maxAbs, Math.abs(g[idx]!));
    }
    expect(worst / maxAbs).toBeLessThan(TOL);
    tf.dispose([r, ...Object.values(grads)]);
    // ... and w.r.t. the input through the generic checker.
    expectGrad((xx) => layer.apply(xx as tf.Tensor5D), [x], 1e-2, 'all');
    disposeModule(layer);
  });
  it('PSF layer regulariser l1 has gradient sign(k)', () => {
    const layer = buildPsfLayer(
      { size: 3, init: 'gaussian', nonNegative: false, sumToOne: false, centred: false },
      { seed: 1, name: 'gc_l1' },
    );
    const kernel = layer.variables()[0]!;
    kernel.assign(randomTensor([3, 3, 3], 19) as tf.Tensor3D);
    const { grads } = tf.variableGrads(() => layer.l1(), [kernel]);
    const expected = kernel.dataSync().map(Math.sign);
    expect(Array.from(grads[kernel.name]!.dataSync())).toEqual(Array.from(expected));
    tf.dispose(Object.values(grads));
    disposeModule(layer);
  });
});
