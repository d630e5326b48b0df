// The 'psf.pupil' handler's work: find the pupil parameters beside a PSF file and put them in the contract's
// shape (contract/pupil.ts). A learned PSF is <run>/psf.tif with <run>/psf-pupil.json (train/pupil-file.ts); a
// bead fit's PSF is <name>.tif with <name>.pupil.json (psf/bead-pupil-file.ts). The rows' words and the phase
// image are the report's (report/pupil-section.ts), so the app and the report say the same.
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PsfAnalysis } from '../contract/schemas';
import type { PupilInfo, PupilParam } from '../contract/pupil';
import { pngDataUri } from '../core/image/png';
import { unitToMicrons } from '../core/io/metadata';
import { pupilSidecarPath } from '../core/psf/bead-pupil-file';
import { pupilPhaseMap } from '../core/psf/pupil-phase';
import { NOLL_MODES, NOLL_NAMES } from '../core/psf/zernike';
import { MEANING, UNITS, phaseRaster } from '../core/report/pupil-section';
import { RUN_FILES } from '../core/run/layout';
import { readPupilFile } from '../core/train/pupil-file';

/** Words for the parameters only a bead fit has. */
const BEAD_MEANING: Record<string, string> = {
  x0: 'lateral position x',
  y0: 'lateral position y',
  beadSigma: 'bead size (Gaussian σ)',
  sheet: 'light-sheet axial profile',
};

interface Found {
  source: PupilInfo['source'];
  file: string;
  step: number;
  optics: PupilInfo['optics'];
  params: Record<string, number>;
  start: Record<string, number> | null;
  sigma: Record<string, number | null>;
  units: Record<string, string>;
  ncc: number | null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numbers = (o: unknown): o is Record<string, number> =>
  typeof o === 'object' && o !== null && Object.values(o).every(isNum);

async function readBeadFile(path: string): Promise<Found | null> {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(await fs.readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const o = f.optics as Record<string, unknown> | undefined;
  const u = f.uncertainties;
  if (!numbers(o) || !numbers(f.params) || !isNum(f.step) || typeof u !== 'object' || u === null) return null;
  if (!['na', 'wavelength', 'ni', 'ns', 'dxy', 'dz'].every((k) => isNum(o[k]))) return null;
  const fit = (f.fit ?? {}) as Record<string, unknown>;
  return {
    source: 'bead-fit',
    file: path,
    step: Math.round(f.step),
    optics: o as unknown as PupilInfo['optics'],
    params: f.params,
    start: null,
    sigma: Object.fromEntries(Object.entries(u).map(([k, v]) => [k, isNum(v) ? v : null])),
    units: (typeof f.units === 'object' && f.units !== null ? f.units : {}) as Record<string, string>,
    ncc: isNum(fit.ncc) ? fit.ncc : null,
  };
}

async function findPupil(psfPath: string): Promise<Found | null> {
  const bead = await readBeadFile(pupilSidecarPath(psfPath));
  if (bead) return bead;
  if (basename(psfPath) !== RUN_FILES.psfTiff) return null;
  const run = await readPupilFile(dirname(psfPath));
  if (!run) return null;
  return {
    source: 'learned',
    file: join(dirname(psfPath), RUN_FILES.psfPupil),
    step: run.step,
    optics: run.optics,
    params: run.params,
    start: run.start,
    sigma: {},
    units: {},
    ncc: null,
  };
}

function row(f: Found, name: string): PupilParam {
  const noll = name.startsWith('Z') ? (Number(name.slice(1)) as (typeof NOLL_MODES)[number]) : null;
  const meaning = noll ? `${NOLL_NAMES[noll]} (Noll ${noll})` : (MEANING[name] ?? BEAD_MEANING[name] ?? name);
  const unit = noll ? 'rad rms' : (UNITS[name] ?? f.units[name] ?? '');
  return {
    name,
    meaning,
    unit,
    value: f.params[name]!,
    sigma: f.sigma[name] ?? null,
    start: f.start ? (f.start[name] ?? 0) : null,
  };
}

/**
 * The pupil parameters beside the PSF at psfPath, or null where it has none. `analyse` measures the PSF file
 * itself (FWHM); its failure leaves the FWHMs and NA_eff null rather than hiding the parameters.
 */
export async function readPupilInfo(psfPath: string, analyse: () => Promise<PsfAnalysis>): Promise<PupilInfo | null> {
  const f = await findPupil(psfPath);
  if (!f) return null;
  const map = pupilPhaseMap(f.optics, f.params);
  const { raster, range } = phaseRaster(map);
  let fwhm: PupilInfo['fwhm'] = null;
  try {
    const a = await analyse();
    const um = unitToMicrons(a.unit);
    if (um !== undefined) fwhm = { x: a.fwhm.x * um, y: a.fwhm.y * um, z: a.fwhm.z * um };
  } catch {
    fwhm = null;
  }
  const lateral = fwhm ? (fwhm.x + fwhm.y) / 2 : NaN;
  return {
    source: f.source,
    file: f.file,
    optics: f.optics,
    step: f.step,
    params: Object.keys(f.params).map((k) => row(f, k)),
    zernikes: NOLL_MODES.filter((j) => isNum(f.params[`Z${j}`])).map((j) => ({
      noll: j,
      name: NOLL_NAMES[j],
      value: f.params[`Z${j}`]!,
      sigma: f.sigma[`Z${j}`] ?? null,
    })),
    phase: { png: pngDataUri(raster), range, rms: map.rms, pv: map.pv },
    fwhm,
    naEffective: lateral > 0 ? (0.51 * f.optics.wavelength) / lateral : null,
    ncc: f.ncc,
  };
}
