// The report's opening verdict: a few plain sentences, from report.json's own numbers, saying whether the result
// is better or worse than its input on every check the report has, and where the model came from. Pure: the
// same report.json always reads the same, and tests feed it hand-made records.
import type { OutputFlag } from '../metrics/output-verdict';

interface Quality {
  psnr: number;
  ssim3d: number | null;
  ssim2d: number;
}

/** The fields of report.json the verdict reads (all optional: a report may lack a PSF, a ground truth, a run). */
export interface VerdictData {
  reblur?: { overall: number; inputOverall: number };
  metrics?: { vsGroundTruth: Record<string, Quality | undefined> };
  psf?: { learned?: PsfWidths; theoretical?: PsfWidths };
  outputCheck?: { passed: boolean; flags: Pick<OutputFlag, 'code' | 'message'>[] };
  domainWarnings?: string[];
  domainNote?: string;
  timing?: { method?: unknown };
  run?: {
    dir: string;
    config?: unknown;
    trainingSteps?: number;
    trainingData?: TrainingData;
    /** output-check.json: `flags` names what failed (absent in runs written before these checks). */
    outputCheck?: { collapsed: boolean; flags?: OutputFlag['code'][] } | null;
  };
}

/** A PSF's widths as report.json's psf section records them (FWHM in its voxel size's unit). */
interface PsfWidths {
  fwhm: { z: number | null; y: number | null; x: number | null };
  voxelSize: { unit: string };
}

/** A learned PSF within this relative FWHM error of the theoretical one on every axis is called close to it. */
export const PSF_FWHM_TOLERANCE = 0.2;

/** What domain.json says about the blurred training stacks. */
export interface TrainingData {
  stacks: { shape: number[]; voxelSize: { x: number; y: number; z: number; unit: string } }[];
}

const FLAG_WORDS: Record<OutputFlag['code'], string> = {
  'reblur-worse': 'it re-blurs worse than the input',
  unrelated: 'it does not follow the input',
  'high-frequency-lateral': 'it has lateral high frequencies the input lacks',
  'high-frequency-axial': 'it has axial high frequencies the input lacks',
  'negative-light': 'it has negative light',
};

const n3 = (v: number) => Number(v.toPrecision(3)).toString();

function reblurSentence(r: VerdictData['reblur']): string | null {
  if (!r) return null;
  const better = r.overall <= r.inputOverall;
  return `Re-blurred with the PSF, the result explains the input ${better ? 'better' : 'worse'} than the input itself (relative residual ${n3(r.overall)} vs ${n3(r.inputOverall)}).`;
}

function metricsSentence(m: VerdictData['metrics']): string | null {
  const a = m?.vsGroundTruth.input,
    b = m?.vsGroundTruth.result;
  if (!a || !b) return null;
  const ssimKey = a.ssim3d !== null && b.ssim3d !== null ? 'ssim3d' : 'ssim2d';
  const ssimName = ssimKey === 'ssim3d' ? 'SSIM' : 'SSIM (2D)';
  const [pa, pb, sa, sb] = [
    a.psnr.toFixed(1),
    b.psnr.toFixed(1),
    (a[ssimKey] ?? 0).toFixed(3),
    (b[ssimKey] ?? 0).toFixed(3),
  ];
  // Compared as printed: a difference the reader cannot see (26.4 vs 26.4 dB) is no difference, not "worse".
  const way = (x: string, y: string) => (Number(y) > Number(x) ? 'better' : Number(y) < Number(x) ? 'worse' : 'same');
  const [psnrWay, ssimWay] = [way(pa, pb), way(sa, sb)];
  const psnr = `PSNR ${pb} vs ${pa} dB`,
    ssim = `${ssimName} ${sb} vs ${sa}`;
  if (psnrWay === 'same' && ssimWay === 'same')
    return `Against the ground truth it is the same as the input at the precision shown: PSNR ${pb} dB, ${ssimName} ${sb} for both.`;
  if (psnrWay !== ssimWay && psnrWay !== 'same' && ssimWay !== 'same')
    return `Against the ground truth it is mixed: ${psnrWay} than the input in ${psnr}, ${ssimWay} in ${ssim}.`;
  return `Against the ground truth it is ${psnrWay === 'same' ? ssimWay : psnrWay} than the input: ${psnr}, ${ssim}.`;
}

