// Instance normalisation without affine parameters on backends whose tensors live in CPU memory
// (cpu, wasm), as one pass over typed arrays with a hand-written gradient. tfjs' cpu backend runs
// tf.moments and its gradient through transposes and per-element broadcasting (measured: ~60 % of
// a `fast` training step once conv3d was fast); this does the same arithmetic in O(N·C), float64 sums.
//   forward   y = (x − μ) / σ,  σ = sqrt(var + eps), biased variance, per sample and channel
//   backward  dx = (dy − mean(dy) − y · mean(dy · y)) / σ
import * as tf from '@tensorflow/tfjs';
import { EW, nativeEw } from '../../kernels/native-conv';

/** True when instanceNormCpu can run (tensors in CPU memory). */
export function cpuNormAvailable(): boolean {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm';
}

/** The shape of an NDHWC tensor: batch, z, y, x, channels. */
type Shape5 = [number, number, number, number, number];

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/** Normalised values and 1/σ per (sample, channel). */
function forward(x: Float32Array, shape: Shape5, eps: number): { y: Float32Array; inv: Float64Array } {
  const [b, z, yy, xx, c] = shape,
    n = z * yy * xx;
  const y = new Float32Array(x.length),
    inv = new Float64Array(b * c);
  const ew = nativeEw();
  if (ew) {
    // The same arithmetic in the native addon (AVX2, bit-identical).
    const mv = new Float64Array(2 * c);
    for (let s = 0; s < b; s++) {
      const xs = x.subarray(s * n * c, (s + 1) * n * c);
      ew(EW.stats, c, xs, mv);
      const is = inv.subarray(s * c, (s + 1) * c);
      for (let ch = 0; ch < c; ch++) is[ch] = 1 / Math.sqrt(mv[c + ch]! + eps);
      ew(EW.apply, c, xs, y.subarray(s * n * c, (s + 1) * n * c), mv.subarray(0, c), is);
    }
    return { y, inv };
  }
  const sum = new Float64Array(c),
    sq = new Float64Array(c),
    mean = new Float64Array(c);
  for (let s = 0; s < b; s++) {
    const o = s * n * c;
    sum.fill(0);
    for (let v = 0; v < n; v++) for (let ch = 0, i = o + v * c; ch < c; ch++, i++) sum[ch]! += x[i]!;
    for (let ch = 0; ch < c; ch++) mean[ch] = sum[ch]! / n;
    sq.fill(0);
    for (let v = 0; v < n; v++)
      for (let ch = 0, i = o + v * c; ch < c; ch++, i++) {
        const d = x[i]! - mean[ch]!;
        sq[ch]! += d * d;
      }
    for (let ch = 0; ch < c; ch++) inv[s * c + ch] = 1 / Math.sqrt(sq[ch]! / n + eps);
    for (let v = 0; v < n; v++)
      for (let ch = 0, i = o + v * c; ch < c; ch++, i++) y[i] = (x[i]! - mean[ch]!) * inv[s * c + ch]!;
  }
  return { y, inv };
}

function backward(dy: Float32Array, y: Float32Array, inv: Float64Array, shape: Shape5): Float32Array {
  const [b, z, yy, xx, c] = shape,
    n = z * yy * xx;
  const dx = new Float32Array(dy.length),
    m1 = new Float64Array(c),
    m2 = new Float64Array(c);
  const ew = nativeEw();
  if (ew) {
    const scratch = new Float64Array(3 * c);
    for (let s = 0; s < b; s++) {
      const part = (a: Float32Array) => a.subarray(s * n * c, (s + 1) * n * c);
      scratch.set(inv.subarray(s * c, (s + 1) * c));
      ew(EW.normBackward, c, part(dy), part(y), part(dx), scratch);
    }
    return dx;
  }
  for (let s = 0; s < b; s++) {
    const o = s * n * c;
    m1.fill(0);
    m2.fill(0);
    for (let v = 0; v < n; v++)
      for (let ch = 0, i = o + v * c; ch < c; ch++, i++) {
        m1[ch]! += dy[i]!;
        m2[ch]! += dy[i]! * y[i]!;
      }
    for (let ch = 0; ch < c; ch++) {
      m1[ch]! /= n;
      m2[ch]! /= n;
    }
    for (let v = 0; v < n; v++)
      for (let ch = 0, i = o + v * c; ch < c; ch++, i++)
        dx[i] = (dy[i]! - m1[ch]! - y[i]! * m2[ch]!) * inv[s * c + ch]!;
  }
  return dx;
}

