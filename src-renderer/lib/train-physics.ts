// What the training form asks about the physics, as training choices (contract/train-overrides.ts) and as the problems that stop it from
// submitting: the microscope optics (engine config `optics`, lengths in µm as `cycledecon train --na
// --wavelength --ni`), a Born–Wolf PSF start from them, and sharp data from Richardson–Lucy of the blurred
// stacks (`--sharp-source rl`) when no real sharp stacks exist.
import type { TrainChoices } from '../../src-main/contract/train-overrides';

export interface TrainPhysics {
  /** 'data': the sharp stacks chosen; 'rl': Richardson–Lucy of the blurred stacks (needs the optics). */
  sharpSource: 'data' | 'rl';
  /** Numerical aperture, emission wavelength (µm), immersion index, as typed ('' = not given). */
  na: string;
  wavelength: string;
  ni: string;
  /** Start the PSF layer at the Born–Wolf PSF of the optics instead of the preset's start. */
  bornWolfStart: boolean;
}

export const defaultPhysics = (): TrainPhysics => ({
  sharpSource: 'data',
  na: '',
  wavelength: '',
  ni: '1.518',
  bornWolfStart: false,
});

interface Optics {
  na: number;
  wavelength: number;
  ni: number;
  ns: number;
}
type Parsed = { optics: Optics | null; problems: string[] };

function parseOptics(p: TrainPhysics): Parsed {
  const given = [p.na, p.wavelength].filter((s) => s.trim() !== '').length;
  if (given === 0) return { optics: null, problems: [] };
  const [na, wavelength, ni] = [p.na, p.wavelength, p.ni].map((s) => Number(s.trim()));
  const problems: string[] = [];
  if (given < 2) problems.push('Give both the numerical aperture and the emission wavelength (or neither).');
  else if (!(na! > 0 && na! < 2)) problems.push('The numerical aperture must be between 0 and 2 (e.g. 1.4).');
  else if (!(wavelength! >= 0.1 && wavelength! <= 2))
    problems.push('The emission wavelength is in µm, between 0.1 and 2 (e.g. 0.52 for GFP).');
  else if (!(ni! >= 1 && ni! <= 2))
    problems.push('The immersion index must be between 1 and 2 (oil 1.518, water 1.33).');
  else if (na! >= ni!) problems.push(`The NA (${na}) must be below the immersion index (${ni}).`);
  return problems.length
    ? { optics: null, problems }
    : { optics: { na: na!, wavelength: wavelength!, ni: ni!, ns: 1.33 }, problems };
}

/** Why the form cannot submit yet (empty: it can), in the user's words. */
export function physicsProblems(p: TrainPhysics, sharpCount: number): string[] {
  const { optics, problems } = parseOptics(p);
  if (p.sharpSource === 'data' && sharpCount === 0)
    problems.push('Choose sharp stacks, or use sharp data from Richardson–Lucy of the blurred stacks.');
  if (p.sharpSource === 'rl' && !optics && !problems.length)
    problems.push('Sharp data from Richardson–Lucy needs the microscope optics (NA and emission wavelength).');
  if (p.bornWolfStart && !optics && !problems.length)
    problems.push('A Born–Wolf PSF start needs the microscope optics (NA and emission wavelength).');
  return problems;
}

/** The choices the physics adds to the form's (a Born–Wolf start wins over the form's PSF start). */
export function withPhysics(choices: TrainChoices, p: TrainPhysics): TrainChoices {
  const { optics } = parseOptics(p);
  const out: TrainChoices = { ...choices };
  if (optics) out.optics = optics;
  if (p.sharpSource === 'rl') out.sharpSource = 'rl';
  if (p.bornWolfStart && optics) out.psfInit = 'bornwolf';
  return out;
}
