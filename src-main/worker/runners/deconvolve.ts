// Deconvolution jobs: Richardson–Lucy with a known PSF, or a trained model (run folder).
import { join } from 'node:path';
import type { Job, Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { readVolume, writeVolume } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { newId, nowIso } from '../../core/project/ids';
import { NotAvailableError } from '../unavailable';
import { readProject, resolveItem } from './resolve';
import { psfVolume } from './psf';
import { runRichardsonLucy } from './rl';

type DeconvolveSpec = Extract<Job['spec'], { kind: 'deconvolve' }>;

async function loadPsf(projectDir: string, spec: Extract<DeconvolveSpec, { method: 'rl' }>): Promise<Volume> {
  if (spec.psf.from === 'generate') return psfVolume(spec.psf.params);
  const item = resolveItem(await readProject(projectDir), spec.psf.id);
  return readVolume(item.path);
}

export async function runDeconvolve(projectDir: string, job: Job, ctx: RunContext): Promise<Result[]> {
  const spec = job.spec as DeconvolveSpec;
  if (spec.method === 'model') throw new NotAvailableError('model deconvolution from the job queue', 'Use `cycledecon deconvolve --model RUN_DIR` until the model runner is connected.');
  const project = await readProject(projectDir);
  const input = resolveItem(project, spec.datasetId);
  ctx.log(`reading ${input.path}`);
  const vol = await readVolume(input.path);
  if (input.voxelSize) vol.voxelSize = { ...input.voxelSize };
  const psf = await loadPsf(projectDir, spec);
  ctx.log(`Richardson–Lucy: ${spec.iterations} iterations, volume ${vol.shape.join('×')}, PSF ${psf.shape.join('×')}`);
  const out = await runRichardsonLucy(vol, psf, spec.iterations, ctx);
  const id = newId('res');
  const name = spec.outputName ?? `${project.datasets.find((d) => d.id === spec.datasetId)?.name.replace(/\.tiff?$/i, '') ?? 'result'}-rl${spec.iterations}-${id.slice(4)}`;
  const path = join(ctx.resultsDir, `${name}.tif`);
  await writeVolume(path, out, { dtype: 'float32' });
  ctx.log(`wrote ${path}`);
  return [{ id, jobId: job.id, kind: 'deconvolved', path, inputDatasetId: spec.datasetId, method: `rl-${spec.iterations}`, shape: [...out.shape], createdAt: nowIso() }];
}
