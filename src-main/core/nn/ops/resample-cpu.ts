// Reflect padding, cropping and per-channel bias of NDHWC tensors on backends whose tensors live in
// CPU memory (cpu, wasm), as typed-array loops with hand-written gradients. tfjs' cpu backend runs
// rank-5 slices, reverses, concats and broadcasting adds element by element through index
// arithmetic (measured: the largest cost of a `fast` training step after conv3d and instance norm).
import * as tf from '@tensorflow/tfjs';
import { cpuNormAvailable as cpuTensors } from './norm-cpu';

export { cpuTensors };
type S5 = [number, number, number, number, number];

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/** Gathers y[b, z, y, x, :] = x[b, iz[z], iy[y], ix[x], :] (forward) or scatters dy back into dx (adjoint). */
function gather(
  src: Float32Array,
  srcShape: S5,
  maps: [Int32Array, Int32Array, Int32Array],
  adjoint: boolean,
  dst: Float32Array,
): void {
  const [b, sz, sy, sx, c] = srcShape;
  const [mz, my, mx] = maps;
  const [oz, oy, ox] = [mz.length, my.length, mx.length];
  for (let n = 0; n < b; n++)
    for (let z = 0; z < oz; z++)
      for (let y = 0; y < oy; y++) {
        const srow = ((n * sz + mz[z]!) * sy + my[y]!) * sx,
          orow = ((n * oz + z) * oy + y) * ox;
        for (let x = 0; x < ox; x++) {
          const s = (srow + mx[x]!) * c,
            o = (orow + x) * c;
          if (adjoint) for (let k = 0; k < c; k++) src[s + k]! += dst[o + k]!;
          else for (let k = 0; k < c; k++) dst[o + k] = src[s + k]!;
        }
      }
}

/** y = x[b, maps...] with gradient the scatter-add adjoint. */
function indexed(x: tf.Tensor5D, maps: [Int32Array, Int32Array, Int32Array]): tf.Tensor5D {
  const outShape: S5 = [x.shape[0], maps[0].length, maps[1].length, maps[2].length, x.shape[4]];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor5D;
    const out = new Float32Array(outShape.reduce((p, v) => p * v, 1));
    gather(f32(xi), xi.shape, maps, false, out);
    return {
      value: tf.tensor5d(out, outShape),
      gradFunc: (dy: tf.Tensor5D) => {
        const dx = new Float32Array(xi.size);
        gather(dx, xi.shape, maps, true, f32(dy));
        return tf.tensor5d(dx, xi.shape);
      },
    };
  });
  return f(x) as tf.Tensor5D;
}

/** numpy 'reflect' padding (edge voxel not repeated); pads must be shorter than their axis (checked by the caller). */
export function reflectPadCpu(
  x: tf.Tensor5D,
  pads: [[number, number], [number, number], [number, number]],
): tf.Tensor5D {
  const maps = pads.map(([before, after], i) => {
    const n = x.shape[i + 1]!;
    return Int32Array.from({ length: before + n + after }, (_, p) => {
      const j = p - before;
      return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    });
  }) as [Int32Array, Int32Array, Int32Array];
  return indexed(x, maps);
}

