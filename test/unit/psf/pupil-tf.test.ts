import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PupilPsf, PUPIL_PARAM_COUNT } from '../../../src-main/core/psf/pupil';
import { pupilPsfOp } from '../../../src-main/core/nn/pupil-psf';

await tf.setBackend('cpu');

describe('pupilPsfOp (tfjs)', () => {
  it('gives the sum-1 PSF and tf.grad agrees with central differences, without leaking tensors', () => {
    const model = new PupilPsf({
      na: 1.2,
      wavelength: 0.52,
      ni: 1.33,
      ns: 1.4,
      dxy: 0.1,
      dz: 0.25,
      size: [5, 9, 9],
      padding: 1.5,
    });
    const op = pupilPsfOp(model);
    const theta0 = [0.02, -0.01, 0.05, 1, 0.2, 0.2, -0.1, 0.1, 0.05, -0.05, 0.1, 0.15];
    const w = tf.tensor3d(
      Float32Array.from({ length: 5 * 81 }, (_, i) => Math.sin(i * 0.37)),
      [5, 9, 9],
    );
    const loss = (t: tf.Tensor1D) => tf.sum(tf.mul(op(t), w)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const theta = tf.tensor1d(theta0);
    const psfSum = tf.tidy(() => tf.sum(op(theta)).dataSync()[0]!);
    expect(psfSum).toBeCloseTo(1, 5);
    const grad = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => loss(t as tf.Tensor1D))(theta)
        .dataSync(),
    );
    const at = (t: number[]) => tf.tidy(() => loss(tf.tensor1d(t)).dataSync()[0]!);
    for (let p = 0; p < PUPIL_PARAM_COUNT; p++) {
      const h = 1e-3,
        tp = [...theta0],
        tm = [...theta0];
      tp[p]! += h;
      tm[p]! -= h;
      const fd = (at(tp) - at(tm)) / (2 * h); // float32 output: a coarse step, a loose tolerance
      expect(Math.abs(grad[p]! - fd)).toBeLessThan(2e-3 * Math.max(1e-2, Math.abs(fd)) + 1e-5);
    }
    theta.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
