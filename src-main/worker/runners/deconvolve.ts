// Deconvolution jobs: Richardson–Lucy with a known PSF, or a trained model (run folder).
import { isAbsolute, join } from 'node:path';
import { latestFinishedRun, type Job, type Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { openVolume, type OpenOptions, type VolumeReader } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { describeSelection, mapHyperstack, selectVolumes } from '../../core/io/hyperstack';
import { checkPsf } from '../../core/psf/check';
import { newId, nowIso } from '../../core/project/ids';
import { InvalidParameterError } from '../../core/errors';
import { loadPredictor } from '../../core/infer/load';
import { nativeLoadFailure } from '../../core/kernels/native-conv';
import { deconvolveFile } from '../../core/infer/deconvolve';
import { readProject, resolveItem } from './resolve';
import { psfVolume } from './psf';
import { runRichardsonLucy } from './rl';
import { trainRunDir } from '../../core/run/job-dir';
import { outputStem, resultFile } from './output-name';
import { readOutputCheckWarnings } from '../../core/train/output-check-file';
import { noDomainNote } from '../../core/infer/domain-check';

type DeconvolveSpec = Extract<Job['spec'], { kind: 'deconvolve' }>;

type RlSpec = Extract<DeconvolveSpec, { method: 'rl' }>;

/** The PSF of each image channel: a PSF stack with one channel per image channel, else one PSF for all of them. */
async function loadPsfs(projectDir: string, spec: RlSpec, channels: number, ctx: RunContext): Promise<Volume[]> {
  if (spec.psf.from === 'generate') return [psfVolume(spec.psf.params)];
  const item = resolveItem(await readProject(projectDir), spec.psf.id);
  // As `cycledecon rl` reads a PSF: a single-slice file of channels is a z-stack, and each one must look like a
  // PSF before any work (a nucleus given as the PSF makes Richardson–Lucy converge to garbage without complaint).
  const psf = await openVolume(item.path, { ...item.open, channelsAsZ: true });
  const checked = async (channel: number) => {
    const v = await psf.readAll({ channel });
    checkPsf(v, psf.info.channels > 1 ? `${item.name} (channel ${channel})` : item.name);
    return v;
  };
  try {
    for (const w of psf.info.warnings) ctx.log(`warning: ${w}`);
    if (psf.info.frames > 1)
      throw new InvalidParameterError(
        'spec.psf',
        `${item.name} has ${psf.info.frames} time points; a PSF is one z-stack`,
      );
    if (channels > 1 && psf.info.channels === channels)
      return await Promise.all(Array.from({ length: channels }, (_, channel) => checked(channel)));
    if (channels > 1)
      ctx.log(
        `warning: one PSF is used for all ${channels} channels; each emission wavelength has its own PSF — import a PSF stack with one channel per image channel`,
      );
    return [await checked(0)];
  } finally {
    await psf.close();
  }
}

/**
 * The image with the project's calibration; an uncalibrated image takes a calibrated PSF's voxel size (RL needs
 * both on one grid), recorded as source 'psf' — the rule of `cycledecon rl`.
 */
async function openRlImage(path: string, open: OpenOptions, psf: Volume): Promise<VolumeReader> {
  const reader = await openVolume(path, open);
  if (
    reader.info.voxelSizeSource !== 'none' ||
    psf.metadata.voxelSizeSource !== 'file' ||
    psf.metadata.voxelSizeAssumed
  )
    return reader;
  await reader.close();
  return openVolume(path, { voxelSize: psf.voxelSize, voxelSizeSource: 'psf' });
}

/** Richardson–Lucy of every channel and time point, into a hyperstack with the input's axes and calibration. */
export async function runDeconvolve(projectDir: string, job: Job, ctx: RunContext): Promise<Result[]> {
  const spec = job.spec as DeconvolveSpec;
  if (spec.method === 'model') return runModel(projectDir, job, spec, ctx);
  const project = await readProject(projectDir);
  const input = resolveItem(project, spec.datasetId);
  ctx.log(`reading ${input.path}`);
  const probe = await openVolume(input.path, input.open);
  await probe.close();
  const psfs = await loadPsfs(projectDir, spec, probe.info.channels, ctx);
  const reader = await openRlImage(input.path, input.open, psfs[0]!);
  const id = newId('res');
  const name =
    spec.outputName ??
    `${outputStem(project.datasets.find((d) => d.id === spec.datasetId)?.name)}-rl${spec.iterations}-${id.slice(4)}`;
  const path = resultFile(ctx.resultsDir, name);
  try {
    const selection = selectVolumes(reader.info);
    const { voxelSize: v, voxelSizeSource } = reader.info;
    ctx.log(
      `Richardson–Lucy: ${spec.iterations} iterations, volume ${reader.info.shape.join('×')}, ${describeSelection(reader.info, selection)}, PSF ${psfs[0]!.shape.join('×')}, voxel ${v.x}×${v.y}×${v.z} ${v.unit} (${voxelSizeSource})`,
    );
    await mapHyperstack(
      reader,
      path,
      selection,
      async (image, at) => {
        if (selection.channels.length > 1 || selection.frames.length > 1)
          ctx.log(`channel ${at.channel}, frame ${at.frame}`);
        return runRichardsonLucy(image, psfs[at.c] ?? psfs[0]!, spec.iterations, ctx, spec.rl);
      },
      { dtype: 'float32', within: ctx.resultsDir },
    );
  } finally {
    await reader.close();
  }
  ctx.log(`wrote ${path}`);
  return [
    {
      id,
      jobId: job.id,
      kind: 'deconvolved',
      path,
      inputDatasetId: spec.datasetId,
      method: `rl-${spec.iterations}`,
      shape: [...reader.info.shape],
      createdAt: nowIso(),
    },
  ];
}

type ModelSpec = Extract<DeconvolveSpec, { method: 'model' }>;

/** The run folder of a model job: an explicit folder, a run of the project, or the run of a training job. */
export function runFolder(
  projectDir: string,
  project: Awaited<ReturnType<typeof readProject>>,
  spec: ModelSpec,
): string {
  if (spec.runDir) return spec.runDir;
  // Nothing named: the latest finished run of the project (the app's "latest finished" choice).
  const run =
    spec.runId || spec.trainJobId
      ? project.runs.find(
          (r) => (spec.runId && r.id === spec.runId) || (spec.trainJobId && r.jobId === spec.trainJobId),
        )
      : latestFinishedRun(project.runs);
  if (!run && spec.trainJobId) return trainRunDir(join(projectDir, 'jobs', spec.trainJobId));
  if (!run && !spec.runId)
    throw new InvalidParameterError(
      'spec.runId',
      'this project has no finished training run',
      'Train a model first (Training page or `cycledecon train`), or give the runDir of one.',
    );
  if (!run)
    throw new InvalidParameterError(
      'spec.runId',
      'names no training run of this project',
      'Give runId, trainJobId or runDir of a finished training run.',
    );
  return isAbsolute(run.dir) ? run.dir : join(projectDir, run.dir);
}

/** Deconvolution with a trained model: tiled, streaming inference exactly as `cycledecon deconvolve`. */
async function runModel(projectDir: string, job: Job, spec: ModelSpec, ctx: RunContext): Promise<Result[]> {
  const project = await readProject(projectDir);
  const input = resolveItem(project, spec.datasetId);
  const runDir = runFolder(projectDir, project, spec);
  ctx.log(`model ${runDir} on ${input.path}`);
  const predictor = await loadPredictor({ method: 'model', runDir });
  const nativeFailure = nativeLoadFailure(); // said in the job log, which the app shows
  if (nativeFailure) ctx.log(`warning: ${nativeFailure}`);
  const id = newId('res');
  const name =
    spec.outputName ??
    `${outputStem(project.datasets.find((d) => d.id === spec.datasetId)?.name)}-cycledecon-${id.slice(4)}`;
  const path = resultFile(ctx.resultsDir, name);
  const r = await deconvolveFile(input.path, path, predictor, {
    tile: 'auto',
    open: input.open,
    within: ctx.resultsDir,
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(total > 0 ? done / total : 0, `tile ${done}/${total}`, done, total),
  });
  ctx.log(
    `wrote ${path}: ${r.tiles} tile(s), ${r.passes} pass(es), ${Math.round(r.voxelsPerSecond)} voxels/s on ${r.backend}`,
  );
  // A model whose output check failed after training: its result is kept but marked, never silently trusted.
  // The input against the run's training domain (voxel size, intensities; per channel): shown with the result.
  const warnings = [...(await readOutputCheckWarnings(runDir)), ...r.warnings];
  for (const w of warnings) ctx.log(`warning: ${w}`);
  if (predictor.domain === null) ctx.log(`note: ${noDomainNote(runDir)}`);
  return [
    {
      id,
      jobId: job.id,
      kind: 'deconvolved',
      path,
      inputDatasetId: spec.datasetId,
      method: 'cycledecon',
      shape: [...r.shape],
      createdAt: nowIso(),
      ...(warnings.length ? { warnings } : {}),
    },
  ];
}
