// Patch sampling with the paper's augmentation (rotation, flip, translation, scale) done as ONE resampling:
// every output voxel is mapped to a source coordinate and read with trilinear interpolation and mirrored
// (reflect) indexing. Reflect indexing is what pads stacks shallower than the patch in depth (paper:
// "the volume depth is increased to 64 by padding with reflect"). With scale 1 the source coordinates are
// integers, so the patch is an exact copy (no interpolation blur).
import type { Shape3 } from '../io/volume';
import type { TrainConfig } from './config';
import type { Rng } from './rng';

export interface PatchTransform {
  /** Source coordinate (z, y, x) of the patch's first voxel before flips/rotation/scale, i.e. its corner. */
  start: [number, number, number];
  /** Isotropic zoom: the patch spans size·scale source voxels. */
  scale: number;
  /** Mirror along z, y, x. */
  flip: [boolean, boolean, boolean];
  /** Quarter turns in the xy plane. */
  rot90: 0 | 1 | 2 | 3;
}

/** Mirror an index into [0, n) with reflect (no edge repeat) semantics, any distance out. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let r = i % period;
  if (r < 0) r += period;
  return r < n ? r : period - r;
}

/** Draw a random transform for a patch of edge `size` inside a stack of `shape`. */
export function drawTransform(
  rng: Rng,
  shape: Shape3,
  size: number,
  aug: TrainConfig['augmentation'],
  augment = true,
): PatchTransform {
  const scale =
    augment && aug.scale[1] > aug.scale[0] ? rng.uniform(aug.scale[0], aug.scale[1]) : augment ? aug.scale[0] : 1;
  const extent = Math.ceil(size * scale);
  const start = shape.map((dim) => {
    // A stack smaller than the patch is centred and reflect-padded; otherwise any position fits.
    const base = dim >= extent ? rng.int(dim - extent + 1) : Math.floor((dim - extent) / 2);
    const shift = augment && aug.translate > 0 ? rng.int(2 * aug.translate + 1) - aug.translate : 0;
    return base + shift;
  }) as [number, number, number];
  const flip: [boolean, boolean, boolean] =
    augment && aug.flip ? [rng.next() < 0.5, rng.next() < 0.5, rng.next() < 0.5] : [false, false, false];
  const rot90 = (augment && aug.rotate90 ? rng.int(4) : 0) as PatchTransform['rot90'];
  return { start, scale, flip, rot90 };
}

function sampleLinear(data: Float32Array, shape: Shape3, z: number, y: number, x: number): number {
  const [nz, ny, nx] = shape;
  const z0 = Math.floor(z),
    y0 = Math.floor(y),
    x0 = Math.floor(x);
  const fz = z - z0,
    fy = y - y0,
    fx = x - x0;
  if (fz === 0 && fy === 0 && fx === 0)
    return data[(reflectIndex(z0, nz) * ny + reflectIndex(y0, ny)) * nx + reflectIndex(x0, nx)]!;
  let acc = 0;
  for (let dz = 0; dz < 2; dz++) {
    const wz = dz ? fz : 1 - fz;
    if (wz === 0) continue;
    const iz = reflectIndex(z0 + dz, nz);
    for (let dy = 0; dy < 2; dy++) {
      const wy = dy ? fy : 1 - fy;
      if (wy === 0) continue;
      const iy = reflectIndex(y0 + dy, ny);
      for (let dx = 0; dx < 2; dx++) {
        const wx = dx ? fx : 1 - fx;
        if (wx === 0) continue;
        acc += wz * wy * wx * data[(iz * ny + iy) * nx + reflectIndex(x0 + dx, nx)]!;
      }
    }
  }
  return acc;
}

/** Resample a cubic patch of edge `size` from a volume under a transform. */
export function samplePatch(data: Float32Array, shape: Shape3, size: number, t: PatchTransform): Float32Array {
  const out = new Float32Array(size ** 3);
  const c = (size - 1) / 2;
  let o = 0;
  for (let k = 0; k < size; k++) {
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++, o++) {
        // Patch-centred offsets, flipped then rotated in xy; rotating a square about its centre stays on the grid.
        const u = t.flip[0] ? c - k : k - c;
        let v = t.flip[1] ? c - j : j - c;
        let w = t.flip[2] ? c - i : i - c;
        for (let r = 0; r < t.rot90; r++) [v, w] = [-w, v];
        out[o] = sampleLinear(
          data,
          shape,
          t.start[0] + (u + c) * t.scale,
          t.start[1] + (v + c) * t.scale,
          t.start[2] + (w + c) * t.scale,
        );
      }
    }
  }
  return out;
}

/** Non-overlapping patches in a stack (depth shallower than the patch counts as one layer): the 'auto' epoch length. */
export function patchesPerStack(shape: Shape3, size: number): number {
  return shape.map((d) => Math.max(1, Math.floor(d / size))).reduce((a, b) => a * b, 1);
}
