// On the wasm backend (whose own Conv3D gradients are wrong in tfjs 4.22) the vol2col conv3d and both of its
// gradients must equal tfjs' cpu Conv3D results computed on the same inputs (< 1e-4 relative difference).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { vol2colConv3d } from '../../../src-main/core/nn/conv/vol2col-conv3d';

function grads(
  conv: (x: tf.Tensor5D, w: tf.Tensor5D) => tf.Tensor5D,
  x: Float32Array,
  w: Float32Array,
  r: Float32Array,
  xs: number[],
  ws: number[],
  rs: number[],
): Float32Array[] {
  return tf.tidy(() => {
    const [xt, wt, rt] = [tf.tensor(x, xs), tf.tensor(w, ws), tf.tensor(r, rs)];
    const y = conv(xt as tf.Tensor5D, wt as tf.Tensor5D);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor5D, b as tf.Tensor5D), rt)))([
      xt,
      wt,
    ]);
    return [y, ...g].map((t) => t.dataSync() as Float32Array);
  });
}

function rel(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

describe('fast conv3d on the wasm backend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const stride of [1, 2]) {
    it(`forward, dx and dw equal tfjs cpu Conv3D (stride ${stride}, same)`, async () => {
      const xs = [1, 6, 5, 6, 3];
      const ws = [3, 3, 3, 3, 4];
      const rs = [1, ...xs.slice(1, 4).map((n) => Math.ceil(n / stride)), 4];
      await tf.setBackend('cpu');
      const random = (s: number[], seed: number) =>
        tf.tidy(() => tf.randomNormal(s, 0, 1, 'float32', seed).dataSync() as Float32Array);
      const x = random(xs, 1),
        w = random(ws, 2),
        r = random(rs, 3);
      const ref = grads((a, b) => tf.conv3d(a, b, stride, 'same'), x, w, r, xs, ws, rs);
      expect(await tf.setBackend('wasm')).toBe(true);
      const got = grads((a, b) => vol2colConv3d(a, b, [stride, stride, stride], 'same'), x, w, r, xs, ws, rs);
      for (let i = 0; i < 3; i++) expect(rel(got[i]!, ref[i]!)).toBeLessThan(1e-4);
    });
  }
});