/** Nearest-neighbour ×2 on z, y, x; its gradient sums each 2³ block of dy (the scatter-add adjoint). */
export function upsampleCpu(x: tf.Tensor5D): tf.Tensor5D {
  const maps = [0, 1, 2].map((i) => Int32Array.from({ length: 2 * x.shape[i + 1]! }, (_, p) => p >> 1)) as [
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  return indexed(x, maps);
}

/** x[:, start..start+size, :] on z, y, x (bounds checked by the caller). */
export function cropCpu(x: tf.Tensor5D, start: number[], size: number[]): tf.Tensor5D {
  const maps = [0, 1, 2].map((i) => Int32Array.from({ length: size[i]! }, (_, p) => start[i]! + p)) as [
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  return indexed(x, maps);
}

/** x + bias per channel (bias [C] or any shape of C values), differentiable in both. */
export function addBiasCpu(x: tf.Tensor5D, bias: tf.Tensor): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, bi] = args as [tf.Tensor5D, tf.Tensor];
    const xd = f32(xi),
      bd = f32(bi),
      c = xi.shape[4],
      out = new Float32Array(xd.length);
    for (let i = 0; i < xd.length; i += c) for (let k = 0; k < c; k++) out[i + k] = xd[i + k]! + bd[k]!;
    return {
      value: tf.tensor5d(out, xi.shape),
      gradFunc: (dy: tf.Tensor5D) => {
        const g = f32(dy),
          db = new Float64Array(c);
        for (let i = 0; i < g.length; i += c) for (let k = 0; k < c; k++) db[k]! += g[i + k]!;
        return [tf.clone(dy), tf.tensor(Float32Array.from(db), bi.shape)];
      },
    };
  });
  return f(x, bias) as tf.Tensor5D;
}

/** Concatenation of two NDHWC tensors along channels (the U-Net's skip connections), differentiable. */
export function concatChannelsCpu(a: tf.Tensor5D, b: tf.Tensor5D): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ai, bi] = args as [tf.Tensor5D, tf.Tensor5D];
    const ad = f32(ai),
      bd = f32(bi),
      ca = ai.shape[4],
      cb = bi.shape[4],
      c = ca + cb,
      n = ad.length / ca;
    const out = new Float32Array(n * c);
    for (let v = 0; v < n; v++) {
      out.set(ad.subarray(v * ca, (v + 1) * ca), v * c);
      out.set(bd.subarray(v * cb, (v + 1) * cb), v * c + ca);
    }
    return {
      value: tf.tensor5d(out, [...ai.shape.slice(0, 4), c] as S5),
      gradFunc: (dy: tf.Tensor5D) => {
        const g = f32(dy),
          ga = new Float32Array(n * ca),
          gb = new Float32Array(n * cb);
        for (let v = 0; v < n; v++) {
          ga.set(g.subarray(v * c, v * c + ca), v * ca);
          gb.set(g.subarray(v * c + ca, (v + 1) * c), v * cb);
        }
        return [tf.tensor5d(ga, ai.shape), tf.tensor5d(gb, bi.shape)];
      },
    };
  });
  return f(a, b) as tf.Tensor5D;
}

/** 2×2×2 max pooling, stride 2, 'valid' (odd sizes floored), differentiable (gradient to the arg-max voxel). */
export function maxPoolCpu(x: tf.Tensor5D): tf.Tensor5D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor5D;
    const [b, z, y, xs, c] = xi.shape,
      [oz, oy, ox] = [z >> 1, y >> 1, xs >> 1];
    const xd = f32(xi),
      n = b * oz * oy * ox * c;
    const out = new Float32Array(n),
      arg = new Int32Array(n);
    for (let s = 0, o = 0; s < b; s++)
      for (let k = 0; k < oz; k++)
        for (let j = 0; j < oy; j++)
          for (let i = 0; i < ox; i++) {
            const base = (((s * z + 2 * k) * y + 2 * j) * xs + 2 * i) * c;
            for (let ch = 0; ch < c; ch++, o++) {
              let best = base + ch,
                max = xd[best]!;
              for (let dz = 0; dz < 2; dz++)
                for (let dy = 0; dy < 2; dy++)
                  for (let dx = 0; dx < 2; dx++) {
                    const at = base + ((dz * y + dy) * xs + dx) * c + ch;
                    if (xd[at]! > max) {
                      max = xd[at]!;
                      best = at;
                    }
                  }
              out[o] = max;
              arg[o] = best;
            }
          }
    return {
      value: tf.tensor5d(out, [b, oz, oy, ox, c]),
      gradFunc: (dy: tf.Tensor5D) => {
        const g = f32(dy),
          dx = new Float32Array(xi.size);
        for (let o = 0; o < n; o++) dx[arg[o]!]! += g[o]!;
        return tf.tensor5d(dx, xi.shape);
      },
    };
  });
  return f(x) as tf.Tensor5D;
}
