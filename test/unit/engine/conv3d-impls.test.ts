// The vol2col + matMul conv3d and our WebAssembly and native kernels must match tfjs' cpu Conv3D kernels (forward and both gradients) to < 1e-4
// relative difference, for stride 1 and 2, 'same' and 'valid', and the transposed convolution; its gradients
// are also checked against central finite differences (independent of any tfjs gradient).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { vol2colConv3d, vol2colConv3dImpl } from '../../../src-main/core/nn/conv/vol2col-conv3d';
import { nativeConv3dImpl, wasmConv3dImpl, wasmConvThreads } from '../../../src-main/core/nn/conv/runtime-conv3d';
import { setMaxColumnFloats } from '../../../src-main/core/nn/conv/vol2col';
import { registerConv3dGradients, type Padding } from '../../../src-main/core/nn/ops';

type T3 = [number, number, number];
type S5 = [number, number, number, number, number];

function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num = Math.max(num, Math.abs(x[i]! - y[i]!));
    den = Math.max(den, Math.abs(y[i]!));
  }
  return num / Math.max(den, 1e-12);
}

/** Value and gradients of L = Σ conv(x, w) · r for a conv function. */
function valueAndGrads(
  conv: (x: tf.Tensor5D, w: tf.Tensor5D) => tf.Tensor5D,
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  r: tf.Tensor5D,
) {
  const y = conv(x, w);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(conv(a as tf.Tensor5D, b as tf.Tensor5D), r)),
  )([x, w]);
  return { y, dx: dx!, dw: dw! }; // one gradient per input
}

const CASES: { name: string; x: S5; k: T3; cout: number; s: T3; pad: Padding }[] = [
  { name: '3³ same stride 1, 2 → 3 channels', x: [1, 5, 6, 4, 2], k: [3, 3, 3], cout: 3, s: [1, 1, 1], pad: 'same' },
  { name: '3³ same stride 2, odd sizes', x: [1, 7, 6, 5, 2], k: [3, 3, 3], cout: 3, s: [2, 2, 2], pad: 'same' },
  { name: '3³ valid stride 2', x: [1, 7, 8, 6, 1], k: [3, 3, 3], cout: 2, s: [2, 2, 2], pad: 'valid' },
  {
    name: 'even 4×2×3 kernel, same, mixed strides, batch 2',
    x: [2, 6, 5, 7, 2],
    k: [4, 2, 3],
    cout: 2,
    s: [1, 2, 1],
    pad: 'same',
  },
  { name: '1³ valid (U-Net output layer)', x: [1, 4, 4, 4, 3], k: [1, 1, 1], cout: 1, s: [1, 1, 1], pad: 'valid' },
  {
    name: '5³ single channel valid (PSF layer)',
    x: [1, 9, 8, 10, 1],
    k: [5, 5, 5],
    cout: 1,
    s: [1, 1, 1],
    pad: 'valid',
  },
  // Wide enough for the WebAssembly kernel's 4-voxel × 8-channel tiles and their tails.
  {
    name: '3³ same, 5 → 11 channels (8-wide tile + tail), x not a multiple of 4',
    x: [1, 6, 5, 7, 5],
    k: [3, 3, 3],
    cout: 11,
    s: [1, 1, 1],
    pad: 'same',
  },
  {
    name: '3³ same stride 2, 8 → 16 channels, batch 2',
    x: [2, 7, 6, 9, 8],
    k: [3, 3, 3],
    cout: 16,
    s: [2, 2, 2],
    pad: 'same',
  },
  {
    name: '3³ same, 8 → 1 channel (one-output-channel path), 1 → 8 (its input gradient)',
    x: [1, 5, 6, 6, 8],
    k: [3, 3, 3],
    cout: 1,
    s: [1, 1, 1],
    pad: 'same',
  },
  {
    name: '3³ same, 1 → 8 channels (first layer)',
    x: [1, 5, 6, 7, 1],
    k: [3, 3, 3],
    cout: 8,
    s: [1, 1, 1],
    pad: 'same',
  },
  // The native kernel's tiles: 6 voxels × 16 channels, 12 × 8, their tails; filter gradient 6 × 16, 12 × 8.
  {
    name: '3³ same, 13 → 24 channels, x 14 (16- and 8-wide tiles + tails)',
    x: [1, 3, 4, 14, 13],
    k: [3, 3, 3],
    cout: 24,
    s: [1, 1, 1],
    pad: 'same',
  },
  {
    name: '3³ same stride 2, 16 → 8 channels, x 27',
    x: [1, 4, 3, 27, 16],
    k: [3, 3, 3],
    cout: 8,
    s: [2, 2, 2],
    pad: 'same',
  },
  {
    name: '5³ single channel valid, x 40 (32-voxel PSF tile + tail)',
    x: [1, 6, 6, 40, 1],
    k: [5, 5, 5],
    cout: 1,
    s: [1, 1, 1],
    pad: 'valid',
  },
];

const IMPLS = [vol2colConv3dImpl, wasmConv3dImpl, nativeConv3dImpl];

