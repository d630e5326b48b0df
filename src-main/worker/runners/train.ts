// Training jobs: the explicit-PSF CycleGAN trained in the job worker on project datasets. The run folder
// is <project>/jobs/<jobId>/run; a job interrupted by a crash or kill resumes from its last checkpoint.
import { join } from 'node:path';
import type { Job, Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { readTiffInfo, readVolume } from '../../core/io/index';
import { initBackend } from '../../core/nn/backend';
import { nativeLoadFailure } from '../../core/kernels/native-conv';
import { parseTrainOverrides, resolveTrainConfig } from '../../core/train/config';
import { train } from '../../core/train/trainer';
import { hasCheckpoint } from '../../core/train/checkpoint';
import { newId, nowIso } from '../../core/project/ids';
import { readProject, resolveItem } from './resolve';
import { runIdOf, trainRunDir } from '../../core/run/job-dir';
import { trainSelection } from '../../core/train/select';

type TrainSpec = Extract<Job['spec'], { kind: 'train' }>;

/** A PSF is one z-stack: its first channel and frame, with the project's calibration of it. */
const readPsfItem = (item: ReturnType<typeof resolveItem>) => readVolume(item.path, item.open);

export async function runTrain(projectDir: string, job: Job, ctx: RunContext): Promise<Result[]> {
  const spec = job.spec as TrainSpec;
  const project = await readProject(projectDir);
  const items = [...spec.blurredIds, ...spec.sharpIds].map((id) => resolveItem(project, id));
  // Counted from the files themselves (a result has no record of its channels), before anything is read whole.
  const counts = await Promise.all(
    items.map(async (it) => ({ name: it.name, ...(await readTiffInfo(it.path, it.open)) })),
  );
  const sel = trainSelection(counts, spec);
  if (counts.some((c) => c.channels > 1 || c.frames > 1))
    ctx.log(`training on channel ${sel.channel}, frame ${sel.frame}`);
  const load = async (id: string) => {
    const item = resolveItem(project, id);
    return readVolume(item.path, { ...item.open, ...sel });
  };
  const blurred = await Promise.all(spec.blurredIds.map(load));
  // A job journalled before some config keys were retired may still carry them: mapped, and what was dropped said.
  const config = resolveTrainConfig(
    spec.preset,
    parseTrainOverrides(spec.config, (note) => ctx.log(`warning: ${note}`)),
  );
  // sharpSource 'rl': domain B is Richardson–Lucy of the blurred stacks (trainer), with this PSF or Born–Wolf from config.optics.
  const sharp = config.sharpSource === 'rl' ? [] : await Promise.all(spec.sharpIds.map(load));
  const rlPsf =
    config.sharpSource === 'rl' && spec.rlPsfId ? await readPsfItem(resolveItem(project, spec.rlPsfId)) : undefined;
  const outDir = trainRunDir(ctx.workDir);
  const resume = await hasCheckpoint(outDir);
  const backend = await initBackend({ purpose: 'train' });
  // Said in the job log, which the app shows: on the cpu backend a missing native kernel costs 1.5–3× in speed.
  const nativeFailure = backend.name === 'cpu' ? nativeLoadFailure() : null;
  if (nativeFailure) ctx.log(`warning: ${nativeFailure} (training runs 1.5–3× slower)`);
  ctx.log(
    `training preset ${spec.preset} on ${backend.name}: ${blurred.length} blurred, ${config.sharpSource === 'rl' ? 'RL-deconvolved blurred as sharp' : `${sharp.length} sharp stack(s)`}${resume ? `, resuming from checkpoint${ctx.resumed ? ' (interrupted run)' : ''}` : ''}`,
  );
  const r = await train(config, {
    blurred,
    sharp,
    rlPsf,
    outDir,
    resume,
    force: !resume,
    signal: ctx.signal,
    backendName: backend.name,
    onProgress: (e) => {
      if (e.type === 'step') {
        const losses: Record<string, number> = { ...e.losses };
        const l = Object.entries(losses)
          .map(([k, v]) => `${k}=${Number(v).toPrecision(4)}`)
          .join(' ');
        const eta = Number.isFinite(e.etaSeconds) ? e.etaSeconds : undefined;
        ctx.progress(e.step / e.totalSteps, `step ${e.step}/${e.totalSteps} ${l}`, e.step, e.totalSteps, eta);
        ctx.event?.({
          type: 'train.loss',
          step: e.step,
          epoch: e.epoch,
          losses,
          lr: e.lr,
          stepsPerSecond: e.stepsPerSecond,
          etaSeconds: eta ?? 0,
        });
      } else if (e.type === 'psf' && e.data.length <= 64 ** 3)
        ctx.event?.({ type: 'train.psfSnapshot', step: e.step, shape: e.shape, data: Array.from(e.data) });
      else if (e.type === 'checkpoint') ctx.log(`checkpoint at step ${e.step}`);
    },
  });
  ctx.log(`${r.cancelled ? 'stopped' : 'finished'} after ${r.steps} steps: ${r.runDir}`);
  ctx.log(r.outputCheck.collapsed ? `warning: ${r.outputCheck.message}` : r.outputCheck.message);
  // The learned PSF is the run's result the project lists (a CNN G_BA, the ablation, has none), named after its
  // run so two runs of one preset differ. A PSF learned beside a collapsed generator came from a model that
  // learned nothing: it carries the same warning.
  if (!r.psf) return [];
  const warnings = r.outputCheck.collapsed ? { warnings: [r.outputCheck.message] } : {};
  return [
    {
      id: newId('res'),
      jobId: job.id,
      kind: 'psf',
      path: join(r.runDir, 'psf.tif'),
      inputDatasetId: spec.blurredIds[0]!,
      method: `learned-psf-${spec.preset}-${runIdOf(job.id)}`,
      shape: [...r.psf.shape],
      createdAt: nowIso(),
      ...warnings,
    },
  ];
}
