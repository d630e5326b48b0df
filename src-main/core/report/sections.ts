// The report's figure and table sections, each with the report.json entry it shows (build.ts assembles them).
import type { Volume } from '../io/volume';
import { brightestCentre, type OrthoCentre } from '../image/orthoviews';
import { profileSection } from './profiles';
import { curveFigure, linkedOrthoviews, psfOrthoviews, type NamedVolume } from './figures';
import type { Block, Section } from './html';
import { NOT_LOSSES, type LossHistory } from './loss';
import type { ReblurCheck } from './reblur';
import type { Measures, PsfStats, ReportSources } from './sources';

/** A section and the report.json entry with its numbers. */
export interface Part<T> {
  section: Section;
  data: T;
}

function namedVolumes(src: ReportSources): NamedVolume[] {
  const named: NamedVolume[] = [
    { name: 'input', volume: src.input.volume },
    { name: 'result', volume: src.result.volume },
  ];
  if (src.rl) named.push({ name: 'Richardson–Lucy', volume: src.rl.volume });
  if (src.gt) named.push({ name: 'ground truth', volume: src.gt.volume });
  return named;
}

/** Where the views and profiles cut: the brightest voxel of the ground truth (or the input), real structure, not a result's artefact. */
function cutVoxel(src: ReportSources): OrthoCentre {
  return brightestCentre((src.gt ?? src.input).volume.data, src.input.volume.shape);
}

/** Lateral and axial line profiles through the voxel the views cut through. */
export function profilesSection(src: ReportSources): Section {
  return profileSection(namedVolumes(src), cutVoxel(src));
}

/** Titled orthoview panels of every volume, cut through one voxel and shown with one display range. */
export function viewsSection(src: ReportSources): Section {
  const named = namedVolumes(src);
  const centre = cutVoxel(src);
  const views: Block[] = [
    {
      kind: 'panels',
      panels: linkedOrthoviews(named, { centre }),
      caption: `Each panel: XY at z=${centre.z} (top left), YZ at x=${centre.x} (right), XZ at y=${centre.y} (bottom); z stretched by the voxel aspect. One linked display range (p0.1–p99.9 of all panels). Click a panel to enlarge it.`,
    },
  ];
  if (src.clahe)
    views.push({
      kind: 'panels',
      panels: linkedOrthoviews(named, { centre, clahe: true }).map((p) => ({ ...p, title: `${p.title} (CLAHE)` })),
      caption: 'The same views with CLAHE applied for display only (metrics never use it).',
    });
  return { title: 'Input and result', blocks: views };
}

function psfStats(path: string, v: Volume, m: Measures, reference?: Volume): PsfStats {
  const a = m.psf(v, reference);
  return {
    path,
    shape: [...v.shape],
    voxelSize: { ...v.voxelSize },
    fwhm: a.fwhm,
    ...(a.ncc === undefined ? {} : { nccWithTheoretical: a.ncc }),
  };
}

/** The learned and theoretical PSFs side by side, with their widths; null when the report has neither. */
export function psfSection(src: ReportSources, m: Measures): Part<Record<string, PsfStats>> | null {
  const psfs: NamedVolume[] = [];
  const data: Record<string, PsfStats> = {};
  if (src.run?.learnedPsf) {
    psfs.push({ name: 'learned', volume: src.run.learnedPsf.volume });
    data.learned = psfStats(src.run.learnedPsf.path, src.run.learnedPsf.volume, m, src.theoreticalPsf?.volume);
  }
  if (src.theoreticalPsf) {
    psfs.push({ name: 'theoretical', volume: src.theoreticalPsf.volume });
    data.theoretical = psfStats(src.theoreticalPsf.path, src.theoreticalPsf.volume, m);
  }
  if (!psfs.length) return null;
  return {
    data,
    section: {
      title: 'Point spread function',
      blocks: [
        {
          kind: 'panels',
          panels: psfOrthoviews(psfs),
          caption: `${psfs.map((p) => p.name).join(' vs ')} PSF, orthoviews through the peak (magma, each scaled to its own maximum).`,
        },
        {
          kind: 'table',
          header: ['PSF', 'FWHM z', 'FWHM y', 'FWHM x', 'unit', 'NCC with theoretical'],
          rows: Object.entries(data).map(([k, p]) => [
            k,
            p.fwhm.z,
            p.fwhm.y,
            p.fwhm.x,
            p.voxelSize.unit,
            p.nccWithTheoretical ?? '—',
          ]),
          caption: 'FWHM from a Gaussian fit of the profile through the peak.',
        },
      ],
    },
  };
}

