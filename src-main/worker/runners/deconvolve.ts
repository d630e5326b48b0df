// Deconvolution jobs: Richardson–Lucy with a known PSF, or a trained model (run folder).
import { isAbsolute, join } from 'node:path';
import { latestFinishedRun, type Job, type Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { readVolume, writeVolume } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { newId, nowIso } from '../../core/project/ids';
import { InvalidParameterError } from '../../core/errors';
import { loadPredictor } from '../../core/infer/load';
import { deconvolveFile } from '../../core/infer/deconvolve';
import { readProject, resolveItem } from './resolve';
import { psfVolume } from './psf';
import { runRichardsonLucy } from './rl';
import { trainRunDir } from './run-dir';
import { outputStem, resultFile } from './output-name';
import { readOutputCheckWarnings } from '../../core/engine/train/output-check-file';
import { noDomainNote } from '../../core/infer/domain-check';

type DeconvolveSpec = Extract<Job['spec'], { kind: 'deconvolve' }>;

async function loadPsf(projectDir: string, spec: Extract<DeconvolveSpec, { method: 'rl' }>): Promise<Volume> {
  if (spec.psf.from === 'generate') return psfVolume(spec.psf.params);
  const item = resolveItem(await readProject(projectDir), spec.psf.id);
  return readVolume(item.path);
}

export async function runDeconvolve(projectDir: string, job: Job, ctx: RunContext): Promise<Result[]> {
  const spec = job.spec as DeconvolveSpec;
  if (spec.method === 'model') return runModel(projectDir, job, spec, ctx);
  const project = await readProject(projectDir);
  const input = resolveItem(project, spec.datasetId);
  ctx.log(`reading ${input.path}`);
  const vol = await readVolume(input.path);
  if (input.voxelSize) vol.voxelSize = { ...input.voxelSize };
  const psf = await loadPsf(projectDir, spec);
  ctx.log(`Richardson–Lucy: ${spec.iterations} iterations, volume ${vol.shape.join('×')}, PSF ${psf.shape.join('×')}`);
  const out = await runRichardsonLucy(vol, psf, spec.iterations, ctx, spec.rl);
  const id = newId('res');
  const name = spec.outputName ?? `${outputStem(project.datasets.find((d) => d.id === spec.datasetId)?.name)}-rl${spec.iterations}-${id.slice(4)}`;
  const path = resultFile(ctx.resultsDir, name);
  await writeVolume(path, out, { dtype: 'float32', within: ctx.resultsDir });
  ctx.log(`wrote ${path}`);
  return [{ id, jobId: job.id, kind: 'deconvolved', path, inputDatasetId: spec.datasetId, method: `rl-${spec.iterations}`, shape: [...out.shape], createdAt: nowIso() }];
}

type ModelSpec = Extract<DeconvolveSpec, { method: 'model' }>;

/** The run folder of a model job: an explicit folder, a run of the project, or the run of a training job. */
export function runFolder(projectDir: string, project: Awaited<ReturnType<typeof readProject>>, spec: ModelSpec): string {
  if (spec.runDir) return spec.runDir;
  // Nothing named: the latest finished run of the project (the app's "latest finished" choice).
  const run = spec.runId || spec.trainJobId ? project.runs.find((r) => (spec.runId && r.id === spec.runId) || (spec.trainJobId && r.jobId === spec.trainJobId)) : latestFinishedRun(project.runs);
  if (!run && spec.trainJobId) return trainRunDir(join(projectDir, 'jobs', spec.trainJobId));
  if (!run && !spec.runId) throw new InvalidParameterError('spec.runId', 'this project has no finished training run', 'Train a model first (Training page or `cycledecon train`), or give the runDir of one.');
  if (!run) throw new InvalidParameterError('spec.runId', 'names no training run of this project', 'Give runId, trainJobId or runDir of a finished training run.');
  return isAbsolute(run.dir) ? run.dir : join(projectDir, run.dir);
}

/** Deconvolution with a trained model: tiled, streaming inference exactly as `cycledecon deconvolve`. */
async function runModel(projectDir: string, job: Job, spec: ModelSpec, ctx: RunContext): Promise<Result[]> {
  const project = await readProject(projectDir);
  const input = resolveItem(project, spec.datasetId);
  const runDir = runFolder(projectDir, project, spec);
  ctx.log(`model ${runDir} on ${input.path}`);
  const predictor = await loadPredictor({ method: 'model', runDir });
  const id = newId('res');
  const name = spec.outputName ?? `${outputStem(project.datasets.find((d) => d.id === spec.datasetId)?.name)}-cycledecon-${id.slice(4)}`;
  const path = resultFile(ctx.resultsDir, name);
  const r = await deconvolveFile(input.path, path, predictor, {
    tile: 'auto',
    within: ctx.resultsDir,
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(total > 0 ? done / total : 0, `tile ${done}/${total}`, done, total),
  });
  ctx.log(`wrote ${path}: ${r.tiles} tile(s), ${r.passes} pass(es), ${Math.round(r.voxelsPerSecond)} voxels/s on ${r.backend}`);
  // A model whose output check failed after training: its result is kept but marked, never silently trusted.
  // The input against the run's training domain (voxel size, intensities; per channel): shown with the result.
  const warnings = [...(await readOutputCheckWarnings(runDir)), ...r.warnings];
  for (const w of warnings) ctx.log(`warning: ${w}`);
  if (predictor.domain === null) ctx.log(`note: ${noDomainNote(runDir)}`);
  return [{ id, jobId: job.id, kind: 'deconvolved', path, inputDatasetId: spec.datasetId, method: 'cycledecon', shape: [...r.shape], createdAt: nowIso(), ...(warnings.length ? { warnings } : {}) }];
}
