// The output check's verdict on a deconvolved result, from numbers measured elsewhere (the report on a whole
// result, the trainer on training patches). "Passed" needs all of:
// 1. the result, re-blurred with the run's PSF, explains the input at least as well as the input explains itself
//    (PSF ⊛ input vs input), or as well as the noise allows: a deconvolution that re-blurs worse than doing
//    nothing added structure the data do not support;
// 2. the result follows the input (Pearson r ≥ MIN_FOLLOW_CORRELATION), else it is a texture unrelated to it;
// 3. no invented high frequencies (metrics/artefacts.ts): its share of power above the cut-off is at most
//    HF_RATIO × the input's (and at most HF_MARGIN above it), laterally and axially, and never more than white
//    noise's share (+ WHITE_MARGIN) unless the input has that much itself;
// 4. no negative light: its 0.1 % quantile is not more than NEGATIVE_DEPTH noise σ below zero (or below the
//    input's own, for background-subtracted inputs).
import type { ArtefactMeasures } from './artefacts';

/** The re-blur residual may exceed the reference by this factor (rounding, the PSF's own error). */
export const REBLUR_TOLERANCE = 1.1;
/** Correlation with the input below which a result is taken as unrelated to it (as the trainer's check). */
export const MIN_FOLLOW_CORRELATION = 0.1;
export const HF_RATIO = 3;
export const HF_MARGIN = 0.02;
export const HF_TRUTH_RATIO = 1.5;
/**
 * White noise's share of power above the cut-off c (cycles/voxel): laterally the square [−½, ½]² outside the
 * disc of radius c, 1 − πc²; axially 1 − 2c. No optics transmit more than noise there, so a result with more than
 * this (+ WHITE_MARGIN) carries structure at the grid's own period: a checkerboard, whatever the input's share.
 */
export const WHITE_MARGIN = 0.1;
export const whiteNoiseShare = (c: number) => ({ lateral: 1 - Math.PI * c * c, axial: 1 - 2 * c });
/** Noise σ below zero (at the 0.1 % quantile) that counts as negative light. */
export const NEGATIVE_DEPTH = 3;

export interface VerdictInputs {
  /** Relative re-blur residuals ‖a·PSF⊛x + b − input‖/‖input‖ for x = result and x = input (report/reblur.ts); absent without a PSF. */
  reblur?: { result: number; input: number };
  /** The input's noise σ relative to its RMS: the residual a perfect deconvolution would leave. */
  noiseRelative?: number;
  /** Pearson correlation of result and input. */
  correlation: number;
  artefacts: ArtefactMeasures;
}

/** Every flag the output check can raise (readers of a written verdict keep only these). */
export const OUTPUT_FLAG_CODES = [
  'reblur-worse',
  'unrelated',
  'high-frequency-lateral',
  'high-frequency-axial',
  'negative-light',
] as const;

export interface OutputFlag {
  code: (typeof OUTPUT_FLAG_CODES)[number];
  message: string;
}

export interface OutputVerdict {
  passed: boolean;
  flags: OutputFlag[];
  /** One paragraph: every flag's message, or why it passed. */
  message: string;
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

function reblurFlag(r: NonNullable<VerdictInputs['reblur']>, noise: number | undefined): OutputFlag | null {
  const reference = Math.max(r.input, noise ?? 0);
  if (r.result <= REBLUR_TOLERANCE * reference) return null;
  return {
    code: 'reblur-worse',
    message: `The result re-blurred with the PSF explains the input worse than the input itself: relative residual ${r.result.toPrecision(3)} vs ${r.input.toPrecision(3)} for the input${noise !== undefined ? ` (noise level ${noise.toPrecision(3)})` : ''}. It contains structure the data do not support.`,
  };
}

function highFrequencyFlags(a: ArtefactMeasures): OutputFlag[] {
  const out: OutputFlag[] = [];
  // A sharp ground truth (point-like structure) legitimately has power up to Nyquist: where it is known, a result
  // with up to HF_TRUTH_RATIO × its share is not flagged.
  // A noise-dominated input has about white noise's share, and 3 × that would exceed 100 %: the ceiling keeps a
  // checkerboard flagged there (it still allows what the input itself has, e.g. a camera's fixed pattern).
  const white = whiteNoiseShare(a.cutoff);
  const limit = (k: 'lateral' | 'axial', i: number, t: number | null | undefined) =>
    Math.min(
      Math.max(HF_RATIO * i, i + HF_MARGIN, HF_TRUTH_RATIO * (t ?? 0)),
      Math.max(white[k] + WHITE_MARGIN, i + HF_MARGIN),
    );
  const truth = (k: 'lateral' | 'axial') =>
    a.truth?.highFrequency[k] != null ? `, ${pct(a.truth.highFrequency[k]!)} in the ground truth` : '';
  for (const k of ['lateral', 'axial'] as const) {
    const r = a.result.highFrequency[k],
      i = a.input.highFrequency[k];
    if (r === null || i === null || r <= limit(k, i, a.truth?.highFrequency[k])) continue;
    out.push({
      code: `high-frequency-${k}`,
      message: `The result has ${pct(r)} of its ${k} power above ${a.cutoff} cycles/voxel vs ${pct(i)} in the input${truth(k)}: a checkerboard or other invented fine texture.`,
    });
  }
  return out;
}

function negativeFlag(a: ArtefactMeasures): OutputFlag | null {
  const r = a.result.negative,
    i = a.input.negative;
  if (r.p001InNoise >= Math.min(0, i.p001InNoise) - NEGATIVE_DEPTH) return null;
  return {
    code: 'negative-light',
    message: `The result has negative light: ${pct(r.fraction)} of voxels below zero, down to ${r.minimum.toPrecision(3)} (0.1 % quantile ${r.p001InNoise.toFixed(1)} noise σ below zero; input noise σ ${a.noiseSigma.toPrecision(3)}).`,
  };
}

export function outputVerdict(m: VerdictInputs): OutputVerdict {
  const flags: OutputFlag[] = [];
  const reblur = m.reblur && reblurFlag(m.reblur, m.noiseRelative);
  if (reblur) flags.push(reblur);
  if (!(m.correlation >= MIN_FOLLOW_CORRELATION))
    flags.push({
      code: 'unrelated',
      message: `The result is nearly unrelated to its input (correlation ${m.correlation.toFixed(3)}, below ${MIN_FOLLOW_CORRELATION}).`,
    });
  flags.push(...highFrequencyFlags(m.artefacts));
  const neg = negativeFlag(m.artefacts);
  if (neg) flags.push(neg);
  const passed = flags.length === 0;
  const message = passed
    ? `Output check passed: the result follows its input (r ${m.correlation.toFixed(3)})${m.reblur ? `, re-blurs to it (residual ${m.reblur.result.toPrecision(3)} vs ${m.reblur.input.toPrecision(3)} for the input)` : ''}, with no excess high frequencies and no negative light.`
    : `Output check flagged: ${flags.map((f) => f.message).join(' ')}`;
  return { passed, flags, message };
}
