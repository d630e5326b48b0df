import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { readVolume } from '../../../src-main/core/io/index';
import { sampleData, tempDir } from '../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('classic toolkit CLI: psf, psf-info, synth, rl, metrics', { timeout: 120_000 }, () => {
  const dir = tempDir();
  it('psf writes a calibrated, sum-1 PSF and refuses to overwrite without --force', async () => {
    const c = capture(),
      out = join(dir, 'psf.tif');
    const argv = [
      'psf',
      '--model',
      'gibson-lanni',
      '--na',
      '1.2',
      '--wavelength',
      '0.52',
      '--ni',
      '1.33',
      '--dxy',
      '0.1',
      '--dz',
      '0.25',
      '--size',
      '7,15,15',
      out,
    ];
    expect(await runCli(argv, c.ctx)).toBe(0);
    const v = await readVolume(out);
    expect(v.shape).toEqual([7, 15, 15]);
    expect(v.voxelSize.x).toBeCloseTo(0.1, 5);
    expect(v.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await runCli(argv, capture().ctx)).toBe(1);
    expect(await runCli([...argv.slice(0, -1), '--size', '8,15,15', out, '--force'], capture().ctx)).toBe(1);
  });
  it('psf-info --json reports FWHM and NCC vs a reference', async () => {
    const c = capture(),
      p = join(dir, 'psf.tif');
    expect(await runCli(['psf-info', p, '--ref', p, '--json'], c.ctx)).toBe(0);
    const info = JSON.parse(c.out.join('\n'));
    expect(info.ncc).toBeCloseTo(1, 6);
    expect(info.fwhm.x).toBeGreaterThan(0.15);
    expect(info.fwhm.x).toBeLessThan(0.4);
  });
  it('psf-info on the shared measured bead PSF with background subtraction', async () => {
    const c = capture();
    expect(await runCli(['psf-info', sampleData('pycudadecon_psf', 'psf.tif'), '--background', 'auto'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/FWHM/);
  });
  it('synth → rl → metrics: RL with the true PSF raises SSIM over the blurred input', async () => {
    const s = join(dir, 'synth');
    expect(await runCli(['synth', s, '--shape', '12,32,32', '--seed', '3', '--photons', '500'], capture().ctx)).toBe(0);
    for (const f of ['blurred.tif', 'gt.tif', 'sharp.tif', 'psf.tif', 'params.json'])
      expect(existsSync(join(s, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(s, 'params.json'), 'utf8')).seed).toBe(3);
    const c = capture();
    expect(
      await runCli(
        [
          'rl',
          join(s, 'blurred.tif'),
          join(s, 'rl.tif'),
          '--psf',
          join(s, 'psf.tif'),
          '--iters',
          '15',
          '--background',
          '10',
        ],
        c.ctx,
      ),
    ).toBe(0);
    const before = capture(),
      after = capture();
    expect(await runCli(['metrics', '--gt', join(s, 'gt.tif'), join(s, 'blurred.tif'), '--json'], before.ctx)).toBe(0);
    expect(await runCli(['metrics', '--gt', join(s, 'gt.tif'), join(s, 'rl.tif'), '--json'], after.ctx)).toBe(0);
    const m0 = JSON.parse(before.out.join('\n')),
      m1 = JSON.parse(after.out.join('\n'));
    expect(m1.ssim3d).toBeGreaterThan(m0.ssim3d);
  });
  it('synth ×2 → psf-fit: the blind spectral estimate through the CLI, written as a calibrated TIFF', async () => {
    // Two widefield stacks at 2000 photons (the benchmark's optics: true FWHM 0.224 µm lateral, 0.838 µm axial).
    const s = [1, 2].map((seed) => join(dir, `fit${seed}`));
    for (const [i, d] of s.entries())
      expect(
        await runCli(['synth', d, '--shape', '32,64,64', '--seed', String(11 + i), '--photons', '2000'], capture().ctx),
      ).toBe(0);
    const out = join(dir, 'fitted-psf.tif'),
      c = capture();
    const argv = [
      'psf-fit',
      '--blurred',
      ...s.map((d) => join(d, 'blurred.tif')),
      '--sharp',
      ...s.map((d) => join(d, 'sharp.tif')),
      '--out',
      out,
      '--json',
    ];
    expect(await runCli(argv, c.ctx)).toBe(0);
    const fit = JSON.parse(c.out.join('\n')) as { fwhm: { xy: number; z: number }; unit: string; out: string };
    expect(fit.unit).toBe('µm');
    expect(Math.abs(fit.fwhm.xy / 0.224 - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.fwhm.z / 0.838 - 1)).toBeLessThan(0.2);
    // The TIFF holds that Gaussian: psf-info measures the same widths, on the stacks' voxel size.
    const info = capture();
    expect(await runCli(['psf-info', out, '--json'], info.ctx)).toBe(0);
    const measured = JSON.parse(info.out.join('\n')) as {
      fwhm: { x: number; z: number };
      voxelSize: { x: number; z: number };
    };
    expect(measured.voxelSize.x).toBeCloseTo(0.1, 5);
    expect(measured.voxelSize.z).toBeCloseTo(0.25, 5);
    expect(measured.fwhm.x).toBeCloseTo(fit.fwhm.xy, 2);
    expect(measured.fwhm.z).toBeCloseTo(fit.fwhm.z, 1);
    // Never overwrites without --force; needs the sharp stacks.
    const again = capture();
    expect(await runCli(argv, again.ctx)).toBe(1);
    expect(again.err.join('\n')).toMatch(/exists/);
    const noSharp = capture();
    expect(await runCli(['psf-fit', '--blurred', join(s[0]!, 'blurred.tif')], noSharp.ctx)).toBe(2);
    expect(noSharp.err.join('\n')).toMatch(/--sharp/);
  });
  it('rl reports a missing PSF as a usage error', async () => {
    const c = capture();
    expect(await runCli(['rl', 'a.tif', 'b.tif'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toMatch(/--psf/);
  });
});
