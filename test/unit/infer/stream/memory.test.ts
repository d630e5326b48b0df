// Out-of-core memory: a 512 MiB (as float32) OME-Zarr stack goes through in a child process whose resident
// memory grows by less than a quarter of the stack over its baseline after start-up; spot voxels of the
// output and of a pyramid level are checked against the predictor and the 2×2 mean by hand.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import type { Shape3 } from '../../../../src-main/core/io/volume';
import { openZarrVolume } from '../../../../src-main/core/io/zarr/read';
import { ConfinedFolderStore } from '../../../../src-main/core/io/zarr/store';
import { repoRoot, tempDir } from '../../../helpers';
import { writeZarr } from './helpers';

const SHAPE: Shape3 = [32, 2048, 2048];
const value = (z: number, y: number, x: number) => ((x * 7 + y * 13 + z * 31) % 1000) + 100;

describe('out-of-core memory', () => {
  it('deconvolves a stack 4× the memory cap with resident growth under the cap', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.zarr'), output = join(dir, 'out.zarr');
    await writeZarr(input, SHAPE, [32, 256, 256], value, 'uint16');
    const stackBytes = SHAPE[0] * SHAPE[1] * SHAPE[2] * 4;
    expect(stackBytes).toBe(512 * 2 ** 20);
    const cap = stackBytes / 4;
    const child = join(repoRoot, 'test', 'unit', 'infer', 'stream', 'memory-child.ts');
    const report = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child, input, output, '16,256,256'], { encoding: 'utf8' })) as { baseline: number; peak: number; boxes: number };
    expect(report.boxes).toBe(2 * 8 * 8);
    const growth = report.peak - report.baseline;
    console.log(`peak RSS growth ${(growth / 2 ** 20).toFixed(0)} MiB over a ${(report.baseline / 2 ** 20).toFixed(0)} MiB baseline (cap ${cap / 2 ** 20} MiB)`);
    expect(growth).toBeLessThan(cap);

    const r = await openZarrVolume(output);
    const got = await r.readBox([20, 1000, 1500], [1, 2, 3]);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) {
      const want = Math.round((value(20, 1000 + y, 1499 + x) + value(20, 1000 + y, 1500 + x) + value(20, 1000 + y, 1501 + x)) / 3);
      expect(got[y * 3 + x]).toBe(want);
    }
    const l1 = await zarr.open(zarr.root(await ConfinedFolderStore.open(output, 2 ** 30)).resolve('1'), { kind: 'array' });
    const px = (await zarr.get(l1, [0, 0, 20, 500, 750])) as number;
    const full = await r.readBox([20, 1000, 1500], [1, 2, 2]);
    expect(px).toBe(Math.round((full[0]! + full[1]! + full[2]! + full[3]!) / 4));
  }, 120_000);
});
