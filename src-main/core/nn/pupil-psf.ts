// The pupil PSF (pupil.ts) as a differentiable tfjs op, the building block of a physical PSF layer for G_BA
// (issue #24): θ (1-D, 12 values) → the PSF on the model's box, sum 1, float32. tfjs 4.22 registers no
// gradient for its FFT kernels, so the op is a customGrad around the model's own adjoint (pupil.ts):
// for out = I / ΣI, ∂L/∂I = (g − Σ g·out) / ΣI. The values are read synchronously, so the op runs on the
// backends that allow it (cpu, wasm, tfjs-node), like the PSF layer's FFT convolution.
//
// A training step evaluates the PSF several times at the same θ (G_BA on both domains, the spectral term), so
// the op keeps the intensity of the last θ it computed and the model keeps the fields of its last forward:
// repeated evaluations and their gradients at one θ cost one forward between them.
import * as tf from '@tensorflow/tfjs';
import type { PupilPsf } from '../psf/pupil';

const sameTheta = (a: readonly number[] | null, b: readonly number[]) =>
  a !== null && a.length === b.length && a.every((v, i) => v === b[i]);

export function pupilPsfOp(model: PupilPsf): (theta: tf.Tensor1D) => tf.Tensor3D {
  let cached: { params: number[]; intensity: Float64Array; sum: number } | null = null;
  let fieldsOf: number[] | null = null; // the θ of the model's last forward (its fields are those of this θ)
  const evaluate = (params: number[]) => {
    if (cached && sameTheta(cached.params, params)) return cached;
    const intensity = model.forward(params);
    fieldsOf = params;
    let sum = 0;
    for (const v of intensity) sum += v;
    cached = { params, intensity, sum };
    return cached;
  };
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const theta = inputs[0] as tf.Tensor;
    const params = Array.from(theta.dataSync());
    const { intensity, sum } = evaluate(params);
    const value = tf.tensor3d(
      Float32Array.from(intensity, (v) => v / sum),
      model.size,
    );
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const g = dy.dataSync();
      let dot = 0;
      for (let i = 0; i < g.length; i++) dot += g[i]! * intensity[i]!;
      dot /= sum;
      const dI = Float64Array.from(g, (v) => (v - dot) / sum);
      if (!sameTheta(fieldsOf, params)) {
        model.forward(params);
        fieldsOf = params;
      } // the model keeps the fields of its last evaluation only
      return tf.tensor1d(model.gradient(dI));
    };
    return { value, gradFunc };
  });
  return (theta) => op(theta) as tf.Tensor3D;
}
