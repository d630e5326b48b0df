import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers';
import { generatePsf } from '../../../src-main/core/psf/generate';
import { besselJ0, psfIntensity, type PsfModel } from '../../../src-main/core/psf/optics';

interface RefPoint {
  dz: number;
  dy: number;
  dx: number;
  value: number;
}
interface RefCase {
  params: Record<string, number | string>;
  points: RefPoint[];
}
const ref = JSON.parse(readFileSync(fixture('reference', 'psf_reference.json'), 'utf8')) as {
  dxy: number;
  dz: number;
  size: [number, number, number];
  cases: Record<string, RefCase>;
};

function params(c: RefCase) {
  const { model, ...rest } = c.params;
  return { model: model as PsfModel, ...(rest as Record<string, number>) } as {
    model: PsfModel;
    na: number;
    wavelength: number;
    ni: number;
    ns: number;
  };
}

describe('PSF models agree with scipy quadrature (test/fixtures/reference/psf_reference.py)', () => {
  it('besselJ0 is accurate', () => {
    expect(besselJ0(0)).toBeCloseTo(1, 8);
    expect(besselJ0(2.404825557695773)).toBeCloseTo(0, 7);
    expect(besselJ0(10)).toBeCloseTo(-0.2459357644513483, 7);
  });
  for (const [name, c] of Object.entries(ref.cases)) {
    const p = params(c);
    it(`${name}: point intensities within 1e-3 relative`, () => {
      for (const pt of c.points) {
        const r = ref.dxy * Math.hypot(pt.dx, pt.dy),
          z = ref.dz * pt.dz;
        const ours = psfIntensity(p.model, p, r, z);
        const peak = c.points[0]!.value;
        // relative error, measured against the peak for values in the dark rings (< 1e-3 of peak)
        expect(Math.abs(ours - pt.value) / Math.max(pt.value, 1e-3 * peak)).toBeLessThan(1e-3);
      }
    });
    it(`${name}: voxel grid along the axes matches relative to the centre`, () => {
      const vol = generatePsf({ ...p, dxy: ref.dxy, dz: ref.dz, size: ref.size });
      const [nz, ny, nx] = vol.shape;
      const at = (dz: number, dy: number, dx: number) =>
        vol.data[((dz + (nz - 1) / 2) * ny + dy + (ny - 1) / 2) * nx + dx + (nx - 1) / 2]!;
      const centre = at(0, 0, 0),
        refCentre = c.points[0]!.value;
      for (const pt of c.points) {
        const ratio = at(pt.dz, pt.dy, pt.dx) / centre,
          refRatio = pt.value / refCentre;
        expect(Math.abs(ratio - refRatio) / Math.max(refRatio, 1e-3)).toBeLessThan(1e-3);
      }
      let sum = 0;
      for (const v of vol.data) sum += v;
      expect(sum).toBeCloseTo(1, 5);
      expect(vol.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.25, unit: 'µm' });
    });
  }
  it('confocal is the normalised product of excitation and emission PSFs', () => {
    const base = {
      model: 'born-wolf' as const,
      na: 1.2,
      wavelength: 0.6,
      ni: 1.33,
      ns: 1.33,
      dxy: 0.1,
      dz: 0.3,
      size: [5, 9, 9] as [number, number, number],
    };
    const em = generatePsf(base),
      ex = generatePsf({ ...base, wavelength: 0.5 });
    const conf = generatePsf({ ...base, confocal: true, excitationWavelength: 0.5 });
    let s = 0;
    const prod = em.data.map((v, i) => v * ex.data[i]!);
    for (const v of prod) s += v;
    for (let i = 0; i < prod.length; i++) expect(conf.data[i]).toBeCloseTo(prod[i]! / s, 6);
  });
  it('oversampling averages sub-samples: flatter peak, still sum 1', () => {
    const base = {
      model: 'born-wolf' as const,
      na: 1.4,
      wavelength: 0.5,
      ni: 1.518,
      ns: 1.33,
      dxy: 0.15,
      dz: 0.3,
      size: [7, 15, 15] as [number, number, number],
    };
    const one = generatePsf(base),
      three = generatePsf({ ...base, oversampling: 3 });
    const c = (7 * 15 * 15 - 1) / 2;
    expect(three.data[c]).toBeLessThan(one.data[c]!);
    expect(three.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
  it('rejects even sizes and NA ≥ ni', () => {
    const base = {
      model: 'born-wolf' as const,
      na: 1.4,
      wavelength: 0.5,
      ni: 1.518,
      ns: 1.33,
      dxy: 0.1,
      dz: 0.2,
      size: [4, 9, 9] as [number, number, number],
    };
    expect(() => generatePsf(base)).toThrow(/odd/);
    expect(() => generatePsf({ ...base, size: [5, 9, 9], na: 1.6 })).toThrow(/NA/);
  });
});
