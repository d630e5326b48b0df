// Report jobs: one self-contained HTML + JSON quality report (core/report, as `cycledecon report`) per
// deconvolved item of the spec. Items are dataset/result ids of the project: each deconvolution result
// (or external result linked to its input) is reported against its input; a sharp dataset among the
// items is the ground truth, an RL result of the same input is shown beside a model result, and the
// PSF the result was made with (RL's PSF, a model's learned PSF) drives the re-blur check.
import { join } from 'node:path';
import type { Dataset, Job, Project, Result } from '../../contract/schemas';
import type { RunContext } from '../../core/queue/types';
import { readJournal } from '../../core/queue/journal';
import { readVolume } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { CancelledError, InvalidParameterError } from '../../core/errors';
import { newId, nowIso } from '../../core/project/ids';
import { writeReport, type ReportFiles } from '../../core/report/files';
import { datasetOpenOptions } from '../../core/project/calibration';
import { readProject, resolveItem } from './resolve';
import { psfVolume } from './psf';
import { runFolder } from './deconvolve';

type ReportSpec = Extract<Job['spec'], { kind: 'report' }>;

/** A deconvolved volume to report: a project result, or an external dataset (AutoQuant, Huygens…). */
interface Target {
  id: string;
  name: string;
  path: string;
  inputId: string;
  method: string;
  /** The job that produced it (results only), for the PSF or training run it used. */
  jobId?: string;
}

function targetOf(p: Project, id: string): Target | undefined {
  const r = p.results.find((x) => x.id === id);
  if (r?.kind === 'deconvolved') {
    if (!r.inputDatasetId)
      throw new InvalidParameterError('spec.itemIds', `result ${id} does not record its input dataset`);
    return { id, name: stem(r.path), path: r.path, inputId: r.inputDatasetId, method: r.method, jobId: r.jobId };
  }
  const d = p.datasets.find((x) => x.id === id);
  if (d?.role.kind === 'external') {
    if (!d.role.linkedTo)
      throw new InvalidParameterError(
        'spec.itemIds',
        `dataset ${d.name} is an external result not linked to its input`,
        'Set its role\'s "linked to" input dataset first.',
      );
    return { id, name: stem(d.name), path: d.path, inputId: d.role.linkedTo, method: d.role.tool };
  }
  return undefined;
}

function stem(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.(ome\.)?tiff?$/i, '');
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'report'
  );
}

/** A dataset read as every job reads it: with the project's voxel-size override, recorded as its source. */
async function datasetVolume(d: Dataset): Promise<{ path: string; volume: Volume }> {
  return { path: d.path, volume: await readVolume(d.path, datasetOpenOptions(d)) };
}

/** What the report of `t` compares against, from the job that made it (read-only from the queue journal). */
async function provenance(
  projectDir: string,
  p: Project,
  t: Target,
): Promise<Pick<ReportFiles, 'theoreticalPsf' | 'runDir'>> {
  if (!t.jobId) return {};
  const rec = (await readJournal(join(projectDir, 'jobs'))).get(t.jobId);
  const spec = rec?.job.spec;
  if (spec?.kind !== 'deconvolve') return {};
  if (spec.method === 'model') return { runDir: runFolder(projectDir, p, spec) };
  if (spec.psf.from === 'generate')
    return { theoreticalPsf: { path: `generated ${spec.psf.params.model} PSF`, volume: psfVolume(spec.psf.params) } };
  return { theoreticalPsf: resolveItem(p, spec.psf.id).path };
}

export async function runReport(projectDir: string, job: Job, ctx: RunContext): Promise<Result[]> {
  const spec = job.spec as ReportSpec;
  const p = await readProject(projectDir);
  for (const id of spec.itemIds) resolveItem(p, id); // every id must name a dataset or result
  const targets = spec.itemIds.map((id) => targetOf(p, id)).filter((t): t is Target => t !== undefined);
  if (!targets.length)
    throw new InvalidParameterError(
      'spec.itemIds',
      'names no deconvolution result',
      'Include the id of a deconvolved result, or of an external result linked to its input.',
    );
  const gt = p.datasets.find((d) => spec.itemIds.includes(d.id) && d.role.kind === 'sharp');
  const psfItem = p.results.find((r) => spec.itemIds.includes(r.id) && r.kind === 'psf');
  const out: Result[] = [];
  for (const [i, t] of targets.entries()) {
    if (ctx.signal.aborted) throw new CancelledError(`job ${job.id}`);
    ctx.progress(i / targets.length, `report ${i + 1}/${targets.length}: ${t.name}`, i, targets.length);
    const inputDs = p.datasets.find((d) => d.id === t.inputId);
    if (!inputDs)
      throw new InvalidParameterError(
        'spec.itemIds',
        `the input ${t.inputId} of ${t.name} is no longer in the project`,
      );
    const input = await datasetVolume(inputDs);
    const files: ReportFiles = {
      input,
      result: { path: t.path, volume: await readVolume(t.path) },
      title: spec.title ?? `CycleDecon report: ${t.name}`,
    };
    if (gt && gt.shape.join() === inputDs.shape.join()) files.gt = await datasetVolume(gt);
    else if (gt)
      ctx.log(`ground truth ${gt.name} is ${gt.shape.join('×')}, the input ${inputDs.shape.join('×')}: left out`);
    const rl = targets.find(
      (o) => o !== t && o.inputId === t.inputId && o.method.startsWith('rl') && !t.method.startsWith('rl'),
    );
    if (rl) files.rl = rl.path;
    Object.assign(files, await provenance(projectDir, p, t));
    if (psfItem) files.theoreticalPsf = psfItem.path;
    const id = newId('res');
    const name = `${slug(spec.title ?? 'report')}-${slug(t.name)}-${id.slice(4)}`;
    const written = await writeReport(ctx.resultsDir, files, { name });
    ctx.log(`wrote ${written.htmlPath} and ${written.jsonPath}`);
    // A report is of one volume; a multichannel or time-lapse input is said to be reported in part, never silently.
    const partial =
      (inputDs.channels ?? 1) > 1 || (inputDs.frames ?? 1) > 1
        ? [
            `this report covers channel 1 and time point 1 of ${inputDs.name} (${inputDs.channels ?? 1} channel(s) × ${inputDs.frames ?? 1} time point(s)); the result file holds them all — compare the others in the Compare view`,
          ]
        : [];
    for (const w of partial) ctx.log(`warning: ${w}`);
    out.push({
      id,
      jobId: job.id,
      kind: 'report',
      path: written.htmlPath,
      inputDatasetId: t.inputId,
      method: `report-${t.method}`,
      shape: null,
      createdAt: nowIso(),
      ...(partial.length ? { warnings: partial } : {}),
    });
  }
  ctx.progress(1, `${out.length} report(s) written`, targets.length, targets.length);
  return out;
}
