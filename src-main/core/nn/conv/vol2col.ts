// The three linear maps of a 3D convolution, each as vol2col (im2col in 3D) + one matrix multiply, chunked over
// output depth so the column matrix stays bounded. They use only forward ops (pad, slice, concat, reshape,
// transpose, matMul) and are called from tf.customGrad, so no backend's Conv3D kernel or gradient is involved.
// Layout: the column matrix is [voxels, k³·C] (channels-last taps concatenated on the last axis) so that every
// product is a plain, untransposed matMul: on wasm (XNNPACK) that runs ~26 GFLOP/s single-threaded, while a
// transposeA matMul falls to a ~2 GFLOP/s reference loop (measured, bench/conv3d.ts).
import * as tf from '@tensorflow/tfjs';
import { convGeometry, depthChunk, type ConvGeometry, type Triple } from '../../kernels/conv-geometry';
import type { Padding } from '../ops';

/** Upper bound on the values in one column matrix (16 M floats = 64 MB). */
export let maxColumnFloats = 16 * 1024 * 1024;
export function setMaxColumnFloats(n: number): void {
  maxColumnFloats = Math.max(1024, Math.floor(n));
}

function taps(g: ConvGeometry): Triple[] {
  const out: Triple[] = [];
  for (let a = 0; a < g.kernel[0]; a++)
    for (let b = 0; b < g.kernel[1]; b++) for (let c = 0; c < g.kernel[2]; c++) out.push([a, b, c]);
  return out;
}

/** Slice of the padded input `xp` [Z, Y, X, C] read by tap `t` for output depths [z0, z1). */
function tapSlice(xp: tf.Tensor4D, g: ConvGeometry, t: Triple, z0: number, z1: number): tf.Tensor4D {
  const [, sy, sx] = g.strides;
  const sz = g.strides[0];
  const c = xp.shape[3];
  const begin = [z0 * sz + t[0], t[1], t[2], 0];
  const size = [z1 - z0, g.outSize[1], g.outSize[2], c];
  if (sz === 1 && sy === 1 && sx === 1) return tf.slice(xp, begin, size);
  const end = begin.map((b, i) => (i === 3 ? c : b + (size[i]! - 1) * [sz, sy, sx, 1][i]! + 1));
  return tf.stridedSlice(xp, begin, end, [sz, sy, sx, 1]) as tf.Tensor4D;
}

/** Column matrix [voxels, k³·C] of output depths [z0, z1); column index = tap·C + channel (matches w.reshape). */
function columns(xp: tf.Tensor4D, g: ConvGeometry, z0: number, z1: number): tf.Tensor2D {
  const slices = taps(g).map((t) => tapSlice(xp, g, t, z0, z1));
  const cols = slices.length === 1 ? slices[0]! : tf.concat(slices, 3);
  return tf.reshape(cols, [-1, cols.shape[3]]);
}

/** Zero-padded copy of one batch item of x [B, Z, Y, X, C] as [Z, Y, X, C]. */
function paddedItem(x: tf.Tensor5D, item: number, g: ConvGeometry): tf.Tensor4D {
  const xi = tf.reshape(
    tf.slice(x, [item, 0, 0, 0, 0], [1, -1, -1, -1, -1]),
    x.shape.slice(1) as [number, number, number, number],
  );
  const pads = g.padBefore.some((p) => p > 0) || g.padAfter.some((p) => p > 0);
  return (
    pads
      ? tf.pad(xi, [
          [g.padBefore[0], g.padAfter[0]],
          [g.padBefore[1], g.padAfter[1]],
          [g.padBefore[2], g.padAfter[2]],
          [0, 0],
        ])
      : xi
  ) as tf.Tensor4D;
}

function geometryOf(x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding): ConvGeometry {
  return convGeometry([x.shape[1], x.shape[2], x.shape[3]], [w.shape[0], w.shape[1], w.shape[2]], strides, padding);
}

/** A forward conv3d (used by the polyphase input gradient, which is built from forward convolutions). */
export type ForwardConv = (x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding) => tf.Tensor5D;

/** Forward cross-correlation, tfjs semantics: x [B, Z, Y, X, C], w [kz, ky, kx, C, Co] → [B, Z', Y', X', Co]. */
export function conv3dForward(x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding): tf.Tensor5D {
  return tf.tidy(() => {
    const g = geometryOf(x, w, strides, padding);
    const [c, co] = [x.shape[4], w.shape[4]];
    const wm = tf.reshape(w, [-1, co]) as tf.Tensor2D;
    const chunk = depthChunk(g.outSize, g.kernel, c, maxColumnFloats);
    const items: tf.Tensor[] = [];
    for (let b = 0; b < x.shape[0]; b++) {
      const xp = paddedItem(x, b, g);
      const parts: tf.Tensor[] = [];
      for (let z0 = 0; z0 < g.outSize[0]; z0 += chunk) {
        const z1 = Math.min(g.outSize[0], z0 + chunk);
        parts.push(tf.tidy(() => tf.matMul(columns(xp, g, z0, z1), wm)));
      }
      items.push(parts.length === 1 ? parts[0]! : tf.concat(parts, 0));
    }
    const y = items.length === 1 ? items[0]! : tf.concat(items, 0);
    return tf.reshape(y, [x.shape[0], ...g.outSize, co]) as tf.Tensor5D;
  });
}

