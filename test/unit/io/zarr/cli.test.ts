// The commands on OME-Zarr: info and convert read a .zarr folder, rl and deconvolve take one in and write
// one out (--format ome-zarr or a .zarr name), deconvolve and train take a .zarr folder as one stack (not
// as a folder of stacks), and convert goes back to TIFF with every value and the calibration.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../../src-main/cli/main';
import {
  createVolumeWriter,
  makeVolume,
  readTiffInfo,
  readVolume,
  writeVolume,
} from '../../../../src-main/core/io/index';
import { expandInputs, outputPathFor } from '../../../../src-main/cli/inputs';
import { resolveStackPaths } from '../../../../src-main/core/train/inputs';
import { tempDir } from '../../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

const VOXEL = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const SHAPE = [4, 12, 10] as [number, number, number];
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];

async function inputs(dir: string): Promise<{ zarr: string; psf: string }> {
  const zarr = join(dir, 'in.zarr'),
    psf = join(dir, 'psf.tif');
  const w = await createVolumeWriter(zarr, { shape: SHAPE, voxelSize: VOXEL, channels: 2, frames: 1 });
  for (let c = 0; c < 2; c++)
    await w.writeSlicesAt(
      c,
      0,
      0,
      Float32Array.from({ length: N }, (_, i) => 10 + ((i * (3 + c)) % 17)),
    );
  await w.close();
  const g = new Float32Array(3 * 5 * 5);
  for (let z = 0; z < 3; z++)
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++) g[(z * 5 + y) * 5 + x] = Math.exp(-((z - 1) ** 2 + (y - 2) ** 2 + (x - 2) ** 2) / 2);
  await writeVolume(psf, makeVolume(g, [3, 5, 5], VOXEL));
  return { zarr, psf };
}

describe('commands on OME-Zarr', { timeout: 120_000 }, () => {
  it('info and convert read a .zarr folder; convert writes TIFF and OME-Zarr with every value', async () => {
    const dir = tempDir();
    const { zarr } = await inputs(dir);
    const c = capture();
    expect(await runCli(['info', zarr], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/ome-zarr-0\.4[\s\S]*channels:\s+2[\s\S]*0\.1 × 0\.1 × 0\.25 µm/);
    expect(await runCli(['convert', zarr, join(dir, 'out.tif')], capture().ctx)).toBe(0);
    expect(
      await runCli(['convert', join(dir, 'out.tif'), join(dir, 'again'), '--format', 'ome-zarr'], capture().ctx),
    ).toBe(0);
    for (let ch = 0; ch < 2; ch++) {
      const a = await readVolume(zarr, { channel: ch }),
        b = await readVolume(join(dir, 'again'), { channel: ch });
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      expect(b.voxelSize).toEqual(VOXEL);
    }
  });

  it('rl reads OME-Zarr and writes OME-Zarr for a .zarr name; deconvolve into a folder names outputs .zarr', async () => {
    const dir = tempDir();
    const { zarr, psf } = await inputs(dir);
    expect(await runCli(['rl', zarr, join(dir, 'rl.zarr'), '--psf', psf, '--iters', '2'], capture().ctx)).toBe(0);
    const info = await readTiffInfo(join(dir, 'rl.zarr'));
    expect([info.sourceFormat, info.channels, info.voxelSize]).toEqual(['ome-zarr-0.4', 2, VOXEL]);
    const c = capture();
    expect(
      await runCli(
        [
          'deconvolve',
          zarr,
          join(dir, 'out') + '/',
          '--method',
          'rl',
          '--psf',
          psf,
          '--iters',
          '1',
          '--format',
          'ome-zarr',
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect((await readTiffInfo(join(dir, 'out', 'in_decon.zarr'))).sourceFormat).toBe('ome-zarr-0.4');
  });

  it('a .zarr folder is one input to deconvolve and train, not a folder of stacks', async () => {
    const dir = tempDir();
    const { zarr } = await inputs(dir);
    expect(await expandInputs([zarr])).toEqual([zarr]);
    expect(await resolveStackPaths([zarr], '--blurred')).toEqual([zarr]);
    expect(await resolveStackPaths([dir], '--blurred')).toEqual([zarr, join(dir, 'psf.tif')]);
    expect(outputPathFor(`${zarr}/`, '/o', 'decon', '.zarr')).toBe('/o/in_decon.zarr');
  });
});

describe("the app's import of OME-Zarr", { timeout: 60_000 }, () => {
  it('imports a .zarr folder as one dataset (also inside an imported folder), and knows it again as a duplicate', async () => {
    const { ProjectStore, importDatasets } = await import('../../../../src-main/core/project');
    const store = await ProjectStore.create(tempDir());
    const dir = tempDir();
    const { zarr } = await inputs(dir);
    const report = await importDatasets(store, [zarr], { role: { kind: 'blurred' }, recursive: false });
    expect(report.failed).toEqual([]);
    expect(report.imported.map((d) => [d.name, d.shape])).toEqual([['in.zarr', SHAPE]]);
    const again = await importDatasets(store, [dir], { role: { kind: 'blurred' }, recursive: true });
    expect(again.duplicates.map((d) => d.path)).toEqual([zarr]);
    expect(again.imported.map((d) => d.name)).toEqual(['psf.tif']);
  });
});
