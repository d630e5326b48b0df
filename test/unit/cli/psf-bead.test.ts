import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runCli } from '../../../src-main/cli/main';
import { readVolume } from '../../../src-main/core/io/index';
import { tempDir } from '../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('psf-fit --bead: the pupil-model fit to a measured bead', { timeout: 120_000 }, () => {
  const dir = tempDir();
  it('fits a Gibson–Lanni bead written by `psf` and writes the fitted PSF with its calibration', async () => {
    const bead = join(dir, 'bead.tif'),
      out = join(dir, 'fitted.tif');
    const optics = ['--na', '1.2', '--wavelength', '0.52', '--ni', '1.33'];
    expect(
      await runCli(
        ['psf', '--model', 'gibson-lanni', ...optics, '--dxy', '0.1', '--dz', '0.25', '--size', '15,21,21', bead],
        capture().ctx,
      ),
    ).toBe(0);
    const c = capture();
    expect(await runCli(['psf-fit', '--bead', bead, ...optics, '--out', out, '--json'], c.ctx)).toBe(0);
    const fit = JSON.parse(c.out.join('\n')) as {
      ncc: number;
      params: Record<string, { value: number; sigma: number }>;
      naEffective: number;
      box: number[];
      pupilJson: string;
    };
    expect(fit.ncc).toBeGreaterThan(0.99);
    expect(Object.keys(fit.params)).toContain('Z11');
    expect(Math.abs(fit.params.Z5!.value)).toBeLessThan(0.05); // an aberration-free bead fits without astigmatism
    expect(fit.naEffective).toBeGreaterThan(1.0);
    const psf = await readVolume(out);
    expect(psf.shape).toEqual(fit.box);
    expect(psf.voxelSize.x).toBeCloseTo(0.1, 5);
    expect(psf.voxelSize.z).toBeCloseTo(0.25, 5);
    // The parameters with their uncertainties beside the PSF, as the PSF inspector reads them.
    expect(fit.pupilJson).toBe(join(dir, 'fitted.pupil.json'));
    const side = JSON.parse(readFileSync(fit.pupilJson, 'utf8')) as {
      optics: Record<string, number>;
      params: Record<string, number>;
      uncertainties: Record<string, number | null>;
      fit: { ncc: number; naEffective: number };
    };
    expect(side.optics).toEqual({
      na: 1.2,
      wavelength: 0.52,
      ni: 1.33,
      ns: 1.33,
      dxy: 0.1,
      dz: expect.closeTo(0.25, 6),
    });
    for (const [k, p] of Object.entries(fit.params)) {
      expect(side.params[k]).toBe(p.value);
      expect(side.uncertainties[k]).toBe(Number.isNaN(p.sigma) ? null : p.sigma);
    }
    expect(side.uncertainties.sheet).toBeNull(); // held fixed without --light-sheet
    expect(side.uncertainties.Z5).toBeGreaterThan(0); // the `psf` bead sums to 1: small numbers, σ still given
    expect(side.fit.ncc).toBe(fit.ncc);
    expect(side.fit.naEffective).toBe(fit.naEffective);
  });
  it('refuses a bead stack without a voxel size in a length unit, before fitting', async () => {
    const kernel = new URL('../../fixtures/shared-data/flowdec_bead25/kernel.tif', import.meta.url).pathname;
    const c = capture();
    expect(
      await runCli(['psf-fit', '--bead', kernel, '--na', '1.2', '--wavelength', '0.52', '--ni', '1.33'], c.ctx),
    ).not.toBe(0);
    expect(c.err.join('\n')).toMatch(/voxel-size/);
  });
});
