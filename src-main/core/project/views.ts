// What the viewers ask for: one plane of a stack, or a box-averaged downsampled level of the whole
// stack, read slab by slab so a large stack never sits in memory at full resolution.
import { openVolume, type OpenOptions, type VolumeReader } from '../io/index';
import type { VoxelSize } from '../io/volume';
import type { VoxelSizeSource } from '../io/calibration';
import { InvalidParameterError } from '../errors';

export interface ArrayView {
  data: Float32Array;
  shape: number[];
  voxelSize: VoxelSize;
  factor: [number, number, number];
  min: number;
  max: number;
  voxelSizeSource: VoxelSizeSource;
  /** Which channel and frame of how many in the file. */
  channel: number;
  frame: number;
  channels: number;
  frames: number;
}

/** Which volume of a multichannel/time-lapse file to read, and how to open it (the project's calibration). */
export interface ViewSelection {
  channel?: number;
  frame?: number;
  open?: OpenOptions;
}

/** The channel/frame indices checked against the file, and what every view reports about them. */
function where(reader: VolumeReader, sel: ViewSelection) {
  const { channel = 0, frame = 0 } = sel;
  const { channels, frames, voxelSizeSource } = reader.info;
  if (channel >= channels)
    throw new InvalidParameterError(
      'channel',
      `${channel} is out of range: the file has ${channels} channel(s) (counting from 0)`,
    );
  if (frame >= frames)
    throw new InvalidParameterError(
      'frame',
      `${frame} is out of range: the file has ${frames} frame(s) (counting from 0)`,
    );
  return { channel, frame, channels, frames, voxelSizeSource };
}

function range(a: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return a.length ? { min, max } : { min: 0, max: 0 };
}

/** Box-averages a [h, w] plane by `f` in both directions. */
function shrink2d(src: Float32Array, h: number, w: number, f: number): { data: Float32Array; h: number; w: number } {
  if (f === 1) return { data: src, h, w };
  const oh = Math.ceil(h / f);
  const ow = Math.ceil(w / f);
  const out = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      let n = 0;
      for (let yy = y * f; yy < Math.min(h, y * f + f); yy++)
        for (let xx = x * f; xx < Math.min(w, x * f + f); xx++) {
          s += src[yy * w + xx]!;
          n++;
        }
      out[y * ow + x] = s / n;
    }
  }
  return { data: out, h: oh, w: ow };
}

export async function readPlane(
  path: string,
  axis: 'z' | 'y' | 'x',
  index: number,
  factor: number,
  sel: ViewSelection = {},
): Promise<ArrayView> {
  const reader = await openVolume(path, sel.open);
  try {
    const at = where(reader, sel);
    const cf = { channel: at.channel, frame: at.frame };
    const [nz, ny, nx] = reader.shape;
    const limit = axis === 'z' ? nz : axis === 'y' ? ny : nx;
    if (index >= limit) throw new InvalidParameterError('index', `${axis} index ${index} is outside 0…${limit - 1}`);
    let plane: Float32Array;
    let h: number;
    let w: number;
    if (axis === 'z') {
      plane = await reader.readSlices(index, index + 1, cf);
      [h, w] = [ny, nx];
    } else {
      [h, w] = axis === 'y' ? [nz, nx] : [nz, ny];
      plane = new Float32Array(h * w);
      for (let z = 0; z < nz; z++) {
        const s = await reader.readSlices(z, z + 1, cf);
        if (axis === 'y') plane.set(s.subarray(index * nx, index * nx + nx), z * nx);
        else for (let y = 0; y < ny; y++) plane[z * ny + y] = s[y * nx + index]!;
      }
    }
    const small = shrink2d(plane, h, w, factor);
    const vs = reader.voxelSize;
    return {
      data: small.data,
      shape: [small.h, small.w],
      voxelSize: vs,
      factor: axis === 'z' ? [1, factor, factor] : axis === 'y' ? [factor, 1, factor] : [factor, factor, 1],
      ...range(small.data),
      ...at,
    };
  } finally {
    await reader.close();
  }
}

/** Smallest power-of-two factor whose downsampled volume holds at most maxVoxels. */
export function levelFactor(shape: [number, number, number], maxVoxels: number): number {
  let f = 1;
  while (Math.ceil(shape[0] / f) * Math.ceil(shape[1] / f) * Math.ceil(shape[2] / f) > maxVoxels) f *= 2;
  return f;
}

export async function readLevel(path: string, maxVoxels: number, sel: ViewSelection = {}): Promise<ArrayView> {
  const reader = await openVolume(path, sel.open);
  try {
    const at = where(reader, sel);
    const [nz, ny, nx] = reader.shape;
    const f = levelFactor([nz, ny, nx], maxVoxels);
    const oz = Math.ceil(nz / f);
    const oh = Math.ceil(ny / f);
    const ow = Math.ceil(nx / f);
    const out = new Float32Array(oz * oh * ow);
    for (let z = 0; z < oz; z++) {
      const z1 = Math.min(nz, z * f + f);
      const slab = await reader.readSlices(z * f, z1, { channel: at.channel, frame: at.frame });
      const acc = new Float32Array(ny * nx);
      for (let k = 0; k < z1 - z * f; k++) for (let i = 0; i < ny * nx; i++) acc[i]! += slab[k * ny * nx + i]!;
      for (let i = 0; i < acc.length; i++) acc[i]! /= z1 - z * f;
      out.set(shrink2d(acc, ny, nx, f).data, z * oh * ow);
    }
    const vs = reader.voxelSize;
    return {
      data: out,
      shape: [oz, oh, ow],
      voxelSize: { ...vs, x: vs.x * f, y: vs.y * f, z: vs.z * f },
      factor: [f, f, f],
      ...range(out),
      ...at,
    };
  } finally {
    await reader.close();
  }
}
