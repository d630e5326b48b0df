// The fast conv3d implementation (issue 9): forward and both gradients as vol2col + matMul (see kernels.ts),
// wrapped in tf.customGrad so autodiff never reaches a backend's Conv3D kernel or gradient (the wasm backend's
// are wrong in tfjs 4.22). Plugs into the models through ops/conv3d setConv3dImpl.
import * as tf from '@tensorflow/tfjs';
import type { Conv3dImpl, Padding } from '../ops';
import type { Triple } from './geometry';
import { conv3dFilterGrad, conv3dForward, conv3dInputGrad } from './kernels';

type Shape5 = [number, number, number, number, number];

/** Differentiable conv3d (cross-correlation, tfjs layout and padding rule). */
export function fastConv3d(x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: conv3dForward(xi, wi, strides, padding),
      gradFunc: (g: tf.Tensor5D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor5D, tf.Tensor5D];
        return [conv3dInputGrad(g, sw, sx.shape as Shape5, strides, padding), conv3dFilterGrad(sx, g, sw.shape as Shape5, strides, padding)];
      },
    };
  });
  return f(x, w) as tf.Tensor5D;
}

/**
 * Differentiable transposed conv3d, tfjs semantics: x [B, z, y, x, Cin], w [k, k, k, Cout, Cin] → outShape.
 * It is the input-gradient of conv3d with filter w, so its own gradients are the forward conv (w.r.t. x) and the
 * filter gradient with the roles of input and output swapped (w.r.t. w).
 */
export function fastConv3dTranspose(x: tf.Tensor5D, w: tf.Tensor5D, outShape: Shape5, strides: Triple, padding: Padding): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: conv3dInputGrad(xi, wi, outShape, strides, padding),
      gradFunc: (g: tf.Tensor5D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor5D, tf.Tensor5D];
        return [conv3dForward(g, sw, strides, padding), conv3dFilterGrad(g, sx, sw.shape as Shape5, strides, padding)];
      },
    };
  });
  return f(x, w) as tf.Tensor5D;
}

export const fastConv3dImpl: Conv3dImpl = {
  name: 'vol2col',
  conv3d: fastConv3d,
  conv3dTranspose: fastConv3dTranspose,
};
