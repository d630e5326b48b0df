// `cycledecon rl` on a widefield stack: the default boundary and background, what it reports, the options.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { makeVolume } from '../../../src-main/core/io/volume';
import { tempDir } from '../../helpers';
import { edgeRatio, widefieldStack } from './widefield-stack';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return {
    out,
    err,
    ctx: {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      interactive: false,
      signal: new AbortController().signal,
    },
  };
}

describe('cycledecon rl on a widefield stack', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const s = widefieldStack({ nz: 12, nxy: 48, psfZ: 25, psfXY: 35, offset: 100, photons: 200 });
  const truthEdge = edgeRatio(s.truth, s.shape);

  it('defaults to the extended domain and an estimated offset, says so, and keeps the edge slices right', async () => {
    const img = join(dir, 'wf.tif'),
      psf = join(dir, 'psf.tif'),
      out = join(dir, 'out.tif');
    await writeVolume(img, makeVolume(s.image, s.shape), { dtype: 'float32' });
    await writeVolume(psf, makeVolume(s.psf, s.psfShape), { dtype: 'float32' });
    const c = capture();
    expect(await runCli(['rl', img, out, '--psf', psf, '--iters', '30'], c.ctx)).toBe(0);
    expect(c.err.join('\n')).toMatch(
      /boundary extend \(domain 36×82×82\), background (9\d|10\d)(\.\d+)? \(auto\), acceleration none/,
    );
    expect(c.out.join('\n')).toMatch(/I-divergence [\d.e+-]+ per voxel, fell [\d.e+-]+ % in the last iteration/);
    const r = await readVolume(out);
    expect(r.metadata.extra.deconvolution).toMatch(/boundary extend, background/);
    expect(edgeRatio(r.data, s.shape) / truthEdge).toBeLessThan(1.5);
    const old = join(dir, 'old.tif');
    expect(
      await runCli(
        ['rl', img, old, '--psf', psf, '--iters', '30', '--boundary', 'reflect', '--background', '0', '--accel', 'shb'],
        capture().ctx,
      ),
    ).toBe(0);
    expect(edgeRatio((await readVolume(old)).data, s.shape)).toBeGreaterThan(2 * truthEdge);
  });
});