describe('fast conv3d (vol2col + matMul) on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerConv3dGradients();
    setMaxColumnFloats(2000); // forces several depth chunks even on these tiny volumes
  });

  for (const impl of IMPLS)
    for (const c of CASES) {
      it(`${impl.name} matches tf.conv3d forward and gradients: ${c.name}`, () => {
        tf.tidy(() => {
          const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor5D;
          const w = tf.randomNormal([...c.k, c.x[4], c.cout], 0, 1, 'float32', 2) as tf.Tensor5D;
          const yShape = tf.conv3d(x, w, c.s, c.pad).shape;
          const r = tf.randomNormal(yShape, 0, 1, 'float32', 3) as tf.Tensor5D;
          const ref = valueAndGrads((a, b) => tf.conv3d(a, b, c.s, c.pad), x, w, r);
          const got = valueAndGrads((a, b) => impl.conv3d(a, b, c.s, c.pad), x, w, r);
          expect(relDiff(got.y, ref.y)).toBeLessThan(1e-5);
          expect(relDiff(got.dx, ref.dx)).toBeLessThan(1e-5);
          expect(relDiff(got.dw, ref.dw)).toBeLessThan(1e-5);
        });
      });
    }

  for (const impl of IMPLS)
    for (const pad of ['same', 'valid'] as Padding[]) {
      it(`${impl.name}: transposed conv matches tf.conv3dTranspose and its gradients (2³ stride 2 and 3³ stride 2, ${pad})`, () => {
        tf.tidy(() => {
          for (const k of [2, 3]) {
            const x = tf.randomNormal([1, 3, 4, 3, 3], 0, 1, 'float32', 4) as tf.Tensor5D;
            const w = tf.randomNormal([k, k, k, 2, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
            const out = (n: number) => (pad === 'same' ? n * 2 : (n - 1) * 2 + k);
            const shape: S5 = [1, out(3), out(4), out(3), 2];
            const r = tf.randomNormal(shape, 0, 1, 'float32', 6) as tf.Tensor5D;
            const ref = valueAndGrads((a, b) => tf.conv3dTranspose(a, b, shape, 2, pad), x, w, r);
            const got = valueAndGrads((a, b) => impl.conv3dTranspose(a, b, shape, [2, 2, 2], pad), x, w, r);
            expect(relDiff(got.y, ref.y)).toBeLessThan(1e-5);
            expect(relDiff(got.dx, ref.dx)).toBeLessThan(1e-5);
            expect(relDiff(got.dw, ref.dw)).toBeLessThan(1e-5);
          }
        });
      });
    }

  it('the WebAssembly kernel runs here, on helper threads when the machine has several cores', () => {
    expect(wasmConvThreads()).toBeGreaterThanOrEqual(1);
  });

  it('gradients agree with central finite differences (stride 2, same)', () => {
    const x = tf.randomNormal([1, 5, 4, 5, 2], 0, 1, 'float32', 7) as tf.Tensor5D;
    const w = tf.randomNormal([3, 3, 3, 2, 2], 0, 1, 'float32', 8) as tf.Tensor5D;
    const r = tf.randomNormal([1, 3, 2, 3, 2], 0, 1, 'float32', 9) as tf.Tensor5D;
    const loss = (a: tf.Tensor5D, b: tf.Tensor5D) => tf.sum(tf.mul(vol2colConv3d(a, b, [2, 2, 2], 'same'), r));
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor5D, b as tf.Tensor5D))([x, w]);
    const dx = grads[0]!, // one gradient per input
      dw = grads[1]!;
    const h = 1e-2;
    const probe = (t: tf.Tensor5D, g: tf.Tensor, which: 0 | 1, idx: number[]) => {
      const flat = t.dataSync().slice();
      const i = idx.reduce((acc, v, d) => acc * t.shape[d]! + v, 0);
      const at = (delta: number) => {
        const f = flat.slice();
        f[i]! += delta;
        const tt = tf.tensor(f, t.shape) as tf.Tensor5D;
        const v = (which === 0 ? loss(tt, w) : loss(x, tt)).dataSync()[0]!;
        tt.dispose();
        return v;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(g.dataSync()[i]! - numeric)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
    };
    for (const idx of [
      [0, 0, 0, 0, 0],
      [0, 2, 1, 3, 1],
      [0, 4, 3, 4, 0],
    ])
      probe(x, dx, 0, idx);
    for (const idx of [
      [0, 0, 0, 0, 0],
      [1, 1, 1, 1, 1],
      [2, 0, 2, 1, 0],
    ])
      probe(w, dw, 1, idx);
    tf.dispose([x, w, r, dx, dw]);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const x = tf.ones([1, 4, 4, 4, 2]) as tf.Tensor5D;
    const w = tf.ones([3, 3, 3, 2, 2]) as tf.Tensor5D;
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(vol2colConv3d(a as tf.Tensor5D, b as tf.Tensor5D, [2, 2, 2], 'same')),
    )([x, w]);
    tf.dispose([x, w, ...g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
