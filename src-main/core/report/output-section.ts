// The report's verdict on the result (metrics/output-verdict.ts) and its artefact measures: computed on the whole
// result, shown first when flagged (the reader must know before any figure), and as a table of measures.
import type { Shape3 } from '../io/volume';
import { measureArtefacts, type ArtefactMeasures } from '../metrics/artefacts';
import { ncc } from '../metrics/index';
import { outputVerdict, type OutputVerdict } from '../metrics/output-verdict';
import type { Block, Section } from './html';
import type { ReblurCheck } from './reblur';

export interface ResultCheck {
  verdict: OutputVerdict;
  artefacts: ArtefactMeasures;
  correlation: number;
  noiseRelative: number;
}

function rms(d: Float32Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return Math.sqrt(s / (d.length || 1));
}

export function checkResult(
  shape: Shape3,
  input: Float32Array,
  result: Float32Array,
  reblur: ReblurCheck | undefined,
  truth?: Float32Array,
): ResultCheck {
  const artefacts = measureArtefacts(shape, input, result, truth);
  const correlation = ncc(result, input);
  const r = rms(input);
  const noiseRelative = r > 0 ? artefacts.noiseSigma / r : 0;
  const verdict = outputVerdict({
    correlation,
    artefacts,
    noiseRelative,
    ...(reblur ? { reblur: { result: reblur.overall, input: reblur.inputOverall } } : {}),
  });
  return { verdict, artefacts, correlation, noiseRelative };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(2)} %`);

/** The flagged verdict (and any domain warnings) as the report's first section; null when there is nothing to say. */
export function warningSection(check: ResultCheck, domainWarnings: string[]): Section | null {
  const blocks: Block[] = [];
  if (!check.verdict.passed) blocks.push(...check.verdict.flags.map((f): Block => ({ kind: 'text', text: f.message })));
  blocks.push(...domainWarnings.map((w): Block => ({ kind: 'text', text: w })));
  if (!blocks.length) return null;
  return {
    title: check.verdict.passed
      ? "⚠ Warning: the input is outside the model's training domain"
      : '⚠ Warning: the result is flagged by its output check',
    blocks,
  };
}

export function artefactSection(check: ResultCheck): Section {
  const a = check.artefacts;
  const rows: (string | number)[][] = [
    ['input', a.input],
    ['result', a.result],
    ...(a.truth ? [['ground truth', a.truth] as const] : []),
  ].map(([name, v]) => {
    const m = v as typeof a.input;
    return [
      name as string,
      pct(m.highFrequency.lateral),
      pct(m.highFrequency.axial),
      pct(m.negative.fraction),
      m.negative.minimum,
      m.negative.p001InNoise,
    ];
  });
  return {
    title: 'Output check and artefact measures',
    blocks: [
      { kind: 'text', text: check.verdict.message },
      {
        kind: 'table',
        header: [
          'volume',
          `lateral power > ${a.cutoff} cyc/vox`,
          `axial power > ${a.cutoff} cyc/vox`,
          'negative voxels',
          'minimum',
          'p0.1 / noise σ',
        ],
        rows,
        caption: `Noise σ of the input ${a.noiseSigma.toPrecision(4)} (median neighbour difference); correlation of result and input ${check.correlation.toFixed(3)}. A checkerboard puts power near 0.5 cycles/voxel, which a blurred input barely has.`,
      },
    ],
  };
}
