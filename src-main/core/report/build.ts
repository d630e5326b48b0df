// Assembles a deconvolution report: every number (report.json) and the HTML that shows them.
import type { OutputCheckVerdict } from '../engine/train/output-check-file';
import type { Volume } from '../io/volume';
import { InvalidVolumeError } from '../errors';
import { brightestCentre } from '../image/orthoviews';
import { curveFigure, linkedOrthoviews, psfOrthoviews, type NamedVolume } from './figures';
import { renderHtml, type Block, type Section } from './html';
import { NOT_LOSSES, type LossHistory } from './loss';
import { reblurCheck, type ReblurCheck } from './reblur';
import { reportVerdict, type TrainingData, type VerdictData } from './verdict';
import { artefactSection, checkResult, warningSection } from './output-section';

/** Measurements supplied by the classic toolkit (kept injectable so tests can check them independently). */
export interface Measures {
  /** Same-size, centred convolution of a volume with a PSF (normalised to sum one by the callee). */
  convolve(data: Float32Array, shape: Volume['shape'], psf: Volume): Float32Array;
  /** FWHM through the peak in voxel-size units, and the normalised cross-correlation with a reference PSF. */
  psf(psf: Volume, reference?: Volume): { fwhm: { z: number; y: number; x: number }; ncc?: number };
  /** Quality against ground truth (after the toolkit's normalisation). */
  metrics(gt: Volume, pred: Volume): { psnr: number; nrmse: number; ssim3d: number | null; ssim2d: number };
}

export interface ReportSources {
  input: { path: string; volume: Volume };
  result: { path: string; volume: Volume };
  gt?: { path: string; volume: Volume };
  rl?: { path: string; volume: Volume };
  theoreticalPsf?: { path: string; volume: Volume };
  run?: { dir: string; config?: unknown; learnedPsf?: { path: string; volume: Volume }; loss?: LossHistory; outputCheck?: OutputCheckVerdict | null; domainWarnings?: string[]; domainNote?: string; trainingData?: TrainingData };
  /** The `deconvolve --json` summary of the result, when available (timing, backend, tiles). */
  summary?: Record<string, unknown>;
  clahe?: boolean;
  /** Page title (default "CycleDecon report"). */
  title?: string;
}

export interface PsfStats {
  path: string;
  shape: number[];
  voxelSize: Volume['voxelSize'];
  /** FWHM through the peak, in voxel-size units. */
  fwhm: { z: number; y: number; x: number };
  /** Normalised cross-correlation with the theoretical PSF (learned PSF only, when both are given). */
  nccWithTheoretical?: number;
}

function psfStats(path: string, v: Volume, m: Measures, reference?: Volume): PsfStats {
  const a = m.psf(v, reference);
  return { path, shape: [...v.shape], voxelSize: { ...v.voxelSize }, fwhm: a.fwhm, ...(a.ncc === undefined ? {} : { nccWithTheoretical: a.ncc }) };
}

function stats(d: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < d.length; i++) { const v = d[i]!; if (v < min) min = v; if (v > max) max = v; sum += v; }
  return { min, max, mean: sum / d.length };
}

