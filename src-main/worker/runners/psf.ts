// PSF generation job: a theoretical Born–Wolf / Gibson–Lanni PSF written as an ImageJ TIFF.
import type { Job, PsfParams, Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { generatePsf } from '../../core/psf/generate';
import { writeVolume } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { newId, nowIso } from '../../core/project/ids';
import { resultFile } from './output-name';

export function psfVolume(p: PsfParams): Volume {
  return generatePsf({
    model: p.model,
    na: p.numericalAperture,
    wavelength: p.wavelength,
    ni: p.refractiveIndex,
    ns: p.sampleIndex,
    dxy: p.voxelSize.x,
    dz: p.voxelSize.z,
    size: p.shape,
    confocal: p.confocal,
  });
}

/** Writes the PSF of `p` (`vol` when the caller already computed it) into resultsDir as a float32 TIFF. */
export async function writePsfResult(
  job: Job,
  p: PsfParams,
  resultsDir: string,
  outputName?: string,
  vol: Volume = psfVolume(p),
): Promise<Result> {
  const id = newId('res');
  const path = resultFile(resultsDir, outputName ?? `psf-${p.model}-${id.slice(4)}`);
  await writeVolume(path, vol, { dtype: 'float32', within: resultsDir });
  return {
    id,
    jobId: job.id,
    kind: 'psf',
    path,
    inputDatasetId: null,
    method: p.model,
    shape: [...vol.shape],
    createdAt: nowIso(),
  };
}

export async function runPsf(job: Job, ctx: RunContext): Promise<Result[]> {
  if (job.spec.kind !== 'psf') throw new Error('runPsf got a non-psf job');
  ctx.progress(0, 'computing PSF');
  const r = await writePsfResult(job, job.spec.params, ctx.resultsDir, job.spec.outputName);
  ctx.log(`wrote ${r.path}`);
  ctx.progress(1, 'PSF written');
  return [r];
}
