// Hyperstacks without Python: our writer's CZT page order read back by our reader, every page written
// exactly once or nothing saved, and the header checks of stack-shape.ts on layouts built in memory.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createVolumeWriter, makeVolume, readTiffInfo, readVolume, writeVolume } from '../../../src-main/core/io/index';
import { checkLayout } from '../../../src-main/core/io/stack-shape';
import type { StackLayout } from '../../../src-main/core/io/metadata';
import { runCli } from '../../../src-main/cli/main';
import { richardsonLucy } from '../../../src-main/core/deconv/rl';
import { gaussianPsf } from '../../../src-main/core/psf/kernels';
import { tempDir } from '../../helpers';

const vs = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const [NZ, NY, NX] = [4, 6, 5];
/** A volume whose every voxel encodes its channel, frame and index, so any mix-up shows. */
const tagged = (c: number, t: number) =>
  Float32Array.from({ length: NZ * NY * NX }, (_, i) => 1000 * t + 100 * c + (i % 97));

async function writeHyperstack(path: string, nc: number, nt: number): Promise<void> {
  const w = await createVolumeWriter(path, {
    shape: [NZ, NY, NX],
    voxelSize: vs,
    channels: nc,
    frames: nt,
    metadata: { extra: { finterval: '2' } },
  });
  // Any order: frames backwards, channels interleaved, z in two halves.
  for (let t = nt - 1; t >= 0; t--)
    for (let c = 0; c < nc; c++) {
      const d = tagged(c, t),
        half = (NZ / 2) * NY * NX;
      await w.writeSlicesAt(c, t, NZ / 2, d.subarray(half));
      await w.writeSlicesAt(c, t, 0, d.subarray(0, half));
    }
  await w.close();
}

describe('hyperstack writer and reader', () => {
  it('writes 2 channels × 3 frames that read back volume by volume, with counts and calibration', async () => {
    const file = join(tempDir(), 'h.tif');
    await writeHyperstack(file, 2, 3);
    const info = await readTiffInfo(file);
    expect(info).toMatchObject({
      shape: [NZ, NY, NX],
      channels: 2,
      frames: 3,
      pages: 24,
      voxelSizeSource: 'file',
      warnings: [],
    });
    expect(info.voxelSize.z).toBeCloseTo(0.25, 9);
    expect(info.extra.finterval).toBe('2');
    for (let t = 0; t < 3; t++)
      for (let c = 0; c < 2; c++)
        expect(Array.from((await readVolume(file, { channel: c, frame: t })).data)).toEqual(Array.from(tagged(c, t)));
  });

  it('refuses a page written twice, and saves nothing when a page is missing', async () => {
    const dir = tempDir(),
      file = join(dir, 'x.tif');
    const w = await createVolumeWriter(file, { shape: [NZ, NY, NX], voxelSize: vs, channels: 2 });
    await w.writeSlicesAt(0, 0, 0, tagged(0, 0));
    await expect(w.writeSlicesAt(0, 0, 1, tagged(0, 0).subarray(0, NY * NX))).rejects.toThrow(
      /channel 0, frame 0, slice 1 was already written/,
    );
    await expect(w.writeSlicesAt(2, 0, 0, tagged(0, 0))).rejects.toThrow(/do not fit 2 × 1 volumes/);
    await expect(w.close()).rejects.toThrow(/only 4 of 8 slices were written; nothing was saved/);
    expect(existsSync(file)).toBe(false);
  });

  it('rl on a hyperstack written here: each output volume is RL of its own input volume', async () => {
    const dir = tempDir(),
      input = join(dir, 'in.tif'),
      psf = join(dir, 'psf.tif'),
      out = join(dir, 'out.tif');
    await writeHyperstack(input, 2, 2);
    await writeVolume(psf, makeVolume(gaussianPsf([3, 5, 5], [0.7, 1, 1]), [3, 5, 5], vs));
    const err: string[] = [];
    expect(
      await runCli(['rl', input, out, '--psf', psf, '--iters', '3'], {
        out: () => {},
        err: (l) => err.push(l),
        interactive: false,
      }),
    ).toBe(0);
    expect(err.join('\n')).toMatch(/one PSF .* is used for all 2 channels/);
    const info = await readTiffInfo(out);
    expect(info).toMatchObject({ channels: 2, frames: 2, shape: [NZ, NY, NX] });
    for (let t = 0; t < 2; t++)
      for (let c = 0; c < 2; c++) {
        const want = await richardsonLucy(await readVolume(input, { channel: c, frame: t }), await readVolume(psf), {
          iterations: 3,
        });
        expect(Array.from((await readVolume(out, { channel: c, frame: t })).data)).toEqual(Array.from(want.data));
      }
  });
});

