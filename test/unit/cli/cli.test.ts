import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { repoRoot, tempDir } from '../../helpers';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('cycledecon CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/Usage: cycledecon <command>/);
  });
  it('rejects an unknown command with exit code 2 and names it', async () => {
    const c = capture();
    expect(await runCli(['frobnicate'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown command "frobnicate"/);
  });
  it('prints its version with --version and exits 0', async () => {
    const c = capture();
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'], c.ctx)).toBe(0);
    expect(c.out).toEqual([`cycledecon ${version}`]);
  });
  it('exits 2 with the usage when a required argument or option is missing, like an unknown option', async () => {
    for (const argv of [
      ['rl', 'a.tif'],
      ['rl', 'a.tif', 'b.tif'],
      ['convert', 'a.tif'],
      ['psf'],
      ['psf-info'],
      ['info'],
    ]) {
      const c = capture();
      expect(await runCli(argv, c.ctx)).toBe(2);
      expect(c.err.join('\n')).toMatch(new RegExp(`Usage: cycledecon ${argv[0]} `));
    }
  });
  it('psf, rl and convert print a JSON summary with --json', async () => {
    const dir = tempDir(),
      psf = join(dir, 'psf.tif');
    const p = capture();
    expect(
      await runCli(
        [
          'psf',
          '--na',
          '1.2',
          '--wavelength',
          '0.52',
          '--dxy',
          '0.1',
          '--dz',
          '0.25',
          '--size',
          '7,15,15',
          psf,
          '--json',
        ],
        p.ctx,
      ),
    ).toBe(0);
    expect(JSON.parse(p.out.join('\n'))).toMatchObject({
      output: psf,
      shape: [7, 15, 15],
      voxelSize: { x: 0.1, z: 0.25 },
    });
    const r = capture();
    expect(await runCli(['rl', psf, join(dir, 'rl.tif'), '--psf', psf, '--iters', '2', '--json'], r.ctx)).toBe(0);
    expect(JSON.parse(r.out.join('\n'))).toMatchObject({
      output: join(dir, 'rl.tif'),
      shape: [7, 15, 15],
      channels: 1,
      frames: 1,
      voxelSizeSource: 'file',
      warnings: [],
    });
    const c = capture();
    expect(await runCli(['convert', psf, join(dir, 'c.tif'), '--dtype', 'uint16', '--json'], c.ctx)).toBe(0);
    expect(JSON.parse(c.out.join('\n'))).toMatchObject({
      dtype: 'uint16',
      shape: [7, 15, 15],
      voxelSizeSource: 'file',
    });
  });
});