export function buildReport(src: ReportSources, m: Measures): { json: Record<string, unknown>; html: string } {
  const shape = src.input.volume.shape;
  for (const [name, v] of [['result', src.result], ['gt', src.gt], ['rl', src.rl]] as const) {
    if (v && v.volume.shape.join() !== shape.join()) throw new InvalidVolumeError(`${name} ${v.path} is ${v.volume.shape.join('×')}, the input is ${shape.join('×')}`);
  }
  const sections: Section[] = [];
  // A model flagged by its output check after training (engine/train/output-check.ts) comes first: the reader
  // must know before looking at any figure that the result carries no information about the input.
  if (src.run?.outputCheck?.collapsed) sections.push({ title: '⚠ Warning: the model failed its output check', blocks: [{ kind: 'text', text: src.run.outputCheck.message }] });
  const title = src.title ?? 'CycleDecon report';
  const json: Record<string, unknown> = { title, generated: new Date().toISOString(), clahe: Boolean(src.clahe) };
  json.input = { path: src.input.path, shape, voxelSize: src.input.volume.voxelSize, ...stats(src.input.volume.data) };
  json.result = { path: src.result.path, intensityScale: src.result.volume.metadata.intensityScale, ...stats(src.result.volume.data) };

  const named: NamedVolume[] = [{ name: 'input', volume: src.input.volume }, { name: 'result', volume: src.result.volume }];
  if (src.rl) named.push({ name: 'Richardson–Lucy', volume: src.rl.volume });
  if (src.gt) named.push({ name: 'ground truth', volume: src.gt.volume });
  // Cut through the brightest voxel of the ground truth (or the input): real structure, not a result's artefact.
  const centre = brightestCentre((src.gt ?? src.input).volume.data, shape);
  const views: Block[] = [{ kind: 'panels', panels: linkedOrthoviews(named, { centre }), caption: `Each panel: XY at z=${centre.z} (top left), YZ at x=${centre.x} (right), XZ at y=${centre.y} (bottom); z stretched by the voxel aspect. One linked display range (p0.1–p99.9 of all panels). Click a panel to enlarge it.` }];
  if (src.clahe) views.push({ kind: 'panels', panels: linkedOrthoviews(named, { centre, clahe: true }).map((p) => ({ ...p, title: `${p.title} (CLAHE)` })), caption: 'The same views with CLAHE applied for display only (metrics never use it).' });
  sections.push({ title: 'Input and result', blocks: views });

  const psfBlocks: Block[] = [];
  const psfs: NamedVolume[] = [];
  const psfJson: Record<string, PsfStats> = {};
  if (src.run?.learnedPsf) { psfs.push({ name: 'learned', volume: src.run.learnedPsf.volume }); psfJson.learned = psfStats(src.run.learnedPsf.path, src.run.learnedPsf.volume, m, src.theoreticalPsf?.volume); }
  if (src.theoreticalPsf) { psfs.push({ name: 'theoretical', volume: src.theoreticalPsf.volume }); psfJson.theoretical = psfStats(src.theoreticalPsf.path, src.theoreticalPsf.volume, m); }
  if (psfs.length) {
    psfBlocks.push({ kind: 'panels', panels: psfOrthoviews(psfs), caption: `${psfs.map((p) => p.name).join(' vs ')} PSF, orthoviews through the peak (magma, each scaled to its own maximum).` });
    psfBlocks.push({ kind: 'table', header: ['PSF', 'FWHM z', 'FWHM y', 'FWHM x', 'unit', 'NCC with theoretical'], rows: Object.entries(psfJson).map(([k, p]) => [k, p.fwhm.z, p.fwhm.y, p.fwhm.x, p.voxelSize.unit, p.nccWithTheoretical ?? '—']), caption: 'FWHM from a Gaussian fit of the profile through the peak.' });
    json.psf = psfJson;
    sections.push({ title: 'Point spread function', blocks: psfBlocks });
  }

  if (src.run?.loss && Object.keys(src.run.loss.series).length) {
    const l = src.run.loss;
    json.loss = { source: l.source, steps: l.steps.length, final: Object.fromEntries(Object.entries(l.series).filter(([k]) => !NOT_LOSSES.has(k)).map(([k, v]) => [k, v.at(-1)])) };
    // Terms that are identically zero (e.g. the supervised loss of a cycle run) would only hide the log scale.
    const shown = Object.entries(l.series).filter(([k, v]) => !NOT_LOSSES.has(k) && v.some((x) => Number.isFinite(x) && x !== 0));
    sections.push({ title: 'Training losses', blocks: [curveFigure(shown.map(([name, values]) => ({ name, values, x: l.steps })), `Loss terms per training step, from ${l.source} (log scale where every value is positive; identically zero terms are left out).`, { xLabel: 'training step', yLabel: 'loss (dimensionless)', logY: true })] });
  }

  if (src.gt) {
    const rows: Record<string, ReturnType<Measures['metrics']>> = {};
    for (const [name, v] of [['input', src.input], ['result', src.result], ['rl', src.rl]] as const) {
      if (v) rows[name] = m.metrics(src.gt.volume, v.volume);
    }
    json.metrics = { normalisation: 'CARE-style: ground truth p0.1–p99.9 → [0,1], each prediction affinely fitted to it (toolkit metrics)', vsGroundTruth: rows };
    sections.push({ title: 'Metrics against ground truth', blocks: [
      { kind: 'table', header: ['volume', 'PSNR (dB)', 'NRMSE', 'SSIM 3D', 'SSIM 2D (mean per slice)'], rows: Object.entries(rows).map(([k, r]) => [k, r.psnr, r.nrmse, r.ssim3d ?? '— (<11 slices)', r.ssim2d]), caption: `Ground truth ${src.gt.path}.` },
    ] });
  }

  const blurPsf = src.run?.learnedPsf ?? src.theoreticalPsf;
  const reblur = blurPsf ? reblurCheck(src.input.volume.data, src.result.volume.data, shape, (d) => m.convolve(d, shape, blurPsf.volume)) : undefined;
  // The result's own check (re-blur, correlation, artefacts): a flagged result, or an input outside the run's
  // training domain, is said first, before any figure.
  const resultCheck = checkResult(shape, src.input.volume.data, src.result.volume.data, reblur, src.gt?.volume.data);
  json.outputCheck = { passed: resultCheck.verdict.passed, flags: resultCheck.verdict.flags, message: resultCheck.verdict.message, correlation: resultCheck.correlation, noiseRelative: resultCheck.noiseRelative };
  json.artefacts = resultCheck.artefacts;
  json.domainWarnings = src.run?.domainWarnings ?? [];
  if (src.run?.domainNote) json.domainNote = src.run.domainNote;
  const first = warningSection(resultCheck, src.run?.domainWarnings ?? []);
  if (first) sections.unshift(first);
  sections.push(artefactSection(resultCheck));
  if (blurPsf && reblur) {
    const check: ReblurCheck = reblur;
    json.reblur = { psf: blurPsf.path, ...check };
    sections.push({ title: 'Re-blur check', blocks: [
      { kind: 'text', text: `‖a·(PSF ⊛ result) + b − input‖₂ / ‖input‖₂ per z slice, with the PSF ${blurPsf.path} and a least-squares gain a=${check.gain.toPrecision(4)} and offset b. Overall ${check.overall.toPrecision(4)} for the result vs ${check.inputOverall.toPrecision(4)} for the input itself. A result that re-blurs to the input explains the data; a high value in some slices flags structure the data do not support.` },
      curveFigure([{ name: 'result', values: check.perSlice }, { name: 'input (no deconvolution)', values: check.inputPerSlice }], 'Relative re-blur residual per z slice: lower means the volume, blurred with the PSF, explains the input better.', { xLabel: 'z slice (index)', yLabel: 'relative residual ‖·‖₂ / ‖input‖₂' }),
    ] });
  }

  const summary = src.summary;
  const timing = summary ? { seconds: summary.seconds, voxelsPerSecond: summary.voxelsPerSecond, backend: summary.backend, method: summary.method, details: summary.details } : undefined;
  const extra = src.result.volume.metadata.extra;
  json.timing = timing ?? { backend: extra['cycledecon.backend'], method: extra['cycledecon.method'] };
  const t = json.timing as Record<string, unknown>;
  sections.push({ title: 'Timing and backend', blocks: [{ kind: 'table', header: ['what', 'value'], rows: Object.entries(t).filter(([, v]) => v !== undefined && typeof v !== 'object').map(([k, v]) => [k, v as string | number]) }] });
  if (src.run) {
    // The trainer's history records cumulative seconds per step: its last value is the training time.
    const secs = src.run.loss?.series.seconds ?? [];
    json.run = { dir: src.run.dir, config: src.run.config, trainingSteps: src.run.loss?.steps.at(-1), trainingSeconds: secs.at(-1), outputCheck: src.run.outputCheck ?? null, ...(src.run.trainingData ? { trainingData: src.run.trainingData } : {}) };
  }
  // The verdict reads only report.json, so the page and the JSON can never disagree.
  json.verdict = reportVerdict(json as VerdictData);

  const html = renderHtml(title, `Input ${src.input.path} (${shape.join('×')} voxels, voxel ${src.input.volume.voxelSize.x}×${src.input.volume.voxelSize.y}×${src.input.volume.voxelSize.z} ${src.input.volume.voxelSize.unit}); result ${src.result.path}${src.run ? `; run ${src.run.dir}` : ''}.`, sections, json.verdict as string);
  return { json, html };
}
