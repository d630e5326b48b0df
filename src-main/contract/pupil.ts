// The pupil parameters of a PSF that has them (a learned PSF of a psf.model 'pupil' run, psf-pupil.json; or the
// output of `cycledecon psf-fit --bead`, <out>.pupil.json), as the PSF inspector shows them: the parameter
// table, the Zernike coefficients, the pupil phase as an image, and the PSF's FWHMs and NA_eff.
import { z } from 'zod';
import { FsPath } from './schemas';

const num = z.number().finite();
const Xyz = z.object({ x: num, y: num, z: num });

export const PupilParam = z.object({
  /** As in the file: z0, depth, apodisation, Z5…Z11 (and x0, y0, beadSigma, sheet for a bead fit). */
  name: z.string().max(40),
  meaning: z.string().max(200),
  unit: z.string().max(40),
  value: num,
  /** One standard deviation (bead fit, Gauss–Newton); null where not known (blind training gives none). */
  sigma: num.nullable(),
  /** Where training started; null for a bead fit (it starts from the data). */
  start: num.nullable(),
});
export type PupilParam = z.infer<typeof PupilParam>;

export const PupilInfo = z.object({
  source: z.enum(['learned', 'bead-fit']),
  /** The parameter file read. */
  file: FsPath,
  /** Known optics: NA, emission wavelength (µm), immersion and sample indices, voxel size (µm). */
  optics: z.object({ na: num, wavelength: num, ni: num, ns: num, dxy: num, dz: num }),
  /** Training steps (learned) or L-BFGS iterations (bead fit). */
  step: z.number().int().nonnegative(),
  params: z.array(PupilParam).max(64),
  /** Noll 5–11 in radians rms, with the mode's name. */
  zernikes: z
    .array(
      z.object({ noll: z.number().int().min(1).max(66), name: z.string().max(80), value: num, sigma: num.nullable() }),
    )
    .max(32),
  /** Aberration phase over the pupil (depth term and Zernike modes) as a PNG: red > 0 > blue, white 0, grey outside. */
  phase: z.object({
    png: z.string().startsWith('data:image/png;base64,').max(4_000_000),
    /** Full colour at ± range radians. */
    range: num,
    rms: num,
    pv: num,
  }),
  /** FWHM (µm) of the PSF on disk, and 0.51·λ / its mean lateral FWHM; null where the PSF could not be measured. */
  fwhm: Xyz.nullable(),
  naEffective: num.nullable(),
  /** Correlation of the fitted model with the bead (bead fit only). */
  ncc: num.nullable(),
});
export type PupilInfo = z.infer<typeof PupilInfo>;
