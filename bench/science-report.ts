// Formatting of `npm run bench:science`: the console table, and the results section of docs/results.md
// (between the two markers, replaced on every full run; the rest of the document is left as it is).
import { readFileSync } from 'node:fs';
import { writeBytesAtomic } from '../src-main/core/io/atomic';
import type { ArtefactRow } from './artefact-row';

export interface Row {
  method: string;
  ssim3d: number | null;
  ssim2d: number;
  psnr: number;
  /** Pearson correlation with the ground truth (before any fit): 0 = no information about the structures. */
  r?: number;
  seconds?: number;
  /** Artefact measures and the output verdict (bench/artefact-row.ts). */
  artefacts?: ArtefactRow;
}

export interface PsfReport {
  trueFwhm: { x: number; y: number; z: number };
  initFwhm: { x: number; y: number; z: number };
  /** What the PSF layer started from (config psf.init). */
  initLabel?: string;
  learnedFwhm: { x: number; y: number; z: number };
  /**
   * The learned PSF's FWHM after subtracting the median of its box's faces (as bead-analysis tools fit a Gaussian
   * plus offset): the width of the core when the kernel holds a flat pedestal (haze squeezed into its box).
   * Reported beside learnedFwhm; target 1 is judged on learnedFwhm.
   */
  learnedCoreFwhm?: { x: number; y: number; z: number };
  /** learned / true − 1 per axis. */
  relError: { x: number; y: number; z: number };
  nccLearned: number;
  nccInit: number;
  /**
   * The blind check: the same configuration trained on data whose true PSF is wider (λ × 1.35). followed: per axis,
   * (learned_wider / learned − 1) / (true_wider / true − 1); 1 = the learned PSF widens with the truth, 0 = it ignores it.
   */
  probe?: {
    wavelength: number;
    trueFwhm: { x: number; y: number; z: number };
    learnedFwhm: { x: number; y: number; z: number };
    followed: { x: number; y: number; z: number };
  };
  /** The blind spectral fit of the same training data (core/psf/spectral-fit.ts, no network), and on the probe's data. */
  spectral?: {
    fwhm: { x: number; y: number; z: number };
    ncc: number;
    probe?: { fwhm: { x: number; y: number; z: number }; followed: { x: number; y: number; z: number } };
  };
}

/** The share of the truth's change the learned PSF must follow, on every axis, to count as estimated from the data. */
export const MIN_FOLLOWED = 0.5;

export interface ScienceResult {
  date: string;
  machine: string;
  backend: string;
  quick: boolean;
  steps: number;
  config: Record<string, unknown>;
  data: Record<string, unknown>;
  psf: PsfReport;
  rows: Row[];
  targets: { fwhmWithin20: boolean; ssimAtLeastRlTrue: boolean; psfFollowsTruth?: boolean };
  wallSeconds: number;
}

// Rounded first, so that a tiny negative number prints as 0, not -0.
const f = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : (Number(v.toFixed(d)) || 0).toFixed(d);
const pct = (v: number) => {
  const p = Number((100 * v).toFixed(0)) || 0;
  return `${p > 0 ? '+' : ''}${p} %`;
};

