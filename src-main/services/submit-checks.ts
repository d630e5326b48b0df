// What jobs.submit refuses before a job is queued, so a job that cannot succeed fails in the form that made it
// and not minutes later on the Queue page: a training config the engine would reject, training without sharp
// data (unless RL of the blurred stacks stands in), a model deconvolution with no model, a report on an external
// result that is not linked to its input.
import { latestFinishedRun, type JobSpec, type Project } from '../contract/schemas';
import { resolveTrainConfig } from '../core/train/config';
import { InvalidParameterError } from '../core/errors';

function checkTrain(spec: Extract<JobSpec, { kind: 'train' }>): void {
  // The engine's own validation (NA below the immersion index, spectral start without sharp data…), now.
  const cfg = resolveTrainConfig(spec.preset, spec.config);
  if (cfg.sharpSource === 'data' && spec.sharpIds.length === 0) {
    throw new InvalidParameterError(
      'sharpIds',
      'training needs sharp stacks (the sharp domain)',
      'Choose sharp stacks, or "sharp data from Richardson–Lucy of the blurred stacks" with the microscope optics.',
    );
  }
  if (cfg.sharpSource === 'rl' && !cfg.optics && !spec.rlPsfId) {
    throw new InvalidParameterError(
      'config.optics',
      'sharp data from Richardson–Lucy needs a PSF',
      'Give the microscope optics (NA, emission wavelength, immersion index) or a PSF dataset.',
    );
  }
}

function checkModelDeconvolve(
  project: Project,
  spec: Extract<JobSpec, { kind: 'deconvolve'; method: 'model' }>,
  trainDeps: readonly string[],
): void {
  if (spec.runDir || spec.runId || spec.trainJobId) return; // named: the runner resolves and checks it
  if (latestFinishedRun(project.runs)) return;
  // A train job queued first and named as a dependency will leave a finished run by the time this one starts.
  if (trainDeps.length > 0) return;
  throw new InvalidParameterError(
    'spec.runId',
    'this project has no finished training run',
    'Train a model first (Training page or `cycledecon train`).',
  );
}

function checkReport(project: Project, spec: Extract<JobSpec, { kind: 'report' }>): void {
  for (const id of spec.itemIds) {
    const d = project.datasets.find((x) => x.id === id);
    if (d?.role.kind === 'external' && !d.role.linkedTo) {
      throw new InvalidParameterError(
        'spec.itemIds',
        `${d.name} is an external result not linked to its input`,
        'Pick its input in "linked to" on the Datasets page first.',
      );
    }
  }
}

/**
 * Throws a typed, worded error when `spec` cannot succeed in `project`; returns quietly otherwise. `trainDeps`:
 * the train jobs the new job waits for.
 */
export function checkBeforeQueue(project: Project, spec: JobSpec, trainDeps: readonly string[] = []): void {
  if (spec.kind === 'train') checkTrain(spec);
  else if (spec.kind === 'deconvolve' && spec.method === 'model') checkModelDeconvolve(project, spec, trainDeps);
  else if (spec.kind === 'report') checkReport(project, spec);
}
