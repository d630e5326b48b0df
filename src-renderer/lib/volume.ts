// A volume held by the renderer (downsampled level or PSF) and slicing helpers.
export interface VolumeData {
  data: Float32Array;
  /** [z, y, x] */
  shape: [number, number, number];
  voxelSize: { x: number; y: number; z: number; unit: string };
  min: number;
  max: number;
  /** Where the voxel size came from (file, project override, none…); absent for volumes made in the renderer. */
  voxelSizeSource?: string;
  /** How many channels and frames the file holds (this volume is one of them). */
  channels?: number;
  frames?: number;
}

export type Axis = 'z' | 'y' | 'x';

/** A plane of the volume: axis z → [y, x] (XY), y → [z, x] (XZ), x → [z, y] (YZ). */
export function sliceOf(v: VolumeData, axis: Axis, index: number): { data: Float32Array; w: number; h: number } {
  const [nz, ny, nx] = v.shape;
  if (axis === 'z') {
    const i = Math.min(Math.max(index, 0), nz - 1);
    return { data: v.data.slice(i * ny * nx, (i + 1) * ny * nx), w: nx, h: ny };
  }
  if (axis === 'y') {
    const j = Math.min(Math.max(index, 0), ny - 1);
    const out = new Float32Array(nz * nx);
    for (let z = 0; z < nz; z++) out.set(v.data.subarray((z * ny + j) * nx, (z * ny + j + 1) * nx), z * nx);
    return { data: out, w: nx, h: nz };
  }
  const k = Math.min(Math.max(index, 0), nx - 1);
  const out = new Float32Array(nz * ny);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) out[z * ny + y] = v.data[(z * ny + y) * nx + k]!;
  return { data: out, w: ny, h: nz };
}

/** Block-average downsampling by an integer factor per axis, to keep a volume under `maxVoxels`. */
export function downsampleToFit(v: VolumeData, maxVoxels: number): VolumeData {
  const [nz, ny, nx] = v.shape;
  let f = 1;
  while (Math.ceil(nz / f) * Math.ceil(ny / f) * Math.ceil(nx / f) > maxVoxels) f *= 2;
  if (f === 1) return v;
  const oz = Math.ceil(nz / f),
    oy = Math.ceil(ny / f),
    ox = Math.ceil(nx / f);
  const out = new Float32Array(oz * oy * ox);
  const cnt = new Uint16Array(oz * oy * ox);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const o = (Math.floor(z / f) * oy + Math.floor(y / f)) * ox + Math.floor(x / f);
        out[o]! += v.data[(z * ny + y) * nx + x]!;
        cnt[o]!++;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! /= cnt[i]!;
  const vs = v.voxelSize;
  return { ...v, data: out, shape: [oz, oy, ox], voxelSize: { x: vs.x * f, y: vs.y * f, z: vs.z * f, unit: vs.unit } };
}
