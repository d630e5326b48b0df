// psf-pupil.json in a run folder (psf.model 'pupil'): the optics the layer was computed with and the parameters it
// learned, next to the PSF they make (psf.json / psf.tif). Written by the trainer, read without tfjs by reports.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeBytesAtomic } from '../io/atomic';
import { RUN_FILES } from '../run/layout';

export interface PupilFile {
  model: 'pupil (core/psf/pupil.ts, scalar Gibson–Lanni / Hanser with Zernike Noll 5–11)';
  step: number;
  /** Known optics, µm (wavelength, voxel size) and refractive indices. */
  optics: { na: number; wavelength: number; ni: number; ns: number; dxy: number; dz: number };
  /** Learned parameters: z0 and depth in µm, apodisation (a in exp(−a·ρ²)), Z5…Z11 in radians rms. */
  params: Record<string, number>;
  /** Where the layer started (all zero: the optics without aberration). */
  start: Record<string, number>;
}

const MODEL: PupilFile['model'] = 'pupil (core/psf/pupil.ts, scalar Gibson–Lanni / Hanser with Zernike Noll 5–11)';

export async function writePupilFile(runDir: string, f: Omit<PupilFile, 'model'>): Promise<void> {
  await writeBytesAtomic(join(runDir, RUN_FILES.psfPupil), JSON.stringify({ model: MODEL, ...f }, null, 2) + '\n', {
    force: true,
  });
}

const numbers = (o: unknown): o is Record<string, number> =>
  typeof o === 'object' && o !== null && Object.values(o).every((v) => typeof v === 'number' && Number.isFinite(v));

/** The run's pupil file; null where there is none (another PSF model) or it cannot be read. */
export async function readPupilFile(runDir: string): Promise<PupilFile | null> {
  let f: Partial<PupilFile>;
  try {
    f = JSON.parse(await fs.readFile(join(runDir, RUN_FILES.psfPupil), 'utf8')) as Partial<PupilFile>;
  } catch {
    return null;
  }
  if (!f || !numbers(f.optics) || !numbers(f.params) || !numbers(f.start) || typeof f.step !== 'number') return null;
  return f as PupilFile;
}
