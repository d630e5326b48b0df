// One Zarr v2 chunk file of the OME-Zarr we write (gzip, C order, padded to the full chunk): encoded from a
// block of voxels, decoded back for the pyramid. The block-wise counterpart of write.ts's slab encoder,
// for output written box by box (out-of-core deconvolution).
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { Shape3 } from '../volume';
import type { WriteDtype } from '../imagej-layout';
import { GZIP_LEVEL } from './ngff-write';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** Region `size` at `at` of a z-major `block` of `blockShape`, in a full `chunk` of `dtype` (uint16: rounded, clamped). */
export function chunkOf(
  block: Float32Array,
  blockShape: Shape3,
  at: Shape3,
  size: Shape3,
  chunk: Shape3,
  dtype: WriteDtype,
): Uint8Array {
  const [, by, bx] = blockShape;
  const [, cy, cx] = chunk;
  const out = dtype === 'uint16' ? new Uint16Array(chunk[0] * cy * cx) : new Float32Array(chunk[0] * cy * cx);
  for (let z = 0; z < size[0]; z++) {
    for (let y = 0; y < size[1]; y++) {
      const from = ((at[0] + z) * by + at[1] + y) * bx + at[2];
      const to = (z * cy + y) * cx;
      if (dtype === 'float32') out.set(block.subarray(from, from + size[2]), to);
      else
        for (let x = 0; x < size[2]; x++) {
          const v = block[from + x]!;
          out[to + x] = v > 0 ? (v >= 65535 ? 65535 : Math.round(v)) : 0;
        }
    }
  }
  return new Uint8Array(out.buffer);
}

/** Writes a chunk file atomically (a temp file in `tmpDir`, fsync, rename): a kill never leaves half a chunk. */
export async function writeChunkFile(file: string, raw: Uint8Array, tmpDir: string): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true });
  const tmp = join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}`);
  const h = await fs.open(tmp, 'w');
  try {
    await h.writeFile(await gzip(raw, { level: GZIP_LEVEL }));
    await h.sync();
  } finally {
    await h.close();
  }
  await fs.rename(tmp, file);
}

/** A chunk file decoded to float32 (all `chunk` voxels, padding included). */
export async function readChunkFile(file: string, chunk: Shape3, dtype: WriteDtype): Promise<Float32Array> {
  const bytes = await gunzip(await fs.readFile(file));
  const n = chunk[0] * chunk[1] * chunk[2];
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return dtype === 'uint16'
    ? Float32Array.from(new Uint16Array(copy.buffer, 0, n))
    : new Float32Array(copy.buffer, 0, n);
}
