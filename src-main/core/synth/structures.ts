// Ground-truth objects that look like fluorescence microscopy: tubulin-like filaments (smooth random
// curves), sub-resolution beads, and nuclei-like blobs (soft-edged ellipsoids with texture).
import type { Rng } from './random';
import { addShell } from './shells';

type Shape3 = [number, number, number];

export interface StructureCounts {
  filaments: number;
  beads: number;
  nuclei: number;
  /** Hollow membrane-like shells (synth/shells.ts); absent = none, so older seeds give the same volumes. */
  shells?: number;
}

/** Adds `value` at a sub-voxel position by trilinear splatting. */
function splat(out: Float32Array, shape: Shape3, z: number, y: number, x: number, value: number): void {
  const z0 = Math.floor(z),
    y0 = Math.floor(y),
    x0 = Math.floor(x);
  for (let dz = 0; dz < 2; dz++)
    for (let dy = 0; dy < 2; dy++)
      for (let dx = 0; dx < 2; dx++) {
        const zz = z0 + dz,
          yy = y0 + dy,
          xx = x0 + dx;
        if (zz < 0 || yy < 0 || xx < 0 || zz >= shape[0] || yy >= shape[1] || xx >= shape[2]) continue;
        const w = (dz ? z - z0 : 1 - z + z0) * (dy ? y - y0 : 1 - y + y0) * (dx ? x - x0 : 1 - x + x0);
        out[(zz * shape[1] + yy) * shape[2] + xx]! += w * value;
      }
}

/** `aspect` = dz/dxy: physical steps are isotropic, so z moves 1/aspect voxels per lateral voxel. */
function filament(out: Float32Array, shape: Shape3, rng: Rng, aspect: number): void {
  let p = [rng.next() * shape[0], rng.next() * shape[1], rng.next() * shape[2]];
  let d = [rng.normal() * 0.3, rng.normal(), rng.normal()];
  const len = 2 * Math.max(shape[1], shape[2]),
    brightness = 0.5 + 0.5 * rng.next();
  for (let s = 0; s < len * 2; s++) {
    const n = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
    d = d.map((v) => v / n);
    p = [p[0]! + (0.5 * d[0]!) / aspect, p[1]! + 0.5 * d[1]!, p[2]! + 0.5 * d[2]!];
    if (p[1]! < -5 || p[2]! < -5 || p[1]! > shape[1] + 5 || p[2]! > shape[2] + 5) break;
    splat(out, shape, p[0]!, p[1]!, p[2]!, brightness);
    d = [d[0]! + 0.08 * rng.normal() - 0.02 * d[0]!, d[1]! + 0.08 * rng.normal(), d[2]! + 0.08 * rng.normal()];
  }
}

function nucleus(out: Float32Array, shape: Shape3, rng: Rng, aspect: number): void {
  const r = [3 + 5 * rng.next(), 3 + 5 * rng.next(), 3 + 5 * rng.next()].map((v, i) => (i === 0 ? v / aspect : v));
  const c = [rng.next() * shape[0], rng.next() * shape[1], rng.next() * shape[2]];
  const level = 0.2 + 0.2 * rng.next(),
    freq = 0.5 + rng.next();
  for (let z = Math.max(0, Math.floor(c[0]! - r[0]! - 2)); z < Math.min(shape[0], c[0]! + r[0]! + 2); z++)
    for (let y = Math.max(0, Math.floor(c[1]! - r[1]! - 2)); y < Math.min(shape[1], c[1]! + r[1]! + 2); y++)
      for (let x = Math.max(0, Math.floor(c[2]! - r[2]! - 2)); x < Math.min(shape[2], c[2]! + r[2]! + 2); x++) {
        const q = Math.sqrt(((z - c[0]!) / r[0]!) ** 2 + ((y - c[1]!) / r[1]!) ** 2 + ((x - c[2]!) / r[2]!) ** 2);
        const edge = 1 / (1 + Math.exp((q - 1) * 8));
        const texture = 0.8 + 0.2 * Math.sin(freq * x + 1.3 * y) * Math.cos(freq * y - 0.7 * z);
        out[(z * shape[1] + y) * shape[2] + x]! += level * edge * texture;
      }
}

/** A ground-truth volume in [0, 1]. */
export function groundTruth(shape: Shape3, counts: StructureCounts, rng: Rng, aspect = 1): Float32Array {
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < counts.nuclei; i++) nucleus(out, shape, rng, aspect);
  for (let i = 0; i < counts.filaments; i++) filament(out, shape, rng, aspect);
  for (let i = 0; i < counts.beads; i++)
    splat(out, shape, rng.next() * shape[0], rng.next() * shape[1], rng.next() * shape[2], 2 + rng.next());
  for (let i = 0; i < (counts.shells ?? 0); i++) addShell(out, shape, rng, aspect);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i]!); // saturate crossings and bead cores
  return out;
}
