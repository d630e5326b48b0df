// `--format imagej|ome-tiff` on convert, rl and deconvolve, and the OME-TIFF implied by a .ome.tif name:
// the output keeps every channel, frame and the calibration; ImageJ content under an .ome.tif name is refused.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { createVolumeWriter, makeVolume, readTiffInfo, readVolume, writeVolume } from '../../../src-main/core/io/index';
import { tempDir } from '../../helpers';
import { noteBigTiff } from '../../../src-main/cli/output-format';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

const VOXEL = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const [NZ, NY, NX] = [4, 12, 10];

/** A 2-channel × 2-frame ImageJ hyperstack and a small Gaussian PSF at the same voxel size. */
async function inputs(dir: string): Promise<{ stack: string; psf: string }> {
  const stack = join(dir, 'in.tif'),
    psf = join(dir, 'psf.tif');
  const w = await createVolumeWriter(stack, { shape: [NZ, NY, NX], voxelSize: VOXEL, channels: 2, frames: 2 });
  for (let t = 0; t < 2; t++)
    for (let c = 0; c < 2; c++)
      await w.writeSlicesAt(
        c,
        t,
        0,
        Float32Array.from({ length: NZ * NY * NX }, (_, i) => 10 + ((i * (3 + c) + 7 * t) % 17)),
      );
  await w.close();
  const g = new Float32Array(3 * 5 * 5);
  for (let z = 0; z < 3; z++)
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++) g[(z * 5 + y) * 5 + x] = Math.exp(-((z - 1) ** 2 + (y - 2) ** 2 + (x - 2) ** 2) / 2);
  await writeVolume(psf, makeVolume(g, [3, 5, 5], VOXEL));
  return { stack, psf };
}

async function expectOmeLike(file: string): Promise<void> {
  const info = await readTiffInfo(file);
  expect(info.sourceFormat).toBe('ome');
  expect([info.channels, info.frames]).toEqual([2, 2]);
  expect(info.shape).toEqual([NZ, NY, NX]);
  expect(info.voxelSize).toEqual(VOXEL);
}

describe('--format on commands that write stacks', { timeout: 120_000 }, () => {
  it('convert --format ome-tiff, and a .ome.tif name alone, write OME-TIFF with every value', async () => {
    const dir = tempDir();
    const { stack } = await inputs(dir);
    for (const [out, extra] of [
      ['a.tif', ['--format', 'ome-tiff']],
      ['b.ome.tif', []],
    ] as const) {
      const c = capture();
      expect(await runCli(['convert', stack, join(dir, out), ...extra], c.ctx)).toBe(0);
      expect(c.out.join('\n')).toMatch(/OME-TIFF/);
      await expectOmeLike(join(dir, out));
      const got = await readVolume(join(dir, out), { channel: 1, frame: 1 });
      expect(Array.from(got.data)).toEqual(Array.from((await readVolume(stack, { channel: 1, frame: 1 })).data));
    }
  });

  it('refuses --format imagej for an .ome.tif output before reading anything, and writes nothing', async () => {
    const dir = tempDir();
    const { stack } = await inputs(dir);
    const c = capture();
    expect(await runCli(['convert', stack, join(dir, 'x.ome.tif'), '--format', 'imagej'], c.ctx)).not.toBe(0);
    expect(c.err.join('\n')).toMatch(/--format: imagej output cannot be named/);
    expect(await runCli(['convert', stack, join(dir, 'y.tif'), '--format', 'zarr'], capture().ctx)).not.toBe(0);
    expect(existsSync(join(dir, 'x.ome.tif')) || existsSync(join(dir, 'y.tif'))).toBe(false);
  });

  it('rl --format ome-tiff writes every channel and frame as OME-TIFF', async () => {
    const dir = tempDir();
    const { stack, psf } = await inputs(dir);
    expect(
      await runCli(
        ['rl', stack, join(dir, 'rl.tif'), '--psf', psf, '--iters', '2', '--format', 'ome-tiff'],
        capture().ctx,
      ),
    ).toBe(0);
    await expectOmeLike(join(dir, 'rl.tif'));
    expect((await readTiffInfo(join(dir, 'rl.tif'))).extra['cycledecon.voxelSizeSource']).toBe('file');
  });

  it('deconvolve --format ome-tiff into a folder names results _decon.ome.tif', async () => {
    const dir = tempDir();
    const { stack, psf } = await inputs(dir);
    const out = join(dir, 'out') + '/';
    expect(
      await runCli(
        ['deconvolve', '--method', 'rl', '--psf', psf, '--iters', '2', '--format', 'ome-tiff', stack, out],
        capture().ctx,
      ),
    ).toBe(0);
    await expectOmeLike(join(dir, 'out', 'in_decon.ome.tif'));
    expect((await readTiffInfo(join(dir, 'out', 'in_decon.ome.tif'))).extra['cycledecon.method']).toBe('rl');
  });

  it("says in each command's help how to choose the format", async () => {
    for (const cmd of ['convert', 'rl', 'deconvolve']) {
      const c = capture();
      await runCli([cmd, '--help'], c.ctx);
      expect([...c.out, ...c.err].join('\n'), cmd).toMatch(
        /--format imagej\|ome-tiff\|ome-zarr[\s\S]*named[\s\S]*\.ome\.tif\/\.ome\.tiff or \.zarr gets that format/,
      );
    }
  });

  it('notes on stderr what a result above 4 GiB means for the flavour the output name implies', () => {
    const c = capture();
    const ctx = { ...c.ctx, signal: new AbortController().signal };
    noteBigTiff(ctx, 'big.tif', [64, 4096, 4096], 'float32', 1, undefined);
    noteBigTiff(ctx, 'big.ome.tif', [64, 4096, 4096], 'float32', 1, undefined);
    noteBigTiff(ctx, 'small.tif', [NZ, NY, NX], 'float32', 4, 'ome-tiff');
    expect(c.err).toHaveLength(2);
    expect(c.err[0]).toMatch(/^note: big\.tif: .*ImageJ 1\.x cannot open BigTIFF; Fiji's Bio-Formats can/);
    expect(c.err[1]).toMatch(/^note: big\.ome\.tif: .*BigTIFF OME-TIFF.*OME-Zarr \(--format ome-zarr/);
  });
});
