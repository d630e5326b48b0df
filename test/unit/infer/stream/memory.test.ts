// Out-of-core memory: a 1 GiB (as float32) OME-Zarr stack goes through in a child process whose resident
// memory grows by less than a quarter of the stack over its baseline after start-up; spot voxels of the
// output and of a pyramid level are checked against the predictor and the 2×2 mean by hand. The growth has a
// floor of 100–150 MiB whatever the box (allocator and garbage-collector slack, measured), so the stack is
// large enough for a quarter of it to measure the box, not that floor.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import type { Shape3 } from '../../../../src-main/core/io/volume';
import { openZarrVolume } from '../../../../src-main/core/io/zarr/read';
import { ConfinedFolderStore } from '../../../../src-main/core/io/zarr/store';
import { repoRoot, tempDir } from '../../../helpers';
import { PartialZarr } from '../../../../src-main/core/io/zarr/partial';

const SHAPE: Shape3 = [64, 2048, 2048];
const CHUNK: Shape3 = [32, 256, 256];
/** Periodic with the chunk, so one chunk's voxels serve every chunk and writing the input stays quick. */
const value = (z: number, y: number, x: number) => (((x % 256) * 7 + (y % 256) * 13 + (z % 32) * 31) % 1000) + 100;

async function writeInput(path: string): Promise<void> {
  const p = await PartialZarr.begin(
    path,
    { shape: SHAPE, channels: 1, frames: 1, chunk: CHUNK, dtype: 'uint16' },
    { fingerprint: 'fixture', optionsKey: 'fixture', options: {} },
  );
  const one = new Float32Array(CHUNK[0] * CHUNK[1] * CHUNK[2]);
  for (let z = 0, i = 0; z < CHUNK[0]; z++)
    for (let y = 0; y < CHUNK[1]; y++) for (let x = 0; x < CHUNK[2]; x++) one[i++] = value(z, y, x);
  for (const b of p.boxes) await p.writeBox(b, one);
  await p.finish({ name: 'fixture', voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } });
}

describe('out-of-core memory', () => {
  it('deconvolves a 1 GiB stack, 4× the memory cap, with resident growth under the cap', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.zarr'),
      output = join(dir, 'out.zarr');
    await writeInput(input);
    const stackBytes = SHAPE[0] * SHAPE[1] * SHAPE[2] * 4;
    expect(stackBytes).toBe(2 ** 30);
    const cap = stackBytes / 4;
    const child = join(repoRoot, 'test', 'unit', 'infer', 'stream', 'memory-child.ts');
    const report = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', child, input, output, '16,256,256'], { encoding: 'utf8' }),
    ) as { baseline: number; peak: number; boxes: number };
    expect(report.boxes).toBe(4 * 8 * 8);
    const growth = report.peak - report.baseline;
    console.log(
      `peak RSS growth ${(growth / 2 ** 20).toFixed(0)} MiB over a ${(report.baseline / 2 ** 20).toFixed(0)} MiB baseline (cap ${cap / 2 ** 20} MiB)`,
    );
    expect(growth).toBeLessThan(cap);

    const r = await openZarrVolume(output);
    const got = await r.readBox([50, 1000, 1535], [1, 2, 3]);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 3; x++) {
        const want = Math.round(
          (value(50, 1000 + y, 1534 + x) + value(50, 1000 + y, 1535 + x) + value(50, 1000 + y, 1536 + x)) / 3,
        );
        expect(got[y * 3 + x]).toBe(want);
      }
    const l1 = await zarr.open(zarr.root(await ConfinedFolderStore.open(output, 2 ** 30)).resolve('1'), {
      kind: 'array',
    });
    const px = (await zarr.get(l1, [0, 0, 50, 500, 750])) as number;
    const full = await r.readBox([50, 1000, 1500], [1, 2, 2]);
    expect(px).toBe(Math.round((full[0]! + full[1]! + full[2]! + full[3]!) / 4));
  }, 120_000);
});