/** The run's loss curves; null when it has no loss history. */
export function lossSection(l: LossHistory | undefined): Part<unknown> | null {
  if (!l || !Object.keys(l.series).length) return null;
  const data = {
    source: l.source,
    steps: l.steps.length,
    final: Object.fromEntries(
      Object.entries(l.series)
        .filter(([k]) => !NOT_LOSSES.has(k))
        .map(([k, v]) => [k, v.at(-1)]),
    ),
  };
  // Terms that are identically zero (e.g. the supervised loss of a cycle run) would only hide the log scale.
  const shown = Object.entries(l.series).filter(
    ([k, v]) => !NOT_LOSSES.has(k) && v.some((x) => Number.isFinite(x) && x !== 0),
  );
  return {
    data,
    section: {
      title: 'Training losses',
      blocks: [
        curveFigure(
          shown.map(([name, values]) => ({ name, values, x: l.steps })),
          `Loss terms per training step, from ${l.source} (log scale where every value is positive; identically zero terms are left out). Faint: each step; solid: moving average over 5 % of the steps.`,
          { xLabel: 'training step', yLabel: 'loss (dimensionless)', logY: true, smooth: 0.05 },
        ),
      ],
    },
  };
}

/** Input, result and RL against the ground truth; null without one. */
export function metricsSection(src: ReportSources, m: Measures): Part<unknown> | null {
  if (!src.gt) return null;
  const rows: Record<string, ReturnType<Measures['metrics']>> = {};
  for (const [name, v] of [
    ['input', src.input],
    ['result', src.result],
    ['rl', src.rl],
  ] as const) {
    if (v) rows[name] = m.metrics(src.gt.volume, v.volume);
  }
  return {
    data: {
      normalisation:
        'CARE-style: ground truth p0.1–p99.9 → [0,1], each prediction affinely fitted to it (toolkit metrics)',
      vsGroundTruth: rows,
    },
    section: {
      title: 'Metrics against ground truth',
      blocks: [
        {
          kind: 'table',
          header: ['volume', 'PSNR (dB)', 'NRMSE', 'SSIM 3D', 'SSIM 2D (mean per slice)'],
          rows: Object.entries(rows).map(([k, r]) => [k, r.psnr, r.nrmse, r.ssim3d ?? '— (<11 slices)', r.ssim2d]),
          caption: `Ground truth ${src.gt.path}.`,
        },
      ],
    },
  };
}

/** The per-slice re-blur residual of the result and of the input itself. */
export function reblurSection(psfPath: string, check: ReblurCheck): Part<unknown> {
  return {
    data: { psf: psfPath, ...check },
    section: {
      title: 'Re-blur check',
      blocks: [
        {
          kind: 'text',
          text: `‖a·(PSF ⊛ result) + b − input‖₂ / ‖input‖₂ per z slice, with the PSF ${psfPath} and a least-squares gain a=${check.gain.toPrecision(4)} and offset b. Overall ${check.overall.toPrecision(4)} for the result vs ${check.inputOverall.toPrecision(4)} for the input itself. A result that re-blurs to the input explains the data; a high value in some slices flags structure the data do not support.`,
        },
        curveFigure(
          [
            { name: 'result', values: check.perSlice },
            { name: 'input (no deconvolution)', values: check.inputPerSlice },
          ],
          'Relative re-blur residual per z slice: lower means the volume, blurred with the PSF, explains the input better.',
          { xLabel: 'z slice (index)', yLabel: 'relative residual ‖·‖₂ / ‖input‖₂' },
        ),
      ],
    },
  };
}
