import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { readVolume } from '../../../src-main/core/io/index';
import { sharedData, tempDir } from '../../helpers';

function capture() {
  const out: string[] = [], err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('classic toolkit CLI: psf, psf-info, synth, rl, metrics', { timeout: 120_000 }, () => {
  const dir = tempDir();
  it('psf writes a calibrated, sum-1 PSF and refuses to overwrite without --force', async () => {
    const c = capture(), out = join(dir, 'psf.tif');
    const argv = ['psf', '--model', 'gibson-lanni', '--na', '1.2', '--wavelength', '0.52', '--ni', '1.33', '--dxy', '0.1', '--dz', '0.25', '--size', '7,15,15', out];
    expect(await runCli(argv, c.ctx)).toBe(0);
    const v = await readVolume(out);
    expect(v.shape).toEqual([7, 15, 15]);
    expect(v.voxelSize.x).toBeCloseTo(0.1, 5);
    expect(v.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await runCli(argv, capture().ctx)).toBe(1);
    expect(await runCli([...argv.slice(0, -1), '--size', '8,15,15', out, '--force'], capture().ctx)).toBe(1);
  });
  it('psf-info --json reports FWHM and NCC vs a reference', async () => {
    const c = capture(), p = join(dir, 'psf.tif');
    expect(await runCli(['psf-info', p, '--ref', p, '--json'], c.ctx)).toBe(0);
    const info = JSON.parse(c.out.join('\n'));
    expect(info.ncc).toBeCloseTo(1, 6);
    expect(info.fwhm.x).toBeGreaterThan(0.15);
    expect(info.fwhm.x).toBeLessThan(0.4);
  });
  it('psf-info on the shared measured bead PSF with background subtraction', async () => {
    const c = capture();
    expect(await runCli(['psf-info', sharedData('pycudadecon_psf', 'psf.tif'), '--background', 'auto'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/FWHM/);
  });
  it('synth → rl → metrics: RL with the true PSF raises SSIM over the blurred input', async () => {
    const s = join(dir, 'synth');
    expect(await runCli(['synth', s, '--shape', '12,32,32', '--seed', '3', '--photons', '500'], capture().ctx)).toBe(0);
    for (const f of ['blurred.tif', 'gt.tif', 'sharp.tif', 'psf.tif', 'params.json']) expect(existsSync(join(s, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(s, 'params.json'), 'utf8')).seed).toBe(3);
    const c = capture();
    expect(await runCli(['rl', join(s, 'blurred.tif'), join(s, 'rl.tif'), '--psf', join(s, 'psf.tif'), '--iters', '15', '--background', '10'], c.ctx)).toBe(0);
    const before = capture(), after = capture();
    expect(await runCli(['metrics', '--gt', join(s, 'gt.tif'), join(s, 'blurred.tif'), '--json'], before.ctx)).toBe(0);
    expect(await runCli(['metrics', '--gt', join(s, 'gt.tif'), join(s, 'rl.tif'), '--json'], after.ctx)).toBe(0);
    const m0 = JSON.parse(before.out.join('\n')), m1 = JSON.parse(after.out.join('\n'));
    expect(m1.ssim3d).toBeGreaterThan(m0.ssim3d);
  });
  it('rl reports a missing PSF as a usage error', async () => {
    const c = capture();
    expect(await runCli(['rl', 'a.tif', 'b.tif'], c.ctx)).toBe(1);
    expect(c.err.join('\n')).toMatch(/--psf/);
  });
});
