// Assembles a deconvolution report: every number (report.json) and the HTML that shows them.
import { InvalidVolumeError } from '../errors';
import { renderHtml, type Section } from './html';
import { reblurCheck } from './reblur';
import { reportVerdict, type VerdictData } from './verdict';
import { artefactSection, checkResult, warningSection } from './output-section';
import { lossSection, metricsSection, profilesSection, psfSection, reblurSection, viewsSection } from './sections';
import { pupilSection } from './pupil-section';
import type { Measures, ReportSources } from './sources';

export type { Measures, PsfStats, ReportSources } from './sources';

function stats(d: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity,
    max = -Infinity,
    sum = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / d.length };
}

export function buildReport(src: ReportSources, m: Measures): { json: Record<string, unknown>; html: string } {
  const shape = src.input.volume.shape;
  for (const [name, v] of [
    ['result', src.result],
    ['gt', src.gt],
    ['rl', src.rl],
  ] as const) {
    if (v && v.volume.shape.join() !== shape.join())
      throw new InvalidVolumeError(`${name} ${v.path} is ${v.volume.shape.join('×')}, the input is ${shape.join('×')}`);
  }
  const sections: Section[] = [];
  // A model flagged by its output check after training (train/output-check.ts) comes first: the reader
  // must know before looking at any figure that the result carries no information about the input.
  if (src.run?.outputCheck?.collapsed)
    sections.push({
      title: '⚠ Warning: the model failed its output check',
      blocks: [{ kind: 'text', text: src.run.outputCheck.message }],
    });
  const title = src.title ?? 'CycleDecon report';
  const json: Record<string, unknown> = { title, generated: new Date().toISOString(), clahe: Boolean(src.clahe) };
  // Where the voxel size came from (file, project override, CLI, PSF, none): every FWHM below is in its unit.
  const voxelSizeSource =
    src.input.volume.metadata.voxelSizeSource ?? (src.input.volume.voxelSize.unit === 'px' ? 'none' : 'file');
  json.input = {
    path: src.input.path,
    shape,
    voxelSize: src.input.volume.voxelSize,
    voxelSizeSource,
    ...stats(src.input.volume.data),
  };
  json.result = {
    path: src.result.path,
    intensityScale: src.result.volume.metadata.intensityScale,
    ...stats(src.result.volume.data),
  };

  sections.push(viewsSection(src), profilesSection(src));
  const pupil = src.run?.pupil ? pupilSection(src.run.pupil) : null; // the run's G_BA was the pupil layer
  for (const [key, part] of [
    ['psf', psfSection(src, m)],
    ['pupil', pupil],
    ['loss', lossSection(src.run?.loss)],
    ['metrics', metricsSection(src, m)],
  ] as const) {
    if (part) {
      json[key] = part.data;
      sections.push(part.section);
    }
  }

  const blurPsf = src.run?.learnedPsf ?? src.theoreticalPsf;
  const reblur = blurPsf
    ? reblurCheck(src.input.volume.data, src.result.volume.data, shape, (d) => m.convolve(d, shape, blurPsf.volume))
    : undefined;
  // The result's own check (re-blur, correlation, artefacts): a flagged result, or an input outside the run's
  // training domain, is said first, before any figure.
  const resultCheck = checkResult(shape, src.input.volume.data, src.result.volume.data, reblur, src.gt?.volume.data);
  json.outputCheck = {
    passed: resultCheck.verdict.passed,
    flags: resultCheck.verdict.flags,
    message: resultCheck.verdict.message,
    correlation: resultCheck.correlation,
    noiseRelative: resultCheck.noiseRelative,
  };
  json.artefacts = resultCheck.artefacts;
  json.domainWarnings = src.run?.domainWarnings ?? [];
  if (src.run?.domainNote) json.domainNote = src.run.domainNote;
  const first = warningSection(resultCheck, src.run?.domainWarnings ?? []);
  if (first) sections.unshift(first);
  sections.push(artefactSection(resultCheck));
  if (blurPsf && reblur) {
    const part = reblurSection(blurPsf.path, reblur);
    json.reblur = part.data;
    sections.push(part.section);
  }

  const summary = src.summary;
  const timing = summary
    ? {
        seconds: summary.seconds,
        voxelsPerSecond: summary.voxelsPerSecond,
        backend: summary.backend,
        method: summary.method,
        details: summary.details,
      }
    : undefined;
  const extra = src.result.volume.metadata.extra;
  json.timing = timing ?? { backend: extra['cycledecon.backend'], method: extra['cycledecon.method'] };
  const t = json.timing as Record<string, unknown>;
  const timingRows = Object.entries(t)
    .filter(([, v]) => v !== undefined && typeof v !== 'object')
    .map(([k, v]) => [k, v as string | number]);
  // An external result (AutoQuant, Huygens) records none: no empty table.
  if (timingRows.length)
    sections.push({
      title: 'Timing and backend',
      blocks: [{ kind: 'table', header: ['what', 'value'], rows: timingRows }],
    });
  if (src.run) {
    // The trainer's history records cumulative seconds per step: its last value is the training time.
    const secs = src.run.loss?.series.seconds ?? [];
    json.run = {
      dir: src.run.dir,
      config: src.run.config,
      trainingSteps: src.run.loss?.steps.at(-1),
      trainingSeconds: secs.at(-1),
      outputCheck: src.run.outputCheck ?? null,
      ...(src.run.trainingData ? { trainingData: src.run.trainingData } : {}),
    };
  }
  // The verdict reads only report.json, so the page and the JSON can never disagree.
  json.verdict = reportVerdict(json as VerdictData);

  const html = renderHtml(
    title,
    `Input ${src.input.path} (${shape.join('×')} voxels, voxel ${src.input.volume.voxelSize.x}×${src.input.volume.voxelSize.y}×${src.input.volume.voxelSize.z} ${src.input.volume.voxelSize.unit}, ${voxelSizeSource === 'none' ? 'uncalibrated' : `from the ${voxelSizeSource === 'project' ? 'project' : voxelSizeSource === 'cli' ? 'command line' : voxelSizeSource}`}); result ${src.result.path}${src.run ? `; run ${src.run.dir}` : ''}.`,
    sections,
    json.verdict as string,
  );
  return { json, html };
}
