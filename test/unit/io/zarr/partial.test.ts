// The box-by-box OME-Zarr writer (partial.ts): its files equal the slab writer's (write.ts) voxel for voxel
// at every pyramid level, read back through zarrita; the box reader reads exactly the box; a partial
// output is continued only by the same input and options.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import { ConfinedFolderStore } from '../../../../src-main/core/io/zarr/store';
import { createZarrWriter } from '../../../../src-main/core/io/zarr/write';
import { openZarrVolume } from '../../../../src-main/core/io/zarr/read';
import { PartialZarr, planBoxes } from '../../../../src-main/core/io/zarr/partial';
import { ResumeMismatchError } from '../../../../src-main/core/io/zarr/progress';
import type { Shape3 } from '../../../../src-main/core/io/volume';

const SHAPE: Shape3 = [7, 45, 37];
const vox = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };
const volume = Float32Array.from(
  { length: SHAPE[0] * SHAPE[1] * SHAPE[2] },
  (_, i) => Math.sin(i * 0.37) * 100 + (i % 13),
);
let dir: string;

function box(data: Float32Array, shape: Shape3, start: Shape3, size: Shape3): Float32Array {
  const out = new Float32Array(size[0] * size[1] * size[2]);
  for (let z = 0; z < size[0]; z++)
    for (let y = 0; y < size[1]; y++)
      for (let x = 0; x < size[2]; x++) {
        out[(z * size[1] + y) * size[2] + x] =
          data[((start[0] + z) * shape[1] + start[1] + y) * shape[2] + start[2] + x]!;
      }
  return out;
}

async function level(folder: string, l: number): Promise<{ data: Float32Array; shape: number[] }> {
  const arr = await zarr.open(zarr.root(await ConfinedFolderStore.open(folder, 2 ** 30)).resolve(String(l)), {
    kind: 'array',
  });
  const r = (await zarr.get(arr)) as { data: ArrayLike<number>; shape: number[] };
  return { data: Float32Array.from(r.data), shape: r.shape };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'partial-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('box-by-box OME-Zarr output', () => {
  it('equals the slab writer at every level when boxes come in any order', async () => {
    const slab = join(dir, 'slab.zarr');
    const w = await createZarrWriter(slab, { shape: SHAPE, voxelSize: vox, dtype: 'float32' });
    await w.writeSlices(volume);
    await w.close();

    const boxed = join(dir, 'boxed.zarr');
    const layout = { shape: SHAPE, channels: 1, frames: 1, chunk: [3, 16, 16] as Shape3, dtype: 'float32' as const };
    const p = await PartialZarr.begin(boxed, layout, { fingerprint: 'f', optionsKey: 'k', options: {} });
    expect(p.boxes.length).toBe(3 * 3 * 3);
    for (const b of [...p.boxes].reverse()) await p.writeBox(b, box(volume, SHAPE, b.start, b.size));
    await p.finish({ name: 'boxed.zarr', voxelSize: vox });
    await expect(stat(`${boxed}.partial`)).rejects.toThrow();
    await expect(stat(join(boxed, 'progress.json'))).rejects.toThrow();
    await expect(stat(join(boxed, '.tmp'))).rejects.toThrow();

    for (let l = 0; l < 3; l++) {
      const a = await level(slab, l),
        b = await level(boxed, l);
      expect(b.shape).toEqual(a.shape);
      expect(b.data).toEqual(a.data);
    }
    // Level 1 by hand: the 2×2 mean of voxels (z=2, y=4..5, x=6..7).
    const at = (z: number, y: number, x: number) => volume[(z * SHAPE[1] + y) * SHAPE[2] + x]!;
    const l1 = await level(boxed, 1);
    expect(l1.data[(2 * 23 + 2) * 19 + 3]).toBeCloseTo((at(2, 4, 6) + at(2, 4, 7) + at(2, 5, 6) + at(2, 5, 7)) / 4, 4);
  });

  it('reads a box of an OME-Zarr that crosses chunk borders', async () => {
    const r = await openZarrVolume(join(dir, 'boxed.zarr'));
    const got = await r.readBox([2, 10, 5], [4, 20, 30]);
    expect(got).toEqual(box(volume, SHAPE, [2, 10, 5], [4, 20, 30]));
    await expect(r.readBox([5, 0, 0], [4, 1, 1])).rejects.toThrow(/not within/);
  });

  it('continues a partial output, and refuses one from another input or other options', async () => {
    const out = join(dir, 'resume.zarr');
    const layout = { shape: SHAPE, channels: 1, frames: 1, chunk: [7, 32, 32] as Shape3, dtype: 'uint16' as const };
    const opts = { fingerprint: 'f1', optionsKey: 'k1', options: { iterations: 10 } };
    const first = await PartialZarr.begin(out, layout, opts);
    await first.writeBox(first.boxes[0]!, box(volume, SHAPE, first.boxes[0]!.start, first.boxes[0]!.size));
    await first.setState('0/0', { lo: 1 });
    await expect(PartialZarr.begin(out, layout, { ...opts, fingerprint: 'f2' })).rejects.toThrow(ResumeMismatchError);
    await expect(
      PartialZarr.begin(out, layout, { ...opts, optionsKey: 'k2', options: { iterations: 11 } }),
    ).rejects.toThrow(/iterations changed/);
    const again = await PartialZarr.begin(out, layout, opts);
    expect(again.resumed).toBe(1);
    expect([again.isDone(0), again.isDone(1)]).toEqual([true, false]);
    expect(again.state('0/0')).toEqual({ lo: 1 });
    expect(planBoxes(layout).length).toBe(4);
  });
});
