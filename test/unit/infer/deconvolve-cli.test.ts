import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { richardsonLucyArray } from '../../../src-main/core/deconv/rl';
import { runCli } from '../../../src-main/cli/main';
import { repoRoot, tempDir } from '../../helpers';

const shape: Shape3 = [6, 16, 14];
const vs = { x: 0.2, y: 0.2, z: 0.5, unit: 'µm' };
const stack = (seed: number) =>
  makeVolume(
    Float32Array.from({ length: 6 * 16 * 14 }, (_, i) => 10 + ((i * seed) % 50)),
    shape,
    vs,
  );
const psf = makeVolume(
  Float32Array.from({ length: 27 }, (_, i) => (i === 13 ? 4 : 1)),
  [3, 3, 3],
  vs,
);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cycledecon deconvolve', () => {
  const dir = tempDir();
  const inDir = join(dir, 'in');
  mkdirSync(inDir);

  it('deconvolves a folder with RL, continues past a broken file, and summarises in JSON', async () => {
    await writeVolume(join(inDir, 'a.tif'), stack(7));
    await writeVolume(join(inDir, 'b.tif'), stack(13));
    writeFileSync(join(inDir, 'broken.tif'), 'not a tiff');
    await writeVolume(join(dir, 'psf.tif'), psf);
    const outDir = join(dir, 'out');
    const r = await cli([
      'deconvolve',
      '--method',
      'rl',
      '--psf',
      join(dir, 'psf.tif'),
      '--iters',
      '5',
      '--json',
      inDir,
      outDir,
    ]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.out);
    expect(summary.files).toHaveLength(2);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].input).toContain('broken.tif');
    expect(summary.voxelsPerSecond).toBeGreaterThan(0);
    expect(existsSync(join(outDir, 'broken_decon.tif'))).toBe(false);

    // Whole-volume tile: exactly RL on the min–max normalised stack, mapped back to input units.
    const a = stack(7);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of a.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const expected = await richardsonLucyArray(
      a.data.map((v) => (v - lo) / (hi - lo)),
      shape,
      psf.data,
      psf.shape,
      { iterations: 5 },
    );
    const got = await readVolume(join(outDir, 'a_decon.tif'));
    expect(got.voxelSize).toMatchObject({ x: 0.2, z: 0.5, unit: 'µm' });
    for (let i = 0; i < expected.length; i += 17) expect(got.data[i]!).toBeCloseTo(expected[i]! * (hi - lo) + lo, 2);
  });

  it('writes uint16 on request and rejects bad options', async () => {
    await writeVolume(join(dir, 'psf2.tif'), psf);
    const out = join(dir, 'single.tif');
    const r = await cli([
      'deconvolve',
      '--method',
      'rl',
      '--psf',
      join(dir, 'psf2.tif'),
      '--iters',
      '2',
      '--dtype',
      'uint16',
      '--tile',
      '4,8,8',
      '--overlap',
      '2',
      join(inDir, 'a.tif'),
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    expect((await readVolume(out)).metadata.sourceDtype).toBe('uint16');
    expect((await cli(['deconvolve', '--tile', '4,x', join(inDir, 'a.tif'), out])).code).toBe(1);
    expect((await cli(['deconvolve', '--method', 'rl', join(inDir, 'a.tif'), out])).err).toMatch(
      /--psf.*learned.*--model/,
    );
  });

  it('with a model flagged by its output check: deconvolves, warns on stderr and lists the warning in the JSON', async () => {
    // The bundled model (test/fixtures/model-bars, see its README), copied so a verdict can be written beside it.
    const run = join(dir, 'model');
    cpSync(join(repoRoot, 'test', 'fixtures', 'model-bars'), run, { recursive: true });
    const input = join(inDir, 'a.tif');
    await writeVolume(input, stack(7), { force: true });
    const message = 'G_AB output unrelated to its input (test)';
    const deconvolve = (out: string) =>
      cli(['deconvolve', '--model', run, '--backend', 'cpu', '--json', input, join(dir, out)]);
    const clean = await deconvolve('m0.tif');
    expect(clean.code, clean.err).toBe(0);
    expect(JSON.parse(clean.out).warnings).toEqual([]);
    expect(clean.err).not.toContain('warning');
    writeFileSync(join(run, 'output-check.json'), JSON.stringify({ collapsed: true, message }));
    const flagged = await deconvolve('m1.tif');
    expect(flagged.code, flagged.err).toBe(0);
    expect(JSON.parse(flagged.out).warnings).toEqual([message]);
    expect(flagged.err).toContain(`warning: ${message}`);
    expect(Array.from((await readVolume(join(dir, 'm1.tif'))).data)).toEqual(
      Array.from((await readVolume(join(dir, 'm0.tif'))).data),
    );
  });
});