describe('rl PSFs per channel', () => {
  it('refuses a PSF list or PSF hyperstack that does not match the channels, before writing anything', async () => {
    const dir = tempDir(),
      input = join(dir, 'in.tif'),
      psf = join(dir, 'psf.tif'),
      psf3 = join(dir, 'psf3.tif'),
      out = join(dir, 'out.tif');
    await writeHyperstack(input, 2, 1);
    await writeVolume(psf, makeVolume(gaussianPsf([3, 5, 5], [0.7, 1, 1]), [3, 5, 5], vs));
    const w = await createVolumeWriter(psf3, { shape: [3, 5, 5], voxelSize: vs, channels: 3 });
    for (let c = 0; c < 3; c++) await w.writeSlicesAt(c, 0, 0, gaussianPsf([3, 5, 5], [0.7, 1, 1]));
    await w.close();
    for (const [spec, why] of [
      [`${psf},${psf},${psf}`, /3 PSF files for 2 channel\(s\)/],
      [psf3, /has 3 channels but the image has 2/],
    ] as const) {
      const err: string[] = [];
      expect(
        await runCli(['rl', input, out, '--psf', spec, '--iters', '1'], {
          out: () => {},
          err: (l) => err.push(l),
          interactive: false,
        }),
      ).toBe(1);
      expect(err.join('\n')).toMatch(why);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('commands that take one volume', () => {
  it('train refuses a 2-channel stack before making its run folder, naming --channel', async () => {
    const dir = tempDir(),
      file = join(dir, 'h.tif'),
      run = join(dir, 'run');
    await writeHyperstack(file, 2, 1);
    const err: string[] = [];
    expect(
      await runCli(['train', '--blurred', file, '--sharp', file, '--out', run, '--preset', 'tiny'], {
        out: () => {},
        err: (l) => err.push(l),
        interactive: false,
      }),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/--channel: .*h\.tif has 2 channels and this command takes one/);
    expect(err.join('\n')).toMatch(/cycledecon convert .* --channel N/);
    expect(existsSync(run)).toBe(false);
  });
});

function layout(slices: number, channels: number, frames: number, declared: StackLayout['declared']): StackLayout {
  return {
    sourceFormat: 'imagej',
    slices,
    channels,
    frames,
    voxelSize: vs,
    voxelSizeAssumed: false,
    extra: {},
    declared,
    pageOf: (z, c, t) => (t * slices + z) * channels + c,
  };
}

describe('stack header checks', () => {
  it('reads ImageJ frames without slices as z, keeping the page of each plane', () => {
    const { layout: l, warnings } = checkLayout('f.tif', layout(1, 1, 12, { images: 12, frames: 12 }));
    expect([l.slices, l.channels, l.frames]).toEqual([12, 1, 1]);
    expect(l.pageOf(7, 0, 0)).toBe(7);
    expect(warnings[0]).toMatch(/12 frames and no slices/);
    // Declared slices=1 with frames: a real time series of single planes stays as it is.
    expect(checkLayout('g.tif', layout(1, 1, 12, { images: 12, slices: 1, frames: 12 })).layout.frames).toBe(12);
  });
  it('names the pages an inconsistent images= header leaves out', () => {
    const { warnings } = checkLayout('i.tif', layout(2, 1, 1, { images: 16, slices: 2 }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/images=16 but slices × channels × frames = 2 × 1 × 1 = 2; 14 pages/);
    expect(checkLayout('ok.tif', layout(4, 2, 3, { images: 24, slices: 4, channels: 2, frames: 3 })).warnings).toEqual(
      [],
    );
  });
  it("reads a PSF's planes stored as channels as z only when asked (channelsAsZ)", () => {
    const l = layout(1, 33, 1, { images: 33, channels: 33, slices: 1 });
    expect(checkLayout('p.tif', l).layout.channels).toBe(33);
    const { layout: z, warnings } = checkLayout('p.tif', l, { channelsAsZ: true });
    expect([z.slices, z.channels]).toEqual([33, 1]);
    expect(z.pageOf(20, 0, 0)).toBe(20);
    expect(warnings[0]).toMatch(/33 planes are stored as channels with 1 slice/);
  });
});
