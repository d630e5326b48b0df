// The loss chart's series: plain names and a one-line meaning for each term of engine/train/step.ts LossTerms,
// one fixed colour per term (the same term keeps its colour across runs), only positive values on the log axis
// and terms that are zero by construction (no D in supervised mode, spectral term off) left out.

export interface LossTermInfo {
  label: string;
  hint: string;
  color: string;
}

/** Colours from the Tableau 10 palette: ten hues told apart on a dark background. */
export const LOSS_TERMS: Record<string, LossTermInfo> = {
  generator: {
    label: 'Generators (total)',
    hint: 'The weighted sum the generators minimise: adversarial + cycle + PSF + spectral + positivity terms.',
    color: '#4e79a7',
  },
  cycleA: {
    label: 'Cycle: blurred → sharp → blurred',
    hint: 'How well a blurred stack is recovered after deconvolving and re-blurring it (L1).',
    color: '#f28e2b',
  },
  cycleB: {
    label: 'Cycle: sharp → blurred → sharp',
    hint: 'How well a sharp stack is recovered after blurring and deconvolving it (L1).',
    color: '#59a14f',
  },
  advAB: {
    label: 'Adversarial: looks sharp',
    hint: 'How far the deconvolved stacks are from fooling the sharp-data discriminator.',
    color: '#e15759',
  },
  advBA: {
    label: 'Adversarial: looks blurred',
    hint: 'How far the re-blurred stacks are from fooling the blurred-data discriminator.',
    color: '#76b7b2',
  },
  psfL1: { label: 'PSF sparsity', hint: 'L1 penalty on the learned PSF that keeps it compact.', color: '#edc948' },
  spectral: {
    label: 'Spectral fit',
    hint: 'Distance between the learned PSF and the one the power spectra of blurred and sharp data imply.',
    color: '#b07aa1',
  },
  positive: {
    label: 'Positivity',
    hint: 'How much light the deconvolved stacks put below zero (mean of the negative part); fluorescence is never negative.',
    color: '#8cd17d',
  },
  discriminatorA: {
    label: 'Discriminator (blurred)',
    hint: 'The blurred-data discriminator\u2019s own loss: near 0.25 means it cannot tell real from generated.',
    color: '#ff9da7',
  },
  discriminatorB: {
    label: 'Discriminator (sharp)',
    hint: 'The sharp-data discriminator\u2019s own loss: near 0.25 means it cannot tell real from generated.',
    color: '#9c755f',
  },
  supervised: {
    label: 'Supervised (paired)',
    hint: 'L1 between the deconvolved stack and its paired sharp stack.',
    color: '#bab0ac',
  },
};

const FALLBACK_COLORS = ['#d4a6c8', '#86bcb6', '#fabfd2', '#d37295'];
const NOT_LOSSES = new Set(['step', 'epoch', 'it', 'iteration', 'lr', 'seconds']);

export interface LossPoint {
  step: number;
  values: Record<string, number>;
}
export interface LossSeries extends LossTermInfo {
  key: string;
  x: number[];
  y: number[];
}

/** Exponential moving average (weight `alpha` on the newest value): the curve's trend without step noise. */
export function ema(y: readonly number[], alpha = 0.1): number[] {
  const out: number[] = [];
  let m = NaN;
  for (const v of y) out.push((m = Number.isNaN(m) ? v : alpha * v + (1 - alpha) * m));
  return out;
}

/**
 * One series per loss term with at least one positive finite value (a log axis shows nothing else); each keeps
 * only its positive finite points. `smooth` replaces the values by their moving average.
 */
export function lossSeries(points: readonly LossPoint[], smooth = false): LossSeries[] {
  const keys = [...new Set(points.flatMap((p) => Object.keys(p.values)))].filter((k) => !NOT_LOSSES.has(k));
  const out: LossSeries[] = [];
  let extra = 0;
  for (const key of keys) {
    const pts = points.filter((p) => Number.isFinite(p.values[key]) && p.values[key]! > 0);
    if (!pts.length) continue;
    const info = LOSS_TERMS[key] ?? {
      label: key,
      hint: `Loss term "${key}".`,
      color: FALLBACK_COLORS[extra++ % FALLBACK_COLORS.length]!,
    };
    const y = pts.map((p) => p.values[key]!);
    out.push({ key, ...info, x: pts.map((p) => p.step), y: smooth ? ema(y) : y });
  }
  return out;
}
