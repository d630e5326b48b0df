// psf.pupil: the pupil parameters beside a PSF, read from the files the trainer (psf-pupil.json) and the bead fit
// (<name>.pupil.json) write, returned in the contract's shape. Expected FWHMs and phase rms are computed by hand
// (a Gaussian's 2·√(2 ln 2)·σ; Zernike modes normalised to rms 1 over the pupil, Noll 1976).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { api } from '../../../src-main/contract/api';
import { parseRequest } from '../../../src-main/contract/validate';
import { makeVolume } from '../../../src-main/core/io/volume';
import { writeVolume } from '../../../src-main/core/io/index';
import { writePupilFile } from '../../../src-main/core/train/pupil-file';
import { beadPupilFile, writeBeadPupilFile } from '../../../src-main/core/psf/bead-pupil-file';
import type { PupilFitResult } from '../../../src-main/core/psf/pupil-fit';
import { tempDir } from '../../helpers';
import { importOne, openService } from './harness';

const VOXEL = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };
const SIGMA = { z: 2, y: 1.5, x: 1.5 }; // voxels

/** `peak` differs per file: the import skips a file whose contents it already has. */
async function writeGaussian(path: string, peak: number): Promise<void> {
  const shape: [number, number, number] = [21, 25, 25];
  const data = new Float32Array(21 * 25 * 25);
  for (let z = 0; z < 21; z++)
    for (let y = 0; y < 25; y++)
      for (let x = 0; x < 25; x++)
        data[(z * 25 + y) * 25 + x] =
          peak * Math.exp(-((z - 10) ** 2) / (2 * SIGMA.z ** 2) - ((y - 12) ** 2 + (x - 12) ** 2) / (2 * SIGMA.x ** 2));
  await writeVolume(path, makeVolume(data, shape, VOXEL));
}

const optics = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.515, dxy: 0.1, dz: 0.3 };
const learned = { z0: 0.12, depth: 0, apodisation: 0.3, Z5: 0, Z6: 0, Z7: 0, Z8: 0, Z9: 0, Z10: 0, Z11: 0.2 };

describe('psf.pupil', { timeout: 60_000 }, () => {
  it('returns a learned PSF’s and a bead fit’s parameters, phase, FWHMs and NA_eff; null for a PSF without', async () => {
    const dir = tempDir();
    const run = join(dir, 'run_abcd1234');
    mkdirSync(run);
    await writeGaussian(join(run, 'psf.tif'), 1);
    await writePupilFile(run, { step: 300, optics, params: learned, start: { ...learned, z0: 0, Z11: 0 } });
    await writeGaussian(join(dir, 'bead-psf.tif'), 2);
    const fit: PupilFitResult = {
      params: {
        x0: { value: 0.01, sigma: 0.002, unit: 'µm' },
        z0: { value: -0.05, sigma: 0.01, unit: 'µm' },
        Z5: { value: 0.08, sigma: 0.004, unit: 'rad' },
        Z11: { value: -0.1, sigma: 0.02, unit: 'rad' },
        sheet: { value: 0, sigma: NaN, unit: '1/µm' },
      },
      ncc: 0.987,
      fwhm: {
        measured: { x: 0.3, y: 0.3, z: 0.9 },
        fitted: { x: 0.3, y: 0.3, z: 0.9 },
        psf: { x: 0.25, y: 0.25, z: 0.8 },
      },
      naEffective: 1.06,
      box: [21, 25, 25],
      iterations: 60,
      psf: makeVolume(new Float32Array(1), [1, 1, 1]),
    };
    await writeBeadPupilFile(join(dir, 'bead-psf.tif'), beadPupilFile(fit, optics, { dxy: 0.1, dz: 0.3 }));
    await writeGaussian(join(dir, 'kernel.tif'), 3);

    const { service, projectDir } = await openService(dir);
    const h = service.handlers;
    await h['project.create'](parseRequest('project.create', { dir: projectDir }));
    const role = { kind: 'external', tool: 'other' };
    const ask = async (path: string) =>
      api['psf.pupil'].response.parse(
        await h['psf.pupil'](parseRequest('psf.pupil', { id: await importOne(service, path, role) })),
      ).pupil;

    const l = (await ask(join(run, 'psf.tif')))!;
    expect(l.source).toBe('learned');
    expect(l.file).toBe(join(run, 'psf-pupil.json'));
    expect(l.step).toBe(300);
    expect(l.optics).toEqual(optics);
    const byName = Object.fromEntries(l.params.map((p) => [p.name, p]));
    expect(byName.z0).toMatchObject({ value: 0.12, start: 0, sigma: null, unit: 'µm' });
    expect(byName.apodisation).toMatchObject({ value: 0.3, start: 0.3 });
    expect(byName.Z11).toMatchObject({ value: 0.2, start: 0, unit: 'rad rms', meaning: 'primary spherical (Noll 11)' });
    expect(l.zernikes.map((z) => z.noll)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(l.zernikes.at(-1)).toEqual({ noll: 11, name: 'primary spherical', value: 0.2, sigma: null });
    // Only Z11 = 0.2 rad rms: the phase's rms over the (sampled) pupil is 0.2.
    expect(l.phase.rms).toBeCloseTo(0.2, 2);
    expect(Buffer.from(l.phase.png.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const fx = 2 * Math.sqrt(2 * Math.log(2)) * SIGMA.x * VOXEL.x,
      fz = 2 * Math.sqrt(2 * Math.log(2)) * SIGMA.z * VOXEL.z;
    expect(l.fwhm!.x).toBeCloseTo(fx, 2);
    expect(l.fwhm!.z).toBeCloseTo(fz, 1);
    expect(l.naEffective).toBeCloseTo((0.51 * 0.52) / ((l.fwhm!.x + l.fwhm!.y) / 2), 10);
    expect(l.ncc).toBeNull();

    const b = (await ask(join(dir, 'bead-psf.tif')))!;
    expect(b.source).toBe('bead-fit');
    expect(b.file).toBe(join(dir, 'bead-psf.pupil.json'));
    expect(b.step).toBe(60);
    expect(b.ncc).toBe(0.987);
    const bead = Object.fromEntries(b.params.map((p) => [p.name, p]));
    expect(bead.Z5).toMatchObject({ value: 0.08, sigma: 0.004, start: null });
    expect(bead.x0).toMatchObject({ meaning: 'lateral position x', unit: 'µm', sigma: 0.002 });
    expect(bead.sheet!.sigma).toBeNull(); // NaN in the fit: not determined
    expect(b.zernikes.map((z) => [z.noll, z.value, z.sigma])).toEqual([
      [5, 0.08, 0.004],
      [11, -0.1, 0.02],
    ]);

    expect(await ask(join(dir, 'kernel.tif'))).toBeNull();
    await service.close();
  });
});
