// The Deconvolve panel's PSF generator: Born–Wolf or Gibson–Lanni from the microscope optics, in the units of
// `cycledecon psf` (wavelength and voxel size in µm), with a box size of its own — a PSF needs to cover its rings
// and axial lobes, not the stack's shape. Turns the form into the contract's PsfParams (wavelength in µm there too)
// or into the problems that stop it, in the user's words.
import type { PsfParams, VoxelSize } from '../../src-main/contract';

export interface PsfForm {
  model: 'born-wolf' | 'gibson-lanni';
  /** As typed: NA, emission wavelength (µm), immersion and sample indices, voxel size (µm), box size (voxels). */
  na: string;
  wavelength: string;
  ni: string;
  ns: string;
  dxy: string;
  dz: string;
  sizeXy: string;
  sizeZ: string;
}

const TO_UM: Record<string, number> = { µm: 1, um: 1, micron: 1, microns: 1, nm: 1e-3, mm: 1e3 };

/** The stack's voxel size in µm, or null when it has none in a length unit (an uncalibrated stack: 'px'). */
export function voxelInMicrons(v: VoxelSize | null | undefined): { dxy: number; dz: number } | null {
  const f = v ? TO_UM[v.unit] : undefined;
  return v && f ? { dxy: +(v.x * f).toPrecision(6), dz: +(v.z * f).toPrecision(6) } : null;
}

const odd = (n: number) => (Math.floor(n) % 2 === 1 ? Math.floor(n) : Math.floor(n) + 1);

/**
 * A box that holds the PSF: 8 lateral FWHMs (0.51 λ/NA) across and 6 axial FWHMs deep, odd, between 9 and 255
 * voxels. The axial width is the paraxial 2nλ/NA², which overestimates the Born–Wolf PSF's by about 13 % from NA 0.3
 * to 1.4 (a box a little too big, never too small); the non-paraxial 0.88λ/(n − √(n² − NA²)) underestimates it by up
 * to 30 % at high NA.
 */
export function suggestedSize(
  na: number,
  wavelength: number,
  ni: number,
  dxy: number,
  dz: number,
): { xy: number; z: number } {
  const lateral = (0.51 * wavelength) / na;
  const axial = (2 * ni * wavelength) / (na * na);
  const clamp = (n: number) => Math.min(255, Math.max(9, odd(Math.ceil(n))));
  return { xy: clamp((8 * lateral) / dxy), z: clamp((6 * axial) / dz) };
}

export function defaultPsfForm(voxel: { dxy: number; dz: number } | null): PsfForm {
  const dxy = voxel?.dxy ?? 0.1,
    dz = voxel?.dz ?? 0.2;
  const s = suggestedSize(1.4, 0.52, 1.518, dxy, dz);
  return {
    model: 'born-wolf',
    na: '1.4',
    wavelength: '0.52',
    ni: '1.518',
    ns: '1.33',
    dxy: String(dxy),
    dz: String(dz),
    sizeXy: String(s.xy),
    sizeZ: String(s.z),
  };
}

/** The contract's parameters from the form, or why not (empty problems: it can generate). */
export function psfParams(f: PsfForm): { params: PsfParams | null; problems: string[] } {
  const [na, wavelength, ni, ns, dxy, dz, sxy, sz] = [
    f.na,
    f.wavelength,
    f.ni,
    f.ns,
    f.dxy,
    f.dz,
    f.sizeXy,
    f.sizeZ,
  ].map((s) => (s.trim() === '' ? NaN : Number(s)));
  const problems: string[] = [];
  if (!(na! > 0 && na! <= 1.7)) problems.push('The numerical aperture must be between 0 and 1.7 (e.g. 1.4 for oil).');
  if (!(wavelength! >= 0.2 && wavelength! <= 2))
    problems.push('The emission wavelength is in µm, between 0.2 and 2 (e.g. 0.52 for GFP).');
  if (!(ni! >= 1 && ni! <= 2)) problems.push('The immersion index must be between 1 and 2 (oil 1.518, water 1.333).');
  else if (na! > 0 && na! >= ni!) problems.push(`The NA (${na}) must be below the immersion index (${ni}).`);
  if (f.model === 'gibson-lanni' && !(ns! >= 1 && ns! <= 2))
    problems.push('The sample index must be between 1 and 2 (water 1.33).');
  if (!(dxy! > 0 && dz! > 0 && dxy! < 100 && dz! < 100))
    problems.push('The voxel size is in µm and must be positive (e.g. 0.1 × 0.2).');
  for (const [name, n] of [
    ['lateral', sxy!],
    ['axial', sz!],
  ] as const) {
    if (!(Number.isInteger(n) && n >= 3 && n <= 255 && n % 2 === 1))
      problems.push(
        `The ${name} size must be an odd whole number of voxels from 3 to 255, so the PSF centre is a voxel.`,
      );
  }
  if (problems.length) return { params: null, problems };
  return {
    params: {
      model: f.model,
      shape: [sz!, sxy!, sxy!],
      voxelSize: { x: dxy!, y: dxy!, z: dz!, unit: 'µm' },
      numericalAperture: na!,
      wavelength: wavelength!,
      refractiveIndex: ni!,
      sampleIndex: ns!,
      confocal: false,
    },
    problems,
  };
}
