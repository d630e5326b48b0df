// Small synthetic stacks for the trainer tests: sparse bright beads (sharp) and the same blurred by a
// Gaussian (blurred). Deterministic.
import { makeVolume, type Volume } from '../../../src-main/core/io/volume';

export function beads(shape: [number, number, number], count: number, seed: number): Float32Array {
  const d = new Float32Array(shape[0] * shape[1] * shape[2]);
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let i = 0; i < count; i++) {
    const z = Math.floor(rnd() * shape[0]),
      y = Math.floor(rnd() * shape[1]),
      x = Math.floor(rnd() * shape[2]);
    d[(z * shape[1] + y) * shape[2] + x] = 1;
  }
  return d;
}

export function gaussianBlur(d: Float32Array, shape: [number, number, number], sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  const sum = k.reduce((a, b) => a + b, 0);
  const kn = k.map((v) => v / sum);
  let cur = d;
  for (let axis = 0; axis < 3; axis++) {
    const out = new Float32Array(cur.length);
    const [nz, ny, nx] = shape;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          let acc = 0;
          for (let t = -r; t <= r; t++) {
            const p = [z, y, x];
            p[axis] = Math.min(shape[axis]! - 1, Math.max(0, p[axis]! + t));
            acc += kn[t + r]! * cur[(p[0]! * ny + p[1]!) * nx + p[2]!]!;
          }
          out[(z * ny + y) * nx + x] = acc;
        }
    cur = out;
  }
  return cur;
}

export function syntheticPair(
  shape: [number, number, number] = [20, 24, 24],
  seed = 1,
): { blurred: Volume; sharp: Volume } {
  const sharp = beads(shape, 40, seed);
  return {
    sharp: makeVolume(sharp, shape, { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' }, 'synthetic'),
    blurred: makeVolume(gaussianBlur(sharp, shape, 1.2), shape, { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' }, 'synthetic'),
  };
}