export function methodTable(r: ScienceResult): string {
  const lines = [
    '| method | SSIM 3D | SSIM 2D (mean per slice) | PSNR (dB) | r with truth | train time |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of r.rows)
    lines.push(
      `| ${row.method} | ${f(row.ssim3d)} | ${f(row.ssim2d)} | ${f(row.psnr, 2)} | ${f(row.r)} | ${row.seconds ? `${(row.seconds / 60).toFixed(1)} min` : ''} |`,
    );
  return lines.join('\n');
}

/** Power above 0.4 cycles/voxel (result / input / truth), negative light, re-blur with the true PSF, verdict. */
export function artefactTable(r: ScienceResult): string {
  const p3 = (t: [number, number, number]) =>
    t.map((v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–')).join(' / ');
  const lines = [
    '| method | lateral > 0.4 cyc/vx (result / input / truth) | axial > 0.4 | negative voxels | p0.1 / noise σ | re-blur (input) | output check |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of r.rows) {
    const a = row.artefacts;
    if (a)
      lines.push(
        `| ${row.method} | ${p3(a.lateral)} | ${p3(a.axial)} | ${(100 * a.negativeFraction).toFixed(1)} % | ${f(a.p001InNoise, 1)} | ${f(a.reblur)} (${f(a.inputReblur)}) | ${a.passed ? 'passed' : `flagged: ${a.flags.join(', ')}`} |`,
      );
  }
  return lines.join('\n');
}

export function psfTable(p: PsfReport): string {
  const um = (v: { x: number; y: number; z: number }) => `${f(v.x)} / ${f(v.y)} / ${f(v.z)}`;
  return [
    '| PSF | FWHM x / y / z (µm) | NCC with the true PSF |',
    '|---|---|---|',
    `| true (Born–Wolf) | ${um(p.trueFwhm)} | 1 |`,
    `| initial (${p.initLabel ?? "fast preset's Gaussian"}) | ${um(p.initFwhm)} | ${f(p.nccInit)} |`,
    `| learned by CycleDecon | ${um(p.learnedFwhm)} (${pct(p.relError.x)} / ${pct(p.relError.y)} / ${pct(p.relError.z)}) | ${f(p.nccLearned)} |`,
    ...(p.probe
      ? [
          `| true, λ ${f(p.probe.wavelength, 3)} µm (the blind check's wider truth) | ${um(p.probe.trueFwhm)} (${(['x', 'y', 'z'] as const).map((k) => pct(p.probe!.trueFwhm[k] / p.trueFwhm[k] - 1)).join(' / ')}) | |`,
          `| learned on that data | ${um(p.probe.learnedFwhm)} (${(['x', 'y', 'z'] as const).map((k) => pct(p.probe!.learnedFwhm[k] / p.learnedFwhm[k] - 1)).join(' / ')}; followed ${f(p.probe.followed.x, 2)} / ${f(p.probe.followed.y, 2)} / ${f(p.probe.followed.z, 2)} of the change) | |`,
        ]
      : []),
    ...(p.learnedCoreFwhm
      ? [
          `| learned, face-median offset removed | ${um(p.learnedCoreFwhm)} (${(['x', 'y', 'z'] as const).map((k) => pct(p.learnedCoreFwhm![k] / p.trueFwhm[k] - 1)).join(' / ')}) | |`,
        ]
      : []),
    ...(p.spectral
      ? [
          `| blind spectral fit, no network (core/psf/spectral-fit: a Gaussian fitted to the training data's power spectra) | ${um(p.spectral.fwhm)} (${(['x', 'y', 'z'] as const).map((k) => pct(p.spectral!.fwhm[k] / p.trueFwhm[k] - 1)).join(' / ')}) | ${f(p.spectral.ncc)} |`,
        ]
      : []),
    ...(p.spectral?.probe
      ? [
          `| spectral fit on the wider truth's data | ${um(p.spectral.probe.fwhm)} (followed ${f(p.spectral.probe.followed.x, 2)} / ${f(p.spectral.probe.followed.y, 2)} / ${f(p.spectral.probe.followed.z, 2)} of the change) | |`,
        ]
      : []),
  ].join('\n');
}

export function consoleReport(r: ScienceResult): string {
  return [
    methodTable(r),
    '',
    artefactTable(r),
    '',
    psfTable(r.psf),
    '',
    `target 1, learned FWHM within 20 % on every axis: ${r.targets.fwhmWithin20 ? 'MET' : 'NOT met'}`,
    `target 2, CycleDecon SSIM (3D) ≥ RL with the true PSF: ${r.targets.ssimAtLeastRlTrue ? 'MET' : 'NOT met'}`,
    ...(r.targets.psfFollowsTruth === undefined
      ? []
      : [
          `blind check, the learned PSF follows a wider truth (≥ ${MIN_FOLLOWED} of its change on every axis): ${r.targets.psfFollowsTruth ? 'yes' : 'NO'}`,
        ]),
  ].join('\n');
}

export const BEGIN = '<!-- bench:science results (written by bench/science.ts) -->';
export const END = '<!-- /bench:science results -->';

export function resultsSection(r: ScienceResult): string {
  const d = r.data as {
    trainShape: number[];
    trainStacks: number;
    testShape: number[];
    sharpStacks: number;
    psf: string;
    noise: string;
  };
  return [
    BEGIN,
    `## Results of \`npm run bench:science\` (${r.date.slice(0, 10)})`,
    '',
    `Machine: ${r.machine}; tfjs backend \`${r.backend}\`. The load average counts the benchmark's own threads; on a box shared with other jobs the times are upper bounds.`,
    `Data (src-main/core/synth, seeded): ${d.trainStacks} training stacks ${d.trainShape.join('×')}, ${d.sharpStacks} separate unmatched sharp stacks (domain B),`,
    `one held-out test stack ${d.testShape.join('×')}; ${d.psf}; ${d.noise}.`,
    `Training: preset \`${String(r.config.preset)}\`, ${r.steps} steps each for CycleDecon, the \`--gba cnn\` ablation (same budget)${r.psf.probe ? ' and CycleDecon once more on data with a 35 % wider true PSF (the blind check)' : ''}. RL: 20 iterations.`,
    `Metrics against the ground truth after CARE normalisation (src-main/core/metrics: the prediction's affine least-squares fit onto the truth, so a prediction that carries no information becomes the flat image of the "flat image" row); r: Pearson correlation with the truth. Whole benchmark: ${(r.wallSeconds / 60).toFixed(1)} min.`,
    '',
    methodTable(r),
    '',
    'Artefacts (src-main/core/metrics/artefacts.ts): share of power above 0.4 cycles/voxel, negative light, re-blur residual with the true PSF, and the output verdict.',
    '',
    artefactTable(r),
    '',
    psfTable(r.psf),
    '',
    `- Target "learned-PSF FWHM within 20 % of the truth on every axis": **${r.targets.fwhmWithin20 ? 'met' : 'not met'}**.`,
    `- Target "CycleDecon SSIM ≥ RL with the true PSF": **${r.targets.ssimAtLeastRlTrue ? 'met' : 'not met'}**.`,
    ...(r.targets.psfFollowsTruth === undefined
      ? []
      : [
          `- Blind check (the same configuration trained on data whose true PSF is 35 % wider): the learned PSF **${r.targets.psfFollowsTruth ? 'follows' : 'does not follow'}** the truth (≥ ${MIN_FOLLOWED} of the change on every axis). A PSF near the truth that does not follow it is not an estimate, whatever its FWHM error.`,
        ]),
    END,
  ].join('\n');
}

/** Replace the results section of docs/results.md (or put it after the title when it has none yet). */
export async function writeResultsDoc(path: string, r: ScienceResult): Promise<void> {
  const doc = readFileSync(path, 'utf8');
  const section = resultsSection(r);
  const a = doc.indexOf(BEGIN),
    b = doc.indexOf(END);
  let next: string;
  if (a >= 0 && b > a) next = doc.slice(0, a) + section + doc.slice(b + END.length);
  else {
    const firstBreak = doc.indexOf('\n\n');
    next =
      firstBreak >= 0
        ? `${doc.slice(0, firstBreak)}\n\n${section}\n${doc.slice(firstBreak)}`
        : `${doc}\n\n${section}\n`;
  }
  await writeBytesAtomic(path, next, { force: true });
}
