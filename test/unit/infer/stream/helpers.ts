// Shared by the out-of-core tests: synthetic OME-Zarr inputs written box by box, and reading results back.
import type { Shape3 } from '../../../../src-main/core/io/volume';
import { PartialZarr } from '../../../../src-main/core/io/zarr/partial';
import { openZarrVolume } from '../../../../src-main/core/io/zarr/read';

/** Writes an OME-Zarr of `shape` whose voxel at (z, y, x) is `value(z, y, x)`, one chunk at a time (never the whole stack in memory). */
export async function writeZarr(
  path: string,
  shape: Shape3,
  chunk: Shape3,
  value: (z: number, y: number, x: number) => number,
  dtype: 'float32' | 'uint16' = 'float32',
): Promise<void> {
  const p = await PartialZarr.begin(
    path,
    { shape, channels: 1, frames: 1, chunk, dtype },
    { fingerprint: 'fixture', optionsKey: 'fixture', options: {} },
  );
  for (const b of p.boxes) {
    const d = new Float32Array(b.size[0] * b.size[1] * b.size[2]);
    let i = 0;
    for (let z = 0; z < b.size[0]; z++)
      for (let y = 0; y < b.size[1]; y++)
        for (let x = 0; x < b.size[2]; x++) d[i++] = value(b.start[0] + z, b.start[1] + y, b.start[2] + x);
    await p.writeBox(b, d);
  }
  await p.finish({ name: 'fixture', voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } });
}

export async function readZarr(path: string): Promise<Float32Array> {
  const r = await openZarrVolume(path);
  try {
    return await r.readSlices(0, r.shape[0]);
  } finally {
    await r.close();
  }
}

/** A 3×3×3 mean over the voxels inside the stack: a predictor whose reach is exactly 1 voxel. */
export function boxMean(data: Float32Array, [nz, ny, nx]: Shape3): Float32Array {
  const out = new Float32Array(data.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0,
          n = 0;
        for (let a = -1; a <= 1; a++)
          for (let b = -1; b <= 1; b++)
            for (let c = -1; c <= 1; c++) {
              const zz = z + a,
                yy = y + b,
                xx = x + c;
              if (zz >= 0 && yy >= 0 && xx >= 0 && zz < nz && yy < ny && xx < nx) {
                s += data[(zz * ny + yy) * nx + xx]!;
                n++;
              }
            }
        out[(z * ny + y) * nx + x] = s / n;
      }
  return out;
}
