// `<out>.pupil.json` next to the PSF that `cycledecon psf-fit --bead --out <out>` writes: the optics and the fitted
// pupil parameters in the schema of a training run's psf-pupil.json (core/train/pupil-file.ts), plus what only a
// non-blind fit has: each parameter's standard deviation (Gauss–Newton, pupil-fit.ts), the fit's correlation,
// FWHMs and NA_eff. The PSF inspector reads it to show a bead's pupil beside a learned one.
import { writeBytesAtomic } from '../io/atomic';
import type { BeadOptics, PupilFitResult } from './pupil-fit';

export interface BeadPupilFile {
  model: 'pupil (core/psf/pupil.ts, scalar Gibson–Lanni / Hanser with Zernike Noll 5–11)';
  source: 'bead fit (cycledecon psf-fit --bead)';
  /** L-BFGS iterations of the fit (a run's file counts training steps here). */
  step: number;
  optics: BeadOptics & { dxy: number; dz: number };
  /** Fitted parameters: x0, y0, z0, depth, beadSigma in µm, apodisation, Z5…Z11 in radians rms, sheet in 1/µm. */
  params: Record<string, number>;
  /** The fit starts from the data (centroid, a depth scan), not from fixed values: none recorded. */
  start: Record<string, number>;
  /** One standard deviation per parameter; null where the data do not determine it (held fixed, or no effect). */
  uncertainties: Record<string, number | null>;
  units: Record<string, string>;
  fit: Pick<PupilFitResult, 'ncc' | 'fwhm' | 'naEffective' | 'box'>;
}

/** `psf.tif` → `psf.pupil.json` (a .tif, .tiff or .ome.tif suffix is replaced; any other name gets the suffix). */
export function pupilSidecarPath(psfPath: string): string {
  return psfPath.replace(/(\.ome)?\.tiff?$/i, '') + '.pupil.json';
}

export function beadPupilFile(
  fit: PupilFitResult,
  optics: BeadOptics,
  voxel: { dxy: number; dz: number },
): BeadPupilFile {
  const entries = Object.entries(fit.params);
  return {
    model: 'pupil (core/psf/pupil.ts, scalar Gibson–Lanni / Hanser with Zernike Noll 5–11)',
    source: 'bead fit (cycledecon psf-fit --bead)',
    step: fit.iterations,
    optics: { ...optics, ...voxel },
    params: Object.fromEntries(entries.map(([k, p]) => [k, p.value])),
    start: {},
    uncertainties: Object.fromEntries(entries.map(([k, p]) => [k, Number.isFinite(p.sigma) ? p.sigma : null])),
    units: Object.fromEntries(entries.map(([k, p]) => [k, p.unit])),
    fit: { ncc: fit.ncc, fwhm: fit.fwhm, naEffective: fit.naEffective, box: fit.box },
  };
}

/** Writes the sidecar atomically; returns its path. */
export async function writeBeadPupilFile(psfPath: string, file: BeadPupilFile, force = false): Promise<string> {
  const path = pupilSidecarPath(psfPath);
  await writeBytesAtomic(path, JSON.stringify(file, null, 2) + '\n', { force });
  return path;
}