/** Filter gradient: dw = Σ_voxels vol2col(x)ᵀ · dy, shape [kz, ky, kx, C, Co], computed as (dyᵀ · cols)ᵀ. */
export function conv3dFilterGrad(
  x: tf.Tensor5D,
  dy: tf.Tensor5D,
  filterShape: [number, number, number, number, number],
  strides: Triple,
  padding: Padding,
): tf.Tensor5D {
  return tf.tidy(() => {
    const g = convGeometry(
      [x.shape[1], x.shape[2], x.shape[3]],
      [filterShape[0], filterShape[1], filterShape[2]],
      strides,
      padding,
    );
    const co = dy.shape[4];
    const chunk = depthChunk(g.outSize, g.kernel, x.shape[4], maxColumnFloats);
    let acc: tf.Tensor2D | null = null;
    for (let b = 0; b < x.shape[0]; b++) {
      const xp = paddedItem(x, b, g);
      for (let z0 = 0; z0 < g.outSize[0]; z0 += chunk) {
        const z1 = Math.min(g.outSize[0], z0 + chunk);
        const part = tf.tidy(() => {
          const dyT = tf.transpose(tf.reshape(tf.slice(dy, [b, z0, 0, 0, 0], [1, z1 - z0, -1, -1, -1]), [-1, co]));
          return tf.matMul(dyT, columns(xp, g, z0, z1)) as tf.Tensor2D;
        });
        acc = acc === null ? part : (tf.add(acc, part) as tf.Tensor2D);
      }
    }
    return tf.reshape(tf.transpose(acc as tf.Tensor2D), filterShape) as tf.Tensor5D;
  });
}

/** Interleave `s` equally shaped phase tensors along `axis` (phase p lands at positions q·s + p). */
function interleave(phases: tf.Tensor5D[], axis: number): tf.Tensor5D {
  if (phases.length === 1) return phases[0]!;
  const shape = phases[0]!.shape.slice() as number[];
  const stacked = tf.stack(phases, axis + 1);
  shape[axis]! *= phases.length;
  return tf.reshape(stacked, shape as [number, number, number, number, number]) as tf.Tensor5D;
}

/**
 * Input gradient (= transposed convolution): dx [B, Z, Y, X, C] from dy [B, Z', Y', X', Co] and w [k, k, k, C, Co].
 * Polyphase: the padded input positions q·s + p of phase p only receive taps j ≡ p (mod s), and for them dx is a
 * stride-1 'full' correlation of dy with the flipped, channel-transposed sub-kernel — the forward kernel again,
 * with exactly the forward's multiply count. The s³ phases are interleaved and the padding cropped.
 */
export function conv3dInputGrad(
  dy: tf.Tensor5D,
  w: tf.Tensor5D,
  inShape: [number, number, number, number, number],
  strides: Triple,
  padding: Padding,
  forward: ForwardConv = conv3dForward,
): tf.Tensor5D {
  return tf.tidy(() => {
    const g = convGeometry(
      [inShape[1], inShape[2], inShape[3]],
      [w.shape[0], w.shape[1], w.shape[2]],
      strides,
      padding,
    );
    const [c] = [inShape[4]];
    const padded = [0, 1, 2].map((i) => g.inSize[i]! + g.padBefore[i]! + g.padAfter[i]!);
    const q = [0, 1, 2].map((i) => Math.ceil(padded[i]! / strides[i]!));
    const wt = tf.transpose(w, [0, 1, 2, 4, 3]) as tf.Tensor5D; // [k, k, k, Co, C]
    const phaseOut = (p: Triple): tf.Tensor5D => {
      const km = [0, 1, 2].map((i) => Math.max(0, Math.ceil((g.kernel[i]! - p[i]!) / strides[i]!)));
      if (km.some((k) => k === 0)) return tf.zeros([inShape[0], q[0]!, q[1]!, q[2]!, c]);
      // sub-kernel taps j = m·s + p, flipped so that a correlation computes the convolution Σ_m dy[q − m] w[m·s + p].
      const sub = tf.reverse(
        tf.stridedSlice(wt, [p[0], p[1], p[2], 0, 0], [...g.kernel, wt.shape[3], wt.shape[4]], [...strides, 1, 1]),
        [0, 1, 2],
      ) as tf.Tensor5D;
      // Pad dy by km − 1 before and enough after to produce q outputs; negative "after" means crop.
      const after = [0, 1, 2].map((i) => q[i]! - g.outSize[i]!);
      let d: tf.Tensor5D = tf.pad(dy, [
        [0, 0],
        [km[0]! - 1, Math.max(0, after[0]!)],
        [km[1]! - 1, Math.max(0, after[1]!)],
        [km[2]! - 1, Math.max(0, after[2]!)],
        [0, 0],
      ]);
      if (after.some((a) => a < 0))
        d = tf.slice(d, [0, 0, 0, 0, 0], [-1, km[0]! - 1 + q[0]!, km[1]! - 1 + q[1]!, km[2]! - 1 + q[2]!, -1]);
      return forward(d, sub, [1, 1, 1], 'valid');
    };
    const s = strides;
    const zs: tf.Tensor5D[] = [];
    for (let pz = 0; pz < s[0]; pz++) {
      const ys: tf.Tensor5D[] = [];
      for (let py = 0; py < s[1]; py++) {
        const xs: tf.Tensor5D[] = [];
        for (let px = 0; px < s[2]; px++) xs.push(phaseOut([pz, py, px]));
        ys.push(interleave(xs, 3));
      }
      zs.push(interleave(ys, 2));
    }
    const full = interleave(zs, 1);
    return tf.slice(
      full,
      [0, g.padBefore[0], g.padBefore[1], g.padBefore[2], 0],
      [-1, g.inSize[0], g.inSize[1], g.inSize[2], -1],
    ) as tf.Tensor5D;
  });
}

export { geometryOf };