function psfSentence(p: VerdictData['psf']): string | null {
  const a = p?.learned,
    t = p?.theoretical;
  // Widths in different units (a calibrated reference, an uncalibrated run) cannot be compared.
  if (!a || !t || a.voxelSize.unit !== t.voxelSize.unit) return null;
  const axes = ['z', 'y', 'x'] as const;
  // A width the profile fit could not measure is recorded as null: not within the tolerance, and said so.
  const width = (v: number | null) => (typeof v === 'number' && v > 0 ? v : null);
  if (axes.some((k) => width(t.fwhm[k]) === null)) return null;
  const err = axes.map((k) => {
    const w = width(a.fwhm[k]);
    return w === null ? null : w / t.fwhm[k]! - 1;
  });
  const pc = (e: number | null) =>
    e === null ? 'not measurable' : `${e >= 0 ? '+' : '−'}${Math.round(100 * Math.abs(e))} %`;
  const each = axes.map((k, i) => `${k} ${pc(err[i]!)}`).join(', ');
  const off = axes.filter((_, i) => err[i] === null || Math.abs(err[i]!) > PSF_FWHM_TOLERANCE);
  const tol = `${Math.round(100 * PSF_FWHM_TOLERANCE)} %`;
  return off.length
    ? `The learned PSF's width is more than ${tol} off the theoretical PSF's on ${off.join(', ')} (FWHM ${each}).`
    : `The learned PSF's width is within ${tol} of the theoretical PSF's on every axis (FWHM ${each}).`;
}

function checkSentence(c: VerdictData['outputCheck']): string | null {
  if (!c) return null;
  if (c.passed)
    return 'The output check passed (it follows the input, re-blurs no worse, no invented high frequencies, no negative light).';
  return `The output check flagged it: ${c.flags.map((f) => FLAG_WORDS[f.code] ?? f.message).join('; ')}.`;
}

function domainSentence(d: VerdictData): string | null {
  if (!d.run) return null;
  const c = d.run.outputCheck;
  // "Collapsed" covers every flag since the re-blur and high-frequency checks joined it: only 'unrelated' (or an
  // older run without flags) means the output carries no information about the input.
  const other = (c?.flags ?? []).filter((f) => f !== 'unrelated');
  const collapsed = !c?.collapsed
    ? ''
    : other.length && !c.flags!.includes('unrelated')
      ? `The model failed its output check on training patches after training: ${other.map((f) => FLAG_WORDS[f]).join('; ')}. `
      : 'The model failed its output check after training: its output carries no information about its input. ';
  return collapsed + inDomainSentence(d);
}

function inDomainSentence(d: VerdictData): string {
  const w = d.domainWarnings ?? [];
  if (w.length)
    return `The input is outside the model's training domain (${w.length} warning${w.length > 1 ? 's' : ''}, below).`;
  if (d.domainNote) return 'The input was not checked against the training domain (the run has no domain record).';
  return "The input lies within the model's training domain.";
}

function str(o: unknown, k: string): string | undefined {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function dataWords(t: TrainingData | undefined): string | null {
  const s = t?.stacks;
  if (!s?.length) return null;
  const shapes = [...new Set(s.map((x) => x.shape.join('×')))];
  const v = s[0]!.voxelSize;
  return `${s.length} blurred stack${s.length > 1 ? 's' : ''} of ${shapes.slice(0, 3).join(', ')}${shapes.length > 3 ? ', …' : ''} voxels at ${v.x}×${v.y}×${v.z} ${v.unit}`;
}

function originSentence(d: VerdictData): string | null {
  if (!d.run) {
    const method = typeof d.timing?.method === 'string' ? d.timing.method : undefined;
    return method
      ? `The result comes from the ${method === 'rl' ? 'Richardson–Lucy' : method} method, with no trained model.`
      : null;
  }
  const c = d.run.config;
  const preset = str(c, 'preset'),
    mode = str(c, 'mode'),
    sharp = str(c, 'sharpSource');
  const how = [
    preset && `preset ${preset}`,
    mode && `${mode} mode`,
    sharp && (sharp === 'rl' ? 'sharp domain from Richardson–Lucy' : "sharp domain from the user's sharp stacks"),
    d.run.trainingSteps !== undefined && `${d.run.trainingSteps} steps`,
  ]
    .filter(Boolean)
    .join(', ');
  const data = dataWords(d.run.trainingData);
  return `The model comes from run ${d.run.dir}${how ? ` (${how})` : ''}${data ? `, trained on ${data}` : ', training data not recorded'}.`;
}

/** The opening paragraph: one sentence per check the report has (the learned PSF's width against the theoretical one's too), then the model's origin. */
export function reportVerdict(d: VerdictData): string {
  return [
    reblurSentence(d.reblur),
    metricsSentence(d.metrics),
    checkSentence(d.outputCheck),
    psfSentence(d.psf),
    domainSentence(d),
    originSentence(d),
  ]
    .filter((s): s is string => s !== null)
    .join(' ');
}
