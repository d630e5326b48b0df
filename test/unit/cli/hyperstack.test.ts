// Real microscope stacks through the CLI: every channel and time point is processed and written back with
// the input's axes, counts and calibration, as tifffile (an independent reader) sees them; headers that
// disagree with themselves or file z as frames are reported, never silently cut.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { readVolume, readTiffInfo } from '../../../src-main/core/io/index';
import { richardsonLucy } from '../../../src-main/core/deconv/rl';
import { repoRoot, tempDir } from '../../helpers';
import { hyperstackScript, python, pythonMissing, tifffileView } from './python-tifffile';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Output volume (channel c, frame t) equals RL run on its source volume alone with the given PSF. */
async function expectRlOf(
  out: string,
  at: { c: number; t: number },
  input: string,
  src: { channel: number; frame: number },
  psf: string,
  iterations: number,
) {
  const expected = await richardsonLucy(await readVolume(input, src), await readVolume(psf), { iterations });
  const got = await readVolume(out, { channel: at.c, frame: at.t });
  const peak = expected.data.reduce((m, v) => Math.max(m, v), 0);
  expect(maxAbsDiff(got.data, expected.data)).toBeLessThan(1e-5 * peak);
}

describe.skipIf(!python)(`hyperstacks through rl, deconvolve and convert${pythonMissing}`, { timeout: 120_000 }, () => {
  const dir = tempDir();
  const f = (name: string) => join(dir, name);
  beforeAll(() => {
    hyperstackScript('write', dir);
  });

  it('rl: 2 channels × 3 frames, one PSF per channel → TZCYX with the same counts, calibration and frame interval', async () => {
    const c = capture();
    expect(
      await runCli(
        ['rl', f('hyper_cal.tif'), f('rl.tif'), '--psf', `${f('psf_c0.tif')},${f('psf_c1.tif')}`, '--iters', '4'],
        c.ctx,
      ),
    ).toBe(0);
    const v = tifffileView(f('rl.tif'));
    expect(v.axes).toBe('TZCYX');
    expect(v.shape).toEqual([3, 6, 2, 24, 20]);
    expect(v.unit).toBe('micron');
    expect(v.x).toBeCloseTo(0.1, 9);
    expect(v.spacing).toBeCloseTo(0.25, 9);
    expect(v.finterval).toBe(2);
    expect(v.description['cycledecon.voxelSizeSource']).toBe('file');
    // Every volume was deconvolved, each with its own channel's PSF.
    for (let t = 0; t < 3; t++)
      for (let ch = 0; ch < 2; ch++)
        await expectRlOf(
          f('rl.tif'),
          { c: ch, t },
          f('hyper_cal.tif'),
          { channel: ch, frame: t },
          f(`psf_c${ch}.tif`),
          4,
        );
  });

  it('rl --channel/--frame select a subset; an uncalibrated image takes the PSF hyperstack\'s voxel size, recorded as "psf"', async () => {
    const c = capture();
    expect(
      await runCli(
        [
          'rl',
          f('hyper_uncal.tif'),
          f('rl_sel.tif'),
          '--psf',
          f('psf_hyper.tif'),
          '--iters',
          '3',
          '--channel',
          '1',
          '--frame',
          '0,2',
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(c.err.join('\n')).toMatch(/no calibration; using the PSF's voxel size/);
    const v = tifffileView(f('rl_sel.tif'));
    expect(v.axes).toBe('TZYX');
    expect(v.shape).toEqual([2, 6, 24, 20]);
    expect(v.x).toBeCloseTo(0.1, 9);
    expect(v.description).toMatchObject({
      'cycledecon.voxelSizeSource': 'psf',
      'cycledecon.sourceChannels': 1,
      'cycledecon.sourceFrames': '0,2',
    });
    await expectRlOf(
      f('rl_sel.tif'),
      { c: 0, t: 1 },
      f('hyper_uncal.tif'),
      { channel: 1, frame: 2 },
      f('psf_c1.tif'),
      3,
    );
    const bad = capture();
    expect(
      await runCli(['rl', f('hyper_cal.tif'), f('x.tif'), '--psf', f('psf_c0.tif'), '--channel', '2'], bad.ctx),
    ).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--channel: 2 is out of range: the file has 2 channels/);
  });

  it('rl with one PSF for two channels warns and uses it for both; --voxel-size overrides and is recorded as "cli"', async () => {
    const c = capture();
    expect(
      await runCli(
        [
          'rl',
          f('hyper_uncal.tif'),
          f('rl_one.tif'),
          '--psf',
          f('psf_c0.tif'),
          '--iters',
          '2',
          '--frame',
          '1',
          '--voxel-size',
          '100,100,250nm',
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(c.err.join('\n')).toMatch(/one PSF .* is used for all 2 channels/);
    const v = tifffileView(f('rl_one.tif'));
    expect(v.axes).toBe('ZCYX');
    expect(v.x).toBeCloseTo(0.1, 9);
    expect(v.description['cycledecon.voxelSizeSource']).toBe('cli');
    await expectRlOf(
      f('rl_one.tif'),
      { c: 1, t: 0 },
      f('hyper_uncal.tif'),
      { channel: 1, frame: 1 },
      f('psf_c0.tif'),
      2,
    );
  });

  it('deconvolve --method rl: every channel and frame, axes and calibration kept, the shared PSF named in the JSON warnings', async () => {
    const c = capture();
    expect(
      await runCli(
        [
          'deconvolve',
          '--method',
          'rl',
          '--psf',
          f('psf_c0.tif'),
          '--iters',
          '3',
          f('hyper_cal.tif'),
          f('dec.tif'),
          '--json',
        ],
        c.ctx,
      ),
    ).toBe(0);
    const summary = JSON.parse(c.out.join('\n')) as {
      warnings: string[];
      files: { channels: number; frames: number; voxels: number }[];
    };
    expect(summary.files[0]).toMatchObject({ channels: 2, frames: 3, voxels: 6 * 6 * 24 * 20 });
    expect(summary.warnings.join('\n')).toMatch(/same PSF was applied to all 2 channels/);
    const v = tifffileView(f('dec.tif'));
    expect(v.axes).toBe('TZCYX');
    expect(v.shape).toEqual([3, 6, 2, 24, 20]);
    expect(v.spacing).toBeCloseTo(0.25, 9);
    // Each volume differs from every other: none was skipped or duplicated.
    const vols = await Promise.all(
      [0, 1, 2].flatMap((t) => [0, 1].map((ch) => readVolume(f('dec.tif'), { channel: ch, frame: t }))),
    );
    for (let i = 0; i < vols.length; i++)
      for (let j = i + 1; j < vols.length; j++) expect(maxAbsDiff(vols[i]!.data, vols[j]!.data)).toBeGreaterThan(1);
  });

  it('deconvolve with the tiny model: every channel and frame of an uncalibrated hyperstack, counts kept', async () => {
    const c = capture();
    expect(
      await runCli(
        [
          'deconvolve',
          '--model',
          join(repoRoot, 'test', 'fixtures', 'model-bars'),
          '--backend',
          'cpu',
          '--frame',
          '0,1',
          f('hyper_uncal.tif'),
          f('model.tif'),
          '--json',
        ],
        c.ctx,
      ),
    ).toBe(0);
    const v = tifffileView(f('model.tif'));
    expect(v.axes).toBe('TZCYX');
    expect(v.shape).toEqual([2, 6, 2, 24, 20]);
    expect(v.unit).toBeNull();
  });

  it('convert keeps every channel and frame by default', async () => {
    expect(await runCli(['convert', f('hyper_cal.tif'), f('conv.tif'), '--dtype', 'uint16'], capture().ctx)).toBe(0);
    const v = tifffileView(f('conv.tif'));
    expect(v).toMatchObject({ axes: 'TZCYX', shape: [3, 6, 2, 24, 20], dtype: 'uint16', finterval: 2 });
    const a = await readVolume(f('hyper_cal.tif'), { channel: 1, frame: 2 }),
      b = await readVolume(f('conv.tif'), { channel: 1, frame: 2 });
    expect(maxAbsDiff(a.data, b.data)).toBe(0);
  });

  it('a z-stack stored as ImageJ frames is read as z, with a warning', async () => {
    const info = await readTiffInfo(f('frames_only.tif'));
    expect(info.shape[0]).toBe(6);
    expect(info.frames).toBe(1);
    expect(info.warnings.join('\n')).toMatch(/6 frames and no slices .* read as a z-stack of 6 slices/);
  });

  it('images=16 slices=2: the 14 ignored pages are named in a warning (info and rl)', async () => {
    const c = capture();
    expect(await runCli(['info', f('images16_slices2.tif'), '--json'], c.ctx)).toBe(0);
    const info = JSON.parse(c.out.join('\n')) as { warnings: string[]; shape: number[] };
    expect(info.shape[0]).toBe(2);
    expect(info.warnings.join('\n')).toMatch(
      /images=16 but slices × channels × frames = 2 × 1 × 1 = 2; 14 pages are not part of the stack/,
    );
    const r = capture();
    expect(
      await runCli(['rl', f('images16_slices2.tif'), f('rl16.tif'), '--psf', f('psf_c0.tif'), '--iters', '1'], r.ctx),
    ).toBe(0);
    expect(r.err.join('\n')).toMatch(/14 pages are not part of the stack/);
  });

  it('a PSF tifffile wrote with its planes as channels (channels=5, slices=1) is read as 5 z planes, with a warning', async () => {
    const c = capture();
    expect(await runCli(['psf-info', f('psf_planes_as_channels.tif'), '--json'], c.ctx)).toBe(0);
    const info = JSON.parse(c.out.join('\n')) as { shape: number[]; warnings: string[] };
    expect(info.shape).toEqual([5, 9, 9]);
    expect(info.warnings.join('\n')).toMatch(/5 planes are stored as channels with 1 slice/);
    expect(c.err.join('\n')).toMatch(/read as a z-stack of 5 slices/);
  });

  it('psf-fit refuses a multichannel stack with an error naming --channel, and takes one channel with it', async () => {
    const c = capture();
    expect(await runCli(['psf-fit', '--blurred', f('hyper_cal.tif'), '--sharp', f('hyper_cal.tif')], c.ctx)).toBe(1);
    expect(c.err.join('\n')).toMatch(
      /--channel: .*hyper_cal.tif has 2 channels and this command takes one: choose it with --channel N/,
    );
    const t = capture();
    expect(
      await runCli(
        ['psf-fit', '--blurred', f('hyper_cal.tif'), '--sharp', f('hyper_cal.tif'), '--channel', '0'],
        t.ctx,
      ),
    ).toBe(1);
    expect(t.err.join('\n')).toMatch(/--frame: .* has 3 frames/);
  });
});
