// `cycledecon info` and `cycledecon convert` driven through runCli, checked against the fixtures' expectations.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { fixture, sampleData, tempDir } from '../../helpers';
import { readVolume } from '../../../src-main/core/io/index';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}
const expected = JSON.parse(readFileSync(fixture('tiff', 'expected.json'), 'utf8')) as {
  files: Record<
    string,
    {
      shape?: number[];
      voxelSize?: { x: number; y: number; z: number; unit: string };
      channels?: number;
      reads?: { sum: number }[];
    }
  >;
};

describe('cycledecon info', () => {
  const good = Object.entries(expected.files).filter(([, e]) => e.shape);
  it.each(good)('%s --json reports shape and voxel size', async (name, e) => {
    const c = capture();
    expect(await runCli(['info', fixture('tiff', name), '--json'], c.ctx)).toBe(0);
    const r = JSON.parse(c.out.join('\n'));
    expect(r.shape).toEqual(e.shape);
    expect(r.voxelSize).toEqual(e.voxelSize);
    expect(r.channels).toBe(e.channels);
    if (e.channels === 1 && r.frames === 1 && e.reads) {
      const n = e.shape!.reduce((a, b) => a * b, 1);
      expect(r.stats.mean).toBeCloseTo(e.reads[0]!.sum / n, 6);
    }
  });

  it('prints a readable summary with the calibration of the shared psfgen1.tif', async () => {
    const c = capture();
    expect(await runCli(['info', sampleData('flowdec_psfgen', 'psfgen1.tif')], c.ctx)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/shape: +8 × 16 × 16/);
    expect(text).toMatch(/voxel size: +0\.1 × 0\.1 × 0\.25 µm/);
    expect(text).toMatch(/min\/max\/mean: +0\.000260838 \/ 1 \//);
  });

  it('fails with exit code 1 and the file name for bad input', async () => {
    const c = capture();
    expect(await runCli(['info', fixture('tiff', 'not_a_tiff.tif')], c.ctx)).toBe(1);
    expect(c.err.join('\n')).toMatch(/not_a_tiff\.tif: not a TIFF file/);
    const d = capture();
    expect(await runCli(['info'], d.ctx)).toBe(2);
    expect(d.err.join('\n')).toMatch(/give exactly one TIFF file/);
  });
});

describe('cycledecon convert', () => {
  it('converts one channel of a hyperstack to uint16 keeping the voxel size', async () => {
    const dir = tempDir();
    const out = join(dir, 'c1.tif');
    const c = capture();
    expect(
      await runCli(
        ['convert', fixture('tiff', 'imagej_u16_hyperstack.tif'), out, '--dtype', 'uint16', '--channel', '1'],
        c.ctx,
      ),
    ).toBe(0);
    const src = await readVolume(fixture('tiff', 'imagej_u16_hyperstack.tif'), { channel: 1 });
    const back = await readVolume(out);
    expect(Array.from(back.data)).toEqual(Array.from(src.data));
    expect(back.voxelSize).toEqual(src.voxelSize);
    expect(back.metadata.sourceDtype).toBe('uint16');
  });

  it('refuses to overwrite without --force and rejects a bad --dtype', async () => {
    const dir = tempDir();
    const out = join(dir, 'keep.tif');
    writeFileSync(out, 'mine');
    const c = capture();
    expect(await runCli(['convert', fixture('tiff', 'int16.tif'), out], c.ctx)).toBe(1);
    expect(c.err.join('\n')).toMatch(/already exists[\s\S]*--force/);
    expect(readFileSync(out, 'utf8')).toBe('mine');
    expect(await runCli(['convert', fixture('tiff', 'int16.tif'), out, '--force'], capture().ctx)).toBe(0);
    expect((await readVolume(out)).shape).toEqual([3, 8, 8]);
    const d = capture();
    expect(await runCli(['convert', fixture('tiff', 'int16.tif'), join(dir, 'x.tif'), '--dtype', 'int8'], d.ctx)).toBe(
      1,
    );
    expect(d.err.join('\n')).toMatch(/--dtype: "int8" is not one of float32, uint16/);
    expect(existsSync(join(dir, 'x.tif'))).toBe(false);
  });
});
