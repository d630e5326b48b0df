// A coarser pyramid level of a box-written OME-Zarr, made from the level above's chunk files on disk, one
// output chunk at a time: each reads the (at most four) level-above chunks it covers, takes the 2×2 mean in
// y, x (pyramid.ts's halveXY, so the values equal the in-memory writer's) and writes its chunk. Memory is a
// few chunks, whatever the stack's size.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Shape3 } from '../volume';
import { halveXY, type Level } from './pyramid';
import { chunkOf, readChunkFile, writeChunkFile } from './chunk-codec';
import type { WriteDtype } from '../imagej-layout';
import { DEFAULT_NGFF, volumeDir, type NgffVersion } from './ngff-docs';

/** What a box-written OME-Zarr holds. */
export interface StreamLayout {
  shape: Shape3;
  channels: number;
  frames: number;
  /** Level-0 chunk (and box) size, z, y, x; clipped to the shape. */
  chunk: Shape3;
  dtype: WriteDtype;
  /** NGFF 0.4 on Zarr v2 (default) or 0.5 on Zarr v3: where the chunk files and metadata go. */
  ngff?: NgffVersion;
}

/** Voxels [z0, z0 + size) of one level's chunks (t, c fixed), assembled from the chunk files that hold them. */
export async function readRegion(
  levelDir: string,
  level: Level,
  dtype: StreamLayout['dtype'],
  start: Shape3,
  size: Shape3,
): Promise<Float32Array> {
  const [cz, cy, cx] = level.chunks;
  const out = new Float32Array(size[0] * size[1] * size[2]);
  const range = (a: number, c: number) => {
    const r: number[] = [];
    for (let i = Math.floor(start[a]! / c); i * c < start[a]! + size[a]!; i++) r.push(i);
    return r;
  };
  for (const zi of range(0, cz))
    for (const yi of range(1, cy))
      for (const xi of range(2, cx)) {
        const chunk = await readChunkFile(join(levelDir, String(zi), String(yi), String(xi)), level.chunks, dtype);
        const z0 = Math.max(start[0], zi * cz),
          z1 = Math.min(start[0] + size[0], (zi + 1) * cz);
        const y0 = Math.max(start[1], yi * cy),
          y1 = Math.min(start[1] + size[1], (yi + 1) * cy);
        const x0 = Math.max(start[2], xi * cx),
          x1 = Math.min(start[2] + size[2], (xi + 1) * cx);
        for (let z = z0; z < z1; z++)
          for (let y = y0; y < y1; y++) {
            const from = ((z - zi * cz) * cy + y - yi * cy) * cx + x0 - xi * cx;
            out.set(
              chunk.subarray(from, from + x1 - x0),
              ((z - start[0]) * size[1] + y - start[1]) * size[2] + x0 - start[2],
            );
          }
      }
  return out;
}

/** Writes level `l` (every channel and frame) from level `l − 1`'s chunk files under `folder`. */
export async function buildLevel(
  folder: string,
  above: Level,
  level: Level,
  l: number,
  layout: StreamLayout,
  tmpDir: string,
): Promise<void> {
  const [nz, ny, nx] = level.shape,
    [cz, cy, cx] = level.chunks;
  const [, ay, ax] = above.shape;
  for (let t = 0; t < layout.frames; t++)
    for (let c = 0; c < layout.channels; c++) {
      const ngff = layout.ngff ?? DEFAULT_NGFF;
      const src = volumeDir(folder, ngff, l - 1, t, c),
        dst = volumeDir(folder, ngff, l, t, c);
      for (let zi = 0; zi * cz < nz; zi++)
        for (let yi = 0; yi * cy < ny; yi++)
          for (let xi = 0; xi * cx < nx; xi++) {
            const depth = Math.min(cz, nz - zi * cz);
            const y0 = 2 * yi * cy,
              x0 = 2 * xi * cx;
            const h = Math.min(2 * cy, ay - y0),
              w = Math.min(2 * cx, ax - x0);
            const half = halveXY(
              await readRegion(src, above, layout.dtype, [zi * cz, y0, x0], [depth, h, w]),
              depth,
              h,
              w,
            );
            const raw = chunkOf(
              half.data,
              [depth, half.ny, half.nx],
              [0, 0, 0],
              [depth, half.ny, half.nx],
              level.chunks,
              layout.dtype,
            );
            await writeChunkFile(join(dst, String(zi), String(yi), String(xi)), raw, tmpDir);
          }
    }
  await fs.mkdir(join(folder, String(l)), { recursive: true });
}
