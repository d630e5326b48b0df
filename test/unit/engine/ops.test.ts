// Forward values of the ops against PyTorch / SciPy (test/fixtures/engine/make_reference.py), and their contracts.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  conv3d,
  conv3dTranspose,
  instanceNorm3d,
  upsample3d,
  reflectPad3d,
  crop3d,
  centerCrop3d,
  samePads,
  convOutSize,
  setConv3dImpl,
  getConv3dImpl,
  tfConv3dImpl,
  type Conv3dImpl,
} from '../../../src-main/core/nn/ops';
import { InvalidVolumeError } from '../../../src-main/core/errors';
import { refTensor, maxAbsDiff } from './reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  setConv3dImpl(tfConv3dImpl);
});

function near(name: string, f: (x: tf.Tensor5D) => tf.Tensor, tol = 1e-5): void {
  const x = refTensor('x') as tf.Tensor5D;
  const expected = refTensor(name);
  const y = f(x);
  expect(maxAbsDiff(y, expected)).toBeLessThan(tol);
  tf.dispose([x, expected, y]);
}

describe('ops match PyTorch / SciPy', () => {
  it('instanceNorm3d equals torch.nn.InstanceNorm3d (eps 1e-5, biased variance)', () =>
    near('instanceNorm', (x) => instanceNorm3d(x), 1e-4));
  it('upsample3d equals nearest interpolation ×2', () => near('upsample', upsample3d));
  it('reflectPad3d equals torch reflect padding', () =>
    near('reflectPad', (x) =>
      reflectPad3d(x, [
        [1, 2],
        [2, 1],
        [0, 2],
      ]),
    ));
  it("conv3d stride 2 'same' pads after, as TensorFlow", () => {
    const w = refTensor('convW') as tf.Tensor5D;
    near('conv3dStride2Same', (x) => conv3d(x, w, 2, 'same'), 1e-4);
    w.dispose();
  });
  it('conv3dTranspose (kernel [k,k,k,out,in]) equals torch conv_transpose3d', () => {
    const w = refTensor('convTW') as tf.Tensor5D;
    near('conv3dTranspose', (x) => conv3dTranspose(x, w, 2, 'same'), 1e-4);
    w.dispose();
  });
});

describe('op contracts', () => {
  it('conv3d routes through the installed implementation and can be restored', () => {
    const calls: string[] = [];
    const spy: Conv3dImpl = {
      name: 'spy',
      conv3d: (x, w, s, p) => {
        calls.push(`${s}/${p}`);
        return tf.conv3d(x, w, s, p);
      },
    };
    const previous = setConv3dImpl(spy);
    expect(previous.name).toBe('tfjs');
    expect(getConv3dImpl().name).toBe('spy');
    tf.tidy(() => conv3d(tf.ones([1, 4, 4, 4, 1]) as tf.Tensor5D, tf.ones([3, 3, 3, 1, 1]) as tf.Tensor5D, 2));
    expect(calls).toEqual(['2,2,2/same']);
    // conv3dTranspose falls back to tfjs when the implementation has none.
    const y = tf.tidy(() =>
      conv3dTranspose(tf.ones([1, 2, 2, 2, 3]) as tf.Tensor5D, tf.ones([2, 2, 2, 1, 3]) as tf.Tensor5D),
    );
    expect(y.shape).toEqual([1, 4, 4, 4, 1]);
    y.dispose();
  });
  it('upsample3d on rank-5 input has no leaks and the right shape', () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => upsample3d(tf.ones([2, 1, 2, 3, 4]) as tf.Tensor5D));
    expect(y.shape).toEqual([2, 2, 4, 6, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('reflectPad3d refuses padding as long as the axis', () => {
    const x = tf.zeros([1, 3, 4, 4, 1]) as tf.Tensor5D;
    expect(() =>
      reflectPad3d(x, [
        [3, 0],
        [0, 0],
        [0, 0],
      ]),
    ).toThrow(InvalidVolumeError);
    x.dispose();
  });
  it('samePads puts the extra voxel of even kernels after', () => {
    expect(samePads([3, 4, 20])).toEqual([
      [1, 1],
      [1, 2],
      [9, 10],
    ]);
    expect(convOutSize(5, 3, 2, 'same')).toBe(3);
    expect(convOutSize(5, 3, 2, 'valid')).toBe(2);
  });
  it('crop3d and centerCrop3d take the requested block and reject out-of-range crops', () => {
    const x = tf.range(0, 4 * 4 * 4).reshape([1, 4, 4, 4, 1]) as tf.Tensor5D;
    const c = crop3d(x, [1, 2, 3], [1, 1, 1]);
    expect(c.dataSync()[0]).toBe(1 * 16 + 2 * 4 + 3);
    const cc = centerCrop3d(x, [2, 2, 2]);
    expect(cc.dataSync()[0]).toBe(16 + 4 + 1);
    expect(() => crop3d(x, [3, 0, 0], [2, 1, 1])).toThrow(InvalidVolumeError);
    tf.dispose([x, c, cc]);
  });
});
