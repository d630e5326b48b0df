// The PSF generator's wavelength is in µm at the contract, as on the command line and in every form (#25). Job
// records written when the contract took nm are still read: 200–2000 cannot be a wavelength in µm, so it is nm.
import { describe, expect, it } from 'vitest';
import { PsfParams } from '../../../src-main/contract';
import { psfVolume } from '../../../src-main/worker/runners/psf';
import { generatePsf } from '../../../src-main/core/psf/generate';

const base = {
  model: 'born-wolf' as const,
  shape: [9, 15, 15] as [number, number, number],
  voxelSize: { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
  numericalAperture: 1.2,
};

describe('PsfParams.wavelength', () => {
  it('is in µm and refuses values outside 0.2–2 µm that are not legacy nm', () => {
    expect(PsfParams.parse({ ...base, wavelength: 0.52 }).wavelength).toBe(0.52);
    for (const bad of [0.1, 2.5, 150, 2500, -0.5])
      expect(PsfParams.safeParse({ ...base, wavelength: bad }).success, String(bad)).toBe(false);
  });

  it('reads an old record in nm as the same wavelength', () => {
    expect(PsfParams.parse({ ...base, wavelength: 610 }).wavelength).toBeCloseTo(0.61, 12);
  });

  it('the job draws the PSF at that wavelength, the same as the CLI generator in µm', () => {
    const p = PsfParams.parse({ ...base, wavelength: 0.61 });
    const viaJob = psfVolume(p);
    const direct = generatePsf({
      model: 'born-wolf',
      na: 1.2,
      wavelength: 0.61,
      ni: 1.515,
      ns: 1.33,
      dxy: 0.1,
      dz: 0.25,
      size: [9, 15, 15],
      confocal: false,
    });
    expect(viaJob.data).toEqual(direct.data);
    const legacy = psfVolume(PsfParams.parse({ ...base, wavelength: 610 }));
    expect(legacy.data).toEqual(direct.data);
    const other = psfVolume(PsfParams.parse({ ...base, wavelength: 0.5 }));
    expect(other.data).not.toEqual(direct.data);
  });
});