/** (x − μ) / sqrt(var + eps) per sample and channel of an NDHWC tensor, differentiable. */
export function instanceNormCpu(x: tf.Tensor5D, eps: number): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor5D, tf.GradSaveFunc];
    const { y, inv } = forward(f32(xi), xi.shape, eps);
    const yt = tf.tensor5d(y, xi.shape);
    save([yt, tf.tensor1d(Float32Array.from(inv))]);
    return {
      value: yt,
      gradFunc: (dy: tf.Tensor5D, saved: tf.Tensor[]) => {
        // What save() above stored: the output yt and the 1/σ of each (sample, channel).
        const [sy, sinv] = saved as [tf.Tensor5D, tf.Tensor1D];
        return [tf.tensor5d(backward(f32(dy), f32(sy), Float64Array.from(sinv.dataSync()), sy.shape), sy.shape)];
      },
    };
  });
  return f(x) as tf.Tensor5D;
}

/**
 * (x − mean) / sqrt(variance + eps) with given per-channel statistics (tiled inference imposes
 * whole-volume statistics on a tile). Inference only: the result carries no gradient to the statistics.
 */
export function instanceNormFixedCpu(
  x: tf.Tensor5D,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  eps: number,
): tf.Tensor5D {
  const xd = f32(x),
    c = x.shape[4],
    y = new Float32Array(xd.length);
  const inv = Float64Array.from({ length: c }, (_, k) => 1 / Math.sqrt(variance[k]! + eps));
  for (let i = 0; i < xd.length; i += c) for (let k = 0; k < c; k++) y[i + k] = (xd[i + k]! - mean[k]!) * inv[k]!;
  return tf.tensor5d(y, x.shape);
}

/** Per-channel mean and biased variance of x [1, Z, Y, X, C] over the box start..start+size (float64 sums). */
export function boxMomentsCpu(
  x: tf.Tensor5D,
  start: number[],
  size: number[],
): { mean: Float64Array; variance: Float64Array } {
  const xd = f32(x),
    [, , ny, nx, c] = x.shape;
  const sum = new Float64Array(c),
    sq = new Float64Array(c);
  const count = size[0]! * size[1]! * size[2]!;
  for (let z = start[0]!; z < start[0]! + size[0]!; z++)
    for (let y = start[1]!; y < start[1]! + size[1]!; y++) {
      const row = ((z * ny + y) * nx + start[2]!) * c;
      for (let i = row; i < row + size[2]! * c; i += c) for (let k = 0; k < c; k++) sum[k]! += xd[i + k]!;
    }
  const mean = sum.map((s) => s / count);
  for (let z = start[0]!; z < start[0]! + size[0]!; z++)
    for (let y = start[1]!; y < start[1]! + size[1]!; y++) {
      const row = ((z * ny + y) * nx + start[2]!) * c;
      for (let i = row; i < row + size[2]! * c; i += c)
        for (let k = 0; k < c; k++) {
          const d = xd[i + k]! - mean[k]!;
          sq[k]! += d * d;
        }
    }
  return { mean, variance: sq.map((s) => s / count) };
}

/**
 * max(0, x) on typed arrays with its gradient dy · [y > 0] (tfjs' cpu backend runs Relu and its
 * gradient through generic unary/binary templates, Step + Multiply: measured ~20 % of a `paper` step).
 */
export function reluCpu(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const xd = f32(xi),
      y = new Float32Array(xd.length),
      ew = nativeEw();
    if (ew) ew(EW.relu, 1, xd, y);
    else
      for (let i = 0; i < xd.length; i++) {
        const v = xd[i]!;
        y[i] = v > 0 ? v : 0;
      }
    const yt = tf.tensor(y, xi.shape, 'float32');
    save([yt]);
    return {
      value: yt,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = f32(dy),
          yd = f32(saved[0]!),
          dx = new Float32Array(g.length),
          ew = nativeEw();
        if (ew) ew(EW.reluBackward, 1, g, yd, dx);
        else for (let i = 0; i < g.length; i++) dx[i] = yd[i]! > 0 ? g[i]! : 0;
        return [tf.tensor(dx, dy.shape, 'float32')];
      },
    };
  });
  return f(x);
}
