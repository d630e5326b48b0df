// Convolutions of whole volumes on a kernel runtime (native or WebAssembly, wasm-conv.ts) in slabs of
// z-planes, for inference: the runtime's workspace holds one slab (its padded input and output), not
// the volume, and results go straight into one output array. Inputs may come as channel parts that
// the slab copy concatenates (the U-Net's skip + up-sampled branch), so the concatenation is never
// materialised. Same arithmetic per output voxel as the per-item functions, so the same results.
import type { ConvRuntime } from './wasm-conv';
import { convGeometry } from './conv-geometry';
import { convInputGradItem } from './wasm-conv';

type Shape3 = [number, number, number];

/** One input's channels; several parts are concatenated along channels, in order. */
export interface ChannelPart {
  data: Float32Array;
  c: number;
}

/** Default slab budget of the runtime's workspace. */
export const SLAB_BYTES = 128 * 2 ** 20;

/** Planes per slab: as many as fit `bytes` (at least one per thread, at most the volume). */
function slabPlanes(planeFloats: number, halo: number, depth: number, threads: number, bytes: number): number {
  return Math.max(1, Math.min(depth, Math.max(threads, Math.floor(bytes / 4 / planeFloats) - halo)));
}

/**
 * 'same' convolution, stride 1, odd kernel `k`, of `parts` (volume `shape`, channels Σc) with
 * w [kz, ky, kx, Σc, co] → a new [Z, Y, X, co] array (zero padding, as tfjs' 'same').
 */
export function convSameSlabs(
  rt: ConvRuntime,
  parts: ChannelPart[],
  shape: Shape3,
  w: Float32Array,
  k: Shape3,
  co: number,
  slabBytes = SLAB_BYTES,
): Float32Array {
  if (k.some((n) => n % 2 === 0)) throw new RangeError(`convSameSlabs needs odd kernel sizes, got ${k.join('×')}`);
  const [nz, ny, nx] = shape;
  const c = parts.reduce((s, p) => s + p.c, 0);
  const [hz, hy, hx] = k.map((n) => (n - 1) / 2) as Shape3;
  const py = ny + 2 * hy,
    px = nx + 2 * hx,
    taps = k[0] * k[1] * k[2];
  if (w.length !== taps * c * co) throw new RangeError(`filter has ${w.length} weights, expected ${taps * c * co}`);
  const out = new Float32Array(nz * ny * nx * co);
  const zc = slabPlanes(py * px * c + ny * nx * co, 2 * hz, nz, rt.threadCount, slabBytes);
  for (let z0 = 0; z0 < nz; z0 += zc) {
    const oz = Math.min(zc, nz - z0),
      pz = oz + 2 * hz;
    const [xAt, wAt, wpAt, oAt, gAt] = rt.layout([pz * py * px * c, w.length, w.length, oz * ny * nx * co, 16]);
    const dst = rt.f32(xAt, pz * py * px * c);
    dst.fill(0);
    for (let p = 0; p < pz; p++) {
      const z = z0 + p - hz;
      if (z < 0 || z >= nz) continue;
      for (let y = 0; y < ny; y++) {
        const to = ((p * py + y + hy) * px + hx) * c,
          v0 = (z * ny + y) * nx;
        if (parts.length === 1) {
          dst.set(parts[0]!.data.subarray(v0 * c, (v0 + nx) * c), to);
          continue;
        }
        let off = 0;
        for (const part of parts) {
          const pc = part.c,
            src = part.data;
          for (let x = 0; x < nx; x++) {
            const s = (v0 + x) * pc,
              d = to + x * c + off;
            for (let j = 0; j < pc; j++) dst[d + j] = src[s + j]!;
          }
          off += pc;
        }
      }
    }
    rt.f32(wAt, w.length).set(w);
    rt.packWeights(wAt, wpAt, taps, c, co);
    new Int32Array(rt.memory.buffer, gAt, 14).set([pz, py, px, c, k[0], k[1], k[2], co, 1, 1, 1, oz, ny, nx]);
    rt.run('conv_fwd', oz, (a, b) => [xAt, wAt, wpAt, oAt, gAt, a, b]);
    out.set(rt.f32(oAt, oz * ny * nx * co), z0 * ny * nx * co);
  }
  return out;
}

/**
 * Transposed convolution with a 2³ kernel, stride 2, 'same' (the U-Net's up-sampling; tfjs layout
 * w [2, 2, 2, co, c]) of x [Z, Y, X, c] → [2Z, 2Y, 2X, co], slab by slab: each input plane makes
 * exactly two output planes, so slabs are independent.
 */
export function convTranspose2Slabs(
  rt: ConvRuntime,
  x: Float32Array,
  shape: Shape3,
  c: number,
  w: Float32Array,
  co: number,
  slabBytes = SLAB_BYTES,
): Float32Array {
  const [nz, ny, nx] = shape;
  const plane = ny * nx * c,
    outPlane = 4 * ny * nx * co;
  const out = new Float32Array(nz * 2 * outPlane);
  const zc = slabPlanes(plane + 2 * outPlane, 0, nz, 1, slabBytes);
  for (let z0 = 0; z0 < nz; z0 += zc) {
    const oz = Math.min(zc, nz - z0);
    const g = convGeometry([2 * oz, 2 * ny, 2 * nx], [2, 2, 2], [2, 2, 2], 'same');
    out.set(convInputGradItem(rt, x.subarray(z0 * plane, (z0 + oz) * plane), w, g, co, c), z0 * 2 * outPlane);
  }
  return out;
}
